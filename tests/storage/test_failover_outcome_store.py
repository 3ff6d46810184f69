"""A drill's outcome on both engines: the GMV impact stored and read back (from metrics and
entered), the close's drop of the partner audited, and reopen (one versioned write,
refused by the partial unique index while another drill of the partner is open, also when
the other opens in the middle of the reopen)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.access import Actor
from bot.errors import RuleError, StaleEdit
from bot.failover import impact, outcome
from bot.failover import service as failover
from bot.failover.rules import Drill, DrillStatus, EventKind, GmvSource, StepKey, StepState
from bot.failover.summary import PartnerOutcome
from bot.metrics import parse_period
from bot.registry.rules import Category, PartnerFields, Status, Tier
from bot.registry.service import add_partner, partner_history, record_metrics
from storage.store import PostgresStore, SQLiteStore
from tests.support.databases import scalar, store_for, url_of
from tests.support.drills import set_backup
from tests.support.interleave import Gate, GatedStore, race

Store = SQLiteStore | PostgresStore
AT = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # Wednesday of 2026-W48
LATER = AT + timedelta(hours=20)
ZONE = ZoneInfo("UTC")
TEAM = "T1"
STARTER = Actor("U0STARTER")
OTHER = Actor("U0OTHER")


@pytest.fixture
async def other(store: Store) -> AsyncIterator[Store]:
    second = store_for(url_of(store))
    await second.open(AT)
    yield second
    await second.close()


@pytest.fixture(autouse=True)
async def partners(store: Store) -> None:
    for name in ("Acme", "Beta"):
        fields = PartnerFields(
            name=name, category=Category.KOL, tier=Tier.CORE, status=Status.ACTIVE
        )
        await add_partner(store, AT - timedelta(days=60), TEAM, STARTER, fields)


async def start(store: Store) -> Drill:
    return (await failover.start_drill(store, AT, TEAM, STARTER, ("Acme", "left"), "C1")).drill


async def close(store: Store, drill: Drill) -> Drill:
    for key in (StepKey.BACKUP, StepKey.TAKEOVER, StepKey.COMMS, StepKey.VERIFY):
        await failover.complete_step(store, LATER, TEAM, STARTER, drill.id, key)
    closed, _ = await failover.complete_step(store, LATER, TEAM, STARTER, drill.id, StepKey.CLOSE)
    return closed


async def gmv(store: Store, name: str, period: str, value: float) -> None:
    await record_metrics(
        store, AT - timedelta(days=30), TEAM, STARTER, name, {"gmv": value}, parse_period(period)
    )


async def test_the_impact_from_metrics_is_stored_and_read_back(store: Store) -> None:
    drill = await start(store)
    with pytest.raises(RuleError, match="No backup is engaged yet"):
        await outcome.compute_gmv(store, LATER, ZONE, TEAM, OTHER, drill.id)
    await gmv(store, "Acme", "2026-W46", 120_000.5)
    await gmv(store, "Acme", "2026-W47", 80_000)
    await gmv(store, "Beta", "2026-W47", 10_000)
    beta = await set_backup(store, TEAM, drill.id, drill.partner_id + 1, OTHER.user_id, LATER)
    assert beta.backup is not None and beta.backup.name == "Beta"
    with pytest.raises(RuleError, match=r"Beta has no weekly GMV since the start \(2026-W48\)"):
        await outcome.compute_gmv(store, LATER, ZONE, TEAM, OTHER, drill.id)
    assert (await failover.drill(store, TEAM, drill.id)).gmv is None

    await gmv(store, "Beta", "2026-W48", 101_000)
    after, event = await outcome.compute_gmv(store, LATER, ZONE, TEAM, OTHER, drill.id)

    stored = (await failover.drill(store, TEAM, drill.id)).gmv
    assert stored == after.gmv and stored is not None
    assert (stored.source, stored.before, stored.after) == (GmvSource.METRICS, 100_000.25, 91_000)
    assert stored.change == pytest.approx(91_000 / 100_000.25 - 1)
    assert stored.note == "weekly GMV, 2026-W44 to 2026-W47 before, 2026-W48 since"
    assert after.version == 3 and after.backup == beta.backup  # the backup is kept
    [*_, last] = await failover.timeline(store, TEAM, drill.id)
    assert (last.kind, last.step, last.detail) == (EventKind.GMV, StepKey.VERIFY, event.detail)
    assert last.detail == f"{impact.format_change(stored.change)} (from metrics)"


class BackupChangedFirst:
    """A store whose first write lets another backup be engaged just before it, as a click
    of Engage landing between Compute's reads and its transition would."""

    def __init__(self, store: Store, change: Any) -> None:
        self._store, self._change = store, change

    def read(self, *, snapshot: bool = True) -> Any:
        return self._store.read(snapshot=snapshot)

    @contextlib.asynccontextmanager
    async def write(self) -> AsyncIterator[Any]:
        if self._change is not None:
            change, self._change = self._change, None
            await change()
        async with self._store.write() as tx:
            yield tx


async def test_compute_refuses_when_the_backup_changed_since_its_reads(store: Store) -> None:
    drill = await start(store)
    fields = PartnerFields(name="Gamma", category=Category.KOL, status=Status.ACTIVE)
    await add_partner(store, AT, TEAM, STARTER, fields)
    for name, period, value in (("Acme", "2026-W47", 1.0), ("Beta", "2026-W47", 1.0)):
        await gmv(store, name, period, value)
    await gmv(store, "Beta", "2026-W48", 2.0)
    await set_backup(store, TEAM, drill.id, drill.partner_id + 1, OTHER.user_id, LATER)

    def engage_gamma() -> Any:
        return set_backup(store, TEAM, drill.id, drill.partner_id + 2, OTHER.user_id, LATER)

    racing = BackupChangedFirst(store, engage_gamma)
    with pytest.raises(StaleEdit, match="The backup changed meanwhile"):
        await outcome.compute_gmv(racing, LATER, ZONE, TEAM, OTHER, drill.id)  # type: ignore[arg-type]
    after = await failover.drill(store, TEAM, drill.id)
    assert after.gmv is None and after.backup is not None and after.backup.name == "Gamma"


