"""`/score review`'s monthly ROI sums on PostgreSQL: the statement before (months from the
dates' text, which the DateStyle sets) and after (EXTRACT and to_char), interleaved on one
seeded schema, with a check that both give the same rows under the default DateStyle.

    python bench/roi_monthly.py --partners 10000 --rounds 3
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the project root

from bench.health_portfolio import database
from bench.scoring_pool import NOW, TEAM
from bench.seed import seed_postgres
from storage.store import open_store

_PLACED = """SELECT partner_id, month, SUM(value), COUNT(*) FROM (
    SELECT partner_id, value,
           CASE WHEN period_kind = 'week' AND {day} >= 4 THEN {end_month}
                ELSE {start_month} END AS month
      FROM metrics
     WHERE team_id = $1 AND metric = 'roi' AND period_start >= $2 AND period_start <= $3
) placed GROUP BY partner_id, month"""
BEFORE = _PLACED.format(
    day="CAST(substr(CAST(period_end AS TEXT), 9, 2) AS INTEGER)",
    end_month="substr(CAST(period_end AS TEXT), 1, 7)",
    start_month="substr(CAST(period_start AS TEXT), 1, 7)",
)
AFTER = _PLACED.format(
    day="EXTRACT(DAY FROM period_end)",
    end_month="to_char(period_end, 'YYYY-MM')",
    start_month="to_char(period_start, 'YYYY-MM')",
)


async def main(partners: int, rounds: int) -> None:
    async with database("postgresql", None) as (url, _):
        store, _ = await open_store(url, NOW)
        await store.close()
        await seed_postgres(url, NOW, partners, 52)
        conn = await asyncpg.connect(url)
        try:
            today = NOW.date()
            since = today - timedelta(days=365)
            times: dict[str, list[float]] = {"before": [], "after": []}
            results: dict[str, list[tuple[object, ...]]] = {}
            for _ in range(rounds):
                for name, sql in (("before", BEFORE), ("after", AFTER)):
                    started = time.perf_counter()
                    rows = await conn.fetch(sql, TEAM, since, today)
                    times[name].append(time.perf_counter() - started)
                    results[name] = sorted(tuple(r.values()) for r in rows)
        finally:
            await conn.close()
        before, after = (statistics.median(times[k]) for k in ("before", "after"))
        print(
            f"{partners:,} x 52, {rounds} rounds: before {before * 1000:.0f} ms, after "
            f"{after * 1000:.0f} ms, ratio {after / before:.2f}; {len(results['after']):,} "
            f"rows, identical: {results['before'] == results['after']}"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--partners", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(main(args.partners, args.rounds))
