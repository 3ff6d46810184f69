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
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.access import Actor
from bot.digest.command import Scope
from bot.digest.content import assess_scoped, compose
from bot.digest.service import compose_digest
from bot.health.rules import MetricPoint, lookback_start, thresholds_from
from bot.health.service import HEALTH, portfolio_health, portfolio_health_full
from bot.health.summary import summarise, to_json
from bot.health.summary_columns import summary_columns
from bot.health.upkeep import rebuild_stale_summaries, refresh_summary
from bot.metrics import Period, week_of
from bot.registry.rules import name_key
from bot.registry.service import write_metrics
from storage.store import SQLiteStore

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the project root, for tests/
from tests.support.loop_stalls import StallMonitor

NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
ZONE = ZoneInfo("UTC")
TEAM = "T0001"


RULED = ("rue", "roi", "sentiment")


def _period(label: str, start: str) -> Period:
    day = datetime.fromisoformat(start).date()
    return Period(day, day + timedelta(days=6), "week", label)


def seed(path: str, partners: int, weeks: int) -> None:
    """Fill the database fast with the sqlite3 module: setup, not what is measured."""
    rng = random.Random(7)
    stamp = "2026-11-22T09:30:00.000000Z"
    tiers = ("strategic", "core", "standard", "trial")
    with sqlite3.connect(path) as conn:
        conn.executemany(
            "INSERT INTO partners (team_id, name, name_key, category, tier, status, owner, "
            "created_at, updated_at) VALUES (?, ?, ?, 'KOL', ?, 'active', 'U1', ?, ?)",
            [
                (TEAM, f"Partner {i:05d}", name_key(f"Partner {i:05d}"), tiers[i % 4], stamp, stamp)
                for i in range(partners)
            ],
        )
        this_week = week_of(NOW.date())
        for pid in range(1, partners + 1):
            rows = []
            for back in range(weeks):
                period = week_of(this_week.start - timedelta(weeks=back))
                for metric, value in (
                    ("rue", rng.uniform(20, 90)),
                    ("roi", rng.uniform(0.5, 5)),
                    ("sentiment", rng.uniform(30, 90)),
                    ("gmv", rng.uniform(0, 1e6)),
                    ("traffic", float(rng.randint(0, 100_000))),
                ):
                    rows.append(
                        (
                            TEAM,
                            pid,
                            period.label,
                            "week",
                            period.start.isoformat(),
                            period.end.isoformat(),
                            metric,
                            value,
                            "U1",
                            stamp,
                        )
                    )
            conn.executemany(
                "INSERT INTO metrics (team_id, partner_id, period, period_kind, period_start, "
                "period_end, metric, value, recorded_by, recorded_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            points = [
                MetricPoint(pid, _period(r[2], r[4]), r[6], r[7]) for r in rows if r[6] in RULED
            ]
            summary = summarise(points)
            columns = summary_columns(summary)
            conn.execute(
                "INSERT INTO health_summary (team_id, partner_id, version, inputs, "
                f"{', '.join(columns)}) VALUES (?, ?, 1, ?{', ?' * len(columns)})",
                (TEAM, pid, to_json(summary), *columns.values()),
            )
        conn.execute("INSERT INTO roi_benchmarks VALUES (?, 'KOL', 2.5, 'U1', ?)", (TEAM, stamp))


async def timed(work: Callable[[], Awaitable[object]]) -> tuple[float, float]:
    """How long work took, and the longest stall of the event loop meanwhile (seconds)."""
    monitor = StallMonitor()
    monitor.start()
    await asyncio.sleep(0)
    started = time.perf_counter()
    await work()
    took = time.perf_counter() - started
    return took, await monitor.stop()


async def digest_before(store: SQLiteStore) -> object:
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


async def one_write(store: SQLiteStore, summarise: bool, week: list[int]) -> object:
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


async def main(partners: int, weeks: int, rounds: int, keep: str | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(keep) if keep else Path(tmp) / "bench.db"
        fresh = not path.exists()
        store = SQLiteStore(str(path))
        await store.open(NOW)
        try:
            started = time.perf_counter()
            if fresh:  # a kept database is seeded once: 2.6 million rows take minutes
                seed(store.path, partners, weeks)
            print(f"seeded in {time.perf_counter() - started:.0f} s")
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
        ratio = f"{median / statistics.median(results[base]):.3f}" if base else "1"
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
    parser.add_argument("--db", help="a database file to seed once and keep between runs")
    args = parser.parse_args()
    asyncio.run(main(args.partners, args.weeks, args.rounds, args.db))
