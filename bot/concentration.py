"""Single-point dependency (domain.md §3): shares of the pool and the HHI. Pure."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from bot.health import MetricPoint
from bot.metrics import week_of

# The 2010 US Horizontal Merger Guidelines' bands, which the domain's 2,500 comes from.
MODERATE_HHI = 1500.0


@dataclass(frozen=True)
class Share:
    partner_id: int
    name: str
    value: float
    percent: float


@dataclass(frozen=True)
class Concentration:
    """How one metric (GMV or traffic) is spread over the pool in a window."""

    metric: str
    total: float
    shares: tuple[Share, ...]  # largest first
    hhi: float
    band: str

    @property
    def largest(self) -> Share:
        return self.shares[0]

    @property
    def highly_concentrated(self) -> bool:
        return self.band == "highly concentrated"


def hhi(percents: list[float]) -> float:
    """Herfindahl-Hirschman index: the sum of squared percentage shares (0 to 10,000)."""
    return sum(p * p for p in percents)


def band_of(index: float | Fraction, high: float | Fraction) -> str:
    if index > high:
        return "highly concentrated"
    if index >= min(Fraction(str(MODERATE_HHI)), Fraction(str(high))):
        return "moderately concentrated"
    return "unconcentrated"


def concentration(
    points: list[MetricPoint],
    metric: str,
    names: dict[int, str],
    first_day: date,
    last_day: date,
    high: float,
) -> Concentration | None:
    """Shares of metric per partner over the window, from weekly values, or from the days of
    a week that has no weekly value (never both, which would count a week twice).

    Monthly values are left out: a month cannot be split into the window's weeks.
    None when the pool has nothing recorded in the window.
    """
    weekly: dict[tuple[int, date], float] = {}
    daily: dict[tuple[int, date], float] = defaultdict(float)
    for p in points:
        inside = first_day <= p.period.start and p.period.end <= last_day
        if p.metric != metric or not inside:
            continue
        week_start = week_of(p.period.start).start
        if p.period.kind == "week":
            weekly[(p.partner_id, week_start)] = p.value
        elif p.period.kind == "day":
            daily[(p.partner_id, week_start)] += p.value
    totals: dict[int, Fraction] = defaultdict(Fraction)
    for (partner_id, _week), value in {**daily, **weekly}.items():
        totals[partner_id] += Fraction(str(value))
    total = sum(totals.values(), Fraction(0))
    if total <= 0:
        return None
    shares = sorted(
        (
            Share(pid, names.get(pid, "?"), float(value), float(value * 100 / total))
            for pid, value in totals.items()
            if value > 0
        ),
        key=lambda s: (-s.value, s.name),
    )
    # Exact fractions, so a pool at exactly 2,500 is not "above 2,500" by a rounding error.
    exact = sum(((v * 100 / total) ** 2 for v in totals.values()), Fraction(0))
    index = float(exact)
    band = band_of(exact, Fraction(str(high)))
    return Concentration(metric, float(total), tuple(shares), index, band)
