"""`/score top`, `/score review` and the failover drill's candidate ranking over a large pool,
before (main's way, kept here) and after, interleaved round by round, with the longest
stall of the event loop beside each.

Seeds bench/seed.py's registry (--partners active KOLs x --weeks weeks of five metrics, a
rating for nine in ten, every health summary) into a SQLite file (kept with --db) or a
fresh schema in PostgreSQL's `test` database.

    python bench/scoring_pool.py --partners 10000 --weeks 52 --rounds 2 --db /tmp/score.db
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the project root

from bench.health_portfolio import database, timed
from bench.seed import seed_postgres, seed_sqlite
from bot.failover import candidates as ranking_rules
from bot.failover.kit import choose_candidates
from bot.health.rules import lookback_start
from bot.health.service import health_settings
from bot.ports import Store
from bot.registry.rules import Status
from bot.scoring import service
from bot.scoring.rules import Ranked, ReviewEntry, efficiency, fit_score, rank, review
from storage.store import open_store
from storage.tx.base import queries

NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
ZONE = ZoneInfo("UTC")
TEAM = "T0001"
DROPPING = 42  # the partner whose drill's candidates are ranked


async def ranking_before(store: Store, team_id: str = TEAM) -> list[Ranked]:
    """main's ranking: every partner, every latest rating and the window over every ROI row
    read, and a full fit score made for each rated current partner."""
    async with store.read() as tx:
        weights = await service.current_weights(tx, team_id)
        partners = await tx.all_partners(team_id)
        ratings = await tx.latest_ratings(team_id)
        rois = await tx.latest_roi(team_id)

    def score() -> list[Ranked]:
        entries = [
            Ranked(
                p.id,
                p.name,
                p.category,
                fit_score(ratings[p.id].values, weights, p.success_cases, rois.get(p.id)),
            )
            for p in partners
            if p.id in ratings and p.status in service.RANKED_STATUSES
        ]
        return rank(entries)

    return await asyncio.to_thread(score)


async def review_before(
    store: Store, team_id: str = TEAM, at: datetime = NOW, share: float = 20
) -> service.Review:
    """main's review: every ROI point of the year read, its monthly means made in Python."""
    today = at.date()
    async with store.read() as tx:
        weights = await service.current_weights(tx, team_id)
        partners = [p for p in await tx.all_partners(team_id) if p.status == Status.ACTIVE]
        points = await tx.roi_since(team_id, today - timedelta(days=365), today)
        benchmarks = await tx.benchmarks(team_id)
        ratings = await tx.latest_ratings(team_id)
        latest = await tx.latest_roi(team_id)

    def weigh() -> service.Review:
        rois = {pid: service.monthly_means(own) for pid, own in points.items()}
        entries, unmeasured = [], []
        for p in partners:
            ratio = efficiency(rois.get(p.id, []), benchmarks.get(p.category.value))
            if ratio is None:
                unmeasured.append(p.name)
                continue
            rating = ratings.get(p.id)
            composite = (
                fit_score(rating.values, weights, p.success_cases, latest.get(p.id)).composite
                if rating
                else None
            )
            entries.append(ReviewEntry(p.id, p.name, p.category, ratio, composite))
        owners = {p.id: p.owner for p in partners}
        return service.Review(
            review(entries, share) if entries else [], len(entries), unmeasured, owners
        )

    return await asyncio.to_thread(weigh)


async def candidates_before(
    store: Store, team_id: str = TEAM, at: datetime = NOW, dropping_id: int = DROPPING
) -> object:
    """main's ranking of a drill's candidates: every summary's JSON, the partners twice."""
    async with store.read() as tx:
        partners = await tx.all_partners(team_id)
    scored = await ranking_before(store, team_id)
    settings = await health_settings(store, team_id)
    since = lookback_start(at.date(), settings.thresholds)
    async with store.read() as tx:
        summaries = await tx.pool_summaries(team_id)

    def rank() -> object:
        dropping = next(p for p in partners if p.id == dropping_id)
        members = ranking_rules.could_take_over(dropping, partners)
        health = ranking_rules.candidate_health_from_summaries(
            members, partners, summaries, settings.benchmarks, settings.thresholds, since
        )
        order = {r.partner_id: i for i, r in enumerate(scored)}
        scores = {r.partner_id: r.score.composite for r in scored}
        return ranking_rules.rank_candidates(dropping, members, order, scores, health)

    return await asyncio.to_thread(rank)


