"""`/health` and a digest for a large pool: before (every metric of the window read and
assessed) and after (one health summary a partner, the window's GMV and traffic summed in
SQL).

Builds a SQLite registry of --partners partners with --weeks weeks of rue, roi, sentiment,
gmv and traffic each (and every partner's summary, as the metric writes keep it), then
times, in the same run and interleaved round by round:
- before: the portfolio and a digest as main computes them (`portfolio_health_full`, and
  the digest's content from the window's points), the baseline of each ratio;
- after: `portfolio_health` and `compose_digest`, from the summaries;
- one `/partner metrics` write of five values without and with its summary's upkeep.
Beside each case, the longest the event loop was kept from running while it ran
(tests/support/loop_stalls.py's monitor): what every other request waits.

    python bench/health_portfolio.py --partners 10000 --weeks 52
    python bench/health_portfolio.py --partners 10000 --weeks 52 --skip-before
    python bench/health_portfolio.py --engine postgresql --partners 100000 --weeks 8 \
        --skip-before --pg-schema hp100k     # seeded once, kept: DROP SCHEMA hp100k CASCADE after

On a fresh file (no --db, or a --db not there yet) the store opens on the empty file and the
seed is written beside it; the readers are then given the statistics of the seeded file, as
the bot's hourly job gives them (bot/app.py), unless --stale-statistics (a bot before it).
--skip-before times the after cases and the writes alone (the reports are still compared
once), without the full computation's 930,000 objects made and freed between them.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg

from bot.access import Actor
from bot.collector import tune_collector
from bot.digest.command import Scope
from bot.digest.content import assess_scoped, compose
from bot.digest.service import compose_digest
from bot.health.lazy import JANITOR
from bot.health.rules import MetricPoint, lookback_start, thresholds_from
from bot.health.service import HEALTH, portfolio_health, portfolio_health_full
from bot.health.summary import summarise, to_json
from bot.health.summary_columns import COLUMNS, summary_columns
from bot.health.upkeep import rebuild_stale_summaries, refresh_summary
from bot.metrics import week_of
from bot.ports import Store
from bot.registry.rules import name_key
from bot.registry.service import write_metrics
from storage.store import open_store

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the project root, for tests/
from tests.support.loop_stalls import StallMonitor

NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
ZONE = ZoneInfo("UTC")
TEAM = "T0001"
STAMP = "2026-11-22T09:30:00.000000Z"
POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"


RULED = ("rue", "roi", "sentiment")


PARTNER_COLUMNS = ("id", "team_id", "name", "name_key", "category", "tier", "status", "owner")
METRIC_COLUMNS = ("team_id", "partner_id", "period", "period_kind", "period_start", "period_end")
METRIC_COLUMNS += ("metric", "value", "recorded_by")
SUMMARY_COLUMNS = ("team_id", "partner_id", "version", "inputs", *COLUMNS)
TIERS = ("strategic", "core", "standard", "trial")


def records(partners: int, weeks: int) -> Iterator[tuple[tuple[Any, ...], list[Any], Any]]:
    """Each partner's row, metric rows and health summary row (random values, seeded)."""
    rng = random.Random(7)
    this_week = week_of(NOW.date())
    periods = [week_of(this_week.start - timedelta(weeks=back)) for back in range(weeks)]
    for pid in range(1, partners + 1):
        name = f"Partner {pid - 1:05d}"
        partner = (pid, TEAM, name, name_key(name), "KOL", TIERS[(pid - 1) % 4], "active", "U1")
        rows, points = [], []
        for period in periods:
            for metric, value in (
                ("rue", rng.uniform(20, 90)),
                ("roi", rng.uniform(0.5, 5)),
                ("sentiment", rng.uniform(30, 90)),
                ("gmv", rng.uniform(0, 1e6)),
                ("traffic", float(rng.randint(0, 100_000))),
            ):
                rows.append((TEAM, pid, period.label, "week", period.start, period.end))
                rows[-1] += (metric, value, "U1")
                if metric in RULED:
                    points.append(MetricPoint(pid, period, metric, value))
        summary = summarise(points)
        yield partner, rows, (TEAM, pid, 1, to_json(summary), *summary_columns(summary).values())


