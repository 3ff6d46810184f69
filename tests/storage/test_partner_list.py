"""`/partner list`'s page and total, on both engines, for every set of filters (one fixed SQL
text each, storage/tx/registry_list.py): the same partners in the same order as filtering the
whole registry by hand, the total on every page, past the end too, and archived partners only
when asked for by status; migration 0016's indexes serve the common lists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import product
from pathlib import Path

import pytest

from bot.access import Actor
from bot.registry.ports import ListFilters
from bot.registry.rules import Category, PartnerFields, Status, Tier
from bot.registry.service import add_partner, archive_partner, list_partners
from storage.store import PostgresStore, SQLiteStore
from storage.tx.registry_list import FILTERS, _texts, given_filters
from tests.support.databases import opened_store

Store = SQLiteStore | PostgresStore
AT = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
TEAM = "T1"
CATEGORIES = (Category.KOL, Category.KOC, Category.MCN)
TIERS = (Tier.CORE, Tier.STANDARD)
STATUSES = (Status.ACTIVE, Status.PAUSED, Status.PROSPECT, Status.DROPPED)
OWNERS = ("U0ANNA", "U0BEN")


@dataclass(frozen=True)
class Row:
    name: str
    category: Category
    tier: Tier
    status: Status
    owner: str
    tags: tuple[str, ...]


def pool() -> list[Row]:
    """Thirty partners whose fields cycle at different rates, so every set of filters
    picks a different subset; every seventh is archived."""
    rows = []
    for i in range(30):
        tags = ("vip",) * (i % 3 == 0) + ("new",) * (i % 5 == 0)
        status = Status.ARCHIVED if i % 7 == 3 else STATUSES[i % 4]
        owner = OWNERS[i % 2]
        rows.append(Row(f"P{i:02d}", CATEGORIES[i % 3], TIERS[i % 2], status, owner, tags))
    return rows


@pytest.fixture
async def registry(store: Store) -> list[Row]:
    return await fill(store)


async def fill(store: Store) -> list[Row]:
    rows = pool()
    for r in rows:
        fields = PartnerFields(
            name=r.name, category=r.category, tier=r.tier, owner=r.owner, tags=r.tags,
            status=Status.ACTIVE if r.status is Status.ARCHIVED else r.status,
        )  # fmt: skip
        await add_partner(store, AT, TEAM, Actor(r.owner), fields)
        if r.status is Status.ARCHIVED:
            await archive_partner(store, AT, TEAM, Actor(r.owner), r.name)
    await add_partner(store, AT, "T2", Actor("U0ANNA"), PartnerFields(name="P00"))
    return rows


def by_hand(rows: list[Row], f: ListFilters) -> list[str]:
    return [
        r.name
        for r in rows
        if (f.category is None or r.category is f.category)
        and (f.tier is None or r.tier is f.tier)
        and (r.status is f.status if f.status else r.status is not Status.ARCHIVED)
        and (f.owner is None or r.owner == f.owner)
        and (f.tag is None or f.tag in r.tags)
    ]


VALUES = {
    "category": Category.KOL,
    "tier": Tier.CORE,
    "status": Status.ACTIVE,
    "owner": "U0ANNA",
    "tag": "vip",
}


@pytest.mark.parametrize("status", [Status.ACTIVE, Status.ARCHIVED])
async def test_every_set_of_filters_lists_what_filtering_by_hand_finds(
    store: Store, registry: list[Row], status: Status
) -> None:
    seen_sizes = set()
    for mask in product((False, True), repeat=len(FILTERS)):
        given = {f: VALUES[f] for f, on in zip(FILTERS, mask, strict=True) if on}
        if "status" in given:
            given["status"] = status
        filters = ListFilters(**given)  # type: ignore[arg-type]
        expected = by_hand(registry, filters)
        listed: list[str] = []
        for offset in range(0, len(expected) + 8, 4):  # pages of 4, and one past the end
            page = await list_partners(store, TEAM, filters, offset, size=4)
            assert page.total == len(expected), (given, offset)
            listed += [p.name for p in page.items]
        assert listed == expected, given
        seen_sizes.add(len(expected))
    assert len(seen_sizes) > 5  # the filters really pick different subsets


async def test_archived_partners_show_only_when_asked_for(
    store: Store, registry: list[Row]
) -> None:
    everyone = await list_partners(store, TEAM, ListFilters(), 0, size=50)
    archived = await list_partners(store, TEAM, ListFilters(status=Status.ARCHIVED), 0, size=50)
    assert {p.name for p in archived.items} == {"P03", "P10", "P17", "P24"}
    assert everyone.total == 26 and not {p.name for p in everyone.items} & {"P03", "P10"}
    assert (await list_partners(store, "T2", ListFilters(), 0)).total == 1
    assert (await list_partners(store, "T9", ListFilters(), 0)).total == 0


def test_a_query_names_only_the_filters_given_and_binds_every_value() -> None:
    texts = _texts()
    assert "CAST(" not in texts and texts.count("-- name: list_page_") == 32
    kol = texts.split("-- name: list_page_category\n", 1)[1].split(";", 1)[0]
    assert ":category" in kol and ":tier" not in kol and "status <> 'archived'" in kol
    assert given_filters({"tier": "core", "tag": None, "owner": "U1"}) == ("tier", "owner")


async def test_the_kol_list_reads_its_page_and_total_from_the_index(tmp_path: Path) -> None:
    """On SQLite, whose plan does not depend on the table's size: both from the partial index,
    in its order (no sort)."""
    sql = _texts().split("-- name: list_page_category\n", 1)[1].split(";", 1)[0]
    async with opened_store("sqlite", tmp_path, AT) as store:
        assert isinstance(store, SQLiteStore)
        await fill(store)
        async with store.read() as tx:
            plan = await tx._conn.execute_fetchall(
                "EXPLAIN QUERY PLAN " + sql,
                {"team_id": TEAM, "category": "KOL", "limit": 20, "offset": 0},
            )
    details = [str(row[-1]) for row in plan]
    assert sum("partners_listed_category" in d for d in details) == 2, details
    assert not any("TEMP B-TREE" in d for d in details), details
