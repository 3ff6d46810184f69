"""The failover due job's storage on both engines: the due query across workspaces (open
drills' posted steps still to do, deadline come), the claims it returns, two stores
claiming one reminder (one wins), a deferred claim retaken once, and the drawn version."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot import claims
from bot.access import Actor
from bot.failover import due
from bot.failover import service as failover
from bot.failover.reminders import CLAIM_KINDS, Claimed, Nudge, Plan, claim_key, slot_of
from bot.failover.rules import StepKey
from bot.registry.rules import Category, PartnerFields, Status, Tier
from bot.registry.service import add_partner
from storage.store import PostgresStore, SQLiteStore
from tests.support.databases import store_for, url_of

Store = SQLiteStore | PostgresStore
AT = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
T = AT + timedelta(minutes=30)  # the backup list's deadline
STARTER = Actor("U0STARTER")


@pytest.fixture
async def other(store: Store) -> AsyncIterator[Store]:
    """A second store on the same database, as another replica would open it."""
    second = store_for(url_of(store))
    await second.open(AT)
    yield second
    await second.close()


async def drill_in(store: Store, team: str, name: str = "Acme", posted: bool = True) -> int:
    fields = PartnerFields(name=name, category=Category.KOL, tier=Tier.CORE, status=Status.ACTIVE)
    await add_partner(store, AT, team, STARTER, fields)
    d = (await failover.start_drill(store, AT, team, STARTER, (name,), "C1")).drill
    if posted:
        await failover.attach_messages(store, team, d.id, "1.1", "1.2")
    return d.id


async def due_keys(store: Store, now: datetime) -> list[tuple[str, int, StepKey]]:
    async with store.read() as tx:
        found = await tx.due_failover_steps(now, now - timedelta(days=60))
    return [(d.team_id, d.drill_id, d.step.key) for d in found]


async def test_the_due_query_finds_posted_open_steps_still_to_do_past_their_deadline(
    store: Store,
) -> None:
    one = await drill_in(store, "T1")
    two = await drill_in(store, "T2")
    await drill_in(store, "T2", "Hidden", posted=False)  # its root never posted
    assert await due_keys(store, T - timedelta(seconds=1)) == []
    assert await due_keys(store, T) == [("T1", one, StepKey.BACKUP), ("T2", two, StepKey.BACKUP)]

    await failover.complete_step(store, T, "T1", STARTER, one, StepKey.BACKUP)
    at = AT + timedelta(hours=2)
    assert await due_keys(store, at) == [
        ("T2", two, StepKey.BACKUP),
        ("T1", one, StepKey.TAKEOVER),
        ("T2", two, StepKey.TAKEOVER),
    ]
    # Steps whose deadline is older than the look-back are left out (the index's range).
    async with store.read() as tx:
        assert [d.step.key for d in await tx.due_failover_steps(at, T)] == [StepKey.TAKEOVER] * 2


async def test_a_closed_drill_is_not_due(store: Store) -> None:
    d = await drill_in(store, "T1")
    for key in StepKey:
        await failover.complete_step(store, AT, "T1", STARTER, d, key)
    assert await due_keys(store, AT + timedelta(days=3)) == []


async def test_the_due_query_returns_the_claims_of_the_steps_deadline_only(store: Store) -> None:
    d = await drill_in(store, "T1")
    key = claim_key(d, StepKey.BACKUP)
    await claims.claim(store, T, "T1", CLAIM_KINDS[Nudge.REMINDER], key, slot_of(T))
    await claims.finish(store, T, "T1", CLAIM_KINDS[Nudge.REMINDER], key, slot_of(T))
    await claims.claim(store, T, "T1", CLAIM_KINDS[Nudge.ESCALATION], key, "2001-01-01")
    async with store.read() as tx:
        [item] = [x for x in await tx.due_failover_steps(T, AT) if x.step.key is StepKey.BACKUP]
    assert item.claims == {Nudge.REMINDER: Claimed(T, done=True, taken=T)}
    assert item.step.owner == STARTER.user_id and item.started_at == AT


async def test_two_stores_claiming_one_reminder_at_once_one_wins(
    store: Store, other: Store
) -> None:
    await drill_in(store, "T1")
    mine = await due.nudge_plans(store, T)
    theirs = await due.nudge_plans(other, T)
    assert (
        [p for _, p in mine] == [p for _, p in theirs] == [Plan(Nudge.REMINDER, (Nudge.REMINDER,))]
    )

    held = await asyncio.gather(
        due.take_nudges(store, T, *mine[0]), due.take_nudges(other, T, *theirs[0])
    )
    assert sorted(len(h) for h in held) == [0, 1]
    # Claimed (in flight): no pass plans it again, on either store.
    assert await due.nudge_plans(store, T + timedelta(minutes=1)) == []
    assert await due.nudge_plans(other, T + timedelta(minutes=1)) == []


async def test_a_deferred_claim_is_retaken_by_one_store_then_finished(
    store: Store, other: Store
) -> None:
    await drill_in(store, "T1")
    [(item, plan)] = await due.nudge_plans(store, T)
    held = await due.take_nudges(store, T, item, plan)
    await due.settle_nudges(store, T, item, held, "ratelimited", retry=True)

    [(again, retry)] = await due.nudge_plans(other, T + timedelta(minutes=1))
    assert retry == Plan(Nudge.REMINDER, (Nudge.REMINDER,), retry=True)
    assert again.claims[Nudge.REMINDER] == Claimed(T, error="ratelimited", taken=T)
    held = await asyncio.gather(
        due.take_nudges(store, T, again, retry), due.take_nudges(other, T, again, retry)
    )
    assert sorted(len(h) for h in held) == [0, 1]
    await due.settle_nudges(store, T, again, [Nudge.REMINDER])
    assert await due.nudge_plans(store, T + timedelta(minutes=2)) == []


async def test_the_drawn_version_only_moves_forward_and_unrendered_drills_are_listed(
    store: Store,
) -> None:
    d = await drill_in(store, "T1")
    [pending] = await due.unrendered(store)
    assert (pending.drill_id, pending.version, pending.claim) == (d, 1, None)
    await due.mark_rendered(store, "T1", d, 1)
    assert await due.unrendered(store) == []
    await failover.complete_step(store, T, "T1", STARTER, d, StepKey.BACKUP)
    await failover.complete_step(store, T, "T1", STARTER, d, StepKey.TAKEOVER)
    await due.mark_rendered(store, "T1", d, 3)
    await due.mark_rendered(store, "T1", d, 2)  # a slower draw of an older version
    assert (await failover.drill(store, "T1", d)).rendered_version == 3

    await failover.complete_step(store, T, "T1", STARTER, d, StepKey.COMMS)
    [pending] = await due.unrendered(store)
    assert await due.take_redraw(store, T, pending)
    assert [p.claim for p in await due.unrendered(store)] == [Claimed(T, taken=T)]
    await due.settle_redraw(store, T, pending, "channel_not_found")
    assert await due.unrendered(store) == []  # given up for this version


async def test_a_reminder_whose_sender_died_is_sent_by_one_store_after_the_lease(
    store: Store, other: Store
) -> None:
    await drill_in(store, "T1")
    [(item, plan)] = await due.nudge_plans(store, T)
    assert await due.take_nudges(store, T, item, plan) == [Nudge.REMINDER]  # then it dies
    assert await due.nudge_plans(other, T + claims.LEASE) == []
    after = T + claims.LEASE + timedelta(seconds=1)
    [(again, retry)] = await due.nudge_plans(other, after)
    assert retry == Plan(Nudge.REMINDER, (Nudge.REMINDER,), retry=True)
    held = await asyncio.gather(
        due.take_nudges(store, after, again, retry), due.take_nudges(other, after, again, retry)
    )
    assert sorted(len(h) for h in held) == [0, 1]
    assert await due.nudge_plans(store, after + claims.LEASE) == []  # a new lease
