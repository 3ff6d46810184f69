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
    Rule,
    Thresholds,
    assess,
    window_weeks,
)
from bot.metrics import Period
from bot.registry.rules import RETIRED, Partner, Status, Tier


@dataclass(frozen=True)
class Population:
    """The partners a pool-wide report covers, every part of it, and how it says so."""

    statuses: frozenset[Status]

    def __contains__(self, partner: Partner) -> bool:
        return partner.status in self.statuses

    @property
    def label(self) -> str:
        """`active and paused partners`"""
        return f"{_words([s.value for s in Status if s in self.statuses])} partners"

    @property
    def left_out(self) -> str:
        """`prospect, dropped and archived partners`"""
        return f"{_words([s.value for s in Status if s not in self.statuses])} partners"


def _words(items: list[str]) -> str:
    return " and ".join(filter(None, [", ".join(items[:-1]), *items[-1:]]))


# The partners the team works with now: prospects have not started, the others have left.
# Status counts, red and amber, concentration and missing backups all count these; so do
# digests.
PORTFOLIO = Population(frozenset({Status.ACTIVE, Status.PAUSED}))


@dataclass(frozen=True)
class PortfolioReport:
    counts: dict[HealthStatus, int]
    flagged: list[HealthReport]  # red and amber, worst first
    gmv: Concentration | None
    traffic: Concentration | None
    unbacked: list[Partner]  # strategic and core partners with no backup
    window: tuple[Period, Period]
    population: Population = PORTFOLIO

    @property
    def watched(self) -> int:
        return sum(self.counts.values())


def assess_portfolio(
    partners: list[Partner],
    points: list[MetricPoint],
    benchmarks: dict[str, float],
    limits: Thresholds,
    today: date,
    population: Population = PORTFOLIO,
) -> PortfolioReport:
    """Assess the population's partners once, in memory, from one window of metrics: the
    rest of the pool is in no count, list or share (a backup that has left is still no
    backup)."""
    members = [p for p in partners if p in population]
    names = {p.id: p.name for p in members}
    counted = [point for point in points if point.partner_id in names]
    by_partner: dict[int, list[MetricPoint]] = defaultdict(list)
    for point in counted:
        by_partner[point.partner_id].append(point)
    retired = frozenset(p.name for p in partners if p.status in RETIRED)
    reports = [
        assess(p, by_partner[p.id], benchmarks.get(p.category.value), limits, 0, retired)
        for p in members
    ]
    counts = Counter(r.status for r in reports)
    flagged = sorted(
        (r for r in reports if r.status in (HealthStatus.RED, HealthStatus.AMBER)),
        key=lambda r: (*r.severity, r.partner.name.casefold()),
    )
    first, last = window_weeks(today, limits.window_weeks)
    gmv = concentration(counted, "gmv", names, first.start, last.end, limits.hhi)
    traffic = concentration(counted, "traffic", names, first.start, last.end, limits.hhi)
    unbacked = sorted(
        (r.partner for r in reports if any(rule.rule == Rule.BACKUP for rule in r.fired)),
        key=lambda p: (p.tier != Tier.STRATEGIC, p.name.casefold()),
    )
    return PortfolioReport(
        {s: counts.get(s, 0) for s in HealthStatus},
        flagged,
        gmv,
        traffic,
        unbacked,
        (first, last),
        population,
    )
