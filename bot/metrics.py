"""Metric names, their ranges, and reporting periods (domain.md §3). Pure."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.errors import RuleError


@dataclass(frozen=True)
class MetricSpec:
    key: str
    label: str
    low: float
    high: float | None
    whole: bool = False


METRICS: dict[str, MetricSpec] = {
    spec.key: spec
    for spec in (
        MetricSpec("rue", "resource utilisation %", 0, 100),
        MetricSpec("roi", "ROI (output per unit of input)", 0, 1_000),
        MetricSpec("sentiment", "sentiment index", 0, 100),
        MetricSpec("gmv", "GMV", 0, 1e15),
        MetricSpec("traffic", "traffic (UV)", 0, 1e12, whole=True),
        MetricSpec("conversion", "conversion %", 0, 100),
        MetricSpec("redemption", "coupon redemption %", 0, 100),
        MetricSpec("aov", "average order value", 0, 1e12),
    )
}


def parse_metric(key: str, raw: str) -> float:
    """Validate one metric value given as text."""
    spec = METRICS.get(key)
    if spec is None:
        raise RuleError(f"`{key}` is not a metric; use: {', '.join(METRICS)}.")
    text = raw.strip().replace(",", "").removesuffix("%")
    try:
        value = float(text)
    except ValueError:
        raise RuleError(f"{key} must be a number, not `{raw}`.") from None
    if not math.isfinite(value):
        raise RuleError(f"{key} must be a number, not `{raw}`.")
    if spec.whole and value != int(value):
        raise RuleError(f"{key} must be a whole number, not `{raw}`.")
    if value < spec.low or (spec.high is not None and value > spec.high):
        high = "" if spec.high is None else f" and {spec.high:g}"
        raise RuleError(f"{key} ({spec.label}) must be between {spec.low:g}{high}, not `{raw}`.")
    return value


def format_metric(value: float) -> str:
    """A metric value as people write it: no trailing .0."""
    return f"{value:g}" if abs(value) < 1e15 else f"{value:.0f}"


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
