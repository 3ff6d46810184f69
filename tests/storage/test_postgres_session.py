"""What every PostgreSQL session of the store is set to, whatever the server's defaults."""

from __future__ import annotations

import gc
from datetime import UTC, date, datetime
from pathlib import Path

from bot.access import Actor
from bot.health.rules import Thresholds
from bot.registry.rules import Category, PartnerFields, Status, Tier
from bot.registry.service import add_partner
from tests.support.databases import opened_store

AT = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
ADMIN = Actor("U1", is_admin=True)


async def test_sessions_run_without_jit(tmp_path: Path) -> None:
    # The server under test has jit on (PostgreSQL's default): the portfolio's statements
    # at 100,000 partners spent longer compiling than running.
    async with opened_store("postgresql", tmp_path, AT) as store, store.read() as tx:
        conn = tx._conn  # type: ignore[attr-defined]
        assert await conn.fetchval("SHOW jit") == "off"
        assert await conn.fetchval("SHOW extra_float_digits") == "1"


async def test_the_pools_rows_come_as_tuples_the_collector_stops_tracking(
    tmp_path: Path,
) -> None:
    # asyncpg's records stay tracked: 100,000 of them kept made full collections on the loop.
    async with opened_store("postgresql", tmp_path, AT) as store:
        for name in ("Acme", "Bolt"):
            fields = PartnerFields(
                name=name, category=Category.KOL, tier=Tier.CORE, status=Status.ACTIVE
            )
            await add_partner(store, AT, "T1", ADMIN, fields)
        async with store.read() as tx:
            pool = await tx.pool_members("T1", Thresholds(), date(2026, 7, 1))
        assert [row[5] for row in pool.rows] == ["Acme", "Bolt"]
        gc.collect()
        assert all(type(row) is tuple and not gc.is_tracked(row) for row in pool.rows)
