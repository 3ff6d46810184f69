"""A partner's health summary: the few recorded values the warning rules can read, kept in
one row per partner so the portfolio reads one row a partner, not every metric. Pure.

What is kept, for any thresholds a workspace may set and any day the rules look back from
(`lookback_start` is always the first of a month):
- rue: the latest `MAX_WEEKS` weekly values (`rue_weeks` is at most 12);
- sentiment: the latest two values of each kind of period (the rule compares the latest
  value with the one before it of the same kind);
- roi: for each of the latest `MAX_MONTHS` months with ROI (`roi_months` is at most 12), the
  exact total and count of its values, and apart those of weeks that start in the month
  before (a week belongs to its Thursday's month): a window starting on the first of a
  month leaves those out of that month.
Days are kept as ordinals and months as year * 12 + month - 1, so the portfolio decides
each partner's status with integer and float comparisons (`summary_states`); the rules'
own functions give the details, only when a report's rules are read (`SummaryReport`).
"""

from __future__ import annotations

import itertools
import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from bot.health.rules import (
    THRESHOLD_SPECS,
    HealthReport,
    HealthStatus,
    MetricPoint,
    RuleResult,
    RuleState,
    Thresholds,
    backup_rule,
    month_of,
    roi_verdict,
    sentiment_rule,
    status_of,
    utilisation_rule,
)
from bot.metrics import Period, week_of
from bot.registry.rules import Partner, Tier

MAX_WEEKS = int(THRESHOLD_SPECS["rue_weeks"][2])
MAX_MONTHS = int(THRESHOLD_SPECS["roi_months"][2])
SENTIMENTS_KEPT = 2  # of each kind: the rule compares the latest with the one before it
EDGE = 1e-9  # floats this close (relative) to a threshold are decided in exact decimals

# [start ordinal, end ordinal, kind, label, value], as JSON keeps it
Kept = list[Any]
# [month index, total, count, spill total, spill count]: totals as exact decimal text
MonthTotal = list[Any]


@dataclass(frozen=True)
class HealthSummary:
    rue: list[list[Any]]  # weekly: [start ordinal, value], latest first
    sentiment: list[Kept]  # the latest two of each kind, in period order
    roi: list[MonthTotal]  # latest month first


EMPTY = HealthSummary([], [], [])


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def _kept(p: MetricPoint) -> Kept:
    period = p.period
    return [period.start.toordinal(), period.end.toordinal(), period.kind, period.label, p.value]


def _order(p: MetricPoint) -> tuple[date, date]:
    return (p.period.start, p.period.end)


def summarise(points: list[MetricPoint]) -> HealthSummary:
    """The summary of a partner's recorded rue, roi and sentiment values (all of them)."""
    rue = sorted(
        (p for p in points if p.metric == "rue" and p.period.kind == "week"),
        key=lambda p: p.period.start,
        reverse=True,
    )[:MAX_WEEKS]
    by_kind: dict[str, list[MetricPoint]] = defaultdict(list)
    for p in points:
        if p.metric == "sentiment":
            by_kind[p.period.kind].append(p)
    sentiment = sorted(
        (p for kind in by_kind for p in sorted(by_kind[kind], key=_order)[-SENTIMENTS_KEPT:]),
        key=_order,
    )
    months: dict[date, tuple[list[Decimal], list[Decimal]]] = defaultdict(lambda: ([], []))
    for p in points:
        if p.metric == "roi":
            month = month_of(p.period)
            months[month][p.period.start < month].append(Decimal(str(p.value)))
    roi = [
        [
            _month_index(m),
            str(sum(own, Decimal(0))),
            len(own),
            str(sum(spill, Decimal(0))),
            len(spill),
        ]
        for m in sorted(months, reverse=True)[:MAX_MONTHS]
        for own, spill in [months[m]]
    ]
    weeks = [[p.period.start.toordinal(), p.value] for p in rue]
    return HealthSummary(weeks, list(map(_kept, sentiment)), roi)


def kept_counts() -> dict[str, int]:
    """How many of each `summarise` keeps, as the summary_points queries take them (with
    PERIOD_KINDS, the kinds of sentiment periods read)."""
    return {"weeks": MAX_WEEKS, "kinds": SENTIMENTS_KEPT, "months": MAX_MONTHS}


def to_json(summary: HealthSummary) -> str:
    """The summary as stored (floats as repr, so they come back bit for bit)."""
    raw = {"rue": summary.rue, "sentiment": summary.sentiment, "roi": summary.roi}
    return json.dumps(raw, separators=(",", ":"), ensure_ascii=False)