async def candidates_after(store: Store) -> object:
    async with store.read() as tx:
        partners = await tx.all_partners(TEAM)
    return await choose_candidates(store, NOW, ZONE, TEAM, DROPPING, partners)


async def plans(engine: str, url: str) -> None:
    """The plans of main's latest-ROI window and of the ranking's inputs, run on the pool."""
    for name in ("latest_roi", "ranking_inputs"):
        sql = getattr(queries(), name).sql
        if engine == "sqlite":
            with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
                rows = conn.execute(f"EXPLAIN QUERY PLAN {sql}", {"team_id": TEAM}).fetchall()
            lines = [str(row[-1]) for row in rows]
        else:
            conn = await asyncpg.connect(url)
            try:
                explain = f"EXPLAIN (ANALYZE, BUFFERS) {sql.replace(':team_id', '$1')}"
                lines = [row[0] for row in await conn.fetch(explain, TEAM)]
            finally:
                await conn.close()
        print(f"-- {name}", *lines, sep="\n")


async def main(
    engine: str, partners: int, weeks: int, rounds: int, keep: str | None, explain: bool
) -> None:
    async with database(engine, keep) as (url, fresh):
        store, _ = await open_store(url, NOW)
        try:
            started = time.perf_counter()
            if fresh and engine == "sqlite":
                seed_sqlite(url.removeprefix("sqlite:///"), NOW, partners, weeks)
            elif fresh:
                await seed_postgres(url, NOW, partners, weeks)
            print(f"seeded in {time.perf_counter() - started:.0f} s")
            if explain:
                await plans(engine, url)
            cases: dict[str, Callable[[], Awaitable[object]]] = {
                "before: /score top": lambda: ranking_before(store),
                "after: /score top": lambda: service.ranking(store, TEAM, limit=30),
                "before: review": lambda: review_before(store),
                "after: review": lambda: service.yearly_review(store, NOW, ZONE, TEAM, 20),
                "before: candidates": lambda: candidates_before(store),
                "after: candidates": lambda: candidates_after(store),
            }
            baselines = {
                "after: /score top": "before: /score top",
                "after: review": "before: review",
                "after: candidates": "before: candidates",
            }
            same = {
                "top": (await ranking_before(store))[:30]
                == await service.ranking(store, TEAM, limit=30),
                "ranking": await ranking_before(store) == await service.ranking(store, TEAM),
                "review": await review_before(store)
                == await service.yearly_review(store, NOW, ZONE, TEAM, 20),
                "candidates": await candidates_before(store) == await candidates_after(store),
            }
            results: dict[str, list[float]] = {name: [] for name in cases}
            stalls: dict[str, float] = dict.fromkeys(cases, 0.0)
            for _ in range(rounds):
                for name, work in cases.items():
                    took, stall = await timed(work)
                    results[name].append(took)
                    stalls[name] = max(stalls[name], stall)
        finally:
            await store.close()
    print(f"{engine}: {partners} partners x {weeks} weeks, median of {rounds} rounds")
    print(f"{'case':<24}{'median ms':>11}{'ratio':>9}{'longest stall ms':>18}")
    for name, values in results.items():
        median = statistics.median(values)
        base = baselines.get(name)
        ratio = f"{median / statistics.median(results[base]):.3f}" if base else "1"
        print(f"{name:<24}{median * 1000:>11.1f}{ratio:>9}{stalls[name] * 1000:>18.0f}")
    print("identical results:", same)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partners", type=int, default=10_000)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--db", help="a SQLite file to seed once and keep between runs")
    parser.add_argument("--engine", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--explain", action="store_true", help="print the two queries' plans")
    args = parser.parse_args()
    asyncio.run(main(args.engine, args.partners, args.weeks, args.rounds, args.db, args.explain))
