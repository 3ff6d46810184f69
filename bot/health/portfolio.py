"""The health of the whole pool: statuses, who needs attention, concentration. Pure."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
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
from bot.health.lazy import Lazy, release
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
    summary_metric_states,
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
            details = partial(_rules_of, p, stored, benchmark, limits, since, retired)
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


def _rules_of(
    partner: Partner,
    stored: str,
    benchmark: float | None,
    limits: Thresholds,
    since: date,
    retired: frozenset[str],
) -> tuple[RuleResult, ...]:
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


# A row of `pool_states`: partner id, the four rules' state codes (None: undecided), the
# status (None: undecided), the summary's JSON (flagged and undecided only), then the
# partner's columns from its name on (name, category, tier, status, owner, ...).
MemberRow = Sequence[Any]
NAME, CATEGORY, TIER, OWNER = 7, 8, 9, 11
_FIRED_CODE = 2  # STATE_OF_CODE's for RuleState.FIRED
_STATUS_OF = {s.value: s for s in HealthStatus}
_SEVERITY_OF = {HealthStatus.RED: 0, HealthStatus.AMBER: 1}


@dataclass(frozen=True)
class PoolMembers:
    """What the portfolio is computed from, partner by partner, as read: `pool_states`' rows
    (a PORTFOLIO member each), the team's tags and backups' names (partner id and text, in
    their order) and its retired partners' names; partner makes a row's Partner."""

    rows: Sequence[MemberRow]
    tags: Sequence[tuple[int, str]]
    backups: Sequence[tuple[int, str]]
    retired: frozenset[str]
    partner: Callable[[MemberRow, tuple[str, ...], tuple[str, ...]], Partner]


def _grouped(rows: Sequence[tuple[int, str]]) -> dict[int, tuple[str, ...]]:
    grouped: dict[int, list[str]] = {}
    for pid, text in rows:
        grouped.setdefault(int(pid), []).append(text)
    return {pid: tuple(texts) for pid, texts in grouped.items()}


class PartnerBook:
    """The members' rows by id, and their Partners, each made once when first asked for."""

    def __init__(self, pool: PoolMembers) -> None:
        self.rows: dict[int, MemberRow] = {int(row[0]): row for row in pool.rows}
        self.tags = _grouped(pool.tags)
        self._backups = _grouped(pool.backups)
        self._make = pool.partner
        self._made: dict[int, Partner] = {}

    def __contains__(self, partner_id: int) -> bool:
        return partner_id in self.rows

    def __getitem__(self, partner_id: int) -> Partner:
        made = self._made.get(partner_id)
        if made is None:
            row = self.rows[partner_id]
            tags, backups = self.tags.get(partner_id, ()), self._backups.get(partner_id, ())
            made = self._made[partner_id] = self._make(row, tags, backups)
        return made

    def names(self) -> dict[int, str]:
        return {pid: row[NAME] for pid, row in self.rows.items()}

    def __del__(self) -> None:
        release(self.rows, self._made)


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


@dataclass(frozen=True)
class Judged:
    """The members' statuses counted and ordered (`judge_pool`), before the window's totals."""

    counts: dict[HealthStatus, int]
    flagged: FlaggedReports
    unbacked: NamedPartners
    names: dict[int, str]  # the members counted, by id
    book: PartnerBook


def _ordered(buckets: dict[Any, list[Any]]) -> list[Any]:
    """The buckets' items, bucket by bucket in key order, each bucket sorted: rows come in
    name order (pool_states), so each bucket is sorted already and its sort is one pass,
    where one sort of them all would hold the GIL, and so the event loop, for 100 ms at
    100,000 partners."""
    ordered = []
    for key in sorted(buckets):
        bucket = buckets[key]
        bucket.sort()
        ordered += bucket
    return ordered


