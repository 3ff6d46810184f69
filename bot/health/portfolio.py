"""The health of the whole pool: statuses, who needs attention, concentration. Pure."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import partial
from typing import Any

from bot.health.concentration import (
    MODERATE_HHI,
    Concentration,
    concentration,
    concentration_of,
    window_totals,
)
from bot.health.lazy import Lazy
from bot.health.rules import (
    HealthReport,
    HealthStatus,
    MetricPoint,
    Rule,
    RuleResult,
    RuleState,
    Thresholds,
    assess,
    lookback_start,
    window_weeks,
)
from bot.health.summary import (
    SummaryReport,
    from_json,
    status_of_states,
    summary_rules,
    summary_states,
)
from bot.health.summary_columns import STATE_OF_CODE, StateRow
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
    flagged: Sequence[HealthReport]  # red and amber, worst first (`Lazy`: made when read)
    gmv: Concentration | None
    traffic: Concentration | None
    unbacked: Sequence[Partner]  # strategic and core partners with no backup
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
    first, last = window_weeks(today, limits.window_weeks)
    gmv = concentration(counted, "gmv", names, first.start, last.end, limits.hhi)
    traffic = concentration(counted, "traffic", names, first.start, last.end, limits.hhi)
    return portfolio_report(reports, gmv, traffic, (first, last), population)


def assess_portfolio_summaries(
    partners: list[Partner],
    states: Mapping[int, StateRow],
    sums: dict[str, dict[int, float]],
    day_points: list[MetricPoint],
    benchmarks: dict[str, float],
    limits: Thresholds,
    today: date,
    population: Population = PORTFOLIO,
) -> PortfolioReport:
    """`assess_portfolio` from the rule states SQL decided over the summaries' columns
    (`pool_states`; the undecided decided here from their summary) and the window's weekly
    totals (sums, by metric and partner; day_points: the window's points of partners with
    daily values, whose totals are made here as the full computation makes them)."""
    members = [p for p in partners if p in population]
    names = {p.id: p.name for p in members}
    retired = frozenset(p.name for p in partners if p.status in RETIRED)
    since = lookback_start(today, limits)
    counts: Counter[HealthStatus] = Counter()
    reports: list[HealthReport] = []
    unbacked: list[Partner] = []
    for p in members:
        row = states.get(p.id, _NO_SUMMARY)
        benchmark = benchmarks.get(p.category.value)
        stored = row[5] or "{}"
        if row[4] is None:  # SQL could not decide exactly: the summary's own numbers do
            decided = summary_states(p, from_json(stored), benchmark, limits, since, retired)
            status = status_of_states(decided)
        else:
            decided = (
                STATE_OF_CODE[row[0]],  # type: ignore[index]
                STATE_OF_CODE[row[1]],  # type: ignore[index]
                STATE_OF_CODE[row[2]],  # type: ignore[index]
                STATE_OF_CODE[row[3]],
            )
            status = HealthStatus(row[4])
        counts[status] += 1
        if decided[3] == RuleState.FIRED:
            unbacked.append(p)
        if status in (HealthStatus.RED, HealthStatus.AMBER):
            # The report keeps the text, read again if its rules are: few objects stay alive.
            details = partial(rules_of, p, stored, benchmark, limits, since, retired)
            reports.append(SummaryReport(p, decided, details))
    first, last = window_weeks(today, limits.window_weeks)
    shares = []
    for metric in ("gmv", "traffic"):
        totals = dict(sums.get(metric, {}))
        with_days = [p for p in day_points if p.metric == metric]
        for pid in {p.partner_id for p in with_days}:
            totals.pop(pid, None)
        totals.update(window_totals(with_days, metric, first.start, last.end))
        counted = {pid: value for pid, value in totals.items() if pid in names}
        shares.append(concentration_of(counted, metric, names, limits.hhi))
    report = portfolio_report(reports, shares[0], shares[1], (first, last), population, unbacked)
    return replace(report, counts={s: counts.get(s, 0) for s in HealthStatus})


# A partner without a summary row: decided from an empty summary.
_NO_SUMMARY: StateRow = (None, None, None, 0, None, None)


def rules_of(
    partner: Partner,
    stored: str,
    benchmark: float | None,
    limits: Thresholds,
    since: date,
    retired: frozenset[str],
) -> tuple[RuleResult, ...]:
    """The partner's rules' results from its summary's stored JSON."""
    return summary_rules(partner, from_json(stored), benchmark, limits, since, retired)


