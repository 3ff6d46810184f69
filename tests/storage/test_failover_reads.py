"""Drills read from outside their thread, on both engines: a partner's record (count and the
latest drill, in one statement), the drills opened or closed in a time range, and the open
steps a person owns; a drill started by partner id, and the starts it refuses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.access import Actor
from bot.errors import RuleError
from bot.failover import service as failover
from bot.failover.rules import MAX_REASON, DrillStatus, StepKey
from bot.registry.rules import Category, PartnerFields, Status, Tier
from bot.registry.service import add_partner, archive_partner, drop_partner
from storage.store import PostgresStore, SQLiteStore

Store = SQLiteStore | PostgresStore
AT = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
TEAM = "T1"
STARTER = Actor("U0STARTER")
OTHER = Actor("U0OTHER")


@pytest.fixture(autouse=True)
async def partners(store: Store) -> None:
    for name in ("Acme", "Beta"):
        fields = PartnerFields(
            name=name, category=Category.KOL, tier=Tier.CORE, status=Status.ACTIVE
        )
        await add_partner(store, AT, TEAM, STARTER, fields)
    await add_partner(store, AT, "T2", STARTER, PartnerFields(name="Acme"))


async def close(store: Store, drill_id: int, at: datetime) -> None:
    for step in StepKey:
        await failover.complete_step(store, at, TEAM, STARTER, drill_id, step)


async def test_a_partners_record_counts_its_drills_and_gives_the_latest(store: Store) -> None:
    async with store.read() as tx:
        assert (await tx.partner_failover_record(TEAM, 1)).count == 0
    first = (await failover.start_drill(store, AT, TEAM, STARTER, ("acme",), "C1")).drill
    await close(store, first.id, AT + timedelta(hours=1))
    later = AT + timedelta(days=1)
    second = (await failover.start_drill(store, later, TEAM, OTHER, ("acme",), "C2")).drill
    await failover.start_drill(store, later, TEAM, OTHER, ("beta",), "C2")

    async with store.read() as tx:
        record = await tx.partner_failover_record(TEAM, 1)
        elsewhere = await tx.partner_failover_record("T2", 3)
    assert record.count == 2 and record.latest is not None
    latest = record.latest
    assert (latest.id, latest.channel_id, latest.starter) == (second.id, "C2", OTHER.user_id)
    assert (latest.status, latest.started_at, latest.partner_name) == (
        DrillStatus.OPEN,
        later,
        "Acme",
    )
    assert latest.backup is None and latest.gmv is None
    assert elsewhere.count == 0 and elsewhere.latest is None  # another workspace's Acme


async def test_drills_between_are_those_opened_or_closed_in_the_range(store: Store) -> None:
    early = (await failover.start_drill(store, AT, TEAM, STARTER, ("acme",), "C1")).drill
    mid = AT + timedelta(hours=2)
    await close(store, early.id, mid)
    late = AT + timedelta(hours=5)
    await failover.start_drill(store, late, TEAM, STARTER, ("beta",), "C1")

    async with store.read() as tx:
        first = await tx.failover_drills_between(TEAM, AT - timedelta(seconds=1), AT)
        middle = await tx.failover_drills_between(TEAM, AT, mid)
        after = await tx.failover_drills_between(TEAM, mid, late)
        none = await tx.failover_drills_between(TEAM, late, late + timedelta(hours=1))
        other_team = await tx.failover_drills_between("T2", AT - timedelta(days=1), late)
    assert [d.partner_name for d in first] == ["Acme"] and first[0].opened_in(
        AT - timedelta(seconds=1), AT
    )
    assert [(d.partner_name, d.closed_at) for d in middle] == [("Acme", mid)]
    assert not middle[0].opened_in(AT, mid) and middle[0].closed_in(AT, mid)
    assert [d.partner_name for d in after] == ["Beta"]
    assert none == [] and other_team == []


async def test_owned_steps_are_the_open_ones_still_to_do_soonest_first(store: Store) -> None:
    drill = (await failover.start_drill(store, AT, TEAM, STARTER, ("acme",), "C1")).drill
    await failover.complete_step(store, AT, TEAM, STARTER, drill.id, StepKey.BACKUP)
    await failover.assign_step(store, AT, TEAM, STARTER, drill.id, StepKey.COMMS, OTHER.user_id)
    done = (await failover.start_drill(store, AT, TEAM, OTHER, ("beta",), "C1")).drill
    await close(store, done.id, AT)

    async with store.read() as tx:
        mine = await tx.owned_failover_steps(TEAM, STARTER.user_id, 5)
        theirs = await tx.owned_failover_steps(TEAM, OTHER.user_id, 5)
        nobody = await tx.owned_failover_steps(TEAM, "UNOBODY", 5)
    keys = [s.step.key for s in mine.steps]
    assert keys == [StepKey.TAKEOVER, StepKey.VERIFY, StepKey.CLOSE] and mine.drills == 1
    assert mine.steps[0].step.deadline == AT + timedelta(hours=2)
    assert {s.drill.partner_name for s in mine.steps} == {"Acme"}
    assert [s.step.key for s in theirs.steps] == [StepKey.COMMS]  # Beta's drill is closed
    assert (nobody.steps, nobody.drills) == ([], 0)


async def test_owned_steps_are_every_step_of_the_first_drills_with_all_drills_counted(
    store: Store,
) -> None:
    """Seven drills of five steps each, their deadlines interleaved: the first three drills
    (by their soonest step) come whole, however late their last steps fall, and all seven
    are counted (a cap on steps read used to cut drills short and undercount the rest)."""
    started = []
    for i in range(7):
        partner = f"partner-{i}"
        await add_partner(store, AT, TEAM, STARTER, PartnerFields(name=partner))
        at = AT + timedelta(minutes=i)
        started.append(
            (await failover.start_drill(store, at, TEAM, STARTER, (partner,), "C1")).drill
        )
    async with store.read() as tx:
        first = await tx.owned_failover_steps(TEAM, STARTER.user_id, 3)
    assert first.drills == 7
    by_drill: dict[int, list[StepKey]] = {}
    for owned in first.steps:
        by_drill.setdefault(owned.drill.id, []).append(owned.step.key)
    assert list(by_drill) == [d.id for d in started[:3]]
    assert all(keys == list(StepKey) for keys in by_drill.values())


async def test_a_start_by_id_carries_the_drop_reason_and_refuses_archived(store: Store) -> None:
    long_reason = "walked out " * 100
    await drop_partner(store, AT, TEAM, STARTER, ("acme",), long_reason)
    started = await failover.start_drill_for(store, AT, TEAM, OTHER, 1, "C9")
    assert started.created and started.drill.channel_id == "C9"
    assert started.drill.reason.startswith("walked out") and len(started.drill.reason) == MAX_REASON
    again = await failover.start_drill_for(store, AT, TEAM, STARTER, 1, "C1")
    assert not again.created and again.drill.id == started.drill.id

    await archive_partner(store, AT, TEAM, STARTER, "Beta")
    with pytest.raises(RuleError, match="archived, so no drill was started"):
        await failover.start_drill_for(store, AT, TEAM, STARTER, 2, "C1")
    with pytest.raises(RuleError, match="archived"):
        await failover.start_drill(store, AT, TEAM, STARTER, ("beta",), "C1")
    with pytest.raises(RuleError, match="no longer exists"):
        await failover.start_drill_for(store, AT, TEAM, STARTER, 3, "C1")  # T2's partner
    assert len(await failover.open_drills(store, TEAM)) == 1


async def test_the_open_drills_read_their_steps_in_one_statement_however_many(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.support.databases import reads_traced

    acme = (await failover.start_drill(store, AT, TEAM, STARTER, ("acme",), "C1")).drill
    beta = (await failover.start_drill(store, AT, TEAM, OTHER, ("beta",), "C1")).drill
    await failover.complete_step(store, AT, TEAM, STARTER, acme.id, StepKey.BACKUP)
    async with reads_traced(store, monkeypatch) as statements:
        listed = await failover.open_drills(store, TEAM)
    assert [d.id for d in listed] == [acme.id, beta.id]
    assert [d.steps for d in listed] == [
        (await failover.drill(store, TEAM, acme.id)).steps,
        (await failover.drill(store, TEAM, beta.id)).steps,
    ]
    assert listed[0].steps != listed[1].steps  # acme's first step is done
    assert len([s for s in statements if "failover_steps" in s]) == 1, statements
