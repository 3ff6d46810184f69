"""What a digest says, from the portfolio now and the channel's previous snapshot. Pure."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from bot.digest.command import Scope
from bot.failover.record import DrillSummary
from bot.health.concentration import Concentration
from bot.health.pool import CATEGORY, OWNER, Judged, MemberRow, PoolMembers, judge_pool
from bot.health.portfolio import (
    PORTFOLIO,
    NamedPartners,
    PoolSummaries,
    PortfolioReport,
    assess_portfolio,
    assess_portfolio_summaries,
    flagged_statuses,
)
from bot.health.rules import HealthReport, HealthStatus, MetricPoint, Thresholds
from bot.metrics import Period, week_of
from bot.registry.rules import Partner

TOP_ALERTS = 5
FLAGGED = (HealthStatus.RED, HealthStatus.AMBER)


@dataclass(frozen=True)
class Snapshot:
    """What a channel's digest showed: each partner's status and the concentration."""

    statuses: dict[int, str]  # partner id -> red, amber, or ok
    names: dict[int, str]
    hhi: dict[str, float]  # metric -> HHI
    counts: dict[str, int] = field(default_factory=dict)  # health status -> partners

    def dump(self) -> str:
        return json.dumps(
            {
                "statuses": {str(k): v for k, v in self.statuses.items()},
                "names": {str(k): v for k, v in self.names.items()},
                "hhi": self.hhi,
                "counts": self.counts,
            },
            ensure_ascii=False,
            sort_keys=True,
        )

    @classmethod
    def load(cls, text: str | None) -> Snapshot | None:
        """A stored snapshot, or None when there is none (or it cannot be read)."""
        if not text:
            return None
        try:
            raw = json.loads(text)
            return cls(
                {int(k): str(v) for k, v in raw["statuses"].items()},
                {int(k): str(v) for k, v in raw["names"].items()},
                {str(k): float(v) for k, v in raw["hhi"].items()},
                {str(k): int(v) for k, v in raw["counts"].items()},
            )
        except (ValueError, KeyError, TypeError, AttributeError):
            return None


@dataclass(frozen=True)
class Digest:
    """A digest's content; `changed` is False only when a previous one showed the same."""

    report: PortfolioReport
    overdue: Sequence[Partner]  # `Lazy` from digest_of_pool: made when read
    previous_counts: dict[HealthStatus, int] | None
    newly_red: list[str] = field(default_factory=list)
    newly_amber: list[str] = field(default_factory=list)
    recovered: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    hhi_change: dict[str, float] = field(default_factory=dict)
    changed: bool = True
    snapshot: Snapshot = field(default_factory=lambda: Snapshot({}, {}, {}))
    drills_opened: list[DrillSummary] = field(default_factory=list)  # since the previous one
    drills_closed: list[DrillSummary] = field(default_factory=list)

    @property
    def top_alerts(self) -> list[HealthReport]:
        return list(self.report.flagged[:TOP_ALERTS])


def in_scope(partner: Partner, scope: Scope) -> bool:
    """Whether a digest of this scope covers the partner."""
    return covers(scope, partner.category.value, partner.owner, partner.tags)


def covers(scope: Scope, category: str, owner: str, tags: Sequence[str]) -> bool:
    """`in_scope` from a partner's category, owner and tags."""
    match scope.kind:
        case "category":
            return category == scope.value
        case "owner":
            return owner == scope.value
        case "tag":
            return scope.value in (t.casefold() for t in tags)
    return True


def assess_scoped(
    partners: list[Partner],
    points: list[MetricPoint],
    benchmarks: dict[str, float],
    limits: Thresholds,
    today: date,
    scope: Scope,
) -> tuple[PortfolioReport, list[Partner], list[Partner]]:
    """The portfolio of the scope's partners (health's own assessment), its members, and
    those of them with no metrics for the latest complete week (overdue)."""
    members, counted = _scoped(partners, scope)
    report = assess_portfolio(counted, points, benchmarks, limits, today)
    latest = overdue_week(today)
    reported = {
        p.partner_id
        for p in points
        if p.period.start <= latest.end and p.period.end >= latest.start
    }
    return report, *_overdue(members, reported)


def assess_scoped_summaries(
    partners: list[Partner],
    pool: PoolSummaries,
    benchmarks: dict[str, float],
    limits: Thresholds,
    today: date,
    scope: Scope,
) -> tuple[PortfolioReport, list[Partner], list[Partner]]:
    """`assess_scoped` from the partners' health summaries, the window's totals and the
    partners that reported for the latest complete week (`overdue_week`)."""
    members, counted = _scoped(partners, scope)
    report = assess_portfolio_summaries(
        counted, pool.states, pool.sums, pool.day_points, benchmarks, limits, today
    )
    return report, *_overdue(members, pool.reported)


def overdue_week(today: date) -> Period:
    """The latest complete week, which every partner of a digest is expected to report."""
    return week_of(today - timedelta(days=7))