def seed_sqlite(path: str, partners: int, weeks: int) -> None:
    """Fill the database fast with the sqlite3 module: setup, not what is measured."""

    def day(row: tuple[Any, ...]) -> tuple[Any, ...]:
        return (*row[:4], row[4].isoformat(), row[5].isoformat(), *row[6:], STAMP)

    with sqlite3.connect(path) as conn:
        for partner, rows, summary in records(partners, weeks):
            conn.execute(
                f"INSERT INTO partners ({', '.join(PARTNER_COLUMNS)}, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (*partner, STAMP, STAMP),
            )
            conn.executemany(
                f"INSERT INTO metrics ({', '.join(METRIC_COLUMNS)}, recorded_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                map(day, rows),
            )
            marks = ", ".join("?" * len(SUMMARY_COLUMNS))
            conn.execute(
                f"INSERT INTO health_summary ({', '.join(SUMMARY_COLUMNS)}) VALUES ({marks})",
                summary,
            )
        conn.execute("INSERT INTO roi_benchmarks VALUES (?, 'KOL', 2.5, 'U1', ?)", (TEAM, STAMP))


async def seed_postgres(url: str, partners: int, weeks: int) -> None:
    """The same rows into a migrated PostgreSQL schema by COPY, a few thousand partners at
    a time."""
    conn = await asyncpg.connect(url)
    try:
        chunk: list[tuple[tuple[Any, ...], list[Any], Any]] = []

        async def flush() -> None:
            await conn.copy_records_to_table(
                "partners",
                records=[(*p, NOW, NOW) for p, _, _ in chunk],
                columns=(*PARTNER_COLUMNS, "created_at", "updated_at"),
            )
            await conn.copy_records_to_table(
                "metrics",
                records=[(*row, NOW) for _, rows, _ in chunk for row in rows],
                columns=(*METRIC_COLUMNS, "recorded_at"),
            )
            await conn.copy_records_to_table(
                "health_summary", records=[s for _, _, s in chunk], columns=SUMMARY_COLUMNS
            )
            chunk.clear()

        for record in records(partners, weeks):
            chunk.append(record)
            if len(chunk) == 2_000:
                await flush()
        if chunk:
            await flush()
        await conn.execute("SELECT setval(pg_get_serial_sequence('partners', 'id'), $1)", partners)
        await conn.execute(
            "INSERT INTO roi_benchmarks VALUES ($1, 'KOL', 2.5, 'U1', $2)", TEAM, NOW
        )
        await conn.execute("ANALYZE")
    finally:
        await conn.close()


@asynccontextmanager
async def database(
    engine: str, keep: str | None, pg_schema: str | None = None
) -> AsyncIterator[tuple[str, bool]]:
    """The database's URL and whether it must be seeded: a SQLite file (kept with --db) or a
    schema in PostgreSQL's `test` database, fresh and dropped afterwards, or kept (--pg-schema:
    seeded when it holds no partners yet, left for the next run; drop it when done)."""
    if engine == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(keep) if keep else Path(tmp) / "bench.db"
            yield f"sqlite:///{path}", not path.exists()
        return
    schema = pg_schema or f"bench_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(POSTGRES_URL)
    await admin.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    fresh = True
    if pg_schema and await admin.fetchval("SELECT to_regclass($1)", f"{schema}.partners"):
        fresh = not await admin.fetchval(f"SELECT EXISTS (SELECT 1 FROM {schema}.partners)")
    try:
        yield f"{POSTGRES_URL}?search_path={schema}", fresh
    finally:
        if not pg_schema:
            await admin.execute(f"DROP SCHEMA {schema} CASCADE")
        await admin.close()


async def timed(work: Callable[[], Awaitable[object]]) -> tuple[float, float]:
    """How long work took, and the longest stall of the event loop meanwhile (seconds)."""
    monitor = StallMonitor()
    monitor.start()
    await asyncio.sleep(0)
    started = time.perf_counter()
    await work()
    took = time.perf_counter() - started
    return took, await monitor.stop()


async def digest_before(store: Store) -> object:
    """A digest's content as main computed it: every point of the window, assessed."""
    today = NOW.date()
    async with store.read() as tx:
        limits = thresholds_from(await tx.settings(TEAM, HEALTH))
        benchmarks = await tx.benchmarks(TEAM)
        partners = await tx.all_partners(TEAM)
        points = await tx.health_points(TEAM, lookback_start(today, limits))
    report, members, overdue = await asyncio.to_thread(
        assess_scoped, partners, points, benchmarks, limits, today, Scope()
    )
    return compose(report, members, overdue, None)


async def one_write(store: Store, summarise: bool, week: list[int]) -> object:
    """`/partner metrics` of five values for a new week of one partner."""
    week[0] += 1
    period = week_of(NOW.date() + timedelta(weeks=week[0] % 40))
    values = {"rue": 50.0 + week[0] % 7, "roi": 2.0, "sentiment": 60.0, "gmv": 1e5, "traffic": 9.0}
    async with store.write() as tx:
        partner = await tx.partner_by_id(TEAM, 42, full=False)
        assert partner is not None
        return await write_metrics(
            tx, NOW, Actor("U1"), partner, values, period, summarise=summarise
        )


