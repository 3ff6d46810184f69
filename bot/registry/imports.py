"""Import and export use cases. A CSV file is checked whole before anything is written (a
bad row anywhere writes nothing), then written in chunks, each its own short transaction
(bot/registry/import_writes.py), so the bot's own writes never wait long for the lock.

A failure midway (the database gone, a partner archived or registered by someone else
meanwhile) keeps what the chunks before it wrote, says so (ImportInterrupted), and an
import of the same file again finishes the job: what is already there counts as unchanged."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from functools import partial
from typing import Any

from bot.access import CLI_ACTOR
from bot.collector import full_collections_held
from bot.errors import NotFound, RuleError, WriteConflict
from bot.health.upkeep import draft_summaries
from bot.metrics import Period
from bot.ports import Store, Tx
from bot.registry.csv_io import (
    ImportRejected,
    MetricsRow,
    PartnerRow,
    Problem,
    format_metrics,
    format_partners,
    parse_metrics_rows,
    parse_partner_rows,
)
from bot.registry.import_writes import (
    CHUNK_PARTNERS,
    CHUNK_VALUES,
    PartnerWrite,
    chunk_points,
    metric_chunks,
    write_metric_chunk,
    write_partner_chunk,
)
from bot.registry.rules import (
    Partner,
    PartnerFields,
    apply,
    check_takes_metrics,
    closest_names,
    creation_diff,
    name_key,
)
from bot.registry.service import WRITE_ATTEMPTS, new_partner
from bot.wording import count

__all__ = [
    "ImportInterrupted",
    "ImportRejected",
    "ImportResult",
    "export_metrics",
    "export_partners",
    "import_metrics",
    "import_partners",
]

ACTION = "import"


@dataclass(frozen=True)
class ImportResult:
    """What an import did: partner imports count rows (partners), metric imports count
    values, with the number of rows they came in."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rows: int | None = None  # metric imports: the file's rows, which hold several values each

    def __str__(self) -> str:
        counts = f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"
        if self.rows is None:
            return counts
        values = self.created + self.updated + self.unchanged
        return f"{count(self.rows, 'row')} with {count(values, 'value')}: {counts}"


class ImportInterrupted(RuleError):
    """An import that stopped after some of its chunks were written: says what stays."""

    def __init__(self, reason: str, done: int, result: ImportResult) -> None:
        chunks = "transaction" if done == 1 else f"{done} transactions"
        super().__init__(
            f"The import stopped before the end: {reason}\n"
            f"What its first {chunks} wrote stays ({result}); the rest of the file was not "
            "written. Import the same file again to finish: what is already imported counts "
            "as unchanged."
        )


@dataclass
class _Progress:
    """Chunks written so far, and what they did."""

    gap: float = 0.0  # the store's write_gap: the least time between two chunks' writes
    done: int = 0
    last: float | None = None  # when the last chunk committed (time.monotonic)
    created: set[int] = field(default_factory=set)  # partner imports: line numbers
    updated: set[int] = field(default_factory=set)
    values: list[int] = field(default_factory=lambda: [0, 0, 0])  # metric imports

    def partners(self, rows: int) -> ImportResult:
        changed = len(self.created) + len(self.updated)
        return ImportResult(len(self.created), len(self.updated), rows - changed)

    async def pause(self) -> None:
        """Wait until the write gap since the last chunk's commit is over."""
        if self.last is not None:
            await asyncio.sleep(max(0.0, self.gap - (time.monotonic() - self.last)))

    def note(self, writes: list[PartnerWrite]) -> None:
        for w in writes:
            if w.before is None:
                self.created.add(w.line)
            elif w.line not in self.created:
                self.updated.add(w.line)


@asynccontextmanager
async def _chunk(progress: _Progress, result: Callable[[], ImportResult]) -> AsyncIterator[None]:
    """One chunk: counted when it commits; a failure after others committed says so."""
    try:
        yield
    except Exception as err:
        if progress.done == 0:
            raise  # nothing was written: the error as it is
        reason = str(err) or type(err).__name__
        raise ImportInterrupted(reason, progress.done, result()) from err
    progress.done += 1
    progress.last = time.monotonic()


