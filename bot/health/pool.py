"""The portfolio from the members' rows: each PORTFOLIO member's rule states as
`pool_states` gives them, counted and ordered without a Partner or a report for each (those
are made for what is read). Pure."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any

from bot.health.concentration import concentration_of, window_totals
from bot.health.lazy import release
from bot.health.portfolio import (
    FlaggedKey,
    FlaggedReports,
    NamedPartners,
    PortfolioReport,
    States,
    rules_of,
)
from bot.health.rules import (
    HealthReport,
    HealthStatus,
    MetricPoint,
    RuleState,
    Thresholds,
    lookback_start,
    window_weeks,
)
from bot.health.summary import SummaryReport, from_json, status_of_states, summary_metric_states
from bot.health.summary_columns import STATE_OF_CODE, status_of_codes
from bot.registry.rules import Partner, Tier

# A row of `pool_states`: partner id, the four rules' state codes (None: undecided), then
# the partner's columns from its name on (name, category, tier, status, owner, ...).
MemberRow = Sequence[Any]
NAME, CATEGORY, TIER, OWNER = 5, 6, 7, 9
_FIRED_CODE = 2  # STATE_OF_CODE's for RuleState.FIRED
_SEVERITY_OF = {HealthStatus.RED: 0, HealthStatus.AMBER: 1}


@dataclass(frozen=True)
class PoolMembers:
    """What the portfolio is computed from, partner by partner, as read: `pool_states`' rows
    (a PORTFOLIO member each), the summaries' JSON of the flagged and undecided members by
    id, the team's tags and backups' names (partner id and text, in their order) and its
    retired partners' names; partner makes a row's Partner."""

    rows: Sequence[MemberRow]
    inputs: Mapping[int, str]
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
        self.inputs = pool.inputs
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
        release(self.rows, self.inputs, self._made)


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
        pid, name = int(row[0]), row[NAME]
        if keep is not None and not keep(row, book.tags.get(pid, ())):
            continue
        names[pid] = name
        decided_status = status_of_codes(row[1], row[2], row[3], row[4])
        if decided_status is None:  # SQL could not decide exactly: the summary's numbers do
            measured = summary_metric_states(
                from_json(pool.inputs.get(pid) or "{}"),
                benchmarks.get(row[CATEGORY]),
                limits,
                since,
            )
            decided = (*measured, STATE_OF_CODE[row[4]])
            status = status_of_states(decided)
            fired = decided.count(RuleState.FIRED)
            if status in _SEVERITY_OF:
                undecided[pid] = decided
        else:
            status = decided_status
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
        stored = book.inputs.get(pid) or "{}"
        details = partial(rules_of, partner, stored, benchmark, limits, since, pool.retired)
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
