"""What every PostgreSQL session of the store is set to, whatever the server's defaults."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from tests.support.databases import opened_store

AT = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)


async def test_sessions_run_without_jit(tmp_path: Path) -> None:
    # The server under test has jit on (PostgreSQL's default): the portfolio's statements
    # at 100,000 partners spent longer compiling than running.
    async with opened_store("postgresql", tmp_path, AT) as store, store.read() as tx:
        conn = tx._conn  # type: ignore[attr-defined]
        assert await conn.fetchval("SHOW jit") == "off"
        assert await conn.fetchval("SHOW extra_float_digits") == "1"
