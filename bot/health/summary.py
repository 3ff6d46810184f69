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
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from bot.health.rules import (
    THRESHOLD_SPECS,
    HealthReport,
    MetricPoint,
    Thresholds,
    backup_rule,
    month_of,
    roi_verdict,
    sentiment_rule,
    status_of,
    utilisation_rule,
)
from bot.metrics import Period
from bot.registry.rules import Partner

MAX_WEEKS = int(THRESHOLD_SPECS["rue_weeks"][2])
MAX_MONTHS = int(THRESHOLD_SPECS["roi_months"][2])
SUMMARISED = ("rue", "roi", "sentiment")  # the metrics a summary is made of


@dataclass(frozen=True)
class MonthTotal:
    """One month's ROI values: those of periods starting in it, and of weeks starting in the
    month before (exact totals of the values as typed)."""

    month: date
    total: Decimal
    count: int
    spill_total: Decimal
    spill_count: int


@dataclass(frozen=True)
class HealthSummary:
    rue: tuple[MetricPoint, ...]  # weekly, latest first
    sentiment: tuple[MetricPoint, ...]
    roi: tuple[MonthTotal, ...]  # latest month first


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
    sentiment = [
        p
        for kind in sorted(by_kind)
        for p in sorted(by_kind[kind], key=lambda p: (p.period.start, p.period.end))[-2:]
    ]
    months: dict[date, list[list[Decimal]]] = defaultdict(lambda: [[], []])
    for p in points:
        if p.metric == "roi":
            month = month_of(p.period)
            months[month][p.period.start < month].append(Decimal(str(p.value)))
    roi = [
        MonthTotal(m, sum(own, Decimal(0)), len(own), sum(spill, Decimal(0)), len(spill))
        for m in sorted(months, reverse=True)[:MAX_MONTHS]
        for own, spill in [months[m]]
    ]
    return HealthSummary(tuple(rue), tuple(sentiment), tuple(roi))


def _point(p: MetricPoint) -> list[object]:
    period = p.period
    return [
        p.metric,
        period.label,
        period.kind,
        period.start.isoformat(),
        period.end.isoformat(),
        p.value,
    ]


def to_json(summary: HealthSummary) -> str:
    """The summary as stored (floats as repr, so they come back bit for bit)."""
    return json.dumps(
        {
            "rue": [_point(p) for p in summary.rue],
            "sentiment": [_point(p) for p in summary.sentiment],
            "roi": [
                [m.month.isoformat(), str(m.total), m.count, str(m.spill_total), m.spill_count]
                for m in summary.roi
            ],
        },
        separators=(",", ":"),
    )


def from_json(partner_id: int, text: str) -> HealthSummary:
    raw = json.loads(text)
    periods: dict[str, Period] = {}

    def point(
        metric: str, label: str, kind: str, start: str, end: str, value: float
    ) -> MetricPoint:
        period = periods.get(label)
        if period is None:
            period = periods[label] = Period(
                date.fromisoformat(start), date.fromisoformat(end), kind, label
            )
        return MetricPoint(partner_id, period, metric, float(value))

    return HealthSummary(
        tuple(point(*p) for p in raw.get("rue", ())),
        tuple(point(*p) for p in raw.get("sentiment", ())),
        tuple(
            MonthTotal(date.fromisoformat(m), Decimal(t), n, Decimal(st), sn)
            for m, t, n, st, sn in raw.get("roi", ())
        ),
    )


def roi_totals(summary: HealthSummary, since: date) -> dict[date, tuple[Decimal, int]]:
    """Each month's ROI total and count over the periods starting on `since` (a first of a
    month) or later, as `roi_rule` sums the points of such a window."""
    totals: dict[date, tuple[Decimal, int]] = {}
    for m in summary.roi:
        if m.month < since:
            continue
        if m.month == since:  # its weeks starting in the month before are outside
            total, count = m.total, m.count
        else:
            total, count = m.total + m.spill_total, m.count + m.spill_count
        if count:
            totals[m.month] = (total, count)
    return totals


def assess_summary(
    partner: Partner,
    summary: HealthSummary,
    benchmark: float | None,
    limits: Thresholds,
    since: date,
    retired: frozenset[str] = frozenset(),
) -> HealthReport:
    """`assess` (without trends) over the window from `since`, from a summary: the same
    rules over the same values, so the same report."""
    rue = [p for p in summary.rue if p.period.start >= since]
    sentiment = [p for p in summary.sentiment if p.period.start >= since]
    rules = (
        utilisation_rule(rue, limits),
        roi_verdict(roi_totals(summary, since), benchmark, partner.category.value, limits),
        sentiment_rule(sentiment, limits),
        backup_rule(partner, retired),
    )
    return HealthReport(partner, status_of(rules), rules, {})
