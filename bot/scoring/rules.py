"""Fit score (domain.md §2): the six-dimension radar, its gates, the ranking, the review. Pure.

Weights and the threshold are workspace settings with the domain's defaults; nothing here
reads a clock or a database. Boundaries are compared as the decimals people typed.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from bot.errors import RuleError
from bot.metrics import format_metric
from bot.numbers import format_ratio, parse_number, quoted
from bot.registry.rules import Category, name_key, parse_count

DIMENSIONS: tuple[str, ...] = ("brand", "users", "channel", "audience", "traffic", "tone")
DIMENSION_LABELS: dict[str, str] = {
    "brand": "brand momentum",
    "users": "user quality",
    "channel": "channel capability",
    "audience": "audience match",
    "traffic": "traffic quality",
    "tone": "brand fit",
}
WEIGHT_KEYS: tuple[str, ...] = (*DIMENSIONS, "threshold")

GATE_CASES = 3  # verified success cases, at least
GATE_AUDIENCE = 60  # % overlap with the target persona, strictly above
GATE_ROI = 3.0  # output per unit of input, at least ("1:3")
SHORTLIST = 30  # the value scan's shortlist for deep cooperation
REVIEW_SHARE = 20.0  # % of the pool retired each year

_ONE_DECIMAL = Decimal("0.1")


def _exact(value: float) -> Decimal:
    """A number as the decimal a person typed, so 69.95 rounds up and 60 is not above 60."""
    return Decimal(str(value))


@dataclass(frozen=True)
class Weights:
    """Each dimension's weight in the composite, and the threshold it is judged against."""

    brand: float = 1.0
    users: float = 1.0
    channel: float = 1.0
    audience: float = 1.0
    traffic: float = 1.0
    tone: float = 1.0
    threshold: float = 70.0

    def as_dict(self) -> dict[str, float]:
        """Every weight and the threshold, by key, in WEIGHT_KEYS order."""
        return {f.name: float(getattr(self, f.name)) for f in fields(self)}

    def of(self, dimension: str) -> float:
        """The weight of one dimension."""
        return float(getattr(self, dimension))


def _unknown(key: str, choices: tuple[str, ...], what: str) -> RuleError:
    close = difflib.get_close_matches(key, choices, n=1, cutoff=0.5)
    hint = f" Did you mean `{close[0]}`?" if close else ""
    return RuleError(f"`{key}` is not a {what}.{hint} Use: {', '.join(choices)}.")


def _in_range(label: str, value: float, raw: str, low: float, high: float) -> float:
    if not math.isfinite(value) or not low <= value <= high:
        raise RuleError(
            f"{label} must be a number from {format_ratio(low)} to {format_ratio(high)}, "
            f"not {quoted(raw)}."
        )
    return value


def parse_dimension(key: str, raw: str) -> float:
    """One dimension's score, 0 to 100 inclusive; a `%` may follow."""
    if key not in DIMENSION_LABELS:
        raise _unknown(key, DIMENSIONS, "dimension")
    label = f"{key} ({DIMENSION_LABELS[key]})"
    value = parse_number(raw, label, "a number from 0 to 100", percent=True)
    return _in_range(label, value, raw, 0, 100)


def parse_cases(raw: str) -> int:
    """The count of verified success cases: a whole number, 0 or more."""
    return parse_count(raw, "cases")


def parse_weight(key: str, raw: str) -> float:
    """One weight (0 to 100) or the threshold (0 to 100)."""
    if key not in WEIGHT_KEYS:
        raise _unknown(key, WEIGHT_KEYS, "weight")
    value = parse_number(raw, _weight_label(key), "a number from 0 to 100")
    return _checked_weight(key, value, raw)


def _weight_label(key: str) -> str:
    return "threshold" if key == "threshold" else f"weight of {key}"


def _checked_weight(key: str, value: float, raw: str) -> float:
    if key not in WEIGHT_KEYS:
        raise _unknown(key, WEIGHT_KEYS, "weight")
    return _in_range(_weight_label(key), value, raw, 0, 100)


def weights_from_updates(current: Weights, updates: Mapping[str, float]) -> Weights:
    """The weights after an admin's change; refuses a set where every weight is zero."""
    for key, value in updates.items():
        _checked_weight(key, value, format_ratio(value))
    after = replace(current, **{k: float(v) for k, v in updates.items()})
    if all(after.of(d) == 0 for d in DIMENSIONS):
        raise RuleError("at least one weight must be above 0.")
    return after


