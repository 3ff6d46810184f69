"""The health of the whole pool: statuses, who needs attention, concentration. Pure."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date

from bot.health.concentration import Concentration, concentration
from bot.health.rules import (
    HealthReport,
    HealthStatus,
    MetricPoint,
    Thresholds,
    assess,
    window_weeks,
)
from bot.metrics import Period
from bot.registry.rules import Partner, Status, Tier

# Partners whose health is watched; prospects have no metrics yet, the rest have left.
WATCHED = frozenset({Status.ACTIVE, Status.PAUSED})
# Partners that still need a backup if they are strategic or core.
CURRENT = frozenset({Status.PROSPECT, Status.ACTIVE, Status.PAUSED})


@dataclass(frozen=True)
class PortfolioReport:
    counts: dict[HealthStatus, int]
    flagged: list[HealthReport]  # red and amber, worst first
    gmv: Concentration | None
    traffic: Concentration | None
    unbacked: list[Partner]  # strategic and core partners with no backup
    window: tuple[Period, Period]

    @property
    def watched(self) -> int:
        return sum(self.counts.values())


def assess_portfolio(
    partners: list[Partner],
    points: list[MetricPoint],
    benchmarks: dict[str, float],
    limits: Thresholds,
    today: date,
) -> PortfolioReport:
    """Assess every watched partner once, in memory, from one window of metrics."""
    by_partner: dict[int, list[MetricPoint]] = defaultdict(list)
    for point in points:
        by_partner[point.partner_id].append(point)
    retired = frozenset(p.name for p in partners if p.status not in CURRENT)
    reports = [
        assess(p, by_partner.get(p.id, []), benchmarks.get(p.category.value), limits, 0, retired)
        for p in partners
        if p.status in WATCHED
    ]
    counts = Counter(r.status for r in reports)
    flagged = sorted(
        (r for r in reports if r.status in (HealthStatus.RED, HealthStatus.AMBER)),
        key=lambda r: (*r.severity, r.partner.name.casefold()),
    )
    first, last = window_weeks(today, limits.window_weeks)
    names = {p.id: p.name for p in partners}
    gmv = concentration(points, "gmv", names, first.start, last.end, limits.hhi)
    traffic = concentration(points, "traffic", names, first.start, last.end, limits.hhi)
    unbacked = sorted(
        (
            p
            for p in partners
            if p.status in CURRENT
            and p.tier in (Tier.STRATEGIC, Tier.CORE)
            and not [b for b in p.backups if b not in retired]
        ),
        key=lambda p: (p.tier != Tier.STRATEGIC, p.name.casefold()),
    )
    return PortfolioReport(
        {s: counts.get(s, 0) for s in HealthStatus},
        flagged,
        gmv,
        traffic,
        unbacked,
        (first, last),
    )
