"""bench/seed.py's registry: every partner's health summary as a metric write keeps it, and a
rating for nine partners in ten, on both engines (the command bench's `/score top` and
`/digest preview` measure a scored, summarised pool)."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bench.seed import seed_postgres, seed_sqlite
from bot.health.service import portfolio_health, portfolio_health_full
from bot.health.summary import from_json, summarise
from storage.store import PostgresStore, SQLiteStore
from tests.support.databases import scalar, url_of

AT = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)


async def test_the_seed_writes_summaries_and_ratings(
    store: SQLiteStore | PostgresStore, engine: str
) -> None:
    url = url_of(store)
    if engine == "sqlite":
        seed_sqlite(url.removeprefix("sqlite:///"), AT, 40, 12)
    else:
        await seed_postgres(url, AT, 40, 12)
    assert await scalar(store, "SELECT COUNT(*) FROM health_summary WHERE filled = 1") == 40
    assert await scalar(store, "SELECT COUNT(*) FROM ratings") == 36
    assert await scalar(store, "SELECT COUNT(*) FROM partners WHERE rating_id = id") == 36
    async with store.read() as tx:
        stored = await tx.pool_summaries("T0001")
        for pid in (1, 17, 40):
            assert from_json(stored[pid]) == summarise(await tx.rule_points("T0001", pid))
    fast, _ = await portfolio_health(store, AT, ZoneInfo("UTC"), "T0001")
    full, _ = await portfolio_health_full(store, AT, ZoneInfo("UTC"), "T0001")
    assert fast == full and fast.flagged
