"""Imports written in chunks: where the chunks split, a bad row far into a file, what a
failure midway leaves, and results equal to the per-row way's (summaries, audit rows)."""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import aiosqlite
import asyncpg
import pytest

import bot.registry.import_runs as import_runs
import bot.registry.partner_imports as partner_imports
from bot.access import CLI_ACTOR
from bot.errors import DatabaseUnavailable
from bot.health.summary import from_json, summarise, to_json
from bot.health.summary_columns import summary_columns
from bot.health.upkeep import rebuild_stale_summaries
from bot.metrics import parse_period
from bot.registry.csv_io import MAX_SHOWN, ImportRejected, parse_metrics_rows
from bot.registry.import_writes import metric_chunks
from bot.registry.imports import ImportInterrupted, ImportResult, import_metrics, import_partners
from bot.registry.imports_per_row import import_metrics_per_row, import_partners_per_row
from bot.registry.service import record_metrics
from storage.store import PostgresStore, SQLiteStore
from tests.support.databases import execute, scalar
from tests.support.interleave import Gate, GatedStore, race

AT = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
TODAY = AT.date()
Store = SQLiteStore | PostgresStore
WEEKS = [f"2026-W{n:02d}" for n in range(30, 48)]


class PassingStore:
    """A store whose reads pass through; the wrappers below change its writes."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def read(self, *, snapshot: bool = True) -> Any:
        return self._store.read(snapshot=snapshot)


class CountingStore(PassingStore):
    """A store that counts its write transactions and can fail the nth one."""

    def __init__(self, store: Store, fail_at: int | None = None) -> None:
        super().__init__(store)
        self.writes = 0
        self._fail_at = fail_at

    @contextlib.asynccontextmanager
    async def write(self) -> AsyncIterator[Any]:
        self.writes += 1
        if self.writes == self._fail_at:
            raise DatabaseUnavailable()
        async with self._store.write() as tx:
            yield tx


def partners_csv(names: list[str], backups: dict[str, str] | None = None) -> str:
    lines = ["name,category,tier,status,owner,tags,backups"]
    for name in names:
        lines.append(
            f'{name},KOL,core,active,U0OWNER,"live, video",{(backups or {}).get(name, "")}'
        )
    return "\n".join(lines) + "\n"


def metrics_csv(names: list[str], seed: int, weeks: list[str] = WEEKS) -> str:
    rng = random.Random(seed)
    lines = ["name,period,rue,roi,sentiment,gmv,traffic"]
    for name in names:
        for week in weeks:
            lines.append(
                f"{name},{week},{rng.choice((39.9, 40, 55.5))},{rng.choice((1.1, 2.1, 3.3))},"
                f"{rng.choice((70, 49, 80))},{rng.randrange(0, 50_000, 250)},{rng.randrange(9000)}"
            )
    return "\n".join(lines) + "\n"


async def count(store: Store, table: str, team: str) -> int:
    return int(await scalar(store, f"SELECT COUNT(*) FROM {table} WHERE team_id = '{team}'"))


async def stored_summaries(store: Store, team: str) -> dict[str, str]:
    """Each partner's stored summary, by name."""
    async with store.read() as tx:
        names = {p.id: p.name for p in await tx.all_partners(team)}
        return {names[pid]: inputs for pid, inputs in (await tx.pool_summaries(team)).items()}


# --- where chunks split -----------------------------------------------------------------


def test_a_partners_rows_stay_in_one_chunk_and_a_chunk_holds_about_the_limit() -> None:
    text = "name,period,rue,roi\n" + "".join(
        f"P{i},2026-W{w},40,2\n" for i in range(3) for w in (40, 41)
    )
    rows = parse_metrics_rows(text, TODAY)
    ids = {f"p{i}": i + 1 for i in range(3)}
    # Exactly a chunk: two partners' four values; one value more starts a second chunk.
    assert [len(c) for c in metric_chunks(rows[:4], ids, limit=8)] == [4]
    assert [len(c) for c in metric_chunks(rows[:5], ids, limit=8)] == [4, 1]
    # A partner whose rows would cross the limit goes whole into the next chunk.
    chunks = metric_chunks(rows, ids, limit=6)
    assert [[r.name for r in c] for c in chunks] == [["P0", "P0"], ["P1", "P1"], ["P2", "P2"]]


@pytest.mark.parametrize(("names", "transactions"), [(4, 1), (5, 2)])
async def test_metric_chunks_at_exactly_a_chunk_and_one_more(
    store: Store, names: int, transactions: int
) -> None:
    partners = [f"Partner {i}" for i in range(names)]
    await import_partners(store, AT, "T1", partners_csv(partners))
    counting = CountingStore(store)
    text = metrics_csv(partners, 1, weeks=["2026-W40"])  # five values a partner
    result = await import_metrics(counting, AT, "T1", text, today=TODAY, chunk_size=20)  # type: ignore[arg-type]
    assert counting.writes == transactions
    assert result == ImportResult(names * 5, 0, 0, rows=names)
    assert await count(store, "metrics", "T1") == names * 5


