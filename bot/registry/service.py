"""Registry use cases: each takes the store, checks the rules and permissions, audits changes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TypeVar

from bot.access import Actor, check_can_change
from bot.errors import AlreadyRegistered, NameTaken, NotFound, RuleError, StaleEdit, WriteConflict
from bot.health.upkeep import refresh_summary
from bot.metrics import METRICS, Period, format_metric
from bot.paging import Page
from bot.ports import Store, Tx
from bot.registry.list_counts import ListCounts
from bot.registry.lookup import find, suggestions
from bot.registry.ports import AuditEntry, ListedPartner, ListFilters, MetricRow
from bot.registry.rules import (
    RETIRED,
    Diff,
    FieldChange,
    Partner,
    PartnerFields,
    Status,
    apply,
    check_takes_metrics,
    clean_text,
    creation_diff,
    name_key,
    new_partner,
)

PAGE_SIZE = 20
T = TypeVar("T")
HISTORY_PAGE_SIZE = 15
WRITE_ATTEMPTS = 3  # a command whose versioned write lost a race reads again this many times


async def retry_conflicts(attempt: Callable[[], Awaitable[T]]) -> T:
    """Run a write transaction again when another change landed between its reads and its
    versioned writes (WriteConflict, rolled back): a command, unlike a form, has nothing
    that went stale, so reading again and deciding again is what the user asked for."""
    for _ in range(WRITE_ATTEMPTS - 1):
        try:
            return await attempt()
        except WriteConflict:
            continue
    return await attempt()


@dataclass(frozen=True)
class Change:
    """The result of a change: the partner as it is now, and what changed."""

    partner: Partner
    diff: Diff


class BackupError(RuleError):
    """A backup named is not registered, or is the partner itself."""


async def resolve_backups(
    tx: Tx, team_id: str, own_key: str, names: tuple[str, ...], own_id: int | None = None
) -> tuple[list[int], tuple[str, ...]]:
    """The ids and registered names of the backups named, or a BackupError for the first
    bad one. own_id catches the partner under its old name while it is being renamed."""
    ids, canonical = [], []
    for name in names:
        backup = await tx.partner_by_key(team_id, name_key(name), full=False)
        if name_key(name) == own_key or (backup is not None and backup.id == own_id):
            raise BackupError(f"*{name}* cannot be its own backup.")
        if backup is None:
            close = await suggestions(tx, team_id, name)
            hint = f" Did you mean *{close[0]}*?" if close else ""
            raise BackupError(f"The backup *{name}* is not a registered partner.{hint}")
        ids.append(backup.id)
        canonical.append(backup.name)
    return ids, tuple(canonical)


async def audit(
    tx: Tx, partner: Partner, actor: Actor, at: datetime, action: str, diff: Diff
) -> None:
    for change in diff.changes:
        entry = AuditEntry(
            partner.team_id, actor.label, at, action, change.field, change.before, change.after
        )
        await tx.add_audit(entry, partner.id)


async def add_partner(
    store: Store, at: datetime, team_id: str, actor: Actor, fields: PartnerFields
) -> Change:
    """Register a partner; the adder owns it unless another owner is given. When two adds of
    one name race, the unique constraint decides and the loser is told it is registered."""
    if fields.name is None:
        raise RuleError("A partner needs a name.")
    key = name_key(fields.name)
    try:
        async with store.write() as tx:
            existing = await tx.partner_by_key(team_id, key, full=False)
            if existing is not None:
                raise AlreadyRegistered(existing.name, existing.owner)
            return await insert_new_partner(tx, at, team_id, actor, fields, "add")
    except NameTaken:
        async with store.read() as tx:
            existing = await tx.partner_by_key(team_id, key, full=False)
        if existing is None:  # taken and gone again since: the constraint's word stands
            raise
        raise AlreadyRegistered(existing.name, existing.owner) from None


async def insert_new_partner(
    tx: Tx, at: datetime, team_id: str, actor: Actor, fields: PartnerFields, action: str
) -> Change:
    """Insert a partner whose name is free, with the registry's defaults for what is not
    given (the actor owns it unless an owner is), its tags and backups, audited."""
    if fields.name is None:
        raise RuleError("A partner needs a name.")
    backup_ids, backups = await resolve_backups(
        tx, team_id, name_key(fields.name), fields.backups or ()
    )
    draft = new_partner(team_id, actor, replace(fields, backups=backups))
    partner_id = await tx.insert_partner(draft, name_key(draft.name), at)
    partner = replace(draft, id=partner_id, created_at=at, updated_at=at)
    await tx.replace_tags(team_id, partner_id, partner.tags)
    await tx.replace_backups(team_id, partner_id, backup_ids)
    diff = creation_diff(partner)
    await audit(tx, partner, actor, at, action, diff)
    return Change(partner, diff)


async def change_partner(
    store: Store,
    at: datetime,
    team_id: str,
    actor: Actor,
    name: str,
    fields: PartnerFields,
    action: str = "set",
    partner_id: int | None = None,
    version: datetime | None = None,
) -> Change:
    """Apply an edit by name (or by id, from a modal), audited field by field.

    version is the partner's updated_at when a form was opened: a form saves every field,
    so saving it over a newer change would silently undo that change. The write itself is
    versioned, so a change landing between this read and the write is caught too.
    """

    async def attempt() -> Change:
        async with store.write() as tx:
            partner = await find(tx, team_id, name, partner_id)
            check_can_change(partner, actor)
            stale = StaleEdit(
                f"*{partner.name}* was changed since this form was opened; "
                "close it and edit again to see the latest values."
            )
            if version is not None and partner.updated_at != version:
                raise stale
            try:
                return await apply_change(tx, at, actor, partner, fields, action)
            except WriteConflict:
                if version is None:
                    raise
                raise stale from None

    return await retry_conflicts(attempt)


async def apply_change(
    tx: Tx, at: datetime, actor: Actor, partner: Partner, fields: PartnerFields, action: str
) -> Change:
    new_key = name_key(fields.name) if fields.name is not None else name_key(partner.name)
    if fields.name is not None and new_key != name_key(partner.name):
        clash = await tx.partner_by_key(partner.team_id, new_key, full=False)
        if clash is not None:
            raise RuleError(f"Another partner is already named *{clash.name}*.")
    backup_ids: list[int] = []
    if fields.backups is not None:
        backup_ids, backups = await resolve_backups(
            tx, partner.team_id, new_key, fields.backups, own_id=partner.id
        )
        fields = replace(fields, backups=backups)
    after, diff = apply(partner, fields)
    if not diff:
        return Change(partner, diff)
    # The versioned write first: it fails if the partner changed since it was read, and on
    # PostgreSQL holds the row until commit, so the tags and backups below are this change's.
    version = await tx.update_partner(after, new_key, at)
    if version is None:
        raise WriteConflict(partner.name)
    after = replace(after, updated_at=version)
    if fields.backups is not None:
        await tx.replace_backups(partner.team_id, partner.id, backup_ids)
    if fields.tags is not None:
        await tx.replace_tags(partner.team_id, partner.id, after.tags)
    # Audited at the stored version, so an Undo finds this change's rows by it even when the
    # version had to move past a clock that stood still or ran behind.
    await audit(tx, after, actor, version, action, diff)
    # As stored: updated_at is the version an Undo button or a form checks against.
    return Change(after, diff)


async def drop_partner(
    store: Store, at: datetime, team_id: str, actor: Actor, words: tuple[str, ...], reason: str
) -> Change:
    """Mark a partner dropped, keeping the reason. The name is the longest leading run of
    words that names a partner (`drop Acme Media went quiet` drops "Acme Media", not "Acme");
    the words after it, and `reason`, are the reason."""
    return await retry_conflicts(lambda: _drop(store, at, team_id, actor, words, reason))


async def _drop(
    store: Store, at: datetime, team_id: str, actor: Actor, words: tuple[str, ...], reason: str
) -> Change:
    async with store.write() as tx:
        for count in range(len(words), 0, -1):
            partner = await tx.partner_by_key(team_id, name_key(" ".join(words[:count])))
            if partner is not None:
                break
        else:
            raise NotFound(words[0], await suggestions(tx, team_id, " ".join(words)))
        check_can_change(partner, actor)
        why = clean_text(" ".join((*words[count:], reason)).strip(), "The reason")
        fields = PartnerFields(status=Status.DROPPED, drop_reason=why)
        return await apply_change(tx, at, actor, partner, fields, "drop")


async def archive_partner(
    store: Store, at: datetime, team_id: str, actor: Actor, name: str
) -> Change:
    """Archive a partner: kept with its history, hidden from lists."""
    fields = PartnerFields(status=Status.ARCHIVED)
    return await change_partner(store, at, team_id, actor, name, fields, action="archive")


async def restore_partner(
    store: Store, at: datetime, team_id: str, actor: Actor, name: str
) -> Change:
    """Bring a dropped or archived partner back to the status it had before."""
    return await retry_conflicts(lambda: _restore(store, at, team_id, actor, name))


async def _restore(store: Store, at: datetime, team_id: str, actor: Actor, name: str) -> Change:
    async with store.write() as tx:
        partner = await find(tx, team_id, name)
        check_can_change(partner, actor)
        if partner.status not in RETIRED:
            raise RuleError(
                f"*{partner.name}* is {partner.status.value}, not dropped or archived; "
                "there is nothing to restore."
            )
        previous = await tx.status_before_retirement(team_id, partner.id)
        back = Status(previous) if previous and previous not in RETIRED else Status.ACTIVE
        fields = PartnerFields(status=back, drop_reason="")
        return await apply_change(tx, at, actor, partner, fields, "restore")


async def show_partner(
    store: Store, team_id: str, name: str
) -> tuple[Partner, list[tuple[str, str, float]]]:
    """A partner and its latest metrics."""
    async with store.read() as tx:
        partner = await find(tx, team_id, name)
        metrics = await tx.partner_metrics(team_id, partner.id, limit=len(METRICS) * 4)
    return partner, metrics


async def list_partners(
    store: Store,
    team_id: str,
    filters: ListFilters,
    offset: int = 0,
    size: int = PAGE_SIZE,
    counts: ListCounts | None = None,
) -> Page[ListedPartner]:
    """One page of the registry, filtered; with counts, the pool is counted only when the
    database's report version is not that of the total kept for these filters."""
    offset = max(offset, 0)
    known = None if counts is None else counts.known((team_id, filters))
    async with store.read(snapshot=False) as tx:  # one statement
        listed = await tx.list_page(
            team_id, filters, size, offset, None if known is None else known.version
        )
    if listed.total is None:  # read at the known total's version: that total holds
        assert known is not None
        return Page(listed.items, known.value, offset, size)
    if counts is not None and listed.version is not None:
        counts.keep((team_id, filters), listed.version, listed.total)
    return Page(listed.items, listed.total, offset, size)


