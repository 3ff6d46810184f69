"""A digest as `compose_digest` makes it (the members' rows, Partners made only when read)
against the full computation from every metric of the window, with and without a previous
snapshot, for every kind of scope, on a generated pool, both engines."""

from dataclasses import replace
from datetime import timedelta

import pytest

from bot.digest.command import Scope
from bot.digest.content import Digest, Snapshot, assess_scoped, compose
from bot.digest.service import compose_digest, save_snapshot
from bot.health.lazy import Lazy
from bot.health.portfolio import names_of
from bot.health.rules import lookback_start, thresholds_from
from bot.health.service import HEALTH
from storage.store import PostgresStore, SQLiteStore
from tests.bot.health.pools import TEAM, generate_pool
from tests.bot.health.test_summary_path import AT, UTC_ZONE
from tests.support.databases import execute

Store = SQLiteStore | PostgresStore
CHANNEL = "C0DIGEST"
SCOPES = [
    Scope(),
    Scope("category", "KOL"),
    Scope("owner", "U0OWNER"),
    Scope("owner", "U0NOBODY"),
    Scope("tag", "beauty"),
]


async def _full(store: Store, scope: Scope, previous: str | None) -> Digest:
    """The digest as main composed it: every point of the window, every Partner."""
    today = AT.date()
    async with store.read() as tx:
        limits = thresholds_from(await tx.settings(TEAM, HEALTH))
        benchmarks = await tx.benchmarks(TEAM)
        partners = await tx.all_partners(TEAM)
        points = await tx.health_points(TEAM, lookback_start(today, limits))
    report, members, overdue = assess_scoped(partners, points, benchmarks, limits, today, scope)
    return compose(report, members, overdue, Snapshot.load(previous))


async def _tagged(store: Store) -> None:
    """Tags on some partners (`Beauty` matches scope tag:beauty), two on some."""
    await execute(
        store,
        "INSERT INTO partner_tags (team_id, partner_id, tag, position) "
        "SELECT team_id, id, 'Beauty', 0 FROM partners WHERE id % 3 = 0",
    )
    await execute(
        store,
        "INSERT INTO partner_tags (team_id, partner_id, tag, position) "
        "SELECT team_id, id, 'travel', 1 FROM partners WHERE id % 2 = 0",
    )


@pytest.mark.parametrize("scope", SCOPES, ids=lambda s: s.text or "all")
async def test_a_digest_from_the_members_rows_is_the_full_computation(
    store: Store, scope: Scope
) -> None:
    await generate_pool(store, AT, 3, 120, {})
    await _tagged(store)
    full = await _full(store, scope, None)
    fast = await compose_digest(store, AT, UTC_ZONE, TEAM, CHANNEL, scope)
    assert isinstance(fast.report.flagged, Lazy) and isinstance(fast.overdue, Lazy)
    if scope.value != "U0NOBODY":
        assert full.report.flagged and full.report.unbacked and full.overdue, (
            "the test proves little"
        )
    assert fast.snapshot == full.snapshot  # every member's status and name
    assert [r.partner.name for r in fast.top_alerts] == [r.partner.name for r in full.top_alerts]
    assert fast.top_alerts == full.top_alerts  # the reports shown, with their rules
    assert list(fast.report.unbacked) == list(full.report.unbacked)
    assert list(fast.overdue) == list(full.overdue)
    assert names_of(fast.report.unbacked) == tuple(p.name for p in full.report.unbacked)
    assert names_of(fast.overdue) == tuple(p.name for p in full.overdue)
    assert fast == full


@pytest.mark.parametrize("scope", [SCOPES[0], SCOPES[-1]], ids=lambda s: s.text or "all")
async def test_what_changed_since_the_previous_digest_is_the_full_computation(
    store: Store, scope: Scope
) -> None:
    """A previous snapshot with statuses flipped, a partner more and one less: newly red,
    newly amber, recovered, dropped and added all come out as the full computation says."""
    await generate_pool(store, AT, 4, 160, {})
    await _tagged(store)
    first = await _full(store, scope, None)
    statuses = dict(first.snapshot.statuses)
    flips = {"red": "ok", "amber": "red", "ok": "amber"}
    for pid in list(statuses)[::3]:
        statuses[pid] = flips[statuses[pid]]
    gone = next(iter(statuses))
    del statuses[gone]
    names = {**first.snapshot.names, 999_999: "Long Gone"}
    statuses[999_999] = "red"
    before = replace(first.snapshot, statuses=statuses, names=names)
    await save_snapshot(
        store, AT - timedelta(days=7), TEAM, CHANNEL, replace(first, snapshot=before)
    )
    full = await _full(store, scope, before.dump())
    fast = await compose_digest(store, AT, UTC_ZONE, TEAM, CHANNEL, scope)
    assert full.newly_red and full.newly_amber and full.recovered
    assert full.dropped and full.added
    assert fast == full


async def test_a_digest_near_a_band_edge_takes_the_exact_concentration(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When an HHI sits within 1e-9 of a band's edge the window is read again and the shares
    made from every recorded value (forced here): the same digest, every list as before."""
    await generate_pool(store, AT, 5, 120, {})
    await _tagged(store)
    scope = Scope("tag", "beauty")
    full = await _full(store, scope, None)
    asked: list[object] = []

    def near(share: object, limits: object) -> bool:
        asked.append(share)
        return True

    monkeypatch.setattr("bot.digest.service.near_band_edge", near)
    fast = await compose_digest(store, AT, UTC_ZONE, TEAM, CHANNEL, scope)
    assert asked, "the edge was asked about"
    assert full.report.gmv is not None and fast == full