def weights_from(stored: Mapping[str, float]) -> Weights:
    """Defaults overlaid with what a workspace has set; unknown keys are ignored."""
    given = {k: float(v) for k, v in stored.items() if k in WEIGHT_KEYS}
    weights = replace(Weights(), **given)
    # Never written by weights_from_updates; equal weights keep a card from dividing by zero.
    if all(weights.of(d) == 0 for d in DIMENSIONS):
        return Weights(threshold=weights.threshold)
    return weights


class Verdict(StrEnum):
    """The composite against the threshold; the gates are judged separately."""

    RECOMMENDED = "recommended"
    NOT_RECOMMENDED = "not recommended"
    NOT_SCORED = "not scored"


@dataclass(frozen=True)
class Gate:
    """One qualification gate; passed is None when the value behind it is unknown."""

    key: str
    label: str
    passed: bool | None
    value: str
    requirement: str


@dataclass(frozen=True)
class Contribution:
    """One dimension's share of the composite: points = weight × value / sum of weights."""

    dimension: str
    value: float
    weight: float
    points: float


@dataclass(frozen=True)
class FitScore:
    """A partner's composite, verdict, gates, and what would have to change to qualify."""

    composite: float | None
    verdict: Verdict
    threshold: float
    missing: tuple[str, ...]
    contributions: tuple[Contribution, ...]
    gates: tuple[Gate, ...]
    to_qualify: tuple[str, ...]

    @property
    def qualifies(self) -> bool:
        """Recommended by the composite and every gate passed."""
        return self.verdict == Verdict.RECOMMENDED and all(g.passed for g in self.gates)


def _total_weight(weights: Weights) -> Decimal:
    return sum((_exact(weights.of(d)) for d in DIMENSIONS), Decimal(0))


def _composite(values: Mapping[str, float | None], weights: Weights) -> Decimal | None:
    if any(values.get(d) is None for d in DIMENSIONS):
        return None
    points = sum((_exact(weights.of(d)) * _exact(values[d] or 0) for d in DIMENSIONS), Decimal(0))
    return (points / _total_weight(weights)).quantize(_ONE_DECIMAL, rounding=ROUND_HALF_UP)


def _gates(
    audience: float | None, cases: int, latest_roi: tuple[str, float] | None
) -> list[tuple[Gate, str]]:
    """Each gate with what would make it pass, in words ("" once it passes)."""
    more = GATE_CASES - cases
    cases_todo = (
        f"record {more} more verified success {'case' if more == 1 else 'cases'} "
        f"(has {cases}, needs {GATE_CASES})"
    )
    cases_gate = Gate(
        "cases", "verified success cases", more <= 0, str(cases), f"at least {GATE_CASES}"
    )
    audience_gate = Gate(
        "audience",
        DIMENSION_LABELS["audience"],
        None if audience is None else _exact(audience) > GATE_AUDIENCE,
        "not rated" if audience is None else f"{format_ratio(audience)}%",
        f"above {GATE_AUDIENCE}%",
    )
    now = "not rated" if audience is None else f"now {format_ratio(audience)}"
    audience_todo = f"audience match above {GATE_AUDIENCE} ({now})"
    needed = f"at least 1:{format_ratio(GATE_ROI)}"
    if latest_roi is None:
        roi_gate = Gate("roi", "ROI", None, "none recorded", needed)
        roi_todo = "record ROI (none yet)"
    else:
        period, roi = latest_roi
        passed = _exact(roi) >= _exact(GATE_ROI)
        shown = format_metric("roi", roi)
        roi_gate = Gate("roi", "ROI", passed, f"{shown} ({period})", needed)
        roi_todo = f"ROI of at least {format_ratio(GATE_ROI)} (latest {shown} in {period})"
    pairs = [(cases_gate, cases_todo), (audience_gate, audience_todo), (roi_gate, roi_todo)]
    return [(gate, "" if gate.passed else todo) for gate, todo in pairs]


def fit_score(
    values: Mapping[str, float | None],
    weights: Weights,
    cases: int,
    latest_roi: tuple[str, float] | None,
) -> FitScore:
    """Score a partner from its dimension values, the weights in force, its verified success
    cases and its latest ROI as (period label, value)."""
    missing = tuple(d for d in DIMENSIONS if values.get(d) is None)
    composite = _composite(values, weights)
    threshold = _exact(weights.threshold)
    contributions: tuple[Contribution, ...] = ()
    todo: list[str] = []
    if composite is None:
        verdict = Verdict.NOT_SCORED
        todo.append("rate " + ", ".join(DIMENSION_LABELS[d] for d in missing))
    else:
        verdict = Verdict.RECOMMENDED if composite >= threshold else Verdict.NOT_RECOMMENDED
        total = _total_weight(weights)
        contributions = tuple(
            Contribution(
                d,
                float(values[d] or 0),
                weights.of(d),
                float(_exact(weights.of(d)) * _exact(values[d] or 0) / total),
            )
            for d in DIMENSIONS
        )
        if composite < threshold:
            gap = format_ratio(float(threshold - composite))
            todo.append(f"raise the composite by {gap} points to {format_ratio(float(threshold))}")
    gates = _gates(values.get("audience"), cases, latest_roi)
    return FitScore(
        composite=None if composite is None else float(composite),
        verdict=verdict,
        threshold=weights.threshold,
        missing=missing,
        contributions=contributions,
        gates=tuple(gate for gate, _ in gates),
        to_qualify=(*todo, *(text for _, text in gates if text)),
    )