@asynccontextmanager
async def _chunk_transaction(store: Store, team_id: str) -> AsyncIterator[Tx]:
    """The write transaction of one chunk of an import, of either kind: the one place where
    an import's transactions begin and commit (what every write transaction of a workspace
    must also do, once each, belongs here)."""
    async with store.write() as tx:
        yield tx


def _progress(store: Store) -> _Progress:
    # SQLite's other processes wait for its write lock polling (up to 100 ms apart): a store
    # that says so gets that gap between chunks, or back-to-back chunks would starve them.
    return _Progress(gap=float(getattr(store, "write_gap", 0.0)))


async def _partners_by_key(store: Store, team_id: str) -> dict[str, Partner]:
    async with store.read() as tx:
        partners = await tx.all_partners(team_id)
    # Tens of thousands of names' keys: off the event loop.
    return await asyncio.to_thread(lambda: {name_key(p.name): p for p in partners})


async def import_partners(
    store: Store, at: datetime, team_id: str, text: str, *, chunk_size: int = CHUNK_PARTNERS
) -> ImportResult:
    """Create or update (by name) every partner of a CSV file, or reject the whole file.

    Raises ImportRejected, with every problem and its line, and writes nothing when any
    row is bad: a cell that breaks a rule, a new partner without an owner, an unknown
    backup or a partner named as its own backup. Written in chunks of chunk_size partners
    that change: first their fields, then (a backup may name one further down) backups.
    """
    with full_collections_held():  # its objects stay to the end: no full pass over them
        return await _import_partners(store, at, team_id, text, chunk_size)


async def _import_partners(
    store: Store, at: datetime, team_id: str, text: str, chunk_size: int
) -> ImportResult:
    # Parsing and checking 10,000 rows is a second of CPU: off the event loop.
    rows = await asyncio.to_thread(parse_partner_rows, text)
    current = await _partners_by_key(store, team_id)
    first_writes = await asyncio.to_thread(_check_partners, rows, current, team_id)
    by_line = {row.line: row for row in rows}
    with_backups = [row for row in rows if row.fields.backups is not None]
    # Chunks of writes, not of rows: rows that change nothing take no transaction.
    fields_chunks = _chunks(list(first_writes.values()), chunk_size)
    progress = _progress(store)
    fields_plan = partial(_plan_fields, team_id=team_id)
    result = partial(progress.partners, len(rows))
    for chunk in fields_chunks:
        async with _chunk(progress, result):
            lines = [by_line[w.line] for w in chunk]
            await _write_partners(store, at, team_id, lines, fields_plan, chunk, current, progress)
    # Then backups, which may name partners further down the file, on the partners as stored.
    backup_writes = await asyncio.to_thread(_plan_backups, with_backups, current)
    for chunk in _chunks(backup_writes, chunk_size):
        async with _chunk(progress, result):
            lines = [by_line[w.line] for w in chunk]
            await _write_partners(
                store, at, team_id, lines, _plan_backups, chunk, current, progress
            )
    done = progress.partners(len(rows))
    kept = (rows, current, first_writes, by_line, with_backups, fields_chunks, backup_writes)
    await asyncio.to_thread(_let_go, *kept)
    return done


def _check_partners(
    rows: list[PartnerRow], current: dict[str, Partner], team_id: str
) -> dict[int, PartnerWrite]:
    """Each row's write of its fields but backups, by line, or ImportRejected with every
    problem: a new partner without an owner, a backup that is not there or is itself."""
    planned = dict(current)
    writes: dict[int, PartnerWrite] = {}
    problems: list[Problem] = []
    for row in rows:
        write = _fields_write(row, current, team_id)
        if isinstance(write, str):
            problems.append((row.line, write))
        elif write is not None:
            planned[name_key(row.name)] = write.after
            writes[row.line] = write
    file_keys = {name_key(row.name) for row in rows}
    for row in rows:
        if row.fields.backups is not None:
            problems += [(row.line, r) for r in backup_problems(row, planned, file_keys)]
    if problems:
        raise ImportRejected(problems)
    return writes