def from_json(text: str) -> HealthSummary:
    """A stored summary; its entries stay the lists JSON makes (read, never changed)."""
    raw = json.loads(text)
    return HealthSummary(raw.get("rue", ()), raw.get("sentiment", ()), raw.get("roi", ()))


def _in_window(kept: list[list[Any]], since: int) -> list[list[Any]]:
    return [k for k in kept if k[0] >= since]


def _latest_sentiment(summary: HealthSummary, since: int) -> list[Kept]:
    """The latest in-window sentiment and the one before it of its kind, in period order
    (kept in period order: the latest is the last)."""
    kept = summary.sentiment
    if not kept or kept[-1][0] < since:
        return []
    latest = kept[-1]
    for before in reversed(kept[:-1]):
        if before[2] == latest[2]:
            return [before, latest] if before[0] >= since else [latest]
    return [latest]


def _roi_months(summary: HealthSummary, since: int) -> list[MonthTotal]:
    """In-window months with ROI, latest first, with what of them the window holds."""
    months = []
    for index, total, count, spill, spill_count in summary.roi:
        if index < since:
            break
        if index == since:  # its weeks starting in the month before are outside
            spill, spill_count = "0", 0
        if count + spill_count:
            months.append([index, total, count, spill, spill_count])
    return months


def _below(value: float, line: float, exact: Callable[[], bool]) -> bool:
    """value < line, by floats unless they are within EDGE of each other."""
    margin = EDGE * (line if line > 1.0 else 1.0)  # thresholds are never negative
    if value - line > margin or line - value > margin:
        return value < line
    return exact()


def summary_states(
    partner: Partner,
    summary: HealthSummary,
    benchmark: float | None,
    limits: Thresholds,
    since: date,
    retired: frozenset[str],
) -> tuple[RuleState, RuleState, RuleState, RuleState]:
    """The four rules' states (utilisation, ROI, sentiment, backup), as `assess` decides
    them, from numbers alone."""
    return (
        *summary_metric_states(summary, benchmark, limits, since),
        backup_state(partner, retired),
    )


def summary_metric_states(
    summary: HealthSummary, benchmark: float | None, limits: Thresholds, since: date
) -> tuple[RuleState, RuleState, RuleState]:
    """The three metric rules' states (utilisation, ROI, sentiment) of `summary_states`."""
    day, month = since.toordinal(), _month_index(since)
    rue = _in_window(summary.rue, day)[: limits.rue_weeks]
    if len(rue) < limits.rue_weeks:
        utilisation = RuleState.UNKNOWN
    elif any(a[0] - b[0] != 7 for a, b in itertools.pairwise(rue)):
        utilisation = RuleState.OK
    else:
        low = all(value < limits.rue for _, value in rue)
        utilisation = RuleState.FIRED if low else RuleState.OK
    roi = RuleState.UNKNOWN
    months = _roi_months(summary, month)[: limits.roi_months]
    if benchmark is not None and len(months) == limits.roi_months:
        if any(a[0] - b[0] != 1 for a, b in itertools.pairwise(months)):
            roi = RuleState.OK
        else:
            floor = limits.roi_ratio * benchmark
            exact_floor = Decimal(str(limits.roi_ratio)) * Decimal(str(benchmark))
            margin = EDGE * max(floor, 1.0)
            weak = True
            for _, total, count, spill, spill_count in months:
                n = count + spill_count
                mean = (float(total) + float(spill)) / n
                if abs(mean - floor) <= margin:  # at the floor: decided in exact decimals
                    weak = (Decimal(total) + Decimal(spill)) / n < exact_floor
                else:
                    weak = mean < floor
                if not weak:
                    break
            roi = RuleState.FIRED if weak else RuleState.OK
    series = _latest_sentiment(summary, day)
    if len(series) < 2:
        sentiment = RuleState.UNKNOWN
    elif series[0][4] <= 0:
        sentiment = RuleState.OK
    else:
        old, new = series[0][4], series[1][4]
        drop = (old - new) * 100 / old
        exact_old, exact_new = Decimal(str(old)), Decimal(str(new))
        exact_line = Decimal(str(limits.sentiment_drop))
        fell = not _below(
            drop,
            limits.sentiment_drop,
            lambda: (exact_old - exact_new) * 100 / exact_old < exact_line,
        )
        sentiment = RuleState.FIRED if fell else RuleState.OK
    return utilisation, roi, sentiment