async def main(
    engine: str,
    partners: int,
    weeks: int,
    rounds: int,
    keep: str | None,
    skip_before: bool,
    stale_statistics: bool,
    pg_schema: str | None = None,
) -> None:
    JANITOR.start()  # as the bot runs (bot.app.create_app)
    tune_collector()  # and with its garbage collector's thresholds
    async with database(engine, keep, pg_schema) as (url, fresh):
        store, _ = await open_store(url, NOW)
        try:
            started = time.perf_counter()
            if fresh and engine == "sqlite":  # a kept file is seeded once: it takes minutes
                seed_sqlite(url.removeprefix("sqlite:///"), partners, weeks)
            elif fresh:
                await seed_postgres(url, partners, weeks)
            print(f"seeded in {time.perf_counter() - started:.0f} s")
            refresh = getattr(store, "refresh_statistics", None)
            if fresh and refresh is not None and not stale_statistics:
                # The store opened on the empty file; the bot's hourly job (bot/app.py)
                # gives its readers the statistics of what the file grew into.
                print(f"planner statistics refreshed: {await refresh()}")
            started = time.perf_counter()
            rebuilt = await rebuild_stale_summaries(store)  # as the bot does at start
            async with store.write() as tx:  # a kept file's earlier write without summary
                await refresh_summary(tx, TEAM, 42)
            print(f"rebuilt {rebuilt} stale summaries in {time.perf_counter() - started:.0f} s")
            # Compared before the writes below, which leave partner 42's summary behind.
            after, _ = await portfolio_health(store, NOW, ZONE, TEAM)
            before, _ = await portfolio_health_full(store, NOW, ZONE, TEAM)
            week = [0]
            cases: dict[str, Callable[[], Awaitable[object]]] = {
                "before: portfolio": lambda: portfolio_health_full(store, NOW, ZONE, TEAM),
                "after: portfolio": lambda: portfolio_health(store, NOW, ZONE, TEAM),
                "before: digest": lambda: digest_before(store),
                "after: digest": lambda: compose_digest(store, NOW, ZONE, TEAM, "C1", Scope()),
                "write without summary": lambda: one_write(store, False, week),
                "write with summary": lambda: one_write(store, True, week),
            }
            if skip_before:
                cases = {name: work for name, work in cases.items() if "before" not in name}
            baselines = {
                "after: portfolio": "before: portfolio",
                "after: digest": "before: digest",
                "write with summary": "write without summary",
            }
            results: dict[str, list[float]] = {name: [] for name in cases}
            stalls: dict[str, float] = dict.fromkeys(cases, 0.0)
            for work in cases.values():  # warm the page cache
                await work()
            for _ in range(rounds):  # interleaved, so a noisy moment hits every case alike
                for name, work in cases.items():
                    took, stall = await timed(work)
                    results[name].append(took)
                    stalls[name] = max(stalls[name], stall)
        finally:
            await store.close()
    print(f"{partners} partners x {weeks} weeks x 5 metrics, median of {rounds} rounds")
    print(f"{'case':<24}{'median ms':>11}{'ratio':>9}{'longest stall ms':>18}")
    for name, values in results.items():
        median = statistics.median(values)
        base = baselines.get(name)
        ratio = f"{median / statistics.median(results[base]):.3f}" if base in results else "1"
        stall = stalls[name] * 1000
        print(f"{name:<24}{median * 1000:>11.1f}{ratio:>9}{stall:>18.0f}")
    print("identical reports:", after == before)
    print(
        "statuses:", {s.value: n for s, n in after.counts.items()}, "flagged:", len(after.flagged)
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partners", type=int, default=10_000)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--db", help="a SQLite file to seed once and keep between runs")
    parser.add_argument("--engine", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument(
        "--pg-schema", help="PostgreSQL: a schema to seed once and keep between runs"
    )
    parser.add_argument(
        "--skip-before", action="store_true", help="time the after cases without the before"
    )
    parser.add_argument(
        "--stale-statistics",
        action="store_true",
        help="a fresh file: keep the planner statistics the store opened with (the empty file's)",
    )
    args = parser.parse_args()
    main_args = (
        args.engine,
        args.partners,
        args.weeks,
        args.rounds,
        args.db,
        args.skip_before,
        args.stale_statistics,
        args.pg_schema,
    )
    asyncio.run(main(*main_args))
