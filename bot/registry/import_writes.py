"""An import's chunks: which rows go together, and each chunk written in a few statements.

A chunk is one write transaction, sized so that it holds the write lock a fraction of a
second (`CHUNK_VALUES` metric values, `CHUNK_PARTNERS` partners). Every row of the file is
validated before the first chunk; what a chunk decides it decides on the rows as they are
inside its transaction, comparing and setting as the per-row use cases do.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cached_property

from bot.access import CLI_ACTOR
from bot.errors import RuleError, WriteConflict
from bot.health.rules import MetricPoint
from bot.health.upkeep import SUMMARISED, SummaryDrafts, write_summaries
from bot.metrics import format_metric
from bot.ports import Tx
from bot.registry.bulk_ports import AuditRow
from bot.registry.csv_io import ImportRejected, MetricsRow
from bot.registry.ports import MetricRow
from bot.registry.rules import Diff, Partner, Status, check_takes_metrics, name_key
from bot.registry.service import write_metrics

ACTION = "import"
CHUNK_VALUES = 5_000  # metric values a transaction: 0.2-0.4 s of the write lock here
CHUNK_PARTNERS = 2_000  # partners a transaction: 0.15-0.35 s of the write lock here


def metric_chunks(
    rows: list[MetricsRow], ids: dict[str, int], limit: int = CHUNK_VALUES
) -> list[list[MetricsRow]]:
    """The rows in chunks of about `limit` values, a partner's rows all in one chunk so its
    summary is computed once."""
    by_partner: dict[int, list[MetricsRow]] = {}
    for row in rows:
        by_partner.setdefault(ids[name_key(row.name)], []).append(row)
    chunks: list[list[MetricsRow]] = [[]]
    size = 0
    for group in by_partner.values():
        if size and size + sum(len(r.values) for r in group) > limit:
            chunks.append([])
            size = 0
        chunks[-1].extend(group)
        size += sum(len(r.values) for r in group)
    return [chunk for chunk in chunks if chunk]


async def write_metric_chunk(
    tx: Tx,
    at: datetime,
    by_key: dict[str, Partner],
    chunk: list[MetricsRow],
    drafts: SummaryDrafts,
) -> list[int]:
    """Record a chunk's values, audit them and rewrite the summaries of the partners whose
    metrics changed (drafted before, see `chunk_points`); a value another writer changed
    meanwhile goes the per-row way. Returns how many values were created, updated and
    unchanged."""
    # A chunk's Python (its rows, then what each value did) is 0.1 s: in a thread, off the
    # event loop; the statements stay on the loop's connection.
    flat = await asyncio.to_thread(_flat_values, by_key, chunk)
    team_id = flat[0][1].team_id
    olds = await tx.stage_metrics([value for _, _, value in flat])
    _refuse_archived(chunk, by_key, await tx.staged_partner_statuses(team_id))
    written = await tx.write_staged_metrics(CLI_ACTOR.label, at)
    counts, audits, changed, lost = await asyncio.to_thread(_outcomes, flat, olds, written, at)
    await tx.add_audits_of(team_id, CLI_ACTOR.label, ACTION, audits)
    for row, partner, value in lost:  # raced by another writer: read again, one by one
        diff = await write_metrics(
            tx,
            at,
            CLI_ACTOR,
            partner,
            {value.metric: value.value},
            row.period,
            ACTION,
            summarise=False,
        )
        new = sum(1 for change in diff.changes if change.before == "")
        counts[0] += new
        counts[1] += len(diff.changes) - new
        counts[2] += 1 - len(diff.changes)
        if diff.changes:
            changed.add(partner.id)
    # One summary a partner, not one a row; a partner raced above is worked out again.
    await write_summaries(tx, team_id, changed, drafts, redo={p.id for _, p, _ in lost})
    return counts


Flat = list[tuple[MetricsRow, Partner, MetricRow]]  # a chunk's values, one a metric


def _flat_values(by_key: dict[str, Partner], chunk: list[MetricsRow]) -> Flat:
    return [
        (row, partner, MetricRow(partner.team_id, partner.id, row.period, metric, value))
        for row in chunk
        for partner in [by_key[name_key(row.name)]]
        for metric, value in row.values.items()
    ]


def _outcomes(
    flat: Flat, olds: dict[int, float | None], written: set[tuple[int, str, str]], at: datetime
) -> tuple[list[int], list[AuditRow], set[int], Flat]:
    """What each staged value did: the counts (created, updated, unchanged), the audit rows
    of those written, the partners whose metrics changed and the values that lost a race."""
    counts = [0, 0, 0]
    texts: dict[tuple[str, float], str] = {}  # a chunk's values repeat: each formatted once

    def text(metric: str, value: float) -> str:
        if value == 0:  # 0.0 and -0.0 are one key
            return format_metric(metric, value)
        made = texts.get((metric, value))
        if made is None:
            made = texts[(metric, value)] = format_metric(metric, value)
        return made

    audits: list[AuditRow] = []
    changed: set[int] = set()
    lost: Flat = []
    for idx, (row, partner, value) in enumerate(flat):
        old = olds[idx]
        if old is not None and old == value.value:
            counts[2] += 1
        elif (partner.id, row.period.label, value.metric) not in written:
            lost.append((row, partner, value))
        else:
            before = "" if old is None else text(value.metric, old)
            after = text(value.metric, value.value)
            audits.append((partner.id, at, f"{value.metric}@{row.period.label}", before, after))
            counts[0 if old is None else 1] += 1
            changed.add(partner.id)
    return counts, audits, changed, lost


def chunk_points(
    by_key: dict[str, Partner], chunk: list[MetricsRow]
) -> dict[int, list[MetricPoint]]:
    """The chunk's values by partner, as the summaries' drafts take them: every partner of
    the chunk, with only the values a summary reads (the others would be passed over)."""
    values: dict[int, list[MetricPoint]] = {}
    for row in chunk:
        pid = by_key[name_key(row.name)].id
        values.setdefault(pid, []).extend(
            MetricPoint(pid, row.period, metric, value)
            for metric, value in row.values.items()
            if metric in SUMMARISED
        )
    return values


def _refuse_archived(
    chunk: list[MetricsRow], by_key: dict[str, Partner], now: list[tuple[int, str, str]]
) -> None:
    """A partner archived since the file was checked takes no metrics, as in Slack."""
    archived = {pid: name for pid, name, status in now if status == Status.ARCHIVED.value}
    problems = []
    for row in chunk:
        partner = by_key[name_key(row.name)]
        if partner.id in archived:
            try:
                check_takes_metrics(replace(partner, status=Status.ARCHIVED))
            except RuleError as err:
                problems.append((row.line, f"{err} (archived while the file was imported)"))
    if problems:
        raise ImportRejected(problems)


@dataclass(frozen=True)
class PartnerWrite:
    """One partner as a chunk writes it: as read (None: new) and after, with its diff."""

    line: int
    before: Partner | None
    after: Partner
    diff: Diff
    backup_keys: tuple[str, ...] | None = None  # second pass: its backups' name keys

    @cached_property
    def key(self) -> str:
        """The partner's name key, worked out once."""
        return name_key(self.after.name)


