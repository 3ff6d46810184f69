"""`/health` for a large pool: the whole portfolio assessed from one window of metrics.

Builds a SQLite registry of --partners partners with --weeks weeks of rue, roi, sentiment,
gmv and traffic each, then times, in the same run and interleaved:
- the baseline: fetching the window of metrics alone (the one query the report needs);
- the portfolio: that query plus every rule, the concentration and the unbacked list;
- one partner's report, for comparison.
The ratio portfolio / baseline is what the in-memory assessment adds to reading the data.
Beside each case, the longest the event loop was kept from running while it ran (a task
that should wake every 10 ms records how late it woke): what every other request waits.

    python bench/health_portfolio.py --partners 10000 --weeks 8
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.health.rules import lookback_start, thresholds_from
from bot.health.service import partner_health, portfolio_health
from bot.metrics import week_of
from bot.registry.rules import name_key
from storage.store import SQLiteStore

NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
ZONE = ZoneInfo("UTC")
TEAM = "T0001"
TICK = 0.01


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
        rows = []
        this_week = week_of(NOW.date())
        for pid in range(1, partners + 1):
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
        conn.execute("INSERT INTO roi_benchmarks VALUES (?, 'KOL', 2.5, 'U1', ?)", (TEAM, stamp))


async def timed(work: Callable[[], Awaitable[object]]) -> tuple[float, float]:
    """How long work took, and the longest stall of the event loop meanwhile (seconds)."""
    longest = 0.0
    done = asyncio.Event()

    async def watch() -> None:
        nonlocal longest
        last = time.perf_counter()
        while not done.is_set():
            await asyncio.sleep(TICK)
            now = time.perf_counter()
            longest, last = max(longest, now - last - TICK), now

    watcher = asyncio.create_task(watch())
    started = time.perf_counter()
    await work()
    took = time.perf_counter() - started
    done.set()
    await watcher
    return took, longest


async def main(partners: int, weeks: int, rounds: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = SQLiteStore(str(Path(tmp) / "bench.db"))
        await store.open(NOW)
        try:
            seed(store.path, partners, weeks)

            async def window_only() -> object:
                async with store.read() as tx:
                    limits = thresholds_from(await tx.settings(TEAM, "health"))
                    return await tx.health_points(TEAM, lookback_start(NOW.date(), limits))

            cases = {
                "window query (baseline)": window_only,
                "portfolio report": lambda: portfolio_health(store, NOW, ZONE, TEAM),
                "one partner's report": lambda: partner_health(
                    store, NOW, ZONE, TEAM, "Partner 00042"
                ),
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
            report, _ = await portfolio_health(store, NOW, ZONE, TEAM)
        finally:
            await store.close()
    baseline = statistics.median(results["window query (baseline)"])
    print(f"{partners} partners x {weeks} weeks x 5 metrics, median of {rounds} rounds")
    print(f"{'case':<26}{'median ms':>11}{'ratio to baseline':>19}{'longest stall ms':>18}")
    for name, values in results.items():
        median = statistics.median(values)
        stall = stalls[name] * 1000
        print(f"{name:<26}{median * 1000:>11.1f}{median / baseline:>19.2f}{stall:>18.0f}")
    print(
        "statuses:", {s.value: n for s, n in report.counts.items()}, "flagged:", len(report.flagged)
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partners", type=int, default=10_000)
    parser.add_argument("--weeks", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    asyncio.run(main(args.partners, args.weeks, args.rounds))
