"""Partner health (domain.md §3): the warning rules, a partner's status, and its trends. Pure.

Every number is a workspace threshold with the domain's default; nothing here reads a
clock or a database. Health is computed from the metrics each time, never stored.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from operator import attrgetter
from typing import Any

from bot.errors import RuleError
from bot.metrics import Period, format_metric, week_of
from bot.numbers import format_amount, format_ratio, parse_number, quoted
from bot.registry.rules import Partner, Tier


@dataclass(frozen=True)
class Thresholds:
    """The warning rules' numbers; the defaults are domain.md's."""

    rue: float = 40.0  # utilisation %: below this a week counts as low
    rue_weeks: int = 2  # consecutive low weeks that start the optimisation process
    sentiment_drop: float = 30.0  # % relative fall that starts the emergency plan
    roi_ratio: float = 0.7  # share of the category benchmark below which ROI is weak
    roi_months: int = 2  # consecutive weak months that call for a change of strategy
    hhi: float = 2500.0  # above this the pool is highly concentrated
    window_weeks: int = 4  # weeks the concentration of GMV and traffic is measured over


# What each threshold means and the values it accepts: (label, low, high, whole number).
THRESHOLD_SPECS: dict[str, tuple[str, float, float, bool]] = {
    "rue": ("utilisation below which a week is low (%)", 0, 100, False),
    "rue_weeks": ("consecutive low weeks that fire", 1, 12, True),
    "sentiment_drop": ("sentiment fall that fires (%)", 1, 100, False),
    "roi_ratio": ("share of the category ROI benchmark", 0.01, 10, False),
    "roi_months": ("consecutive weak ROI months that fire", 1, 12, True),
    "hhi": ("HHI above which the pool is highly concentrated", 1, 10_000, False),
    "window_weeks": ("weeks of GMV and traffic for concentration", 1, 26, True),
}


# Thresholds that are percentages, so `rue=40%` reads as 40.
PERCENT_THRESHOLDS = frozenset({"rue", "sentiment_drop"})


def parse_threshold(key: str, raw: str) -> float | int:
    """Validate one threshold given as text."""
    spec = THRESHOLD_SPECS.get(key)
    if spec is None:
        raise RuleError(f"`{key}` is not a threshold; use: {', '.join(THRESHOLD_SPECS)}.")
    label, low, high, whole = spec
    value = parse_number(raw, key, percent=key in PERCENT_THRESHOLDS, whole=whole)
    if not low <= value <= high:
        shown = f"{format_threshold(key, low)} and {format_threshold(key, high)}"
        raise RuleError(f"{key} ({label}) must be between {shown}, not {quoted(raw)}.")
    return int(value) if whole else value


def format_threshold(key: str, value: float) -> str:
    """A threshold as people read it: the HHI as an amount (2,500), the rest as ratios."""
    return format_amount(value) if key == "hhi" else format_ratio(value)


def thresholds_from(stored: dict[str, float]) -> Thresholds:
    """Defaults overlaid with what a workspace has set."""
    whole = {key for key, spec in THRESHOLD_SPECS.items() if spec[3]}
    given: dict[str, Any] = {
        k: (int(v) if k in whole else float(v)) for k, v in stored.items() if k in THRESHOLD_SPECS
    }
    return replace(Thresholds(), **given)


class RuleState(StrEnum):
    FIRED = "fired"
    OK = "ok"
    UNKNOWN = "not enough data"
    NOT_APPLICABLE = "not applicable"


class HealthStatus(StrEnum):
    RED = "red"
    AMBER = "amber"
    GREEN = "green"
    GREY = "grey"


class Rule(StrEnum):
    UTILISATION = "utilisation"
    ROI = "roi"
    SENTIMENT = "sentiment"
    BACKUP = "backup"


ACTIONS = {
    Rule.UTILISATION: "Start the resource optimisation process.",
    Rule.ROI: "Adjust strategy: ROI has stayed below the benchmark's floor.",
    Rule.SENTIMENT: "Start the emergency plan (failover drill).",
    Rule.BACKUP: "Register a backup partner who can take over.",
}


@dataclass(frozen=True)
class RuleResult:
    """One rule's verdict and the values behind it, in words."""

    rule: Rule
    state: RuleState
    detail: str

    @property
    def fired(self) -> bool:
        return self.state == RuleState.FIRED


