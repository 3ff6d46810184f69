"""The report version the database bumps: once in every write transaction that changes what
the slow reports show (however many rows: an import once a chunk), never for other writes or
a rolled-back transaction; and two replicas on one database, each with its own cache of the
reports, each answer from after the other's last write."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot import claims
from bot.access import Actor
from bot.digest.command import Scope
from bot.health.service import set_benchmark
from bot.metrics import parse_period
from bot.registry.imports import import_metrics
from bot.registry.rules import Category, PartnerFields, Status
from bot.registry.service import add_partner, record_metrics
from bot.report_cache import ReportCache
from bot.reports import digest_preview, portfolio, top_ranking
from bot.scoring.service import rate
from storage.store import PostgresStore, SQLiteStore
from tests.bot.registry.test_import_chunks import CountingStore, metrics_csv
from tests.support.databases import store_for, url_of

AT = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
ZONE = ZoneInfo("Asia/Shanghai")
TEAM = "T1"
OWNER = Actor("U0OWNER", is_admin=True)
RATED = {"brand": 80, "users": 70, "channel": 75, "audience": 65, "traffic": 60, "tone": 90}
Store = SQLiteStore | PostgresStore


async def version(store: Store, team: str = TEAM) -> int:
    async with store.read() as tx:
        return await tx.report_version(team)


async def partner(store: Store, name: str) -> None:
    fields = PartnerFields(
        name=name, category=Category.KOL, status=Status.ACTIVE, owner=OWNER.user_id
    )
    await add_partner(store, AT, TEAM, OWNER, fields)


async def test_each_write_transaction_bumps_its_workspace_once(store: Store) -> None:
    assert await version(store) == 0
    await partner(store, "Acme")  # the partner, its tags, its audit row: one transaction
    assert await version(store) == 1
    assert await version(store, "T2") == 0  # another workspace's is its own
    week = parse_period("2026-W46")
    await record_metrics(store, AT, TEAM, OWNER, "Acme", {"rue": 40, "roi": 2.0}, week)
    await rate(store, AT, TEAM, OWNER, {"brand": 80}, None, name="Acme")
    await set_benchmark(store, AT, TEAM, OWNER, Category.KOL, 2.5)
    assert await version(store) == 4
    # A claim changes no report: no bump; a transaction that fails leaves none either.
    await claims.claim(store, AT, TEAM, "digest", "1", "slot")
    with pytest.raises(RuntimeError):
        async with store.write() as tx:
            tx.reports_changed(TEAM)
            raise RuntimeError("rolled back")
    assert await version(store) == 4


async def test_an_import_bumps_once_a_chunk_not_once_a_row(store: Store) -> None:
    names = [f"P{i}" for i in range(6)]
    for name in names:
        await partner(store, name)
    before = await version(store)
    counting = CountingStore(store)
    weeks = [f"2026-W{n:02d}" for n in range(40, 47)]
    text = metrics_csv(names, seed=3, weeks=weeks)  # 6 partners x 7 weeks x 5 metrics
    result = await import_metrics(counting, AT, TEAM, text, today=AT.date(), chunk_size=70)  # type: ignore[arg-type]
    assert result.created == 210 and counting.writes == 3
    assert await version(store) == before + 3


async def test_two_replicas_each_answer_from_after_the_others_write(store: Store) -> None:
    """Replica one writes; replica two's next ranking, portfolio and digest show it, each
    computed once per version (asked again with no write between, the same report)."""
    other = store_for(url_of(store))
    await other.open(AT)
    try:
        mine, theirs = ReportCache(), ReportCache()
        await partner(store, "Acme")
        await rate(store, AT, TEAM, OWNER, RATED, None, name="Acme")
        first = await top_ranking(theirs, other, TEAM, None, 10)
        [ranked] = await first
        assert ranked.name == "Acme"
        assert await top_ranking(theirs, other, TEAM, None, 10) is first  # no write: kept
        lower = {**RATED, "brand": 20, "audience": 30}
        await rate(store, AT, TEAM, OWNER, lower, None, name="Acme")
        [again] = await (await top_ranking(theirs, other, TEAM, None, 10))
        assert again.score.composite < ranked.score.composite

        pool = await (await portfolio(theirs, other, AT, ZONE, TEAM))
        await partner(store, "Bolt")  # on replica one
        grown = await (await portfolio(theirs, other, AT, ZONE, TEAM))
        assert grown[0].watched == pool[0].watched + 1

        week = parse_period("2026-W46")
        digest = await (await digest_preview(theirs, other, AT, ZONE, TEAM, "C1", Scope()))
        await record_metrics(store, AT, TEAM, OWNER, "Bolt", {"rue": 10, "roi": 0.5}, week)
        later = AT + timedelta(minutes=1)
        redone = await (await digest_preview(theirs, other, later, ZONE, TEAM, "C1", Scope()))
        assert redone != digest
        # Replica one's own cache, asked after the writes, agrees with replica two's.
        assert (await (await portfolio(mine, store, AT, ZONE, TEAM)))[0].counts == (
            await (await portfolio(theirs, other, AT, ZONE, TEAM))
        )[0].counts
    finally:
        await other.close()
