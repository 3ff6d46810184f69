"""Failover drills on both engines: a start, the transitions with their timeline, one open
drill per partner under two concurrent starts, and two Done clicks at once (one wins), raced
by two stores on one database (tests/support/interleave.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.access import Actor
from bot.errors import RuleError
from bot.failover import service as failover
from bot.failover.rules import DrillStatus, EventKind, StepAlreadyHandled, StepKey, StepState
from bot.registry.rules import Category, PartnerFields, Status, Tier
from bot.registry.service import add_partner
from storage.store import PostgresStore, SQLiteStore
from tests.support.databases import scalar, store_for, url_of
from tests.support.interleave import Gate, GatedStore, race

Store = SQLiteStore | PostgresStore
AT = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
LATER = AT + timedelta(minutes=5)
TEAM = "T1"
STARTER = Actor("U0STARTER")
OTHER = Actor("U0OTHER")
ADMIN = Actor("U0ADMIN", is_admin=True)


@pytest.fixture
async def other(store: Store) -> AsyncIterator[Store]:
    """A second store on the same database, as another process would open it."""
    second = store_for(url_of(store))
    await second.open(AT)
    yield second
    await second.close()


@pytest.fixture(autouse=True)
async def acme(store: Store) -> None:
    fields = PartnerFields(name="Acme", category=Category.KOL, tier=Tier.CORE, status=Status.ACTIVE)
    await add_partner(store, AT, TEAM, STARTER, fields)


def on_postgres(store: Store) -> bool:
    return isinstance(store, PostgresStore)


async def test_a_start_stores_the_drill_its_steps_and_a_timeline_row(store: Store) -> None:
    started = await failover.start_drill(store, AT, TEAM, STARTER, ("acme", "walked", "out"), "C1")
    d = started.drill
    assert started.created and d.partner_name == "Acme" and d.reason == "walked out"
    assert (d.status, d.version, d.channel_id, d.starter) == (
        DrillStatus.OPEN,
        1,
        "C1",
        STARTER.user_id,
    )
    assert d.step(StepKey.TAKEOVER).deadline == AT + timedelta(hours=2)
    assert [e.kind for e in await failover.timeline(store, TEAM, d.id)] == [EventKind.STARTED]

    again = await failover.start_drill(store, LATER, TEAM, OTHER, ("Acme",), "C2")
    assert not again.created and again.drill.id == d.id and again.drill.channel_id == "C1"
    assert await scalar(store, "SELECT COUNT(*) FROM failover_drills") == 1


async def test_transitions_bump_the_version_and_each_writes_one_timeline_row(
    store: Store,
) -> None:
    d = (await failover.start_drill(store, AT, TEAM, STARTER, ("Acme",), "C1")).drill
    await failover.attach_messages(store, TEAM, d.id, "1.1", "1.2")
    after, _ = await failover.complete_step(store, LATER, TEAM, OTHER, d.id, StepKey.BACKUP)
    assert after.version == 2 and after.step(StepKey.BACKUP).by == OTHER.user_id
    assert (after.root_ts, after.checklist_ts) == ("1.1", "1.2")
    after, _ = await failover.skip_step(
        store, LATER, TEAM, OTHER, d.id, StepKey.TAKEOVER, "ads were running"
    )
    after, _ = await failover.assign_step(store, LATER, TEAM, OTHER, d.id, StepKey.COMMS, "U0THIRD")
    assert after.version == 4 and after.step(StepKey.COMMS).owner == "U0THIRD"
    assert after.step(StepKey.TAKEOVER).reason == "ads were running"
    with pytest.raises(StepAlreadyHandled):
        await failover.complete_step(store, LATER, TEAM, STARTER, d.id, StepKey.BACKUP)
    events = await failover.timeline(store, TEAM, d.id)
    assert [(e.kind, e.step) for e in events] == [
        (EventKind.STARTED, None),
        (EventKind.DONE, StepKey.BACKUP),
        (EventKind.SKIPPED, StepKey.TAKEOVER),
        (EventKind.ASSIGNED, StepKey.COMMS),
    ]
    assert (await failover.drill(store, TEAM, d.id)).version == 4


async def test_closing_frees_the_partner_for_a_new_drill(store: Store) -> None:
    d = (await failover.start_drill(store, AT, TEAM, STARTER, ("Acme",), "C1")).drill
    for key in (StepKey.BACKUP, StepKey.TAKEOVER, StepKey.COMMS, StepKey.VERIFY):
        await failover.complete_step(store, LATER, TEAM, STARTER, d.id, key)
    closed, _ = await failover.complete_step(store, LATER, TEAM, STARTER, d.id, StepKey.CLOSE)
    assert closed.status is DrillStatus.CLOSED and closed.closed_at == LATER
    assert await failover.open_drills(store, TEAM) == []
    second = await failover.start_drill(store, LATER, TEAM, OTHER, ("Acme", "again"), "C1")
    assert second.created and second.drill.id != d.id
    name, drills = await failover.history(store, TEAM, "acme")
    assert name == "Acme" and [x.id for x in drills] == [second.drill.id, d.id]


async def test_a_drill_of_another_workspace_is_not_found(store: Store) -> None:
    d = (await failover.start_drill(store, AT, TEAM, STARTER, ("Acme",), "C1")).drill
    with pytest.raises(RuleError, match="no longer exists"):
        await failover.complete_step(store, LATER, "T2", STARTER, d.id, StepKey.BACKUP)
    assert (await failover.drill(store, TEAM, d.id)).version == 1


async def test_two_concurrent_starts_open_one_drill(store: Store, other: Store) -> None:
    gate = Gate("open_failover_drill")  # stops after finding no open drill

    first, second = await race(
        lambda: failover.start_drill(GatedStore(store, gate), AT, TEAM, STARTER, ("Acme",), "C1"),
        gate,
        lambda: failover.start_drill(other, AT, TEAM, OTHER, ("Acme",), "C2"),
        other_finishes_first=on_postgres(store),
    )
    assert sorted([first.created, second.created]) == [False, True], (first, second)
    assert first.drill.id == second.drill.id
    assert await scalar(store, "SELECT COUNT(*) FROM failover_drills") == 1
    assert await scalar(store, "SELECT COUNT(*) FROM failover_steps") == 5
    assert await scalar(store, "SELECT COUNT(*) FROM failover_timeline") == 1


async def test_two_done_at_once_make_one_transition(store: Store, other: Store) -> None:
    d = (await failover.start_drill(store, AT, TEAM, STARTER, ("Acme",), "C1")).drill
    gate = Gate("failover_drill")  # stops after reading the drill at version 1

    def done(on: Any, actor: Actor) -> Any:
        return lambda: failover.complete_step(on, LATER, TEAM, actor, d.id, StepKey.BACKUP)

    first, second = await race(
        done(GatedStore(store, gate), STARTER),
        gate,
        done(other, OTHER),
        other_finishes_first=on_postgres(store),
    )
    outcomes = [first, second]
    losers = [o for o in outcomes if isinstance(o, StepAlreadyHandled)]
    winners = [o for o in outcomes if isinstance(o, tuple)]
    assert len(losers) == 1 and len(winners) == 1, outcomes
    winner_drill, event = winners[0]
    assert losers[0].step.by == event.actor == winner_drill.step(StepKey.BACKUP).by
    assert winner_drill.version == 2
    assert winner_drill.step(StepKey.BACKUP).state is StepState.DONE
    assert await scalar(store, "SELECT COUNT(*) FROM failover_timeline") == 2
    assert await scalar(store, "SELECT MAX(version) FROM failover_drills") == 2


async def test_sla_is_read_over_the_defaults_and_set_by_admins_only(store: Store) -> None:
    assert await failover.sla(store, TEAM) == {
        "backup": 30,
        "takeover": 120,
        "comms": 240,
        "verify": 1440,
    }
    with pytest.raises(RuleError, match="Only a partnerbot admin"):
        await failover.set_sla(store, AT, TEAM, STARTER, {"backup": 15})
    in_force, changes = await failover.set_sla(store, AT, TEAM, ADMIN, {"backup": 15})
    assert in_force["backup"] == 15 and [(c.field, c.before, c.after) for c in changes] == [
        ("backup", "30m", "15m")
    ]
    async with store.read() as tx:
        audit = await tx.settings_history(TEAM, 5)
    assert [(a.field, a.before, a.after) for a in audit] == [("failover backup", "30m", "15m")]
    d = (await failover.start_drill(store, LATER, TEAM, STARTER, ("Acme",), "C1")).drill
    assert d.step(StepKey.BACKUP).deadline == LATER + timedelta(minutes=15)
