"""Metric names, their ranges, and reporting periods (domain.md §3). Pure."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from bot.errors import RuleError
from bot.numbers import ascii_typed, format_amount, format_ratio, parse_number, quoted


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


PERIOD_KINDS = ("week", "month", "day")  # every Period.kind: summary_points reads each


@dataclass(frozen=True, order=True)
class Period:
    """A reporting period: an ISO week, a calendar month or a day."""

    start: date
    end: date  # inclusive
    kind: str  # "week" | "month" | "day"
    label: str

    def __str__(self) -> str:
        return self.label


_WEEK = re.compile(r"([0-9]{4})-?W([0-9]{1,2})", re.IGNORECASE | re.ASCII)
_MONTH = re.compile(r"([0-9]{4})-([0-9]{1,2})", re.ASCII)
_DAY = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})", re.ASCII)

# The first day a period may start on; the last is a year after today (period_window).
EARLIEST_DAY = date(2000, 1, 1)


def week_of(day: date) -> Period:
    """The ISO week a day falls in."""
    year, week, weekday = day.isocalendar()
    start = day - timedelta(days=weekday - 1)
    return Period(start, start + timedelta(days=6), "week", f"{year}-W{week:02d}")


def current_week(now: datetime, zone: ZoneInfo) -> Period:
    """The ISO week it is now in the workspace's time zone."""
    return week_of(now.astimezone(zone).date())


def parse_period(raw: str) -> Period:
    """The shape of a period: `2026-W47`, `2026-11` or `2026-11-22` (full-width digits read
    as ASCII), or a clear error. What people type goes through read_period, which also
    holds it to the window."""
    text = ascii_typed(raw) or ""
    try:
        if m := _WEEK.fullmatch(text):
            year, week = int(m[1]), int(m[2])
            label = f"{year}-W{week:02d}"
            start = date.fromisocalendar(year, week, 1)
            if start > date.max - timedelta(days=6):
                raise BeyondCalendar(label)
            return Period(start, start + timedelta(days=6), "week", label)
        if m := _MONTH.fullmatch(text):
            year, month = int(m[1]), int(m[2])
            start = date(year, month, 1)
            end = start.replace(day=calendar.monthrange(year, month)[1])
            return Period(start, end, "month", f"{year}-{month:02d}")
        if m := _DAY.fullmatch(text):
            day = date(int(m[1]), int(m[2]), int(m[3]))
            return Period(day, day, "day", day.isoformat())
    except BeyondCalendar:
        raise
    except ValueError:
        raise RuleError(f"{quoted(raw)} is not a real week, month or date.") from None
    raise RuleError(
        f"{quoted(raw)} is not a period; use an ISO week (2026-W47), a month (2026-11) "
        "or a date (2026-11-22)."
    )


@lru_cache(maxsize=4096)
def stored_period(label: str) -> Period:
    """The period a stored label names (every label is written as Period.label, which names
    its kind, start and end), made once a label and shared, so reading the same weeks for
    many partners parses each once."""
    return parse_period(label)


class BeyondCalendar(RuleError):
    """A real period that runs past 9999-12-31 (9999-W52), so outside any window."""

    def __init__(self, label: str) -> None:
        self.label = label
        super().__init__(
            f"{label} is outside the periods partnerbot records: from "
            f"{EARLIEST_DAY.isoformat()} to a year from today."
        )


def period_window(today: date) -> tuple[date, date]:
    """The first and last day a recorded period may cover: from 2000-01-01 to a year after
    today (today in the workspace's time zone; 29 February moves to the 28th)."""
    try:
        last = today.replace(year=today.year + 1)
    except ValueError:
        last = today.replace(year=today.year + 1, day=28)
    return EARLIEST_DAY, last


def check_period(period: Period, today: date) -> Period:
    """The period if it lies wholly inside period_window(today), else an error naming it."""
    first, last = period_window(today)
    if period.start < first or period.end > last:
        raise outside_window(period.label, today)
    return period


def outside_window(label: str, today: date) -> RuleError:
    first, last = period_window(today)
    return RuleError(
        f"{label} is outside the periods partnerbot records: from {first.isoformat()} "
        f"to {last.isoformat()} (a year from today)."
    )


def read_period(raw: str, today: date) -> Period:
    """A period typed by a person or read from a file: its shape, then the window."""
    try:
        period = parse_period(raw)
    except BeyondCalendar as err:
        raise outside_window(err.label, today) from None
    return check_period(period, today)