def _chunks(writes: list[PartnerWrite], size: int) -> list[list[PartnerWrite]]:
    return [writes[i : i + size] for i in range(0, len(writes), size)]


async def _write_partners(
    store: Store,
    at: datetime,
    team_id: str,
    rows: list[PartnerRow],
    plan: Callable[[list[PartnerRow], dict[str, Partner]], list[PartnerWrite]],
    planned: list[PartnerWrite],
    current: dict[str, Partner],
    progress: _Progress,
) -> None:
    """One chunk of partners in one transaction (planned: its writes as decided); decided
    again on the partners read again when one changed since it was read (as a command's
    write is)."""
    for attempt in range(WRITE_ATTEMPTS):
        writes = await asyncio.to_thread(plan, rows, current) if attempt else planned
        if not writes:
            return
        ids = await asyncio.to_thread(lambda: {key: p.id for key, p in current.items()})
        await progress.pause()
        try:
            async with _chunk_transaction(store, team_id) as tx:
                stored = await write_partner_chunk(tx, at, writes, ids)
        except WriteConflict:
            if attempt == WRITE_ATTEMPTS - 1:
                raise
            current.update(await _partners_by_key(store, team_id))
            continue
        current.update(stored)
        progress.note(writes)
        return


def _fields_write(
    row: PartnerRow, current: dict[str, Partner], team_id: str
) -> PartnerWrite | str | None:
    """A row's fields but its backups as a write (None: nothing changes), or why not."""
    fields = replace(row.fields, backups=None)
    partner = current.get(name_key(row.name))
    if partner is not None:
        after, diff = apply(partner, fields)
        return PartnerWrite(row.line, partner, after, diff) if diff else None
    if fields.owner is None:
        return f"*{row.name}* is new, so it needs an owner (a Slack user ID)."
    draft = new_partner(team_id, CLI_ACTOR, fields)
    return PartnerWrite(row.line, None, draft, creation_diff(draft))


def _plan_fields(
    rows: list[PartnerRow], current: dict[str, Partner], team_id: str
) -> list[PartnerWrite]:
    writes = [_fields_write(row, current, team_id) for row in rows]
    problems = [(row.line, w) for row, w in zip(rows, writes, strict=True) if isinstance(w, str)]
    if problems:  # checked before the first chunk: only a change meanwhile gets here
        raise ImportRejected(problems)
    return [w for w in writes if isinstance(w, PartnerWrite)]


def _plan_backups(rows: list[PartnerRow], current: dict[str, Partner]) -> list[PartnerWrite]:
    """The rows' backups as writes, by the registered names (checked before the chunks)."""
    writes = []
    for row in rows:
        partner = current[name_key(row.name)]
        keys = tuple(name_key(name) for name in row.fields.backups or ())
        backups = PartnerFields(backups=tuple(current[key].name for key in keys))
        after, diff = apply(partner, backups)
        if diff:
            writes.append(PartnerWrite(row.line, partner, after, diff, keys))
    return writes


def backup_problems(row: PartnerRow, by_key: dict[str, Partner], file_keys: set[str]) -> list[str]:
    """Why a row's backups cannot be set; a backup whose own row was rejected passes here."""
    own_key = name_key(row.name)
    problems: list[str] = []
    for name in row.fields.backups or ():
        key = name_key(name)
        if key == own_key:
            problems.append(f"*{name}* cannot be its own backup.")
        elif key not in by_key and key not in file_keys:
            close = closest_names(name, [p.name for p in by_key.values()])
            hint = f" Did you mean *{close[0]}*?" if close else ""
            problems.append(f"The backup *{name}* is not a registered partner.{hint}")
    return problems


