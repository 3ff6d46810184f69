"""`/partner list`'s totals kept per workspace, filters and report version
(bot/registry/list_counts.py), on both engines: the same totals as counting every time, on
every set of filters and page; two replicas on one database, each with its own totals, each
right at once after the other's write; and the pool counted once a version, not once a page."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import product

from bot.access import Actor
from bot.registry.list_counts import ListCounts
from bot.registry.ports import ListFilters
from bot.registry.rules import Category, PartnerFields, Status
from bot.registry.service import (
    PAGE_SIZE,
    add_partner,
    archive_partner,
    change_partner,
    list_partners,
    restore_partner,
)
from bot.versioned import Known
from storage.store import PostgresStore, SQLiteStore
from storage.tx.registry_list import FILTERS, FIRST_PAGE_ROWS
from tests.storage.test_partner_list import VALUES, by_hand, fill
from tests.support.databases import execute, store_for, url_of

Store = SQLiteStore | PostgresStore
AT = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
TEAM = "T1"
ANNA = Actor("U0ANNA", is_admin=True)
KOL = ListFilters(category=Category.KOL)
VIP = ListFilters(tag="vip")


async def total(store: Store, counts: ListCounts, filters: ListFilters, offset: int = 0) -> int:
    return (await list_partners(store, TEAM, filters, offset, size=4, counts=counts)).total


async def test_kept_totals_are_those_counted_on_every_set_of_filters_and_page(
    store: Store,
) -> None:
    rows = await fill(store)
    counts = ListCounts()
    for mask in product((False, True), repeat=len(FILTERS)):
        given = {f: VALUES[f] for f, on in zip(FILTERS, mask, strict=True) if on}
        filters = ListFilters(**given)  # type: ignore[arg-type]
        expected = by_hand(rows, filters)
        listed: list[str] = []
        for offset in range(0, len(expected) + 8, 4):  # the first page counts, the rest keep
            page = await list_partners(store, TEAM, filters, offset, size=4, counts=counts)
            assert page.total == len(expected), (given, offset)
            listed += [p.name for p in page.items]
        assert listed == expected, given
    assert await total(store, counts, ListFilters()) == 26
    other = await list_partners(store, "T2", ListFilters(), 0, size=4, counts=counts)
    assert other.total == 1  # another workspace's total is its own


async def test_the_first_page_with_its_limit_written_in_is_the_page_of_every_filter_set(
    store: Store,
) -> None:
    assert PAGE_SIZE == FIRST_PAGE_ROWS  # the list's pages are the ones with their own text
    rows = await fill(store)
    counts = ListCounts()
    for mask in product((False, True), repeat=len(FILTERS)):
        given = {f: VALUES[f] for f, on in zip(FILTERS, mask, strict=True) if on}
        filters = ListFilters(**given)  # type: ignore[arg-type]
        expected = by_hand(rows, filters)
        for _ in range(2):  # counted; then the known version's first page (list_first_*)
            first = await list_partners(store, TEAM, filters, counts=counts)
            assert [p.name for p in first.items] == expected[:PAGE_SIZE], given
            assert first.total == len(expected), given
        rest = await list_partners(store, TEAM, filters, PAGE_SIZE, counts=counts)
        assert [p.name for p in rest.items] == expected[PAGE_SIZE:], given


async def test_a_write_through_one_replica_makes_the_others_totals_right_at_once(
    store: Store,
) -> None:
    rows = await fill(store)
    kols, vips = len(by_hand(rows, KOL)), len(by_hand(rows, VIP))
    other = store_for(url_of(store))
    await other.open(AT)
    try:
        theirs = ListCounts()
        assert await total(other, theirs, KOL) == kols
        assert await total(other, theirs, VIP) == vips
        assert await total(other, theirs, KOL, offset=4) == kols  # kept, and still right

        fields = PartnerFields(name="Zed", category=Category.KOL, tags=("vip",))
        await add_partner(store, AT, TEAM, ANNA, fields)  # replica one
        assert await total(other, theirs, KOL, offset=4) == kols + 1
        assert await total(other, theirs, VIP) == vips + 1

        await archive_partner(store, AT, TEAM, ANNA, "Zed")
        assert await total(other, theirs, KOL) == kols
        await restore_partner(store, AT, TEAM, ANNA, "Zed")
        assert await total(other, theirs, KOL) == kols + 1

        moved = PartnerFields(category=Category.MCN, tags=())
        await change_partner(store, AT, TEAM, ANNA, "Zed", moved)
        assert await total(other, theirs, KOL) == kols
        assert await total(other, theirs, VIP) == vips
        # Replica one's own totals, kept before and after its writes, agree.
        mine = ListCounts()
        assert await total(store, mine, KOL) == kols
        await add_partner(store, AT, TEAM, ANNA, PartnerFields(name="Yan", category=Category.KOL))
        assert await total(store, mine, KOL) == kols + 1 == await total(other, theirs, KOL)
    finally:
        await other.close()


async def test_the_pool_is_counted_once_a_version_not_once_a_page(store: Store) -> None:
    """A row written behind the store's back bumps no version, so the kept total is shown
    (the pool was not counted again) until a write through a store bumps it."""
    rows = await fill(store)
    kols = len(by_hand(rows, KOL))
    counts = ListCounts()
    assert await total(store, counts, KOL) == kols
    await execute(
        store,
        "INSERT INTO partners (team_id, name, name_key, category, tier, status, owner,"
        " created_at, updated_at) VALUES ('T1', 'Aaa', 'aaa', 'KOL', 'standard', 'active',"
        " 'U0ANNA', '2026-11-22T09:30:00.000000Z', '2026-11-22T09:30:00.000000Z')",
    )
    page = await list_partners(store, TEAM, KOL, 0, size=4, counts=counts)
    assert page.items[0].name == "Aaa" and page.total == kols  # the page is read, not counted
    assert await total(store, ListCounts(), KOL) == kols + 1  # counting finds it
    await add_partner(store, AT, TEAM, ANNA, PartnerFields(name="Bob", category=Category.MCN))
    assert await total(store, counts, KOL) == kols + 1  # the version moved: counted again


def test_a_total_of_an_older_version_never_replaces_a_newer_one() -> None:
    counts = ListCounts(bound=2)
    counts.keep((TEAM, KOL), 5, 40)
    counts.keep((TEAM, KOL), 4, 39)  # a slower read of an older snapshot
    assert counts.known((TEAM, KOL)) == Known(5, 40)
    counts.keep((TEAM, KOL), 6, 41)
    assert counts.known((TEAM, KOL)) == Known(6, 41)
    assert counts.known(("T2", KOL)) is None


def test_the_least_recently_used_total_is_dropped_past_the_bound() -> None:
    counts = ListCounts(bound=2)
    counts.keep((TEAM, KOL), 1, 10)
    counts.keep((TEAM, VIP), 1, 3)
    assert counts.known((TEAM, KOL)) is not None  # KOL used last: VIP goes first
    counts.keep((TEAM, ListFilters(status=Status.ACTIVE)), 1, 7)
    assert counts.known((TEAM, VIP)) is None and len(counts) == 2
    assert counts.known((TEAM, KOL)) == Known(1, 10)