@pytest.mark.parametrize(("names", "transactions"), [(3, 2), (4, 4)])
async def test_partner_chunks_at_exactly_a_chunk_and_one_more(
    store: Store, names: int, transactions: int
) -> None:
    """Chunks of three rows, first the fields, then the backups (each row names one)."""
    partners = [f"Partner {i}" for i in range(names)]
    backups = {name: partners[(i + 1) % names] for i, name in enumerate(partners)}
    counting = CountingStore(store)
    text = partners_csv(partners, backups)
    result = await import_partners(counting, AT, "T1", text, chunk_size=3)  # type: ignore[arg-type]
    assert counting.writes == transactions
    assert result == ImportResult(names, 0, 0)
    async with store.read() as tx:
        stored = {p.name: p for p in await tx.all_partners("T1")}
    assert {name: stored[name].backups for name in partners} == {
        name: (backup,) for name, backup in backups.items()
    }
    assert all(p.tags == ("live", "video") for p in stored.values())


# --- a bad row far into the file ------------------------------------------------------------


async def test_a_bad_metric_row_in_a_late_chunk_writes_nothing(store: Store) -> None:
    partners = [f"Partner {i}" for i in range(6)]
    await import_partners(store, AT, "T1", partners_csv(partners))
    audit = await count(store, "audit_log", "T1")
    text = metrics_csv(partners, 2) + "Nobody,2026-W47,40,,,,\n"
    with pytest.raises(ImportRejected, match=r"line 110: .*Nobody"):
        await import_metrics(store, AT, "T1", text, today=TODAY, chunk_size=10)
    assert await count(store, "metrics", "T1") == 0
    assert await count(store, "audit_log", "T1") == audit


async def test_a_bad_partner_row_in_a_late_chunk_writes_nothing(store: Store) -> None:
    names = [f"Partner {i}" for i in range(7)]
    text = partners_csv(names) + "Late,KOL,core,active,,,\n"  # new, so it needs an owner
    with pytest.raises(ImportRejected, match=r"line 9: \*Late\* is new, so it needs an owner"):
        await import_partners(store, AT, "T1", text, chunk_size=2)
    assert await count(store, "partners", "T1") == 0
    assert await count(store, "audit_log", "T1") == 0


async def test_a_metric_file_says_its_bad_cells_and_unknown_partners_at_once(
    store: Store,
) -> None:
    """One answer with every problem: a bad period on a known partner's row, an unknown
    partner on a good row, and both on one row; the same from both imports; nothing written."""
    await import_partners(store, AT, "T1", partners_csv(["Acme Media", "Zeta"]))
    audit = await count(store, "audit_log", "T1")
    text = (
        "name,period,rue\n"
        "Acme Media,2026-W99,40\n"  # line 2: no such week
        "Acme Medai,2026-W47,40\n"  # line 3: not registered
        "Nobody,2026-13,40\n"  # line 4: both
        "Zeta,2026-W47,40\n"  # line 5: fine
    )
    refusals = []
    for run in (import_metrics, import_metrics_per_row):
        with pytest.raises(ImportRejected) as rejected:
            await run(store, AT, "T1", text, today=TODAY)
        refusals.append(rejected.value.problems)
    assert refusals[0] == refusals[1]
    problems = refusals[0]
    assert [line for line, _ in problems] == [2, 3, 4, 4]
    assert "2026-W99" in problems[0][1]
    assert "No partner is named *Acme Medai*" in problems[1][1] and "Acme Media" in problems[1][1]
    assert "2026-13" in problems[2][1]  # the row's own cell first, then its partner
    assert "No partner is named *Nobody*" in problems[3][1]
    assert await count(store, "metrics", "T1") == 0
    assert await count(store, "audit_log", "T1") == audit


def closest_names_noted(monkeypatch: pytest.MonkeyPatch, module: Any) -> list[str]:
    """The names the module's closest_names is asked about from now, in order."""
    looked_up: list[str] = []
    real = module.closest_names

    def noted(name: str, names: list[str], limit: int = 3) -> list[str]:
        looked_up.append(name)
        return list(real(name, names, limit))

    monkeypatch.setattr(module, "closest_names", noted)
    return looked_up


