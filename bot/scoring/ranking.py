"""The ranking's order from each partner's inputs alone (domain.md §2), pure: the composite
and whether the partner qualifies, without a full fit score for partners no one is shown."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from bot.registry.rules import Category, name_key
from bot.scoring.rules import (
    _ONE_DECIMAL,
    DIMENSIONS,
    GATE_AUDIENCE,
    GATE_CASES,
    GATE_ROI,
    Ranked,
    Weights,
    _exact,
    fit_score,
)


@dataclass(frozen=True)
class RankInputs:
    """What a partner's place in the ranking depends on: its latest rating's values, its
    verified success cases and its latest ROI as (period label, value)."""

    partner_id: int
    name: str
    category: Category
    cases: int
    values: Mapping[str, float | None]
    latest_roi: tuple[str, float] | None


class _Composites:
    """Each composite as `_composite` makes it (the same decimals, added in the same order),
    with each weighted value made once: a pool holds few distinct values per dimension."""

    def __init__(self, weights: Weights) -> None:
        self._weights = weights
        self._total = sum((_exact(weights.of(d)) for d in DIMENSIONS), Decimal(0))
        self._points: list[dict[float, Decimal]] = [{} for _ in DIMENSIONS]

    def _point(self, index: int, value: float) -> Decimal:
        known = self._points[index]
        if value not in known:
            known[value] = _exact(self._weights.of(DIMENSIONS[index])) * _exact(value or 0)
        return known[value]

    def of(self, values: Mapping[str, float | None]) -> Decimal | None:
        points = Decimal(0)
        for index, dimension in enumerate(DIMENSIONS):
            value = values.get(dimension)
            if value is None:
                return None
            points += self._point(index, value)
        return (points / self._total).quantize(_ONE_DECIMAL, rounding=ROUND_HALF_UP)


def composites(pool: list[RankInputs], weights: Weights) -> dict[int, float | None]:
    """Each partner's composite as `fit_score` gives it (None: a dimension not rated)."""
    made = _Composites(weights)
    found: dict[int, float | None] = {}
    for entry in pool:
        composite = made.of(entry.values)
        found[entry.partner_id] = None if composite is None else float(composite)
    return found


def _qualifies(entry: RankInputs, composite: Decimal, threshold: Decimal) -> bool:
    """`FitScore.qualifies` without the score: recommended and every gate passed."""
    audience = entry.values.get("audience")
    return (
        composite >= threshold
        and entry.cases >= GATE_CASES
        and audience is not None
        and _exact(audience) > GATE_AUDIENCE
        and entry.latest_roi is not None
        and _exact(entry.latest_roi[1]) >= _exact(GATE_ROI)
    )


def rank_inputs(pool: list[RankInputs], weights: Weights, limit: int | None) -> list[Ranked]:
    """`rank` of every scored partner's fit score, best first, each entry's full score made
    for the first `limit` only (None: all of them)."""
    made = _Composites(weights)
    threshold = _exact(weights.threshold)
    keyed = []
    for entry in pool:
        composite = made.of(entry.values)
        if composite is None:
            continue
        qualifies = _qualifies(entry, composite, threshold)
        key = (-float(composite), not qualifies, name_key(entry.name), entry.partner_id)
        keyed.append((key, entry))
    keyed.sort(key=lambda pair: pair[0])
    chosen = keyed if limit is None else keyed[: max(limit, 0)]
    return [
        Ranked(
            e.partner_id,
            e.name,
            e.category,
            fit_score(e.values, weights, e.cases, e.latest_roi),
        )
        for _, e in chosen
    ]