async def partner_history(
    store: Store,
    team_id: str,
    name: str = "",
    offset: int = 0,
    size: int = HISTORY_PAGE_SIZE,
    *,
    partner_id: int | None = None,
) -> tuple[Partner, Page[AuditEntry]]:
    """A partner's audit trail, newest first, one page; by name or by a button's id."""
    async with store.read() as tx:
        partner = await find(tx, team_id, name, partner_id, full=False)
        entries, total = await tx.history(team_id, partner.id, size, max(offset, 0))
    return partner, Page(entries, total, max(offset, 0), size)


async def record_metrics(
    store: Store,
    at: datetime,
    team_id: str,
    actor: Actor,
    name: str,
    values: dict[str, float],
    period: Period,
) -> Change:
    """Record metrics for a period; a value recorded again replaces the old one, audited."""
    if not values:
        raise RuleError("Give at least one metric, e.g. `rue=35 roi=2.1`.")

    async def attempt() -> Change:
        async with store.write() as tx:
            partner = await find(tx, team_id, name, full=False)
            check_can_change(partner, actor)
            check_takes_metrics(partner)
            diff = await write_metrics(tx, at, actor, partner, values, period)
        return Change(partner, diff)

    return await retry_conflicts(attempt)


async def write_metrics(
    tx: Tx,
    at: datetime,
    actor: Actor,
    partner: Partner,
    values: dict[str, float],
    period: Period,
    action: str = "metrics",
    *,
    summarise: bool = True,
) -> Diff:
    """Upsert a partner's metrics for one period inside a transaction; unchanged ones skip.

    The partner's health summary is rewritten in the same transaction (summarise=False: the
    caller rewrites it before committing, once for many periods).

    Each value is written over the one read (compare and set): when another transaction
    recorded it in between, it is read again, so two recordings of one value at once leave
    one row and one audit entry."""
    diff = Diff()
    for metric, value in values.items():
        row = MetricRow(partner.team_id, partner.id, period, metric, value)
        for _ in range(WRITE_ATTEMPTS):
            old = await tx.metric_value(partner.team_id, partner.id, period.label, metric)
            if old is not None and old == value:
                break
            if await tx.record_metric(row, actor.label, at, old):
                before = "" if old is None else format_metric(metric, old)
                change = FieldChange(
                    f"{metric}@{period.label}", before, format_metric(metric, value)
                )
                diff.changes.append(change)
                break
        else:
            raise WriteConflict(partner.name)
    if diff.changes and summarise:
        await refresh_summary(tx, partner.team_id, partner.id)
    await audit(tx, partner, actor, at, action, diff)
    return diff