async def test_unknown_partners_are_hinted_once_a_name_and_only_as_many_as_shown(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    await import_partners(store, AT, "T1", partners_csv(["Nobody Media"]))
    looked_up = closest_names_noted(monkeypatch, import_runs)
    unknown = [f"Nobody {i}" for i in range(MAX_SHOWN + 10)]
    text = "name,period,rue\n" + "".join(
        f"{name},{week},40\n" for name in unknown for week in ("2026-W46", "2026-W47")
    )
    with pytest.raises(ImportRejected) as rejected:
        await import_metrics(store, AT, "T1", text, today=TODAY)
    problems = rejected.value.problems
    assert len(problems) == 2 * len(unknown)  # every row said
    assert looked_up == unknown[:MAX_SHOWN]  # each name once, as many as the message shows
    assert "Did you mean *Nobody Media*?" in problems[0][1]
    assert problems[0][1] == problems[1][1]  # the same name's two rows, the same answer
    assert problems[-1][1] == f"No partner is named *{unknown[-1]}*."


async def test_a_refusal_lists_bad_cells_and_the_rows_other_problems_together(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One answer, by line, both ways alike: line 3 names an unknown backup, line 4 has a bad
    cell, line 5 is new with no owner, line 6 is its own backup, line 7 has a cell too many;
    lines 8 and 9 name the partners of lines 4 and 7 and the registered one, which are all
    there (nobody unknown: the whole registry is not read). Nothing is written."""
    await import_partners(store, AT, "T1", partners_csv(["Registered"]))
    await import_partners(store, AT, "T2", partners_csv(["Registered"]))
    text = (
        "name,category,tier,status,owner,backups\n"
        "Alpha,KOL,core,active,U012AB3CD,\n"
        "Gamma,KOL,core,active,U012AB3CD,Nobody Known\n"
        "Delta,KOL,core,\x01,U012AB3CD,Gamma\n"
        "Ownerless,KOL,core,active,,\n"
        "Selfish,KOL,core,active,U012AB3CD,Selfish\n"
        "Wide,KOL,core,active,U012AB3CD,,extra\n"
        "Epsilon,KOL,core,active,U012AB3CD,Delta\n"
        'Zeta,KOL,core,active,U012AB3CD,"wide, registered"\n'
    )
    whole_registry = 0
    reader = partner_imports.partners_by_key

    async def counted(*args: Any) -> Any:
        nonlocal whole_registry
        whole_registry += 1
        return await reader(*args)

    monkeypatch.setattr(partner_imports, "partners_by_key", counted)
    audited = await count(store, "audit_log", "T1")
    with pytest.raises(ImportRejected) as rejected:
        await import_partners(store, AT, "T1", text)
    with pytest.raises(ImportRejected) as per_row:
        await import_partners_per_row(store, AT, "T2", text)
    problems = rejected.value.problems
    assert problems == per_row.value.problems
    assert [line for line, _ in problems] == [3, 4, 5, 6, 7]
    assert problems[0][1].startswith("The backup *Nobody Known* is not a registered partner.")
    assert "control character" in problems[1][1]
    assert problems[2][1] == "*Ownerless* is new, so it needs an owner (a Slack user ID)."
    assert problems[3][1] == "*Selfish* cannot be its own backup."
    assert problems[4][1] == "The row has 7 cells but the header has 6."
    assert whole_registry == 1  # for the unknown backup's hint
    for team in ("T1", "T2"):
        assert await count(store, "partners", team) == 1
        assert await count(store, "audit_log", team) == audited
    # Without the unknown backup, the backups naming lines 4 and 7 read no whole registry.
    lines = text.splitlines()
    del lines[2]
    with pytest.raises(ImportRejected) as rejected:
        await import_partners(store, AT, "T1", "\n".join(lines) + "\n")
    assert [line for line, _ in rejected.value.problems] == [3, 4, 5, 6]
    assert whole_registry == 1


async def test_unknown_backups_are_hinted_once_a_name_and_only_as_many_as_shown(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    await import_partners(store, AT, "T1", partners_csv(["Nobody Media"]))
    looked_up = closest_names_noted(monkeypatch, partner_imports)
    unknown = [f"Nobody {i}" for i in range(MAX_SHOWN + 10)]
    rows = [f"Row {i},KOL,core,active,U0OWNER,,{name}" for i, name in enumerate(unknown)]
    rows += ["Again,KOL,core,active,U0OWNER,,Nobody 0", "Case,KOL,core,active,U0OWNER,,NOBODY 0"]
    text = "name,category,tier,status,owner,tags,backups\n" + "\n".join(rows) + "\n"
    with pytest.raises(ImportRejected) as rejected:
        await import_partners(store, AT, "T1", text)
    problems = rejected.value.problems
    assert len(problems) == len(unknown) + 2  # every row said
    # each name once, as many as the message shows, and a spelling of its own its own answer
    assert looked_up == unknown[:MAX_SHOWN]
    assert "Did you mean *Nobody Media*?" in problems[0][1]
    assert problems[len(unknown)][1] == problems[0][1]  # Nobody 0 again: the same answer
    assert problems[-1][1] == "The backup *NOBODY 0* is not a registered partner."
    last = f"The backup *{unknown[-1]}* is not a registered partner."
    assert problems[len(unknown) - 1][1] == last
    assert await count(store, "partners", "T1") == 1


# --- a failure midway -----------------------------------------------------------------------


async def test_a_failure_midway_says_what_stays_and_a_second_run_finishes(store: Store) -> None:
    partners = [f"Partner {i}" for i in range(4)]
    await import_partners(store, AT, "T1", partners_csv(partners))
    text = metrics_csv(partners, 3, weeks=["2026-W40"])
    failing = CountingStore(store, fail_at=2)
    with pytest.raises(ImportInterrupted) as stopped:
        await import_metrics(failing, AT, "T1", text, today=TODAY, chunk_size=10)  # type: ignore[arg-type]
    message = str(stopped.value)
    assert "What its first transaction wrote stays" in message
    assert (
        "2 rows with 10 values: 10 created" in message and "Import the same file again" in message
    )
    assert await count(store, "metrics", "T1") == 10
    again = await import_metrics(store, AT, "T1", text, today=TODAY, chunk_size=10)
    assert again == ImportResult(10, 0, 10, rows=4)
    assert await count(store, "metrics", "T1") == 20


async def test_a_failure_in_the_first_chunk_is_the_error_as_it_is(store: Store) -> None:
    await import_partners(store, AT, "T1", partners_csv(["Solo"]))
    with pytest.raises(DatabaseUnavailable):
        await import_metrics(
            CountingStore(store, fail_at=1),  # type: ignore[arg-type]
            AT,
            "T1",
            metrics_csv(["Solo"], 4),
            today=TODAY,
        )


WAIT = 10.0  # s: a bound on a wait that ends at once unless what it waits for is broken


class RecomputingTx:
    """A write transaction that notes the partners whose summaries are worked out again inside
    it (summary_points_of: a draft made before it was not used)."""

    def __init__(self, tx: Any, recomputed: list[int]) -> None:
        self._tx = tx
        self._recomputed = recomputed

    def __getattr__(self, name: str) -> Any:
        return getattr(self._tx, name)

    async def summary_points_of(self, team_id: str, ids: Any) -> Any:
        ids = list(ids)
        self._recomputed.extend(ids)
        return await self._tx.summary_points_of(team_id, ids)


class EventStore:
    """A store that notes when its reads and writes begin and end and which summaries its
    writes work out again. Write n can wait for read n + 1 to begin (`waits`), fail inside its
    transaction once it has (`fail_at`); read `held` never ends until it is cancelled."""

    def __init__(
        self,
        store: Store,
        *,
        waits: frozenset[int] = frozenset(),
        fail_at: int | None = None,
        held: int | None = None,
    ) -> None:
        self._store = store
        self._waits = waits | ({fail_at} if fail_at else set())
        self._fail_at = fail_at
        self._held = held
        self.events: list[str] = []
        self.began: dict[int, asyncio.Event] = {}
        self.recomputed: list[int] = []

    def _began(self, n: int) -> asyncio.Event:
        return self.began.setdefault(n, asyncio.Event())

    @contextlib.asynccontextmanager
    async def read(self, *, snapshot: bool = True) -> AsyncIterator[Any]:
        n = sum(1 for e in self.events if e.startswith("read") and not e.endswith("end"))
        self.events.append(f"read {n}")
        self._began(n).set()
        async with self._store.read(snapshot=snapshot) as tx:
            if n == self._held:
                await asyncio.Event().wait()  # until cancelled
            yield tx
        self.events.append(f"read {n} end")

    @contextlib.asynccontextmanager
    async def write(self) -> AsyncIterator[Any]:
        n = sum(1 for e in self.events if e.startswith("write") and not e.endswith("end")) + 1
        self.events.append(f"write {n}")
        async with self._store.write() as tx:
            if n in self._waits:  # the next chunk's drafts begin while this one writes
                await asyncio.wait_for(self._began(n + 1).wait(), WAIT)
            if n == self._fail_at:
                raise DatabaseUnavailable()
            yield RecomputingTx(tx, self.recomputed)
        self.events.append(f"write {n} end")


async def metric_values(store: Store, team: str) -> list[tuple[str, str, str, float]]:
    """The workspace's metric values: (partner name, period, metric, value), sorted."""
    async with store.read() as tx:
        names = {p.id: p.name for p in await tx.all_partners(team)}
        values = await tx.health_points(team, TODAY - timedelta(days=365))
    return sorted((names[v.partner_id], v.period.label, v.metric, v.value) for v in values)


async def test_the_next_chunks_drafts_are_read_while_a_chunk_writes_and_used(
    store: Store,
) -> None:
    partners = [f"Partner {i}" for i in range(4)]
    await import_partners(store, AT, "T1", partners_csv(partners))
    # Write 1 waits for chunk 2's drafts to begin: drafted one after the other, it would time out.
    events = EventStore(store, waits=frozenset({1}))
    text = metrics_csv(partners, 5, weeks=["2026-W40"])
    result = await import_metrics(events, AT, "T1", text, today=TODAY, chunk_size=10)  # type: ignore[arg-type]
    assert result == ImportResult(20, 0, 0, rows=4)
    # read 0: the registry; read k: chunk k's drafts
    order = events.events
    assert order.index("read 1 end") < order.index("write 1") < order.index("read 2")
    assert order.index("read 2") < order.index("write 1 end")
    assert order.index("read 2 end") < order.index("write 2") < order.index("write 2 end")
    assert "read 3" not in order
    # Nobody else wrote: every chunk wrote the drafts made ahead, none worked out again.
    assert events.recomputed == []
    # The same values and summaries as an import in one chunk.
    await import_partners(store, AT, "T2", partners_csv(partners))
    await import_metrics(store, AT, "T2", text, today=TODAY, chunk_size=1000)
    values = await metric_values(store, "T1")
    assert len(values) == 20 and values == await metric_values(store, "T2")
    assert await stored_summaries(store, "T1") == await stored_summaries(store, "T2")


async def test_a_failed_chunk_cancels_the_next_chunks_drafts(store: Store) -> None:
    partners = [f"Partner {i}" for i in range(6)]
    await import_partners(store, AT, "T1", partners_csv(partners))
    # Write 2 fails once chunk 3's drafts have begun; their read never ends by itself.
    failing = EventStore(store, fail_at=2, held=3)
    text = metrics_csv(partners, 6, weeks=["2026-W40"])
    before = asyncio.all_tasks()
    with pytest.raises(ImportInterrupted, match="What its first transaction wrote stays"):
        await asyncio.wait_for(
            import_metrics(failing, AT, "T1", text, today=TODAY, chunk_size=10),  # type: ignore[arg-type]
            WAIT,
        )
    assert "read 3" in failing.events and "read 3 end" not in failing.events
    assert [task for task in asyncio.all_tasks() - before if not task.done()] == []
    assert await count(store, "metrics", "T1") == 10


# --- the same results as the per-row way -----------------------------------------------------


class LanesStore(PassingStore):
    """A store whose imports write `lanes` chunks at once, noting the most write
    transactions begun and not yet ended at one time. The nth write can fail: it does once a
    write begun before it is inside its transaction, at its first statement, where that one
    waits for the failure before it goes on."""

    def __init__(self, store: Store, lanes: int, fail_at: int | None = None) -> None:
        super().__init__(store)
        self.write_lanes = lanes
        self._open = 0
        self.most_at_once = 0
        self._writes = 0
        self._fail_at = fail_at
        self._reached = asyncio.Event()
        self._failed = asyncio.Event()

    @contextlib.asynccontextmanager
    async def write(self) -> AsyncIterator[Any]:
        self._open += 1
        self._writes += 1
        n = self._writes
        self.most_at_once = max(self.most_at_once, self._open)
        try:
            if n == self._fail_at:
                await asyncio.wait_for(self._reached.wait(), WAIT)
                self._failed.set()
                raise DatabaseUnavailable()
            async with self._store.write() as tx:
                held = self._fail_at is not None and n < self._fail_at
                yield _HeldTx(tx, self._reached, self._failed) if held else tx
        finally:
            self._open -= 1


class _HeldTx:
    """A transaction whose first statement says it is reached and waits for an event."""

    def __init__(self, tx: Any, reached: asyncio.Event, until: asyncio.Event) -> None:
        self._tx = tx
        self._reached = reached
        self._until: asyncio.Event | None = until

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._tx, name)
        if not asyncio.iscoroutinefunction(attr) or self._until is None:
            return attr

        async def held(*args: Any, **kwargs: Any) -> Any:
            if self._until is not None:
                self._reached.set()
                await asyncio.wait_for(self._until.wait(), WAIT)
                self._until = None
            return await attr(*args, **kwargs)

        return held


@pytest.mark.parametrize("lanes", [1, 2])
async def test_chunks_leave_the_summaries_and_audit_of_the_per_row_way(
    store: Store, lanes: int
) -> None:
    """Two workspaces, the same files: one through chunks (small ones, so there are many),
    written one or two at once, one row by row; then a second file that changes some values
    and adds some."""
    names = [f"Partner {i:02d}" for i in range(12)]
    backups = {name: names[(i + 5) % len(names)] for i, name in enumerate(names) if i % 3}
    chunks = LanesStore(store, lanes)
    imported = partners_csv(names, backups)
    r1 = await import_partners(chunks, AT, "T1", imported, chunk_size=5)  # type: ignore[arg-type]
    assert chunks.most_at_once == lanes  # two chunks' transactions began before one ended
    r2 = await import_partners_per_row(store, AT, "T2", partners_csv(names, backups))
    assert r1 == r2 == ImportResult(12, 0, 0)
    for seed, weeks in ((5, WEEKS[:12]), (6, WEEKS[6:])):
        text = metrics_csv(names, seed, weeks)
        later = AT + timedelta(hours=seed)
        chunked = await import_metrics(
            chunks,  # type: ignore[arg-type]
            later,
            "T1",
            text,
            today=TODAY,
            chunk_size=37,
        )
        per_row = await import_metrics_per_row(store, later, "T2", text, today=TODAY)
        assert chunked == per_row
    assert chunked.updated and chunked.created and chunked.unchanged
    summaries = await stored_summaries(store, "T1")
    assert summaries == await stored_summaries(store, "T2")
    async with store.read() as tx:  # and each is the full computation from the metrics
        for partner in await tx.all_partners("T1"):
            full = to_json(summarise(await tx.rule_points("T1", partner.id)))
            assert summaries[partner.name] == full
    await assert_columns_follow_inputs(store, "T1", len(names))
    audit = "SELECT {} FROM audit_log a JOIN partners p ON p.id = a.partner_id WHERE a.team_id"
    rows = "p.name, a.actor, a.at, a.action, a.field, a.before, a.after"
    assert await count(store, "audit_log", "T1") == await count(store, "audit_log", "T2") > 0
    t1 = await _fetch(store, audit.format(rows) + " = 'T1'")
    assert sorted(t1) == sorted(await _fetch(store, audit.format(rows) + " = 'T2'"))


async def test_a_failure_while_two_chunks_write_says_what_stays(store: Store) -> None:
    """The second of two chunks written at once fails: the first one's values stay and the
    answer counts them; nothing else began; the same file again finishes."""
    partners = [f"Partner {i}" for i in range(6)]
    await import_partners(store, AT, "T1", partners_csv(partners))
    text = metrics_csv(partners, 8, weeks=["2026-W40"])
    failing = LanesStore(store, 2, fail_at=2)
    with pytest.raises(ImportInterrupted) as stopped:
        await import_metrics(failing, AT, "T1", text, today=TODAY, chunk_size=10)  # type: ignore[arg-type]
    message = str(stopped.value)
    # Whichever of the two began its transaction first committed, once the other had failed:
    # two rows, ten values; the third chunk never began.
    assert "wrote stays (2 rows with 10 values: 10 created" in message
    assert "its first transaction wrote" in message or "one of its transactions wrote" in message
    assert failing.most_at_once <= 2 and await count(store, "metrics", "T1") == 10
    again = await import_metrics(store, AT, "T1", text, today=TODAY, chunk_size=10)
    assert again == ImportResult(20, 0, 10, rows=6)
    assert await count(store, "metrics", "T1") == 30


class OutOfOrderStore(PassingStore):
    """A store whose imports write two chunks at once; write `fail_at` fails, but only once
    write `fail_at + 1` (begun after it) has committed."""

    write_lanes = 2

    def __init__(self, store: Store, fail_at: int) -> None:
        super().__init__(store)
        self._fail_at = fail_at
        self._writes = 0
        self._next_done = asyncio.Event()

    @contextlib.asynccontextmanager
    async def write(self) -> AsyncIterator[Any]:
        self._writes += 1
        n = self._writes
        if n == self._fail_at:
            await asyncio.wait_for(self._next_done.wait(), WAIT)
            raise DatabaseUnavailable()
        async with self._store.write() as tx:
            yield tx
        if n == self._fail_at + 1:
            self._next_done.set()


async def test_backups_chunks_that_commit_out_of_order_are_said_to_be_some_of_them(
    store: Store,
) -> None:
    """Two chunks of fields, then two of backups at once: the first backups chunk fails after
    the second committed. The answer counts three transactions, not "its first three", and
    only the second chunk's backups are set."""
    names = [f"Partner {i}" for i in range(4)]
    backups = {name: names[(i + 1) % 4] for i, name in enumerate(names)}
    failing = OutOfOrderStore(store, fail_at=3)
    text = partners_csv(names, backups)
    with pytest.raises(ImportInterrupted) as stopped:
        await import_partners(failing, AT, "T1", text, chunk_size=2)  # type: ignore[arg-type]
    message = str(stopped.value)
    assert "What 3 of its transactions wrote stays (4 created, 0 updated" in message
    async with store.read() as tx:
        stored = {p.name: p.backups for p in await tx.all_partners("T1")}
    assert stored == {
        "Partner 0": (),
        "Partner 1": (),
        "Partner 2": ("Partner 3",),
        "Partner 3": ("Partner 0",),
    }
    again = await import_partners(store, AT, "T1", text, chunk_size=2)
    assert again == ImportResult(0, 2, 2)


class HeldDraftsStore:
    """A store whose imports write two chunks at once and whose first chunk's drafts read
    (read 1: read 0 is the registry) waits until a chunk has committed and the chunks after
    the first have begun theirs."""

    write_lanes = 2

    def __init__(self, store: Store, chunks: int) -> None:
        self._store = store
        self._chunks = chunks
        self.reads = 0
        self._written = 0
        self._go = asyncio.Event()

    def _check(self) -> None:
        if self._written and self.reads > self._chunks:  # the registry and every chunk's
            self._go.set()

    @contextlib.asynccontextmanager
    async def read(self, *, snapshot: bool = True) -> AsyncIterator[Any]:
        n = self.reads
        self.reads += 1
        self._check()
        if n == 1:
            await asyncio.wait_for(self._go.wait(), WAIT)
        async with self._store.read(snapshot=snapshot) as tx:
            yield tx

    @contextlib.asynccontextmanager
    async def write(self) -> AsyncIterator[Any]:
        async with self._store.write() as tx:
            yield tx
        self._written += 1
        self._check()


async def test_each_chunks_drafts_are_read_once_when_chunks_end_out_of_order(
    store: Store,
) -> None:
    """The first chunk's drafts come last: the chunks after it take their own (begun ahead
    or when they began), none is read twice, and the values and summaries are those of an
    import in one chunk."""
    partners = [f"Partner {i}" for i in range(8)]
    for team in ("T1", "T2"):
        await import_partners(store, AT, team, partners_csv(partners))
    text = metrics_csv(partners, 9, weeks=["2026-W40"])  # four chunks of two partners
    held = HeldDraftsStore(store, chunks=4)
    result = await import_metrics(held, AT, "T1", text, today=TODAY, chunk_size=10)  # type: ignore[arg-type]
    assert result == ImportResult(40, 0, 0, rows=8)
    assert held.reads == 1 + 4  # the registry, then each chunk's drafts once
    await import_metrics(store, AT, "T2", text, today=TODAY, chunk_size=1000)
    assert await metric_values(store, "T1") == await metric_values(store, "T2")
    assert await stored_summaries(store, "T1") == await stored_summaries(store, "T2")


async def assert_columns_follow_inputs(store: Store, team: str, partners: int) -> None:
    """The columns `pool_states` decides from are those of each stored summary (an import
    that rewrote the JSON alone would leave the portfolio deciding from the old ones)."""
    names = list(summary_columns(summarise([])))
    rows = await _fetch(
        store,
        f"SELECT inputs, {', '.join(names)} FROM health_summary WHERE team_id = '{team}'",
    )
    assert len(rows) == partners
    for inputs, *stored in rows:
        expected = summary_columns(from_json(inputs))
        assert dict(zip(names, stored, strict=True)) == pytest.approx(expected)


async def _fetch(store: Store, sql: str) -> list[tuple[Any, ...]]:
    """Rows of a query on a raw connection, as tuples (the audit trail of both workspaces)."""
    if isinstance(store, PostgresStore):
        conn = await asyncpg.connect(store.url)
        try:
            return [tuple(r) for r in await conn.fetch(sql)]
        finally:
            await conn.close()
    async with aiosqlite.connect(store.path) as db:
        return [tuple(r) for r in await db.execute_fetchall(sql)]


async def test_a_second_run_of_the_same_files_changes_nothing(store: Store) -> None:
    names = [f"Partner {i}" for i in range(5)]
    await import_partners(store, AT, "T1", partners_csv(names, {"Partner 1": "Partner 4"}))
    text = metrics_csv(names, 7)
    await import_metrics(store, AT, "T1", text, today=TODAY, chunk_size=25)
    versions = await scalar(store, "SELECT SUM(version) FROM health_summary")
    audit = await count(store, "audit_log", "T1")
    again = await import_partners(
        store, AT, "T1", partners_csv(names, {"Partner 1": "Partner 4"}), chunk_size=2
    )
    assert again == ImportResult(0, 0, 5)
    values = await import_metrics(store, AT, "T1", text, today=TODAY, chunk_size=25)
    assert values == ImportResult(0, 0, 5 * len(WEEKS) * 5, rows=5 * len(WEEKS))
    assert await count(store, "audit_log", "T1") == audit
    assert await scalar(store, "SELECT SUM(version) FROM health_summary") == versions


async def test_a_value_recorded_while_its_chunk_is_open_is_in_the_summary(
    store: Store, engine: str
) -> None:
    """The import stops inside its chunk, after staging; another writer records another
    week of the same partner (committing first on PostgreSQL). The summary holds both."""
    await import_partners(store, AT, "T1", partners_csv(["Acme"]))
    text = "name,period,rue\nAcme,2026-W40,30\n"
    gate = Gate("stage_metrics")
    imported, recorded = await race(
        lambda: import_metrics(GatedStore(store, gate), AT, "T1", text, today=TODAY),  # type: ignore[arg-type]
        gate,
        lambda: record_metrics(
            store, AT, "T1", CLI_ACTOR, "Acme", {"rue": 31.0}, parse_period("2026-W41")
        ),
        other_finishes_first=engine == "postgresql",
    )
    assert imported == ImportResult(1, 0, 0, rows=1) and not isinstance(recorded, Exception)
    async with store.read() as tx:
        pid = (await tx.all_partners("T1"))[0].id
        stored = (await tx.pool_summaries("T1"))[pid]
        assert stored == to_json(summarise(await tx.rule_points("T1", pid)))
    assert len(from_json(stored).rue) == 2  # both weeks


def test_the_command_line_prints_an_import_stopped_midway_with_its_file() -> None:
    from pathlib import Path

    from bot.cli import CliError, _nothing_imported

    stopped = ImportInterrupted("the database went away", 2, ImportResult(3, 1, 0, rows=2))
    with pytest.raises(CliError) as printed, _nothing_imported(Path("m.csv")):
        raise stopped
    text = str(printed.value)
    assert text.startswith("m.csv: The import stopped before the end: the database went away")
    assert "What its first 2 transactions wrote stays (2 rows with 4 values: 3 created" in text
    assert "nothing was imported" not in text


async def test_a_value_stored_with_another_period_under_its_label_gets_the_files_period(
    store: Store,
) -> None:
    """Rows as stored before labels were canonical: the label's row is rewritten whole (its
    period's kind and dates too), beside rows whose period is unchanged, and the summary
    is the full computation."""
    await import_partners(store, AT, "T1", partners_csv(["Acme"]))
    first = "name,period,rue,roi\nAcme,2026-W40,30,1.25\nAcme,2026-W41,31,2.5\n"
    await import_metrics(store, AT, "T1", first, today=TODAY)
    shifted = parse_period("2026-W39")  # W40's row now holds W39's dates
    await execute(
        store,
        f"UPDATE metrics SET period_start = '{shifted.start}', period_end = '{shifted.end}'"
        " WHERE period = '2026-W40'",
    )
    again = "name,period,rue,roi\nAcme,2026-W40,35,1.5\nAcme,2026-W41,36,2.5\n"
    result = await import_metrics(store, AT, "T1", again, today=TODAY)
    assert result == ImportResult(0, 3, 1, rows=2)
    week = parse_period("2026-W40")
    async with store.read() as tx:
        pid = (await tx.all_partners("T1"))[0].id
        points = await tx.rule_points("T1", pid)
        assert {(p.period.label, p.period.start, p.metric, p.value) for p in points} == {
            ("2026-W40", week.start, "rue", 35.0),
            ("2026-W40", week.start, "roi", 1.5),
            ("2026-W41", parse_period("2026-W41").start, "rue", 36.0),
            ("2026-W41", parse_period("2026-W41").start, "roi", 2.5),
        }
        assert (await tx.pool_summaries("T1"))[pid] == to_json(summarise(points))


async def test_a_draft_tells_a_moved_row_from_another_partners_row_of_its_label(
    store: Store,
) -> None:
    """Acme's W40 is stored as W40; Beta's W40 row holds W39's dates, in September (its
    summary made from them). One chunk replaces both: Beta's value leaves September."""
    await import_partners(store, AT, "T1", partners_csv(["Acme", "Beta"]))
    first = "name,period,roi\nAcme,2026-W40,1.25\nBeta,2026-W40,2.5\nBeta,2026-W41,3.5\n"
    await import_metrics(store, AT, "T1", first, today=TODAY)
    shifted = parse_period("2026-W39")
    await execute(
        store,
        f"UPDATE metrics SET period_start = '{shifted.start}', period_end = '{shifted.end}'"
        " WHERE period = '2026-W40' AND partner_id = (SELECT id FROM partners"
        " WHERE name = 'Beta')",
    )
    await execute(store, "UPDATE health_summary SET stale = 1")
    await rebuild_stale_summaries(store)
    again = "name,period,roi\nAcme,2026-W40,1.5\nBeta,2026-W40,4.5\n"
    assert await import_metrics(store, AT, "T1", again, today=TODAY) == ImportResult(
        0, 2, 0, rows=2
    )
    async with store.read() as tx:
        stored = await tx.pool_summaries("T1")
        for partner in await tx.all_partners("T1"):
            full = summarise(await tx.rule_points("T1", partner.id))
            assert stored[partner.id] == to_json(full), partner.name


async def test_rows_of_metrics_no_summary_reads_leave_each_summary_the_full_computation(
    store: Store,
) -> None:
    """The drafts are given only the values a summary reads (rue, roi, sentiment): a partner
    whose rows hold only gmv and traffic still gets its summary row, and every summary, of
    a chunk of both kinds, is the full computation from the metrics."""
    await import_partners(store, AT, "T1", partners_csv(["Acme", "Beta", "Cara"]))
    first = "name,period,rue,roi,sentiment\nAcme,2026-W40,30,1.25,70\nBeta,2026-W40,31,2.5,80\n"
    await import_metrics(store, AT, "T1", first, today=TODAY)
    again = (
        "name,period,rue,roi,gmv,traffic\n"
        "Acme,2026-W40,,,5000,900\n"  # a summary stored; no value it reads
        "Beta,2026-W41,33,2.75,6000,\n"
        "Cara,2026-W41,,,7000,100\n"  # no summary yet; no value it reads
    )
    result = await import_metrics(store, AT, "T1", again, today=TODAY)
    assert result == ImportResult(7, 0, 0, rows=3)
    async with store.read() as tx:
        stored = await tx.pool_summaries("T1")
        partners = await tx.all_partners("T1")
        assert {p.id for p in partners} <= set(stored)
        for partner in partners:
            full = to_json(summarise(await tx.rule_points("T1", partner.id)))
            assert stored[partner.id] == full, partner.name
        assert await scalar(store, "SELECT COUNT(*) FROM health_summary WHERE stale = 1") == 0
