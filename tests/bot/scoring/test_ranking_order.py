"""The ranking's composites and order from its inputs alone are `fit_score`'s and `rank`'s:
random values on the rounding boundaries, zeros, unrated dimensions, uneven weights."""

import random

from bot.registry.rules import Category
from bot.scoring.ranking import RankInputs, composites, rank_inputs
from bot.scoring.rules import DIMENSIONS, Ranked, Weights, fit_score, rank

VALUES = (0.0, 0.05, 33.3, 45.45, 60.0, 60.01, 69.95, 70.0, 99.99, 100.0)
WEIGHTS = (Weights(), Weights(brand=3.0, tone=0.0, threshold=69.9), Weights(users=0.7))


def _pool(seed: int, size: int) -> list[RankInputs]:
    rng = random.Random(seed)
    pool = []
    for i in range(size):
        values = {d: None if rng.random() < 0.03 else rng.choice(VALUES) for d in DIMENSIONS}
        roi = rng.choice((None, ("2026-W47", 3.0), ("2026-11", 2.9999), ("2026-W46", 4.5)))
        name = rng.choice(("Acme", "acme", "Beta", "ＡＣＭＥ", f"P{i}"))
        pool.append(RankInputs(i + 1, name, Category.KOL, rng.randrange(6), values, roi))
    return pool


def test_composites_and_order_are_fit_score_and_rank() -> None:
    for seed, weights in enumerate(WEIGHTS):
        pool = _pool(seed, 600)
        scores = [fit_score(e.values, weights, e.cases, e.latest_roi) for e in pool]
        made = composites(pool, weights)
        assert made == {e.partner_id: s.composite for e, s in zip(pool, scores, strict=True)}
        assert None in made.values()
        full = rank(
            [Ranked(e.partner_id, e.name, e.category, s) for e, s in zip(pool, scores, strict=True)]
        )
        assert rank_inputs(pool, weights, None) == full
        assert rank_inputs(pool, weights, 25) == full[:25]
        assert rank_inputs(pool, weights, 0) == []
        assert any(r.score.qualifies for r in full)
