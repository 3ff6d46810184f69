"""The use cases of the kit's first three steps: rank the backup candidates when a drill
starts (kept as a snapshot), engage one, tick off the stop-gap measures, record where the
users' message went. Each is one versioned transition (service._transition)."""

from __future__ import annotations

import asyncio
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.access import Actor
from bot.errors import RuleError
from bot.failover import candidates as ranking_rules
from bot.failover import steps
from bot.failover.content import Candidate, Measure
from bot.failover.rules import Drill, DrillStatus, Event
from bot.failover.service import _transition
from bot.health.rules import lookback_start
from bot.health.service import HealthSettings, health_settings
from bot.health.summary_columns import StateRow
from bot.ports import Store, Tx
from bot.registry.rules import Partner
from bot.scoring.rules import Ranked
from bot.scoring.service import ranking


async def rank_candidates(
    store: Store,
    at: datetime,
    zone: ZoneInfo,
    team_id: str,
    drill_id: int,
    *,
    again: bool = False,
) -> Drill | None:
    """Rank the drill's backup candidates and keep them with the drill: the drill's starting
    state, completed once (None when it was ranked already or is gone); again, only while
    its list is empty and it is open (once backups are registered). The pool is read in a
    few queries and weighed in worker threads, off the event loop."""
    async with store.read() as tx:
        found = await tx.failover_drill(team_id, drill_id)
        if found is None:
            return None
        if found.ranked_at is not None and (
            not again or found.candidates or found.status is not DrillStatus.OPEN
        ):
            return None
        partners = await tx.all_partners(team_id)
    chosen = await choose_candidates(store, at, zone, team_id, found.partner_id, partners)
    async with store.write() as tx:
        if not await tx.write_failover_ranking(team_id, drill_id, at, chosen, again=again):
            return None
        return await tx.failover_drill(team_id, drill_id)


async def choose_candidates(
    store: Store,
    at: datetime,
    zone: ZoneInfo,
    team_id: str,
    partner_id: int,
    partners: list[Partner],
) -> list[Candidate]:
    """The best candidates to take over from partner_id: the fit ranking, the pool's health
    statuses as SQL decides them (`pool_states`), weighed in a worker thread."""
    scored = await ranking(store, team_id)
    settings = await health_settings(store, team_id)
    since = lookback_start(at.astimezone(zone).date(), settings.thresholds)
    async with store.read() as tx:
        states = await tx.pool_states(team_id, settings.thresholds, since)
        dropping = next(p for p in partners if p.id == partner_id)
        outside = {}  # candidates outside the portfolio (registered backups): few
        for p in ranking_rules.could_take_over(dropping, partners):
            if p.id not in states:
                outside[p.id] = await tx.summary_inputs(team_id, p.id) or "{}"
    return await asyncio.to_thread(
        _rank, partner_id, partners, (states, outside), scored, settings, since
    )


async def unranked(store: Store, before: datetime, limit: int) -> list[tuple[str, int]]:
    """Open drills, started by before, whose ranking never ran: (team, drill id)."""
    async with store.read() as tx:
        return await tx.unranked_failover_drills(before, limit)


def _rank(
    partner_id: int,
    pool: list[Partner],
    health_of: tuple[dict[int, StateRow], dict[int, str]],
    scored: list[Ranked],
    settings: HealthSettings,
    since: date,
) -> list[Candidate]:
    dropping = next(p for p in pool if p.id == partner_id)
    members = ranking_rules.could_take_over(dropping, pool)
    states, outside = health_of
    health = ranking_rules.candidate_health_from_states(
        members, pool, states, outside, settings.benchmarks, settings.thresholds, since
    )
    order = {r.partner_id: i for i, r in enumerate(scored)}
    scores = {r.partner_id: r.score.composite for r in scored}
    return ranking_rules.rank_candidates(dropping, members, order, scores, health)


async def engage_backup(
    store: Store,
    at: datetime,
    team_id: str,
    actor: Actor,
    drill_id: int,
    partner_id: int,
    seen: int | None,
) -> tuple[Drill, Event]:
    """Engage a ranked candidate as the drill's backup (seen: the backup the clicked
    checklist showed). AlreadyEngaged and EngagedSince say who engaged whom, when."""
    async with store.read() as tx:
        partner = await tx.partner_by_id(team_id, partner_id, full=False)
    if partner is None:
        raise RuleError("That partner no longer exists; nothing was changed.")
    return await _transition(
        store,
        team_id,
        drill_id,
        lambda d: ranking_rules.engage(d, partner, seen, actor.user_id, at),
    )


async def tick_measure(
    store: Store,
    at: datetime,
    team_id: str,
    actor: Actor,
    drill_id: int,
    measure: Measure,
    note: str,
    seen: datetime | None,
) -> tuple[Drill, Event]:
    """Tick a stop-gap measure off with its note, or replace its note (seen: when it was
    ticked as the form showed it; MeasureChanged when it changed since)."""

    async def keep(tx: Tx, after: Drill) -> None:
        tick = steps.tick(after, measure)
        assert tick is not None
        await tx.write_failover_measure(team_id, drill_id, tick)

    return await _transition(
        store,
        team_id,
        drill_id,
        lambda d: steps.tick_measure(d, measure, note, seen, actor.user_id, at),
        keep,
    )


async def record_sending(
    store: Store, at: datetime, team_id: str, actor: Actor, drill_id: int, where: str
) -> tuple[Drill, Event]:
    """Record that the users' message was sent, where and by whom (a timeline row)."""
    return await _transition(
        store, team_id, drill_id, lambda d: steps.record_sending(d, where, actor.user_id, at)
    )