async def test_an_entered_impact_replaces_only_the_one_the_form_was_opened_over(
    store: Store,
) -> None:
    drill = await start(store)
    first = impact.parse_entered("-6.5", "BI <export>")
    after, _ = await outcome.enter_gmv(store, LATER, TEAM, OTHER, drill.id, first, None)
    assert after.gmv == first and after.gmv.note == "BI <export>"
    second = impact.parse_entered("-9", "")
    with pytest.raises(StaleEdit, match=r"recorded as -6\.5% since this form was opened"):
        await outcome.enter_gmv(store, LATER, TEAM, OTHER, drill.id, second, None)
    replaced, _ = await outcome.enter_gmv(store, LATER, TEAM, OTHER, drill.id, second, -0.065)
    assert replaced.gmv == second and replaced.gmv.note is None
    closed = await close(store, drill)
    with pytest.raises(RuleError, match="closed"):
        await outcome.enter_gmv(store, LATER, TEAM, OTHER, drill.id, first, -0.09)
    assert (await failover.drill(store, TEAM, drill.id)).version == closed.version


async def test_the_close_drops_the_partner_audited_as_the_closer(store: Store) -> None:
    closed = await close(store, await start(store))
    summary = await outcome.close_outcome(store, LATER, ZONE, STARTER, closed)
    assert summary.partner is PartnerOutcome.DROPPED
    async with store.read() as tx:
        acme = await tx.partner_by_id(TEAM, closed.partner_id, full=False)
    assert acme is not None and acme.status is Status.DROPPED and acme.drop_reason == "left"
    _, page = await partner_history(store, TEAM, "Acme")
    rows = [(e.actor, e.action, e.field, e.before, e.after) for e in page.items]
    assert ("U0STARTER", "failover", "status", "active", "dropped") in rows
    again = await outcome.close_outcome(store, LATER, ZONE, STARTER, closed)
    assert again.partner is PartnerOutcome.ALREADY
    assert summary.dependency is not None and summary.dependency.unbacked == ("Beta",)


async def test_a_closer_who_may_not_change_the_partner_leaves_its_status(store: Store) -> None:
    closed = await close(store, await start(store))
    summary = await outcome.close_outcome(store, LATER, ZONE, OTHER, closed)
    assert (summary.partner, summary.owner) == (PartnerOutcome.FORBIDDEN, STARTER.user_id)
    async with store.read() as tx:
        acme = await tx.partner_by_id(TEAM, closed.partner_id, full=False)
    assert acme is not None and acme.status is Status.ACTIVE


async def test_reopen_is_one_versioned_write_and_refused_while_another_drill_is_open(
    store: Store,
) -> None:
    drill = await start(store)
    closed = await close(store, drill)
    reopened, event = await outcome.reopen_drill(
        store, LATER, TEAM, STARTER, drill.id, closed.version
    )
    assert (reopened.status, reopened.closed_at, reopened.version) == (
        DrillStatus.OPEN,
        None,
        closed.version + 1,
    )
    assert reopened.step(StepKey.CLOSE).state is StepState.TODO
    assert reopened.step(StepKey.VERIFY).state is StepState.DONE
    assert event.kind is EventKind.REOPENED
    with pytest.raises(RuleError, match="open already"):
        await outcome.reopen_drill(store, LATER, TEAM, STARTER, drill.id, closed.version)

    closed_again = await close_only(store, drill)
    second = await failover.start_drill(store, LATER, TEAM, OTHER, ("Acme",), "C1")
    assert second.created
    with pytest.raises(outcome.OtherDrillOpen) as refused:
        await outcome.reopen_drill(store, LATER, TEAM, STARTER, drill.id, closed_again.version)
    assert refused.value.other is not None and refused.value.other.id == second.drill.id
    after = await failover.drill(store, TEAM, drill.id)
    assert (after.status, after.version) == (DrillStatus.CLOSED, closed_again.version)
    with pytest.raises(StaleEdit, match="earlier close"):
        await outcome.reopen_drill(store, LATER, TEAM, STARTER, drill.id, closed.version)


async def close_only(store: Store, drill: Drill) -> Drill:
    closed, _ = await failover.complete_step(store, LATER, TEAM, STARTER, drill.id, StepKey.CLOSE)
    return closed


async def test_a_reopen_and_a_new_start_at_once_leave_one_open_drill(
    store: Store, other: Store
) -> None:
    drill = await start(store)
    closed = await close(store, drill)
    gate = Gate("failover_drill")  # the reopen stops after reading the closed drill

    first, second = await race(
        lambda: outcome.reopen_drill(
            GatedStore(store, gate), LATER, TEAM, STARTER, drill.id, closed.version
        ),
        gate,
        lambda: failover.start_drill(other, LATER, TEAM, OTHER, ("Acme",), "C2"),
        other_finishes_first=isinstance(store, PostgresStore),
    )
    if isinstance(store, PostgresStore):  # the start committed first: the index refuses
        assert isinstance(first, outcome.OtherDrillOpen), first
        assert second.created
    else:  # SQLite's write lock: the reopen went first, the start found it open
        assert isinstance(first, tuple) and first[0].status is DrillStatus.OPEN
        assert not second.created and second.drill.id == drill.id
    sql = "SELECT COUNT(*) FROM failover_drills WHERE status = 'open'"
    assert await scalar(store, sql) == 1