def judge_pool(
    pool: PoolMembers,
    benchmarks: dict[str, float],
    limits: Thresholds,
    today: date,
    keep: Callable[[MemberRow, tuple[str, ...]], bool] | None = None,
) -> Judged:
    """Each member's status counted, the flagged and the unbacked in `portfolio_report`'s
    order, from the rows' numbers and names (keep: whether a digest's scope covers a row,
    with its partner's tags); a Partner and its report are made only for what is read of
    `flagged` and `unbacked` (a page)."""
    since = lookback_start(today, limits)
    book = PartnerBook(pool)
    counts: Counter[HealthStatus] = Counter()
    flagged: dict[tuple[int, int], list[FlaggedKey]] = defaultdict(list)
    unbacked: dict[bool, list[tuple[bool, str, str, int]]] = defaultdict(list)
    names: dict[int, str] = {}
    undecided: dict[int, States] = {}  # the states decided here, of the flagged
    for row in pool.rows:
        pid, name, code = int(row[0]), row[NAME], row[5]
        if keep is not None and not keep(row, book.tags.get(pid, ())):
            continue
        names[pid] = name
        if code is None:  # SQL could not decide exactly: the summary's own numbers do
            measured = summary_metric_states(
                from_json(row[6] or "{}"), benchmarks.get(row[CATEGORY]), limits, since
            )
            decided = (*measured, STATE_OF_CODE[row[4]])
            status = status_of_states(decided)
            fired = decided.count(RuleState.FIRED)
            if status in _SEVERITY_OF:
                undecided[pid] = decided
        else:
            status = _STATUS_OF[code]
            fired = (row[1] == _FIRED_CODE) + (row[2] == _FIRED_CODE) + (row[3] == _FIRED_CODE)
            fired += row[4] == _FIRED_CODE
        counts[status] += 1
        if row[4] == _FIRED_CODE:
            other = row[TIER] != Tier.STRATEGIC.value
            unbacked[other].append((other, name.casefold(), name, pid))
        if status in _SEVERITY_OF:
            severity = _SEVERITY_OF[status]
            flagged[severity, -fired].append((severity, -fired, name.casefold(), name, pid))

    def states_of(pid: int) -> States:
        decided = undecided.get(pid)
        if decided is None:
            row = book.rows[pid]
            decided = (
                STATE_OF_CODE[row[1]],
                STATE_OF_CODE[row[2]],
                STATE_OF_CODE[row[3]],
                STATE_OF_CODE[row[4]],
            )
        return decided

    def report_of(key: FlaggedKey) -> HealthReport:
        pid = key[4]
        decided = states_of(pid)
        partner, row = book[pid], book.rows[pid]
        benchmark = benchmarks.get(row[CATEGORY])
        stored = row[6] or "{}"
        details = partial(_rules_of, partner, stored, benchmark, limits, since, pool.retired)
        return SummaryReport(partner, decided, details)

    # As portfolio_report orders them; equal casefolded names (never equal name_keys) by name.
    return Judged(
        {s: counts.get(s, 0) for s in HealthStatus},
        FlaggedReports(_ordered(flagged), report_of),
        NamedPartners(_ordered(unbacked), lambda key: book[key[3]]),
        names,
        book,
    )


def pool_report(
    judged: Judged,
    sums: dict[str, dict[int, float]],
    day_points: list[MetricPoint],
    limits: Thresholds,
    today: date,
) -> PortfolioReport:
    """The report of the judged members with the window's GMV and traffic (sums, by metric
    and partner; day_points: the window's points of partners with daily values, whose
    totals are made here as the full computation makes them)."""
    names = judged.names
    first, last = window_weeks(today, limits.window_weeks)
    shares = []
    for metric in ("gmv", "traffic"):
        totals = sums.get(metric, {})
        with_days = [p for p in day_points if p.metric == metric]
        if with_days:
            totals = dict(totals)
            for pid in {p.partner_id for p in with_days}:
                totals.pop(pid, None)
            totals.update(window_totals(with_days, metric, first.start, last.end))
        counted = {pid: value for pid, value in totals.items() if pid in names}
        shares.append(concentration_of(counted, metric, names, limits.hhi))
    return PortfolioReport(
        judged.counts, judged.flagged, shares[0], shares[1], judged.unbacked, (first, last)
    )


def assess_pool(
    pool: PoolMembers,
    sums: dict[str, dict[int, float]],
    day_points: list[MetricPoint],
    benchmarks: dict[str, float],
    limits: Thresholds,
    today: date,
    keep: Callable[[MemberRow, tuple[str, ...]], bool] | None = None,
) -> tuple[PortfolioReport, PartnerBook]:
    """`assess_portfolio_summaries` from the members' rows alone: `judge_pool`, then
    `pool_report`; with the book of the members' rows and Partners."""
    judged = judge_pool(pool, benchmarks, limits, today, keep)
    return pool_report(judged, sums, day_points, limits, today), judged.book