def _as_read(write: PartnerWrite) -> Partner:
    if write.before is None:
        after = write.after  # a draft of new_partner is already as read: no copy
        if after.id == 0 and after.updated_at is None:
            return after
        return replace(after, id=0, updated_at=None)
    return replace(write.after, id=write.before.id, updated_at=write.before.updated_at)


def _version(partner: Partner) -> datetime:
    at = partner.updated_at or partner.created_at
    if at is None:
        raise ValueError("a partner is audited as stored, with its version")
    return at


async def write_partner_chunk(
    tx: Tx, at: datetime, chunk: list[PartnerWrite], ids: dict[str, int]
) -> dict[str, Partner]:
    """Insert and update a chunk's partners over the versions read, with their tags or
    backups (ids: every partner's id by name key) and their audit rows; the partners as
    stored, by name key. WriteConflict when one changed since it was read (the chunk rolls
    back, to be decided again)."""
    team_id = chunk[0].after.team_id
    # Each written over the version it was read at (a new one: id 0, no version).
    staged = await asyncio.to_thread(lambda: [(_as_read(w), w.key) for w in chunk])
    new_ids, versions = await tx.write_partners(staged, at)
    # What the chunk's partners are now, their tags, backups and audit rows: 2,000 partners'
    # Python, in a thread (the statements stay on the loop's connection).
    stored, tags, backups, audits = await asyncio.to_thread(
        _partners_written, chunk, ids, new_ids, versions, at
    )
    new = set(new_ids.values())  # inserted just now: no tags or backups to delete
    await tx.replace_tags_of(team_id, tags, new)
    await tx.replace_backups_of(team_id, backups, new)
    await tx.add_audits_of(team_id, CLI_ACTOR.label, ACTION, audits)
    return stored


def _partners_written(
    chunk: list[PartnerWrite],
    ids: dict[str, int],
    new_ids: dict[str, int],
    versions: dict[int, datetime],
    at: datetime,
) -> tuple[
    dict[str, Partner],
    dict[int, tuple[str, ...]],
    dict[int, list[int]],
    list[AuditRow],
]:
    """The chunk's partners as stored by name key, the tags and backups to write by id and
    the audit rows; ImportRejected or WriteConflict when one was registered or changed
    meanwhile."""
    stored: dict[str, Partner] = {}
    for w in chunk:
        key = w.key
        if w.before is None:
            if key not in new_ids:  # registered by someone else while this file was read
                raise ImportRejected(
                    [(w.line, f"*{w.after.name}* was registered meanwhile; import again.")]
                )
            stored[key] = replace(w.after, id=new_ids[key], created_at=at, updated_at=at)
        elif w.before.id in versions:
            stored[key] = replace(w.after, updated_at=versions[w.before.id])
        else:
            raise WriteConflict(w.after.name)
    tags = {
        stored[k].id: stored[k].tags
        for w in chunk
        if (k := w.key) and (w.before is None or _changes(w.diff, "tags"))
    }
    backups = {
        stored[w.key].id: [ids[b] for b in w.backup_keys]
        for w in chunk
        if w.backup_keys is not None
    }
    # Audited at the stored version, as apply_change audits (an Undo finds them by it).
    audits = [
        (partner.id, version, c.field, c.before, c.after)
        for w in chunk
        for partner in [stored[w.key]]
        for version in [_version(partner)]
        for c in w.diff.changes
    ]
    return stored, tags, backups, audits


def _changes(diff: Diff, name: str) -> bool:
    return any(change.field == name for change in diff.changes)
