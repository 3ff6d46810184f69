"""Single-point dependency (domain.md §3): shares of the pool and the HHI. Pure."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from bot.health import MetricPoint

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


def band_of(index: float, high: float) -> str:
    if index > high:
        return "highly concentrated"
    if index >= min(MODERATE_HHI, high):
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
    """Shares of metric summed per partner over weekly and daily values inside the window.

    Monthly values are left out: a month cannot be split into the window's weeks.
    None when the pool has nothing recorded in the window.
    """
    totals: dict[int, float] = defaultdict(float)
    for p in points:
        inside = first_day <= p.period.start and p.period.end <= last_day
        if p.metric == metric and p.period.kind in ("week", "day") and inside:
            totals[p.partner_id] += p.value
    total = sum(totals.values())
    if total <= 0:
        return None
    shares = sorted(
        (
            Share(pid, names.get(pid, "?"), value, value * 100 / total)
            for pid, value in totals.items()
            if value > 0
        ),
        key=lambda s: (-s.value, s.name),
    )
    index = hhi([s.percent for s in shares])
    return Concentration(metric, total, tuple(shares), index, band_of(index, high))
