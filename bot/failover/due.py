"""The failover due job's use cases over the store: which nudges a pass sends and the claims
that make each go out once across replicas; which drills wait to be drawn again in Slack,
and the version drawn."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot import claims
from bot.failover.reminders import (
    CLAIM_KINDS,
    REDRAW_KIND,
    STALE_AFTER,
    Claimed,
    DueStep,
    Nudge,
    Plan,
    Unrendered,
    claim_key,
    plans,
    slot_of,
)
from bot.failover.rules import MAX_SLA_MINUTES
from bot.ports import Store

# No nudge of a step whose deadline is older than this can still be due (see STALE_AFTER).
_LOOKBACK = STALE_AFTER + timedelta(minutes=MAX_SLA_MINUTES)


async def nudge_plans(store: Store, now: datetime) -> list[tuple[DueStep, Plan]]:
    """Every workspace's overdue steps with what this pass sends for them."""
    async with store.read() as tx:
        due = await tx.due_failover_steps(now, now - _LOOKBACK)
    return plans(due, now)


async def _take(
    store: Store, now: datetime, team_id: str, kind: str, key: str, slot: str, seen: Claimed | None
) -> bool:
    """Claim a slot never claimed, or retake one deferred or abandoned; True for this
    process only."""
    if seen is None:
        return await claims.claim(store, now, team_id, kind, key, slot)
    return await claims.retake(store, now, team_id, kind, key, slot)


async def take_nudges(store: Store, now: datetime, item: DueStep, plan: Plan) -> list[Nudge]:
    """The claims this process now holds for plan (its send first), or none when another
    process holds the send: then that process sends, and accounts for the rest."""
    key, slot = claim_key(item.drill_id, item.step.key), slot_of(item.step.deadline)
    held: list[Nudge] = []
    for nudge in plan.covers:
        kind = CLAIM_KINDS[nudge]
        taken = await _take(store, now, item.team_id, kind, key, slot, item.claims.get(nudge))
        if nudge is plan.send and not taken:
            return []
        if taken:
            held.append(nudge)
    return held


async def settle_nudges(
    store: Store,
    now: datetime,
    item: DueStep,
    held: list[Nudge],
    error: str | None = None,
    *,
    retry: bool = False,
) -> None:
    """Record how the send went on every claim it held: done (with error when given up),
    or deferred with error for a later pass."""
    key, slot = claim_key(item.drill_id, item.step.key), slot_of(item.step.deadline)
    for nudge in held:
        kind = CLAIM_KINDS[nudge]
        if retry and error is not None:
            await claims.defer(store, item.team_id, kind, key, slot, error)
        else:
            await claims.finish(store, now, item.team_id, kind, key, slot, error)


async def unrendered(store: Store) -> list[Unrendered]:
    """Every workspace's drills whose stored version is ahead of the one drawn."""
    async with store.read() as tx:
        return await tx.unrendered_failover_drills()


async def take_redraw(store: Store, now: datetime, pending: Unrendered) -> bool:
    """Claim drawing pending's version again: True for one process."""
    key, slot = str(pending.drill_id), str(pending.version)
    return await _take(store, now, pending.team_id, REDRAW_KIND, key, slot, pending.claim)


async def settle_redraw(
    store: Store, now: datetime, pending: Unrendered, error: str | None, *, retry: bool = False
) -> None:
    """Record how drawing pending's version went (see settle_nudges)."""
    key, slot = str(pending.drill_id), str(pending.version)
    if retry and error is not None:
        await claims.defer(store, pending.team_id, REDRAW_KIND, key, slot, error)
    else:
        await claims.finish(store, now, pending.team_id, REDRAW_KIND, key, slot, error)


async def mark_rendered(store: Store, team_id: str, drill_id: int, version: int) -> None:
    """Record that version is drawn in Slack (the record only moves forward)."""
    async with store.write() as tx:
        await tx.mark_failover_rendered(team_id, drill_id, version)
