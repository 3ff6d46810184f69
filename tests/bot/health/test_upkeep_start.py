"""Start-up's look for stale summaries: a read, so a bot starting while another process
writes (an import, say) does not wait for SQLite's write lock when there is nothing to do."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import aiosqlite

from bot.health.upkeep import rebuild_stale_summaries
from storage.store import SQLiteStore
from tests.bot.health.pools import generate_pool
from tests.support.databases import execute, scalar

AT = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)


async def test_no_stale_summary_is_found_without_the_write_lock_and_one_is_rebuilt(
    tmp_path: Path,
) -> None:
    store = SQLiteStore(str(tmp_path / "t.db"))
    await store.open(AT)
    try:
        await generate_pool(store, AT, 3, 4, {})
        async with aiosqlite.connect(store.path, isolation_level=None) as holder:
            await holder.execute("BEGIN IMMEDIATE")
            # A write would wait out the five seconds' busy timeout, then fail.
            assert await rebuild_stale_summaries(store) == 0
            await holder.execute("ROLLBACK")
        await execute(store, "UPDATE health_summary SET stale = 1 WHERE partner_id = 1")
        assert await rebuild_stale_summaries(store) == 1
        assert await scalar(store, "SELECT COUNT(*) FROM health_summary WHERE stale = 1") == 0
    finally:
        await store.close()