async def import_metrics(
    store: Store,
    at: datetime,
    team_id: str,
    text: str,
    *,
    today: date | None = None,
    chunk_size: int = CHUNK_VALUES,
) -> ImportResult:
    """Record every metric of a CSV file, or reject the whole file.

    Counts are of metric values: first recorded, replaced with a new value, or the same;
    an archived partner's rows are refused, as `/partner metrics` refuses them. Periods are
    held to the window around today, the workspace's date at `at` (None: the date in UTC,
    the default PARTNERBOT_TIMEZONE). Written in chunks of about chunk_size values, each
    partner's rows in one chunk with its summary.
    """
    with full_collections_held():  # its objects stay to the end: no full pass over them
        return await _import_metrics(store, at, team_id, text, today, chunk_size)


async def _import_metrics(
    store: Store, at: datetime, team_id: str, text: str, today: date | None, chunk_size: int
) -> ImportResult:
    rows = await asyncio.to_thread(parse_metrics_rows, text, today or at.astimezone(UTC).date())
    by_key = await _partners_by_key(store, team_id)
    await asyncio.to_thread(_check_metrics, rows, by_key)
    chunks = await asyncio.to_thread(
        lambda: metric_chunks(rows, {key: p.id for key, p in by_key.items()}, chunk_size)
    )
    progress = _progress(store)

    def so_far() -> ImportResult:
        done = sum(len(chunk) for chunk in chunks[: progress.done])
        created, updated, unchanged = progress.values
        return ImportResult(created, updated, unchanged, rows=done)

    for chunk in chunks:
        async with _chunk(progress, so_far):
            # Read and worked out before the write lock is taken: other writers get in here.
            points = await asyncio.to_thread(chunk_points, by_key, chunk)  # off the event loop
            async with store.read() as tx:
                drafts = await draft_summaries(tx, team_id, points)
            await progress.pause()
            async with _chunk_transaction(store, team_id) as tx:
                counts = await write_metric_chunk(tx, at, by_key, chunk, drafts)
            progress.values = [a + b for a, b in zip(progress.values, counts, strict=True)]
    created, updated, unchanged = progress.values
    done = ImportResult(created, updated, unchanged, rows=len(rows))
    await asyncio.to_thread(_let_go, rows, by_key, chunks)
    return done


def _let_go(*kept: list[Any] | dict[Any, Any]) -> None:
    """Empty an import's containers: freeing the file's rows and tens of thousands of
    partners is tens of milliseconds, here in a thread rather than when the use case returns
    on the event loop."""
    for container in kept:
        container.clear()


def _check_metrics(rows: list[MetricsRow], by_key: dict[str, Partner]) -> None:
    """ImportRejected with every row of a partner not registered or taking no metrics."""
    names = [p.name for p in by_key.values()]
    problems = [
        (row.line, str(NotFound(row.name, closest_names(row.name, names))))
        for row in rows
        if name_key(row.name) not in by_key
    ]
    problems += [(row.line, err) for row in rows if (err := refusal(by_key, row.name))]
    if problems:
        raise ImportRejected(sorted(problems))


def refusal(by_key: dict[str, Partner], name: str) -> str:
    """Why a known partner takes no metrics, or "" when it does (or is not known)."""
    partner = by_key.get(name_key(name))
    try:
        if partner is not None:
            check_takes_metrics(partner)
    except RuleError as err:
        return str(err)
    return ""


async def export_partners(store: Store, team_id: str) -> str:
    """Every partner of a workspace as a CSV that `import_partners` reads back unchanged."""
    async with store.read() as tx:
        partners = await tx.all_partners(team_id)
    return format_partners(partners)


async def export_metrics(store: Store, team_id: str, since: Period | None = None) -> str:
    """Every metric of a workspace as a CSV that `import_metrics` reads back to the same
    values; since: only periods that end on or after the start of that period."""
    async with store.read() as tx:
        records = await tx.team_metrics(team_id, None if since is None else since.start)
    return format_metrics(records)
