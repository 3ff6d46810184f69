"""The migration's GMV impact (domain.md §4, step 4), from recorded metrics or as entered,
and its place against the kit's benchmark: one team moved all traffic within 24 hours and
lost 8% of GMV. Pure.

From metrics, per period of one kind (ISO weeks, else calendar months; a week is never
mixed with its month, and daily values are not used), with the drill's start day taken in
the workspace's time zone:

- *before*: the dropped partner's mean GMV per period over the periods of the trailing
  window that have a value: the 4 ISO weeks (or 3 months) before the drill's own week (or
  month);
- the backup's own baseline: its mean GMV per period over the same trailing window;
- *since*: the periods from the drill's week (or month) to the current one in which the
  backup has GMV recorded; the drill's own period counts as "since", because it holds the
  migration;
- *after* (what was kept): the mean over those periods of the backup's GMV plus whatever
  the dropped partner still brought in them (nothing where none is recorded), minus the
  backup's baseline: the GMV the backup took over beyond what it made anyway;
- the impact: after / before - 1 (-0.08 is an 8% loss). Worked out in exact fractions of
  the recorded values, so a loss of exactly 8% is at the benchmark, not past it.

Weeks are tried first; when weekly data is short, months. When neither works, the refusal
names each missing piece: whose GMV, before or since, and which periods.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

from bot.errors import RuleError
from bot.failover.rules import (
    MAX_NOTE,
    Drill,
    Event,
    EventKind,
    GmvImpact,
    GmvSource,
    StepKey,
    check_open,
    check_reason,
)
from bot.health.rules import MetricPoint
from bot.metrics import Period, parse_period, week_of
from bot.numbers import format_ratio, parse_number, quoted

BENCHMARK = -0.08  # the kit's seed: 8% of GMV lost moving all traffic within 24 hours
BENCHMARK_TEXT = "-8% in 24 hours"
TRAILING = {"week": 4, "month": 3}  # periods before the drill's own that make the baseline
KIND_WORDS = {"week": ("weekly", "weeks"), "month": ("monthly", "months")}
LOWEST, HIGHEST = -100.0, 1000.0  # an entered impact, in percent


@dataclass(frozen=True)
class Missing:
    """A piece of GMV the computation needs and the metrics lack."""

    partner: str
    kind: str  # "week" | "month"
    side: str  # "before" | "since"
    periods: tuple[Period, ...]

    def __str__(self) -> str:
        adjective, _ = KIND_WORDS[self.kind]
        return f"{self.partner} has no {adjective} GMV {self.side} the start ({span(self.periods)})"


class GmvUnavailable(RuleError):
    """The metrics cannot give the impact; says what is missing, per kind of period."""

    def __init__(self, missing: list[Missing]) -> None:
        self.missing = missing
        parts = "; ".join(str(m) for m in missing)
        super().__init__(
            f"The GMV impact cannot be computed from metrics: {parts}. Record them with "
            "`/partner metrics NAME gmv=... period=...`, or enter the impact by hand."
        )


def span(periods: list[Period] | tuple[Period, ...]) -> str:
    """`2026-W44 to 2026-W47`, or one label."""
    first, last = periods[0].label, periods[-1].label
    return first if first == last else f"{first} to {last}"


def _month(day: date) -> Period:
    return parse_period(f"{day.year}-{day.month:02d}")


def _periods(kind: str, first: date, last: date) -> list[Period]:
    """The periods of kind from the one holding first to the one holding last."""
    step = week_of if kind == "week" else _month
    found: list[Period] = []
    period = step(first)
    while period.start <= last:
        found.append(period)
        period = step(period.end + timedelta(days=1))
    return found


def windows(kind: str, start_day: date, today: date) -> tuple[list[Period], list[Period]]:
    """The trailing periods before the drill's own, and those from it to today's."""
    own = week_of(start_day) if kind == "week" else _month(start_day)
    if kind == "week":
        first = own.start - timedelta(weeks=TRAILING[kind])
    else:
        first = own.start
        for _ in range(TRAILING[kind]):
            first = (first - timedelta(days=1)).replace(day=1)
    before = _periods(kind, first, own.start - timedelta(days=1))
    return before, _periods(kind, own.start, max(today, own.start))


def lookback(start_day: date) -> date:
    """The first day a computation reads GMV from (the longest trailing window's start)."""
    return min(windows(kind, start_day, start_day)[0][0].start for kind in TRAILING)


def _gmv(points: list[MetricPoint], kind: str) -> dict[date, Fraction]:
    return {
        p.period.start: Fraction(Decimal(repr(p.value)))
        for p in points
        if p.metric == "gmv" and p.period.kind == kind
    }


def _mean(values: list[Fraction]) -> Fraction:
    return sum(values, Fraction(0)) / len(values)


def from_metrics(
    partner: str,
    partner_points: list[MetricPoint],
    backup: str,
    backup_points: list[MetricPoint],
    start_day: date,
    today: date,
) -> GmvImpact:
    """The impact from both partners' recorded GMV (see the module's docstring)."""
    missing: list[Missing] = []
    for kind in TRAILING:
        before, since = windows(kind, start_day, today)
        ours, theirs = _gmv(partner_points, kind), _gmv(backup_points, kind)
        base = [ours[p.start] for p in before if p.start in ours]
        backup_base = [theirs[p.start] for p in before if p.start in theirs]
        kept = [p for p in since if p.start in theirs]
        gaps = [
            Missing(partner, kind, "before", tuple(before)) if not base else None,
            Missing(backup, kind, "before", tuple(before)) if not backup_base else None,
            Missing(backup, kind, "since", tuple(since)) if not kept else None,
        ]
        if any(gaps):
            missing.extend(g for g in gaps if g is not None)
            continue
        baseline = _mean(base)
        if baseline == 0:
            _, plural = KIND_WORDS[kind]
            raise RuleError(
                f"{partner} recorded no GMV in the {plural} before the start ({span(before)}), "
                "so there is nothing to compare with; enter the impact by hand."
            )
        after = _mean([theirs[p.start] + ours.get(p.start, Fraction(0)) for p in kept])
        after -= _mean(backup_base)
        adjective, _ = KIND_WORDS[kind]
        basis = f"{adjective} GMV, {span(before)} before, {span(kept)} since"
        return GmvImpact(
            float(after / baseline - 1), GmvSource.METRICS, float(baseline), float(after), basis
        )
    raise GmvUnavailable(missing)


def parse_change(raw: str) -> float:
    """An impact typed in the form as a percentage (`-8`, `-8%`, `－８％`), -100% to
    +1,000%, as a fraction (-0.08)."""
    text = raw.strip()
    if not text:
        raise RuleError("Give the change in GMV as a percentage, e.g. -8 for an 8% loss.")
    percent = parse_number(text, "The GMV impact", "a percentage", percent=True)
    if not (math.isfinite(percent) and LOWEST <= percent <= HIGHEST):
        raise RuleError(f"The GMV impact must be between -100% and +1,000%, not {quoted(raw)}.")
    return float(Decimal(repr(percent)) / 100)


def check_note(note: str) -> str | None:
    """The form's optional note: trimmed, printable, at most MAX_NOTE characters."""
    return check_reason(note, "The note", MAX_NOTE) or None


def parse_entered(raw: str, note: str) -> GmvImpact:
    """An impact typed in the form, with its optional note."""
    return GmvImpact(parse_change(raw), GmvSource.ENTERED, note=check_note(note))


def format_change(change: float) -> str:
    """An impact as a signed percentage: `-6.5%`, `+2%`, `0%`."""
    percent = float(Decimal(repr(change)) * 100)
    shown = format_ratio(percent, 2)
    return f"+{shown}%" if percent > 0 and not shown.startswith("-") else f"{shown}%"


def within_benchmark(change: float) -> bool:
    """Whether the impact is no worse than the benchmark (exactly -8% is within)."""
    return change >= BENCHMARK


def record(drill: Drill, impact: GmvImpact, actor: str, at: datetime) -> tuple[Drill, Event]:
    """The drill with its GMV impact recorded (replacing an earlier one) while it is open."""
    check_open(drill)
    how = "from metrics" if impact.source is GmvSource.METRICS else "entered"
    detail = f"{format_change(impact.change)} ({how})"
    return replace(drill, gmv=impact), Event(EventKind.GMV, actor, at, StepKey.VERIFY, detail)
