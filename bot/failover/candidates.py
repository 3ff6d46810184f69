"""Step 1 of the kit: who could take over from a dropping partner, ranked (its registered
backups first, in their order, then healthy partners of its category by fit score), and
engaging one of them. Pure: the pool, its scores and health come in as plain values."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import replace
from datetime import date, datetime

from bot.errors import RuleError
from bot.failover import rules
from bot.failover.content import Candidate
from bot.failover.rules import (
    Backup,
    Drill,
    Event,
    EventKind,
    GmvSource,
    StepKey,
    StepState,
    check_open,
)
from bot.health.rules import HealthStatus, MetricPoint, Thresholds, assess
from bot.health.summary import from_json, status_of_states, summary_states
from bot.health.summary_columns import StateRow
from bot.registry.rules import RETIRED, Partner, Status, name_key

CANDIDATES_KEPT = 5  # the snapshot, and the checklist, hold the best five


class AlreadyEngaged(RuleError):
    """The candidate is the drill's backup already (by someone, at some time)."""

    def __init__(self, backup: Backup) -> None:
        self.backup = backup
        super().__init__(f"{backup.name} is engaged as the backup already.")


class EngagedSince(RuleError):
    """Another backup was engaged after the checklist clicked was drawn."""

    def __init__(self, backup: Backup) -> None:
        self.backup = backup
        super().__init__(f"{backup.name} was engaged since this checklist was drawn.")


def candidate_health(
    members: list[Partner],
    pool: list[Partner],
    points: list[MetricPoint],
    benchmarks: Mapping[str, float],
    limits: Thresholds,
) -> dict[int, HealthStatus]:
    """The health status of each of members by the health rules themselves (assess), from
    one window of the pool's metrics; a backup that left the pool is no backup."""
    wanted = {p.id for p in members}
    by_partner: dict[int, list[MetricPoint]] = defaultdict(list)
    for point in points:
        if point.partner_id in wanted:
            by_partner[point.partner_id].append(point)
    retired = frozenset(p.name for p in pool if p.status in RETIRED)
    return {
        p.id: assess(
            p, by_partner[p.id], benchmarks.get(p.category.value), limits, 0, retired
        ).status
        for p in members
    }


def candidate_health_from_summaries(
    members: list[Partner],
    pool: list[Partner],
    summaries: Mapping[int, str],
    benchmarks: Mapping[str, float],
    limits: Thresholds,
    since: date,
) -> dict[int, HealthStatus]:
    """`candidate_health` from the members' health summaries (window from since)."""
    retired = frozenset(p.name for p in pool if p.status in RETIRED)
    return {
        p.id: status_of_states(
            summary_states(
                p,
                from_json(summaries.get(p.id, "{}")),
                benchmarks.get(p.category.value),
                limits,
                since,
                retired,
            )
        )
        for p in members
    }


def candidate_health_from_states(
    members: list[Partner],
    pool: list[Partner],
    states: Mapping[int, StateRow],
    outside: Mapping[int, str],
    benchmarks: Mapping[str, float],
    limits: Thresholds,
    since: date,
) -> dict[int, HealthStatus]:
    """`candidate_health` from the statuses SQL decided (`pool_states`); a member it left
    undecided, or outside the portfolio (outside: their summaries), from its summary."""
    retired = frozenset(p.name for p in pool if p.status in RETIRED)
    health = {}
    for p in members:
        row = states.get(p.id)
        if row is not None and row[4] is not None:
            health[p.id] = HealthStatus(row[4])
            continue
        stored = (row[5] if row is not None else outside.get(p.id)) or "{}"
        benchmark = benchmarks.get(p.category.value)
        found = summary_states(p, from_json(stored), benchmark, limits, since, retired)
        health[p.id] = status_of_states(found)
    return health


def could_take_over(dropping: Partner, pool: list[Partner]) -> list[Partner]:
    """The partners rank_candidates looks at: dropping's backups and its category's active
    partners (whose health is worth computing)."""
    backups = {name_key(n) for n in dropping.backups}
    return [
        p
        for p in pool
        if p.id != dropping.id
        and (
            name_key(p.name) in backups
            or (p.category == dropping.category and p.status == Status.ACTIVE)
        )
    ]


def rank_candidates(
    dropping: Partner,
    pool: list[Partner],
    order: Mapping[int, int],
    scores: Mapping[int, float | None],
    health: Mapping[int, HealthStatus],
    limit: int = CANDIDATES_KEPT,
) -> list[Candidate]:
    """The partners that could take over from dropping, best first: its registered backups
    in their registered order (leaving out those dropped or archived), then active partners
    of its category that are not red, in the fit-score ranking's order (order: a partner's
    place in scoring's ranking), the unscored last by name. Never dropping itself."""
    by_name = {name_key(p.name): p for p in pool}
    chosen: list[tuple[Partner, bool]] = []
    seen = {dropping.id}
    for name in dropping.backups:
        backup = by_name.get(name_key(name))
        if backup is None or backup.id in seen or backup.status in RETIRED:
            continue
        chosen.append((backup, True))
        seen.add(backup.id)
    peers = [
        p
        for p in pool
        if p.id not in seen
        and p.category == dropping.category
        and p.status == Status.ACTIVE
        and health.get(p.id, HealthStatus.GREY) != HealthStatus.RED
    ]
    unranked = len(order)
    peers.sort(key=lambda p: (order.get(p.id, unranked), name_key(p.name), p.id))
    chosen.extend((p, False) for p in peers)
    return [
        Candidate(
            partner_id=p.id,
            name=p.name,
            score=scores.get(p.id),
            health=health.get(p.id, HealthStatus.GREY),
            owner=p.owner,
            registered=registered,
            status=p.status,
        )
        for p, registered in chosen[:limit]
    ]


def engage(
    drill: Drill,
    partner: Partner,
    seen: int | None,
    actor: str,
    at: datetime,
) -> tuple[Drill, Event]:
    """Engage one of the drill's candidates as its backup (partner as read now; seen: the
    backup shown on the checklist clicked). Backup list is done if it was still to do;
    a later engagement of another candidate replaces the backup."""
    check_open(drill)
    if not any(c.partner_id == partner.id for c in drill.candidates):
        raise RuleError(
            f"{partner.name} is not among this drill's backup candidates; nothing was changed."
        )
    current = drill.backup
    if current is not None and current.partner_id == partner.id:
        raise AlreadyEngaged(current)
    if current is not None and current.partner_id != seen:
        raise EngagedSince(current)
    if partner.status in RETIRED:
        why = f" ({partner.drop_reason})" if partner.drop_reason else ""
        raise RuleError(
            f"{partner.name} was {partner.status.value}{why} since the candidates were ranked, "
            "so it cannot take over; engage another candidate."
        )
    after = replace(drill, backup=Backup(partner.id, partner.name, actor, at))
    if drill.gmv is not None and drill.gmv.source is GmvSource.METRICS:
        # That impact compared the previous backup's GMV; an entered one is a person's figure.
        after = replace(after, gmv=None)
    if drill.step(StepKey.BACKUP).state is StepState.TODO:
        after, _ = rules.complete(after, StepKey.BACKUP, actor, at)
    return after, Event(EventKind.ENGAGED, actor, at, StepKey.BACKUP, partner.name)