def _scoped(partners: list[Partner], scope: Scope) -> tuple[list[Partner], list[Partner]]:
    members = [p for p in partners if in_scope(p, scope)]
    # Retired partners stay in: a backup that has left is still no backup.
    counted = members + [p for p in partners if p not in PORTFOLIO and not in_scope(p, scope)]
    return members, counted


def _overdue(members: list[Partner], reported: set[int]) -> tuple[list[Partner], list[Partner]]:
    overdue = sorted(
        (p for p in members if p in PORTFOLIO and p.id not in reported),
        key=lambda p: p.name.casefold(),
    )
    return [p for p in members if p in PORTFOLIO], overdue


def judge_scoped(
    pool: PoolMembers,
    benchmarks: dict[str, float],
    limits: Thresholds,
    today: date,
    scope: Scope,
) -> Judged:
    """`judge_pool` of the members the scope covers."""

    def keep(row: MemberRow, tags: tuple[str, ...]) -> bool:
        return covers(scope, row[CATEGORY], row[OWNER], tags)

    return judge_pool(pool, benchmarks, limits, today, keep if scope.kind else None)


def digest_of(
    judged: Judged,
    report: PortfolioReport,
    reported: set[int],
    previous: str | None,
) -> Digest:
    """`compose` over `assess_scoped_summaries`, from the scope's judged members
    (`judge_scoped`), their report (`pool_report`) and the partners that reported for the
    latest complete week: a Partner is made only for what the digest's lists show when
    read; previous: the channel's stored snapshot."""
    late = sorted(  # as _overdue orders them; equal casefolded names by name
        (name.casefold(), name, pid) for pid, name in judged.names.items() if pid not in reported
    )
    book = judged.book
    overdue = NamedPartners(late, lambda key: book[key[2]])
    return compose_named(report, judged.names, overdue, Snapshot.load(previous))


def _hhi(found: Concentration | None) -> float | None:
    return None if found is None else found.hhi


def compose(
    report: PortfolioReport,
    members: Sequence[Partner],
    overdue: Sequence[Partner],
    previous: Snapshot | None,
) -> Digest:
    """The digest: the portfolio now, and what changed since the previous snapshot."""
    return compose_named(report, {p.id: p.name for p in members}, overdue, previous)


def compose_named(
    report: PortfolioReport,
    names: dict[int, str],
    overdue: Sequence[Partner],
    previous: Snapshot | None,
) -> Digest:
    """`compose` from the members' names by id."""
    statuses = dict.fromkeys(names, "ok")
    for pid, status in flagged_statuses(report.flagged):
        statuses[pid] = status.value
    hhi = {
        metric: value
        for metric, value in (("gmv", _hhi(report.gmv)), ("traffic", _hhi(report.traffic)))
        if value is not None
    }
    counts = {s.value: n for s, n in report.counts.items()}
    snapshot = Snapshot(statuses, names, hhi, counts)
    if previous is None:
        return Digest(report, overdue, None, snapshot=snapshot)
    before, now = previous.statuses, statuses

    def named(ids: list[int], where: dict[int, str]) -> list[str]:
        return sorted((where[i] for i in ids), key=str.casefold)

    newly_red = [i for i in now if now[i] == "red" and before.get(i, "red") != "red"]
    newly_amber = [i for i in now if now[i] == "amber" and before.get(i, "amber") != "amber"]
    recovered = [
        i for i in now if now[i] not in ("red", "amber") and before.get(i) in ("red", "amber")
    ]
    dropped = [i for i in before if i not in now]
    added = [i for i in now if i not in before]
    previous_counts = {s: previous.counts.get(s.value, 0) for s in HealthStatus}
    hhi_change = {m: v - previous.hhi[m] for m, v in hhi.items() if m in previous.hhi}
    changed = (
        before != now
        or any(abs(v) >= 0.5 for v in hhi_change.values())
        or set(hhi) != set(previous.hhi)
    )
    return Digest(
        report,
        overdue,
        previous_counts,
        named(newly_red, names),
        named(newly_amber, names),
        named(recovered, names),
        named(dropped, previous.names),
        named(added, names),
        hhi_change,
        changed,
        snapshot,
    )


def with_drills(
    digest: Digest,
    drills: list[DrillSummary],
    partners: list[Partner],
    scope: Scope,
    since: datetime,
    until: datetime,
) -> Digest:
    """The digest with the scope's drills opened and closed in (since, until]; a drill is
    news, so a quiet digest posts when one moved."""
    covered = {p.id for p in partners if in_scope(p, scope)}
    mine = [d for d in drills if d.partner_id in covered]
    opened = [d for d in mine if d.opened_in(since, until)]
    closed = [d for d in mine if d.closed_in(since, until)]
    return replace(
        digest,
        drills_opened=opened,
        drills_closed=closed,
        changed=digest.changed or bool(opened or closed),
    )