def backup_state(partner: Partner, retired: frozenset[str]) -> RuleState:
    """The backup rule's state (`backup_rule`'s, without its text)."""
    if partner.tier not in (Tier.STRATEGIC, Tier.CORE):
        return RuleState.NOT_APPLICABLE
    if any(b not in retired for b in partner.backups):
        return RuleState.OK
    return RuleState.FIRED


def status_of_states(states: tuple[RuleState, RuleState, RuleState, RuleState]) -> HealthStatus:
    """`status_of` over the four states."""
    utilisation, roi, sentiment, backup = states
    if sentiment == RuleState.FIRED:
        return HealthStatus.RED
    if RuleState.FIRED in (utilisation, roi, backup):
        return HealthStatus.AMBER
    if utilisation == roi == sentiment == RuleState.UNKNOWN:
        return HealthStatus.GREY
    return HealthStatus.GREEN


_PERIODS: dict[tuple[int, int, str, str], Period] = {}  # a pool shares few periods


def _points(kept: list[Kept], metric: str) -> list[MetricPoint]:
    points = []
    for start, end, kind, label, value in kept:
        period = _PERIODS.get((start, end, kind, label))
        if period is None:
            period = Period(date.fromordinal(start), date.fromordinal(end), kind, label)
            _PERIODS[(start, end, kind, label)] = period
        points.append(MetricPoint(0, period, metric, value))
    return points


def _week(start: int, value: float) -> MetricPoint:
    period = _WEEKS.get(start)
    if period is None:
        period = _WEEKS[start] = week_of(date.fromordinal(start))
    return MetricPoint(0, period, "rue", value)


_WEEKS: dict[int, Period] = {}


def summary_rules(
    partner: Partner,
    summary: HealthSummary,
    benchmark: float | None,
    limits: Thresholds,
    since: date,
    retired: frozenset[str],
) -> tuple[RuleResult, ...]:
    """The rules' own verdicts over the values of the window from since that they read."""
    day = since.toordinal()
    totals = {
        date(index // 12, index % 12 + 1, 1): (Decimal(total) + Decimal(spill), count + spill_count)
        for index, total, count, spill, spill_count in _roi_months(summary, _month_index(since))
    }
    weeks = [_week(start, value) for start, value in _in_window(summary.rue, day)]
    return (
        utilisation_rule(weeks[: limits.rue_weeks], limits),
        roi_verdict(totals, benchmark, partner.category.value, limits),
        sentiment_rule(_points(_latest_sentiment(summary, day), "sentiment"), limits),
        backup_rule(partner, retired),
    )


def assess_summary(
    partner: Partner,
    summary: HealthSummary,
    benchmark: float | None,
    limits: Thresholds,
    since: date,
    retired: frozenset[str] = frozenset(),
) -> HealthReport:
    """`assess` (without trends) over the window from `since`, from a summary."""
    rules = summary_rules(partner, summary, benchmark, limits, since, retired)
    return HealthReport(partner, status_of(rules), rules, {})


_SEVERITY = {
    HealthStatus.RED: 0,
    HealthStatus.AMBER: 1,
    HealthStatus.GREY: 2,
    HealthStatus.GREEN: 3,
}


class SummaryReport(HealthReport):
    """A portfolio's report whose status and count of fired rules come from
    `summary_states`; its rules, with their details, are worked out when first read (a page
    shows a few of thousands)."""

    def __init__(
        self,
        partner: Partner,
        states: tuple[RuleState, RuleState, RuleState, RuleState],
        rules: Callable[[], tuple[RuleResult, ...]],
    ) -> None:
        # Filled in directly: tens of thousands are made for a pool, once each.
        status = status_of_states(states)
        self.__dict__.update(
            partner=partner,
            status=status,
            trends={},
            _severity=(_SEVERITY[status], -states.count(RuleState.FIRED)),
            _make=rules,
            _rules=None,
        )

    @property
    def rules(self) -> tuple[RuleResult, ...]:
        made: tuple[RuleResult, ...] | None = self.__dict__["_rules"]
        if made is None:
            made = self.__dict__["_make"]()
            object.__setattr__(self, "_rules", made)
        return made

    @property
    def severity(self) -> tuple[int, int]:
        severity: tuple[int, int] = self.__dict__["_severity"]
        return severity

    def __eq__(self, other: Any) -> bool:
        if not isinstance(other, HealthReport):
            return NotImplemented
        mine = (self.partner, self.status, self.rules, self.trends)
        return mine == (other.partner, other.status, other.rules, other.trends)

    __hash__ = HealthReport.__hash__

    def __repr__(self) -> str:
        return f"SummaryReport({self.partner.name!r}, {self.status.value})"
