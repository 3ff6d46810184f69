"""PostgreSQL's queries run on the connection the store took from its pool, with no test of
each statement's connection for a pool (aiosql's `dir()` of it); a query handed the pool
itself still acquires a connection, as aiosql does."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiosql.adapters.asyncpg
import pytest

from bot.access import Actor
from bot.registry.list_counts import ListCounts
from bot.registry.ports import ListFilters
from bot.registry.rules import Category, PartnerFields, Status, name_key
from bot.registry.service import add_partner, change_partner, list_partners
from storage.postgres import PostgresStore
from storage.tx.base import queries
from tests.support.databases import opened_store

pytestmark = pytest.mark.postgres

AT = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
TEAM = "T1"
OWNER = Actor("U0OWNER", is_admin=True)


@pytest.fixture
async def pg(tmp_path: Path) -> AsyncIterator[PostgresStore]:
    async with opened_store("postgresql", tmp_path, AT) as store:
        assert isinstance(store, PostgresStore)
        yield store


async def test_every_kind_of_statement_runs_on_the_taken_connection(
    pg: PostgresStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    acquired: list[Any] = []
    original = aiosql.adapters.asyncpg.MaybeAcquire.__aenter__

    async def noted(self: Any) -> Any:
        acquired.append(self.client)
        return await original(self)

    monkeypatch.setattr(aiosql.adapters.asyncpg.MaybeAcquire, "__aenter__", noted)
    fields = PartnerFields(name="Acme", category=Category.KOL, status=Status.ACTIVE, owner="U1")
    await add_partner(pg, AT, TEAM, OWNER, fields)  # insert returning, inserts, the bump
    await change_partner(pg, AT, TEAM, OWNER, "Acme", PartnerFields(tags=("live", "asia")))
    async with pg.read() as tx:
        partner = await tx.partner_by_key(TEAM, name_key("acme"))  # one row
        names = await tx.partner_names(TEAM)  # rows
        version = await tx.report_version(TEAM)  # a value
    counts = ListCounts()
    for _ in range(2):  # counted, then at the kept total's version: the list's own queries
        page = await list_partners(pg, TEAM, ListFilters(category=Category.KOL), counts=counts)
        assert ([p.name for p in page.items], page.total) == (["Acme"], 1)
    assert partner is not None and partner.tags == ("live", "asia")
    assert names == ["Acme"] and version == 2
    assert acquired == []
    # Handed the pool, a query takes a connection of its own, as aiosql's adapter does.
    pool = pg._open_pool()
    assert await queries("asyncpg").report_version(pool, team_id=TEAM) == 2
    assert acquired == [pool]


async def test_rows_come_in_one_fetch_with_the_parameters_in_the_statements_order(
    pg: PostgresStore,
) -> None:
    fields = PartnerFields(name="Acme", category=Category.KOL, status=Status.ACTIVE, owner="U1")
    await add_partner(pg, AT, TEAM, OWNER, fields)
    for tags in (("live",), ("live", "asia"), ("asia",)):
        await change_partner(pg, AT, TEAM, OWNER, "Acme", PartnerFields(tags=tags))
    async with pg.read(snapshot=False) as tx:
        conn = tx._conn  # type: ignore[attr-defined]
        partner = await tx.partner_by_key(TEAM, name_key("acme"))
        assert partner is not None
        q = queries("asyncpg")
        # Named out of the statement's order ($1 team_id, $2 partner_id, $3 limit, $4 offset).
        params = {"offset": 1, "limit": 2, "partner_id": partner.id, "team_id": TEAM}
        generated = [tuple(r) async for r in q.history(conn, **params)]
        fetched = await q.driver_adapter.fetch_rows(conn, "history", q.history.sql, dict(params))
        pool = pg._open_pool()
        pooled = await q.driver_adapter.fetch_rows(pool, "history", q.history.sql, dict(params))
        through_tx = await tx._rows_of(q.history, **params)  # type: ignore[attr-defined]
        everything = await tx._rows_of(q.history, **params | {"offset": 0, "limit": 9})  # type: ignore[attr-defined]
    assert len(everything) >= 4 and len(generated) == 2
    assert [tuple(r) for r in everything[1:3]] == generated
    assert [tuple(r) for r in fetched] == [tuple(r) for r in pooled] == generated
    assert [tuple(r) for r in through_tx] == generated
