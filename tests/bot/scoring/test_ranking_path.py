"""The ranking from one statement's inputs (`ranking`) is main's computation (every partner,
latest rating and the window over every ROI row, a full fit score for each), and so are the
review and a drill's candidates that read it: a generated pool with ties, partial ratings,
several ratings a partner and partners never rated, on both engines."""

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bench.scoring_pool import candidates_before, ranking_before, review_before
from bot.failover.kit import choose_candidates
from bot.registry.rules import Category
from bot.scoring import service
from bot.scoring.rules import DIMENSIONS, Verdict
from storage.store import PostgresStore, SQLiteStore
from tests.bot.health.pools import ADMIN, TEAM, generate_pool

AT = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
VALUES = (60.0, 60.1, 70.0, 69.95, 80.0, 45.5)  # few values: many equal composites


async def _rate_pool(store: SQLiteStore | PostgresStore, seed: int) -> None:
    """Ratings for about four partners in five, some twice, some with a dimension unrated."""
    rng = random.Random(seed)
    async with store.read() as tx:
        partners = await tx.all_partners(TEAM)
    for i, partner in enumerate(partners):
        if rng.random() < 0.2:
            continue  # never rated
        for _ in range(rng.choice((1, 1, 2))):
            dims = DIMENSIONS if rng.random() < 0.85 else DIMENSIONS[:-1]  # tone unrated
            updates = {d: rng.choice(VALUES) for d in dims}
            at = AT + timedelta(minutes=i)
            cases = rng.choice((None, 2, 3, 5))
            await service.rate(store, at, TEAM, ADMIN, updates, cases, partner_id=partner.id)


async def test_the_ranking_is_mains_computation(store: SQLiteStore | PostgresStore) -> None:
    await generate_pool(store, AT, 12, 90, {})
    await _rate_pool(store, 12)
    await service.set_weights(store, AT, TEAM, ADMIN, {"brand": 2.0, "threshold": 65.0})
    before = await ranking_before(store, TEAM)
    after = await service.ranking(store, TEAM)
    assert after == before
    composites = [r.score.composite for r in before]
    assert len(composites) > len(set(composites)), "the pool has ties"
    assert any(r.score.qualifies for r in before) and not all(r.score.qualifies for r in before)
    async with store.read() as tx:
        rated = await tx.latest_ratings(TEAM)
        partners = await tx.all_partners(TEAM)
    assert any(p.id not in rated for p in partners), "some partners are never rated"
    assert any(None in r.values.values() for r in rated.values()), "some ratings are partial"
    assert all(r.score.verdict != Verdict.NOT_SCORED for r in after)
    assert await service.ranking(store, TEAM, limit=7) == before[:7]
    kols = [r for r in before if r.category == Category.KOL]
    assert await service.ranking(store, TEAM, Category.KOL, limit=5) == kols[:5]


async def test_the_review_and_the_candidates_are_mains(
    store: SQLiteStore | PostgresStore,
) -> None:
    await generate_pool(store, AT, 5, 60, {})
    await _rate_pool(store, 5)
    zone = ZoneInfo("UTC")
    after = await service.yearly_review(store, AT, zone, TEAM, 100)
    assert after == await review_before(store, TEAM, AT, 100)
    assert {e.composite is None for e in after.retire} == {True, False}
    assert await service.yearly_review(store, AT, zone, TEAM, 20) == await review_before(
        store, TEAM, AT, 20
    )
    async with store.read() as tx:
        partners = await tx.all_partners(TEAM)
    for dropping in partners[:5]:
        chosen = await choose_candidates(store, AT, zone, TEAM, dropping.id, partners)
        assert chosen == await candidates_before(store, TEAM, AT, dropping.id)
