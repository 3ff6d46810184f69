"""Metric names, their ranges, and reporting periods (domain.md §3). Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.errors import RuleError
from bot.numbers import format_amount, format_ratio, parse_number, quoted


@dataclass(frozen=True)
class MetricSpec:
    key: str
    label: str
    low: float
    high: float
    whole: bool = False
    kind: str = "ratio"  # "percent" (0-100, a `%` may follow), "ratio" or "amount"


METRICS: dict[str, MetricSpec] = {
    spec.key: spec
    for spec in (
        MetricSpec("rue", "resource utilisation %", 0, 100, kind="percent"),
        MetricSpec("roi", "ROI (output per unit of input)", 0, 1_000),
        MetricSpec("sentiment", "sentiment index", 0, 100, kind="percent"),
        MetricSpec("gmv", "GMV", 0, 1e15, kind="amount"),
        MetricSpec("traffic", "traffic (UV)", 0, 1e12, whole=True, kind="amount"),
        MetricSpec("conversion", "conversion %", 0, 100, kind="percent"),
        MetricSpec("redemption", "coupon redemption %", 0, 100, kind="percent"),
        MetricSpec("aov", "average order value", 0, 1e12, kind="amount"),
    )
}


def parse_metric(key: str, raw: str) -> float:
    """Validate one metric value given as text."""
    spec = METRICS.get(key)
    if spec is None:
        raise RuleError(f"`{key}` is not a metric; use: {', '.join(METRICS)}.")
    value = parse_number(raw, key, percent=spec.kind == "percent", whole=spec.whole)
    if not spec.low <= value <= spec.high:
        low, high = format_metric(key, spec.low), format_metric(key, spec.high)
        raise RuleError(
            f"{key} ({spec.label}) must be between {low} and {high}, not {quoted(raw)}."
        )
    return value


def format_metric(key: str, value: float) -> str:
    """A metric's value as people read it: amounts with thousands separators (1,234,567),
    ratios and percentages as typed (2.1, 35.5); never an exponent."""
    spec = METRICS.get(key)
    amount = spec is not None and spec.kind == "amount"
    return format_amount(value) if amount else format_ratio(value)


@dataclass(frozen=True, order=True)
class Period:
    """A reporting period: an ISO week, a calendar month or a day."""

    start: date
    end: date  # inclusive
    kind: str  # "week" | "month" | "day"
    label: str

    def __str__(self) -> str:
        return self.label


_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def week_of(day: date) -> Period:
    """The ISO week a day falls in."""
    year, week, weekday = day.isocalendar()
    start = day - timedelta(days=weekday - 1)
    return Period(start, start + timedelta(days=6), "week", f"{year}-W{week:02d}")


def current_week(now: datetime, zone: ZoneInfo) -> Period:
    """The ISO week it is now in the workspace's time zone."""
    return week_of(now.astimezone(zone).date())


def parse_period(raw: str) -> Period:
    """`2026-W47`, `2026-11` or `2026-11-22`, or a clear error."""
    text = raw.strip()
    try:
        if m := _WEEK.match(text):
            year, week = int(m[1]), int(m[2])
            start = date.fromisocalendar(year, week, 1)
            return Period(start, start + timedelta(days=6), "week", f"{year}-W{week:02d}")
        if m := _MONTH.match(text):
            year, month = int(m[1]), int(m[2])
            start = date(year, month, 1)
            nxt = date(year + month // 12, month % 12 + 1, 1)
            return Period(start, nxt - timedelta(days=1), "month", f"{year}-{month:02d}")
        if m := _DAY.match(text):
            day = date(int(m[1]), int(m[2]), int(m[3]))
            return Period(day, day, "day", day.isoformat())
    except ValueError:
        raise RuleError(f"`{raw}` is not a real week, month or date.") from None
    raise RuleError(
        f"`{raw}` is not a period; use an ISO week (2026-W47), a month (2026-11) "
        "or a date (2026-11-22)."
    )