@dataclass(frozen=True, slots=True)  # a pool holds half a million: one object each, no dict
class MetricPoint:
    """One recorded value of one metric for one period."""

    partner_id: int
    period: Period
    metric: str
    value: float


@dataclass(frozen=True)
class HealthReport:
    partner: Partner
    status: HealthStatus
    rules: tuple[RuleResult, ...]
    trends: dict[str, list[tuple[str, float]]] = field(default_factory=dict)

    @property
    def fired(self) -> list[RuleResult]:
        return [r for r in self.rules if r.fired]

    @property
    def actions(self) -> list[str]:
        return [ACTIONS[r.rule] for r in self.fired]

    @property
    def severity(self) -> tuple[int, int]:
        """Sort key, worst first: red, then amber; more rules fired before fewer."""
        order = {HealthStatus.RED: 0, HealthStatus.AMBER: 1, HealthStatus.GREY: 2}
        return (order.get(self.status, 3), -len(self.fired))


_START = attrgetter("period.start")  # sort keys, as lambdas would give them but in C
_START_END = attrgetter("period.start", "period.end")


def _exact(value: float) -> Decimal:
    """A recorded number as the decimal a person typed, for comparisons at a boundary."""
    return Decimal(str(value))


def _pct(value: float) -> str:
    return f"{format_ratio(value, 1)}%"


def utilisation_rule(points: list[MetricPoint], limits: Thresholds) -> RuleResult:
    """The latest `rue_weeks` weeks with an rue value: consecutive and all below the line."""
    weeks = sorted(
        (p for p in points if p.metric == "rue" and p.period.kind == "week"),
        key=_START,
        reverse=True,
    )
    need = limits.rue_weeks
    if len(weeks) < need:
        have = ", ".join(p.period.label for p in weeks) or "none"
        return RuleResult(
            Rule.UTILISATION, RuleState.UNKNOWN, f"needs weekly rue for {need} weeks; has {have}"
        )
    latest = weeks[:need]
    shown = ", ".join(f"{_pct(p.value)} ({p.period.label})" for p in latest)
    line = f"below {_pct(limits.rue)}"
    gaps = any(
        a.period.start - b.period.start != timedelta(days=7) for a, b in itertools.pairwise(latest)
    )
    if gaps:
        return RuleResult(
            Rule.UTILISATION, RuleState.OK, f"rue {shown}: the latest weeks are not consecutive"
        )
    if all(p.value < limits.rue for p in latest):
        return RuleResult(Rule.UTILISATION, RuleState.FIRED, f"rue {shown}: {need} weeks {line}")
    return RuleResult(Rule.UTILISATION, RuleState.OK, f"rue {shown}: not all {line}")


_TO_THURSDAY = timedelta(days=3)


def month_of(period: Period) -> date:
    """The calendar month a period belongs to: a week goes with its Thursday, as ISO does."""
    # Hundreds of thousands of calls an import: no timedelta made, no replace (0.87 -> 0.23 us).
    day = period.start + _TO_THURSDAY if period.kind == "week" else period.start
    return date(day.year, day.month, 1)


def _next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def roi_rule(
    points: list[MetricPoint], benchmark: float | None, category: str, limits: Thresholds
) -> RuleResult:
    """Monthly mean ROI: the latest `roi_months` months with data, consecutive, all weak."""
    if benchmark is None:
        return roi_verdict({}, benchmark, category, limits)
    by_month: dict[date, list[float]] = defaultdict(list)
    for p in points:
        if p.metric == "roi":
            by_month[month_of(p.period)].append(p.value)
    # Only the months the verdict reads (the latest roi_months with data) are summed exactly.
    latest = sorted(by_month, reverse=True)[: limits.roi_months]
    totals = {m: (sum(map(_exact, by_month[m]), Decimal(0)), len(by_month[m])) for m in latest}
    return roi_verdict(totals, benchmark, category, limits)