@dataclass(frozen=True)
class PoolSummaries:
    """What the portfolio's summary path reads: rule states a partner, the window's weekly
    GMV and traffic per partner, the window's points of partners with daily values, and
    the partners that reported for a given week (digests' overdue list)."""

    states: Mapping[int, StateRow]  # `pool_states`
    sums: dict[str, dict[int, float]]
    day_points: list[MetricPoint]
    reported: set[int] = field(default_factory=set)


def near_band_edge(share: Concentration | None, limits: Thresholds) -> bool:
    """An HHI within 1e-9 (relative) of a band's edge: its partners' totals were summed as
    floats in the database, so the band is decided again from the recorded values."""
    if share is None:
        return False
    edges = (limits.hhi, min(MODERATE_HHI, limits.hhi))
    return any(abs(share.hhi - edge) <= 1e-9 * edge for edge in edges)


def portfolio_report(
    reports: list[HealthReport],
    gmv: Concentration | None,
    traffic: Concentration | None,
    window: tuple[Period, Period],
    population: Population = PORTFOLIO,
    unbacked: list[Partner] | None = None,
) -> PortfolioReport:
    """The report from each member's health and the pool's concentration (unbacked: the
    members whose backup rule fired, when known without reading their rules)."""
    counts = Counter(r.status for r in reports)
    flagged = sorted(
        (r for r in reports if r.status in (HealthStatus.RED, HealthStatus.AMBER)),
        key=lambda r: (*r.severity, r.partner.name.casefold()),
    )
    if unbacked is None:
        unbacked = [r.partner for r in reports if any(rule.rule == Rule.BACKUP for rule in r.fired)]
    unbacked = sorted(unbacked, key=lambda p: (p.tier != Tier.STRATEGIC, p.name.casefold()))
    return PortfolioReport(
        {s: counts.get(s, 0) for s in HealthStatus},
        flagged,
        gmv,
        traffic,
        unbacked,
        window,
        population,
    )


# (severity, -rules fired, casefolded name, name, partner id): plain values only, so the
# garbage collector stops looking at them after its first pass
FlaggedKey = tuple[int, int, str, str, int]
States = tuple[RuleState, RuleState, RuleState, RuleState]


class FlaggedReports(Lazy[FlaggedKey, HealthReport]):
    """The flagged partners' reports, worst first, each made when read."""

    def statuses(self) -> Iterator[tuple[int, HealthStatus]]:
        """Each flagged partner's id and status, in order, without making its report."""
        for severity, _, _, _, pid in self.keys:
            yield pid, HealthStatus.RED if severity == 0 else HealthStatus.AMBER


class NamedPartners(Lazy[tuple[Any, ...], Partner]):
    """Partners made when read, from keys whose last two items are the name and the id."""

    def names(self) -> tuple[str, ...]:
        return tuple(key[-2] for key in self.keys)


def names_of(partners: Sequence[Partner]) -> tuple[str, ...]:
    """The partners' names in order (a `NamedPartners` makes no Partner for them)."""
    if isinstance(partners, NamedPartners):
        return partners.names()
    return tuple(p.name for p in partners)


def flagged_statuses(flagged: Sequence[HealthReport]) -> Iterator[tuple[int, HealthStatus]]:
    """Each flagged partner's id and status, in order (a `FlaggedReports` makes no report)."""
    if isinstance(flagged, FlaggedReports):
        return flagged.statuses()
    return ((r.partner.id, r.status) for r in flagged)
