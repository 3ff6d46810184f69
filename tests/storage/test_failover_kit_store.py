"""What steps 1 to 3 keep, on both engines: the candidates ranked once into a snapshot that reads
back the same (with each partner's status as it is now), Engage raced by two stores (one
transition), a measure's one row whose second tick replaces its note, and the sendings."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.access import Actor
from bot.failover import kit
from bot.failover import service as failover
from bot.failover.candidates import AlreadyEngaged
from bot.failover.content import Language, Measure
from bot.failover.rules import Drill, EventKind, StepKey, StepState
from bot.health.rules import HealthStatus
from bot.metrics import parse_period
from bot.registry.rules import Category, PartnerFields, Status, Tier
from bot.registry.service import add_partner, change_partner, record_metrics
from bot.scoring import service as scoring
from storage.store import PostgresStore, SQLiteStore
from tests.support.databases import scalar, store_for, url_of
from tests.support.interleave import Gate, GatedStore, race

Store = SQLiteStore | PostgresStore
AT = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
LATER = AT + timedelta(minutes=5)
UTC_ZONE = ZoneInfo("UTC")
TEAM = "T1"
STARTER = Actor("U0STARTER")
OTHER = Actor("U0OTHER")
DIMENSIONS = ("brand", "users", "channel", "audience", "traffic", "tone")


@pytest.fixture
async def other(store: Store) -> AsyncIterator[Store]:
    second = store_for(url_of(store))
    await second.open(AT)
    yield second
    await second.close()


async def add(store: Store, name: str, category: Category = Category.KOL, **extra: object) -> None:
    fields = PartnerFields(
        name=name, category=category, tier=Tier.STANDARD, status=Status.ACTIVE, **extra
    )
    await add_partner(store, AT, TEAM, Actor(f"U0{name.upper()[:6]}"), fields)


async def rate(store: Store, name: str, value: float) -> None:
    owner = Actor(f"U0{name.upper()[:6]}")
    await scoring.rate(store, AT, TEAM, owner, dict.fromkeys(DIMENSIONS, value), None, name=name)


@pytest.fixture
async def pool(store: Store) -> None:
    """Acme (core KOL) with backups Zed then Mia; KOL peers Best (90), Good (75), Sour (95,
    but red); an MCN; Mia is archived later in a test."""
    for name in ("Zed", "Mia", "Best", "Good", "Sour"):
        await add(store, name)
    await add(store, "Net", Category.MCN)
    fields = PartnerFields(
        name="Acme", category=Category.KOL, tier=Tier.CORE, status=Status.ACTIVE,
        backups=("Zed", "Mia"),
    )  # fmt: skip
    await add_partner(store, AT, TEAM, STARTER, fields)
    for name, value in (("Best", 90), ("Good", 75), ("Sour", 95), ("Net", 99)):
        await rate(store, name, value)
    for week, sentiment in (("2026-W45", 80.0), ("2026-W46", 40.0)):
        owner = Actor("U0SOUR")
        await record_metrics(
            store, AT, TEAM, owner, "Sour", {"sentiment": sentiment}, parse_period(week)
        )


async def started(store: Store) -> Drill:
    d = (await failover.start_drill(store, AT, TEAM, STARTER, ("Acme",), "C1", Language.ZH)).drill
    ranked = await kit.rank_candidates(store, AT, UTC_ZONE, TEAM, d.id)
    assert ranked is not None
    return ranked


@pytest.mark.usefixtures("pool")
async def test_the_ranking_is_kept_once_and_reads_back_the_same(store: Store) -> None:
    d = await started(store)
    assert [c.name for c in d.candidates] == ["Zed", "Mia", "Best", "Good"]
    zed, _, best, good = d.candidates
    assert zed.registered and zed.score is None and zed.owner == "U0ZED"
    assert (best.score, best.health, best.registered) == (90.0, HealthStatus.GREY, False)
    assert good.score == 75.0
    assert d.ranked_at == AT and d.language is Language.ZH and d.version == 1
    assert await failover.drill(store, TEAM, d.id) == d

    # Ranked once: a second ranking (a retry, another replica) keeps the first.
    await add(store, "Newcomer")
    assert await kit.rank_candidates(store, LATER, UTC_ZONE, TEAM, d.id) is None
    again = await failover.drill(store, TEAM, d.id)
    assert again.candidates == d.candidates and again.language is Language.ZH
    assert await scalar(store, "SELECT COUNT(*) FROM failover_candidates") == 4
    assert [e.kind for e in await failover.timeline(store, TEAM, d.id)] == [EventKind.STARTED]

    # A candidate archived since shows as such; its snapshot entry stays.
    await change_partner(
        store, LATER, TEAM, Actor("U0MIA"), "Mia", PartnerFields(status=Status.ARCHIVED)
    )
    mia = (await failover.drill(store, TEAM, d.id)).candidates[1]
    assert (mia.name, mia.status) == ("Mia", Status.ARCHIVED)


@pytest.mark.usefixtures("pool")
async def test_engage_is_one_transition_and_a_retired_candidate_is_refused(store: Store) -> None:
    d = await started(store)
    best = d.candidates[2].partner_id
    after, event = await kit.engage_backup(store, LATER, TEAM, OTHER, d.id, best, None)
    assert after.backup is not None and (after.backup.name, after.backup.by) == ("Best", "U0OTHER")
    assert after.backup.at == LATER and after.version == 2
    assert after.step(StepKey.BACKUP).state is StepState.DONE
    assert event.kind is EventKind.ENGAGED and event.detail == "Best"
    await change_partner(
        store, LATER, TEAM, Actor("U0MIA"), "Mia", PartnerFields(status=Status.DROPPED)
    )
    mia = d.candidates[1].partner_id
    with pytest.raises(Exception, match="Mia was dropped since the candidates were ranked"):
        await kit.engage_backup(store, LATER, TEAM, OTHER, d.id, mia, best)
    assert (await failover.drill(store, TEAM, d.id)).version == 2


@pytest.mark.usefixtures("pool")
async def test_two_engage_clicks_at_once_make_one_transition(store: Store, other: Store) -> None:
    d = await started(store)
    zed = d.candidates[0].partner_id
    gate = Gate("failover_drill")  # stops after reading the drill at version 1

    def engage(on: object, actor: Actor) -> object:
        return lambda: kit.engage_backup(on, LATER, TEAM, actor, d.id, zed, None)  # type: ignore[arg-type]

    first, second = await race(
        engage(GatedStore(store, gate), STARTER),  # type: ignore[arg-type]
        gate,
        engage(other, OTHER),  # type: ignore[arg-type]
        other_finishes_first=isinstance(store, PostgresStore),
    )
    losers = [o for o in (first, second) if isinstance(o, AlreadyEngaged)]
    winners = [o for o in (first, second) if isinstance(o, tuple)]
    assert len(losers) == 1 and len(winners) == 1, (first, second)
    assert losers[0].backup.by == winners[0][1].actor
    assert await scalar(store, "SELECT MAX(version) FROM failover_drills") == 2
    assert await scalar(store, "SELECT COUNT(*) FROM failover_timeline WHERE kind = 'engaged'") == 1


@pytest.mark.usefixtures("pool")
async def test_a_measure_is_one_row_and_sendings_come_back_in_order(store: Store) -> None:
    d = await started(store)
    first, _ = await kit.tick_measure(
        store, AT, TEAM, STARTER, d.id, Measure.FEED_ADS, "50k & <b>", None
    )
    ticked = first.measures[0]
    assert (ticked.note, ticked.by, ticked.at) == ("50k & <b>", "U0STARTER", AT)
    second, _ = await kit.tick_measure(
        store, LATER, TEAM, OTHER, d.id, Measure.FEED_ADS, "80k", ticked.at
    )
    assert [(t.measure, t.note, t.by) for t in second.measures] == [
        (Measure.FEED_ADS, "80k", "U0OTHER")
    ]
    assert await scalar(store, "SELECT COUNT(*) FROM failover_measures") == 1
    await kit.record_sending(store, AT, TEAM, STARTER, d.id, "app push")
    last, event = await kit.record_sending(store, LATER, TEAM, OTHER, d.id, "微信公众号")
    assert [(s.where, s.by, s.at) for s in last.sendings] == [
        ("app push", "U0STARTER", AT),
        ("微信公众号", "U0OTHER", LATER),
    ]
    assert event.kind is EventKind.SENT and last.version == 5
    kinds = [e.kind for e in await failover.timeline(store, TEAM, d.id)]
    assert kinds.count(EventKind.MEASURED) == 2 and kinds.count(EventKind.SENT) == 2


@pytest.mark.usefixtures("pool")
async def test_the_open_drills_come_whole_from_one_statement(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`/failover status` reads every open drill with its steps, candidates, measures and
    sendings in one statement (one snapshot: a drill closed meanwhile cannot show half), and
    each reads back as the drill read alone does."""
    from tests.support.databases import reads_traced

    d = await started(store)
    await kit.tick_measure(store, AT, TEAM, OTHER, d.id, Measure.OTHER, "radio", None)
    await kit.tick_measure(store, LATER, TEAM, STARTER, d.id, Measure.FEED_ADS, "50k & <b>", None)
    for where in ("app push", "微信公众号", "email"):
        await kit.record_sending(store, LATER, TEAM, OTHER, d.id, where)
    await failover.complete_step(store, LATER, TEAM, STARTER, d.id, StepKey.BACKUP)
    bare = (await failover.start_drill(store, AT, TEAM, OTHER, ("Net",), "C2")).drill
    closed = (await failover.start_drill(store, AT, TEAM, OTHER, ("Good",), "C3")).drill
    for step in StepKey:
        await failover.complete_step(store, LATER, TEAM, OTHER, closed.id, step)
    async with reads_traced(store, monkeypatch) as statements:
        listed = await failover.open_drills(store, TEAM)
    assert len(statements) == 1, statements
    assert listed == [
        await failover.drill(store, TEAM, d.id),
        await failover.drill(store, TEAM, bare.id),
    ]
    whole = listed[0]
    assert [t.measure for t in whole.measures] == [Measure.FEED_ADS, Measure.OTHER]
    assert [s.where for s in whole.sendings] == ["app push", "微信公众号", "email"]
    assert len(whole.candidates) >= 2 and whole.steps[0].state is StepState.DONE
    assert listed[1].candidates == () and listed[1].measures == () and listed[1].sendings == ()
    assert await failover.open_drills(store, "T2") == []