def roi_verdict(
    totals: dict[date, tuple[Decimal, int]],
    benchmark: float | None,
    category: str,
    limits: Thresholds,
) -> RuleResult:
    """The ROI rule from each month's total and count of exact ROI values (months with none
    left out), as the portfolio's summaries keep them."""
    if benchmark is None:
        return RuleResult(
            Rule.ROI,
            RuleState.UNKNOWN,
            f"no ROI benchmark for {category}; an admin sets one with "
            f"`/health benchmark category={category} roi=...`",
        )
    months = sorted(totals, reverse=True)[: limits.roi_months]
    # Decimal, so ROI 2.4 against 0.8 x 3.0 is "at the floor", not below it.
    floor = _exact(limits.roi_ratio) * _exact(benchmark)
    if len(months) < limits.roi_months:
        have = ", ".join(m.strftime("%Y-%m") for m in months) or "none"
        return RuleResult(
            Rule.ROI, RuleState.UNKNOWN, f"needs ROI for {limits.roi_months} months; has {have}"
        )
    means = [(m, totals[m][0] / totals[m][1]) for m in months]
    shown = ", ".join(f"{format_ratio(float(v), 2)} ({m:%Y-%m})" for m, v in means)
    against = (
        f"floor {format_ratio(float(floor), 2)} = {format_ratio(limits.roi_ratio)} × "
        f"{category} benchmark {format_ratio(benchmark)}"
    )
    if any(_next_month(older) != newer for newer, older in itertools.pairwise(months)):
        return RuleResult(Rule.ROI, RuleState.OK, f"ROI {shown}: the months are not consecutive")
    if all(v < floor for _, v in means):
        return RuleResult(Rule.ROI, RuleState.FIRED, f"ROI {shown}: all below the {against}")
    return RuleResult(Rule.ROI, RuleState.OK, f"ROI {shown}: not all below the {against}")


def sentiment_rule(points: list[MetricPoint], limits: Thresholds) -> RuleResult:
    """The latest sentiment against the one before it: a fall of `sentiment_drop`% fires.

    Both are of the latest value's kind of period: a week is not compared with the month
    that holds it.
    """
    series = _same_kind_as_latest([p for p in points if p.metric == "sentiment"])
    if len(series) < 2:
        return RuleResult(
            Rule.SENTIMENT, RuleState.UNKNOWN, f"needs two sentiment values; has {len(series)}"
        )
    before, latest = series[-2], series[-1]
    shown = (
        f"sentiment {format_metric('sentiment', before.value)} ({before.period.label}) → "
        f"{format_metric('sentiment', latest.value)} ({latest.period.label})"
    )
    if before.value <= 0:
        return RuleResult(Rule.SENTIMENT, RuleState.OK, f"{shown}: no fall from zero")
    # Decimal, so 70 -> 49 is exactly a 30% fall and fires.
    old, new = _exact(before.value), _exact(latest.value)
    drop = (old - new) * 100 / old
    change = f"{'down' if drop > 0 else 'up'} {_pct(float(abs(drop)))}"
    if drop >= _exact(limits.sentiment_drop):
        return RuleResult(
            Rule.SENTIMENT,
            RuleState.FIRED,
            f"{shown}: {change}, at least {_pct(limits.sentiment_drop)}",
        )
    return RuleResult(Rule.SENTIMENT, RuleState.OK, f"{shown}: {change}")


