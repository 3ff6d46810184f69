"""Single-point dependency (domain.md §3): shares of the pool and the HHI. Pure."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, localcontext
from math import fsum
from typing import overload

from bot.health.lazy import ListLike, release
from bot.health.rules import MetricPoint
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
    shares: Sequence[Share]  # largest first (`Shares`: made when read)
    hhi: float
    band: str

    @property
    def largest(self) -> Share:
        return self.shares[0]

    @property
    def highly_concentrated(self) -> bool:
        return self.band == "highly concentrated"


def _exact(value: float | Decimal) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(repr(value))


def hhi(percents: list[float]) -> float:
    """Herfindahl-Hirschman index: the sum of squared percentage shares (0 to 10,000)."""
    return sum(p * p for p in percents)


def band_of(
    index: float | Decimal, high: float | Decimal, moderate: float | Decimal = MODERATE_HHI
) -> str:
    """The band of an HHI (or of the same multiple of the HHI and of both thresholds)."""
    index, high, moderate = _exact(index), _exact(high), _exact(moderate)
    if index > high:
        return "highly concentrated"
    if index >= min(moderate, high):
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
    """Shares of metric per partner over the window (see `window_totals`); None when the
    pool has nothing recorded in the window."""
    return concentration_of(window_totals(points, metric, first_day, last_day), metric, names, high)


def window_totals(
    points: list[MetricPoint], metric: str, first_day: date, last_day: date
) -> dict[int, float]:
    """Each partner's metric over the window, from weekly values, or from the days of a week
    that has no weekly value (never both, which would count a week twice).

    Monthly values are left out: a month cannot be split into the window's weeks.
    """
    weekly: dict[tuple[int, date], float] = {}
    daily: dict[tuple[int, date], float] = defaultdict(float)
    for p in points:
        inside = first_day <= p.period.start and p.period.end <= last_day
        if p.metric != metric or not inside:
            continue
        if p.period.kind == "week":
            weekly[(p.partner_id, p.period.start)] = p.value
        elif p.period.kind == "day":
            daily[(p.partner_id, week_of(p.period.start).start)] += p.value
    summed: dict[int, float] = defaultdict(float)
    for (partner_id, _week), value in {**daily, **weekly}.items():
        summed[partner_id] += value
    return summed


def concentration_of(
    summed: dict[int, float], metric: str, names: dict[int, str], high: float
) -> Concentration | None:
    """Shares of each partner's total and the HHI."""
    total = fsum(summed.values())  # correctly rounded: the same whatever the partners' order
    if total <= 0:
        return None
    shares = Shares(summed, names, total)
    # HHI = 10,000 x sum(v^2) / (sum v)^2, compared without division in exact decimals of
    # what people typed, so a pool at exactly 2,500 is not "above 2,500" by rounding.
    with localcontext() as exact:
        exact.prec = 100
        values = [Decimal(repr(value)) for value in summed.values()]
        squares = 10_000 * sum((v * v for v in values), Decimal(0))
        whole = sum(values, Decimal(0)) ** 2
        index = float(squares / whole)
        band = band_of(squares, Decimal(repr(high)) * whole, Decimal(repr(MODERATE_HHI)) * whole)
    return Concentration(metric, total, shares, index, band)


def _order(named: tuple[float, str, int]) -> tuple[float, str]:
    return named[:2]


class Shares(ListLike[Share]):
    """Every partner's share, largest first (ties by name, then as summed), made when read:
    a report shows the largest and how many there are, and a pool of 100,000 would sort
    and make 100,000 Shares for that. Equal to any sequence of the same Shares."""

    __slots__ = ("_count", "_made", "_names", "_summed", "_total")

    def __init__(self, summed: dict[int, float], names: dict[int, str], total: float) -> None:
        self._summed = summed  # partner id -> total, as summed (the ties' order)
        self._names = names
        self._total = total
        self._count = sum(1 for value in summed.values() if value > 0)
        self._made: list[Share] | None = None

    def _named(self) -> Iterator[tuple[float, str, int]]:
        names = self._names
        return (
            (-value, names.get(pid, "?"), pid) for pid, value in self._summed.items() if value > 0
        )

    def _share(self, named: tuple[float, str, int]) -> Share:
        value, name, pid = named
        return Share(pid, name, -value, -value * 100 / self._total)

    def _all(self) -> list[Share]:
        if self._made is None:
            # Sorted as plain tuples, then made Shares: a third of the time of sorting Shares.
            ordered = sorted(self._named(), key=_order)  # stable: ties as summed
            self._made = [self._share(n) for n in ordered]
        return self._made

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> Share: ...
    @overload
    def __getitem__(self, index: slice) -> list[Share]: ...
    def __getitem__(self, index: int | slice) -> Share | list[Share]:
        if self._made is None and index in (0, -self._count) and self._count:
            return self._share(min(self._named(), key=_order))  # the first of the stable sort
        return self._all()[index]

    def __iter__(self) -> Iterator[Share]:
        return iter(self._all())

    def __repr__(self) -> str:
        return f"Shares({self._count} partners)"

    def __del__(self) -> None:
        release(self._summed, self._made)