@dataclass(frozen=True)
class Rating:
    """A snapshot kept with each rating: the values, the weights in force, who and when."""

    values: dict[str, float | None]
    weights: Weights
    cases: int
    actor: str
    at: datetime
    id: int = 0  # 0 until stored; a newer rating has a larger id


@dataclass(frozen=True)
class ScoreChange:
    """The composite before and after a rating, and what moved."""

    before: float | None
    after: float | None
    delta: float | None
    reasons: tuple[str, ...]


def _shown(value: float | None) -> str:
    return "not rated" if value is None else format_ratio(value)


def explain_change(previous: Rating | None, current: Rating) -> ScoreChange:
    """Why the composite changed between two ratings, each scored with its own weights.

    Reasons name each dimension, weight, the threshold and the success cases that moved;
    they are empty when nothing did.
    """
    after = _composite(current.values, current.weights)
    if previous is None:
        return ScoreChange(None, _float(after), None, ("first rating",))
    before = _composite(previous.values, previous.weights)
    reasons: list[str] = []
    for d in DIMENSIONS:
        old, new = previous.values.get(d), current.values.get(d)
        if old != new:
            reasons.append(f"{d} {_shown(old)} → {_shown(new)}")
    for d in DIMENSIONS:
        old_w, new_w = previous.weights.of(d), current.weights.of(d)
        if old_w != new_w:
            reasons.append(f"weight of {d} {format_ratio(old_w)} → {format_ratio(new_w)}")
    old_t, new_t = previous.weights.threshold, current.weights.threshold
    if old_t != new_t:
        reasons.append(f"threshold {format_ratio(old_t)} → {format_ratio(new_t)}")
    if previous.cases != current.cases:
        reasons.append(f"success cases {previous.cases} → {current.cases}")
    delta = None if before is None or after is None else float(after - before)
    return ScoreChange(_float(before), _float(after), delta, tuple(reasons))


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


@dataclass(frozen=True)
class Ranked:
    """A partner's place in the ranking: who it is and its fit score."""

    partner_id: int
    name: str
    category: Category
    score: FitScore


def rank(entries: list[Ranked]) -> list[Ranked]:
    """Scored partners, highest composite first; ties: qualifying first, then by name."""
    scored = [e for e in entries if e.score.composite is not None]
    return sorted(
        scored,
        key=lambda e: (
            -(e.score.composite or 0),
            not e.score.qualifies,
            name_key(e.name),
            e.partner_id,
        ),
    )


@dataclass(frozen=True)
class ReviewEntry:
    """A partner in the yearly review: its ROI efficiency and its composite, if known."""

    partner_id: int
    name: str
    category: Category
    efficiency: float | None
    composite: float | None


def efficiency(roi_values: list[float], benchmark: float | None) -> float | None:
    """Mean ROI over the trailing twelve months relative to the category's benchmark."""
    if not roi_values or benchmark is None or benchmark <= 0:
        return None
    mean = sum((_exact(v) for v in roi_values), Decimal(0)) / len(roi_values)
    return float(mean / _exact(benchmark))


def parse_share(raw: str) -> float:
    """The share of the pool to review: `20`, `20%` or `12.5%`; above 0, at most 100."""
    what = "a percentage above 0 and at most 100"
    value = parse_number(raw, "share", what, percent=True)
    if not 0 < value <= 100:
        raise RuleError(f"share must be {what}, not {quoted(raw)}.")
    return value


def review(entries: list[ReviewEntry], share: float) -> list[ReviewEntry]:
    """The least efficient `share`% (rounded up) of the entries that have an efficiency,
    least efficient first; ties by composite (lower, or none, first), then by name."""
    if not 0 < share <= 100:
        raise RuleError(f"share must be above 0 and at most 100, not {format_ratio(share)}.")
    keyed = [
        (e.efficiency, -math.inf if e.composite is None else e.composite, name_key(e.name), i)
        for i, e in enumerate(entries)
        if e.efficiency is not None
    ]
    count = math.ceil(_exact(share) * len(keyed) / 100)
    return [entries[k[-1]] for k in sorted(keyed)[:count]]