def backup_rule(partner: Partner, retired: frozenset[str] = frozenset()) -> RuleResult:
    """A strategic or core partner needs a registered backup that has not itself left
    (retired: the names of dropped and archived partners)."""
    if partner.tier not in (Tier.STRATEGIC, Tier.CORE):
        return RuleResult(
            Rule.BACKUP, RuleState.NOT_APPLICABLE, f"{partner.tier.value} partners need no backup"
        )
    usable = [b for b in partner.backups if b not in retired]
    if usable:
        return RuleResult(Rule.BACKUP, RuleState.OK, "backups: " + ", ".join(usable))
    gone = [b for b in partner.backups if b in retired]
    left = f" (its backups {', '.join(gone)} have left)" if gone else ""
    return RuleResult(
        Rule.BACKUP, RuleState.FIRED, f"a {partner.tier.value} partner with no backup{left}"
    )


def status_of(rules: tuple[RuleResult, ...]) -> HealthStatus:
    """Red on sentiment; amber on utilisation, ROI or backup; grey when no metric rule could
    be evaluated; green otherwise."""
    by_rule = {r.rule: r for r in rules}
    if by_rule[Rule.SENTIMENT].fired:
        return HealthStatus.RED
    if any(by_rule[r].fired for r in (Rule.UTILISATION, Rule.ROI, Rule.BACKUP)):
        return HealthStatus.AMBER
    metric_rules = (Rule.UTILISATION, Rule.ROI, Rule.SENTIMENT)
    if all(by_rule[r].state == RuleState.UNKNOWN for r in metric_rules):
        return HealthStatus.GREY
    return HealthStatus.GREEN


def assess(
    partner: Partner,
    points: list[MetricPoint],
    benchmark: float | None,
    limits: Thresholds,
    trend_periods: int = 8,
    retired: frozenset[str] = frozenset(),
) -> HealthReport:
    """A partner's health from its recent metrics (retired: names of partners who left)."""
    rules = (
        utilisation_rule(points, limits),
        roi_rule(points, benchmark, partner.category.value, limits),
        sentiment_rule(points, limits),
        backup_rule(partner, retired),
    )
    return HealthReport(partner, status_of(rules), rules, trends(points, trend_periods))


def trends(points: list[MetricPoint], last: int) -> dict[str, list[tuple[str, float]]]:
    """Each metric's latest values in period order, at most `last` of them."""
    if last <= 0:
        return {}
    series: dict[str, list[MetricPoint]] = defaultdict(list)
    for p in points:
        series[p.metric].append(p)
    return {
        metric: [(p.period.label, p.value) for p in _same_kind_as_latest(values)[-last:]]
        for metric, values in sorted(series.items())
    }


def _same_kind_as_latest(points: list[MetricPoint]) -> list[MetricPoint]:
    """Points in period order, keeping only the kind (week, month, day) of the latest, the
    one that starts last (a month still running does not outrank its latest week)."""
    ordered = sorted(points, key=_START_END)
    if not ordered:
        return []
    kind = ordered[-1].period.kind
    return [p for p in ordered if p.period.kind == kind]


SPARKS = "▁▂▃▄▅▆▇█"


def sparkline(values: list[float]) -> str:
    """A text sparkline: one block character a value, scaled from the lowest to the highest."""
    if not values:
        return ""
    low, high = min(values), max(values)
    if high == low:
        return SPARKS[3] * len(values)
    scale = (len(SPARKS) - 1) / (high - low)
    return "".join(SPARKS[round((v - low) * scale)] for v in values)


def window_weeks(today: date, weeks: int) -> tuple[Period, Period]:
    """The first and last ISO week of the `weeks` weeks ending with today's week."""
    last = week_of(today)
    return week_of(last.start - timedelta(weeks=weeks - 1)), last


def lookback_start(today: date, limits: Thresholds) -> date:
    """How far back the rules look: four calendar months by default, more if a threshold
    asks for more weeks or months than that holds."""
    months = max(4, limits.roi_months + 2, limits.rue_weeks // 4 + 3, limits.window_weeks // 4 + 2)
    month = today.replace(day=1)
    for _ in range(months):
        month = (month - timedelta(days=1)).replace(day=1)
    return month
