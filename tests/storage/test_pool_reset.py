"""A pooled PostgreSQL connection goes to its next holder as a fresh one would: no advisory
lock, no open transaction, no changed setting, listen or cursor of the one before.

The pool sends asyncpg's reset query (a round trip) only after a holder that may have left
session state (migrations, copy-db's raw connection); the store's own statements leave none,
which the last tests check by reading every one of them."""

from __future__ import annotations

import ast
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from storage.postgres import PostgresStore
from storage.tx.base import queries
from tests.support.databases import POSTGRES_URL, fresh_schema, opened_postgres

pytestmark = pytest.mark.postgres

AT = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
STORAGE = Path(__file__).resolve().parents[2] / "storage"
RESET_MARK = "pg_advisory_unlock_all"  # the first statement of asyncpg's reset query


@pytest.fixture
async def pg() -> AsyncIterator[PostgresStore]:
    async with opened_postgres(1, AT) as store:  # one connection: each holder gets the same
        yield store


@pytest.fixture
async def admin() -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(POSTGRES_URL, timeout=5)
    try:
        yield conn
    finally:
        await conn.close()


async def session_of(conn: Any) -> dict[str, Any]:
    """What a holder could have left on the session, as the next holder sees it."""
    row = await conn.fetchrow(
        """
        SELECT pg_backend_pid() AS pid,
               (SELECT count(*) FROM pg_locks
                 WHERE locktype = 'advisory' AND pid = pg_backend_pid()) AS advisory_locks,
               current_setting('work_mem') AS work_mem,
               current_setting('statement_timeout') AS statement_timeout,
               current_setting('jit') AS jit,
               current_setting('extra_float_digits') AS extra_float_digits,
               (SELECT count(*) FROM pg_listening_channels()) AS listening,
               (SELECT count(*) FROM pg_cursors WHERE name <> '') AS cursors
        """
    )
    return dict(row) | {"in_transaction": conn.is_in_transaction()}


async def fresh_session(store: PostgresStore) -> dict[str, Any]:
    async with store.read(snapshot=False) as tx:
        return await session_of(tx._conn)  # type: ignore[attr-defined]


async def last_statement(admin: asyncpg.Connection, pid: int) -> str:
    """The last statement the pool's connection ran, read from another session."""
    return str(await admin.fetchval("SELECT query FROM pg_stat_activity WHERE pid = $1", pid))


async def test_the_stores_own_holders_leave_nothing_and_cost_no_reset(
    pg: PostgresStore, admin: asyncpg.Connection
) -> None:
    clean = await fresh_session(pg)
    assert clean["advisory_locks"] == clean["listening"] == clean["cursors"] == 0
    assert clean["in_transaction"] is False
    assert (clean["jit"], clean["extra_float_digits"]) == ("off", "1")  # set at connect: kept

    async with pg.write() as tx:  # a transaction's lock and settings end with it
        conn = tx._conn  # type: ignore[attr-defined]
        await conn.execute("SELECT pg_advisory_xact_lock(42)")
        await conn.execute("SET LOCAL work_mem = '7MB'")
        await conn.execute("SELECT set_config('statement_timeout', '1234', true)")
        assert (await session_of(conn))["advisory_locks"] == 1
    assert RESET_MARK not in await last_statement(admin, clean["pid"])  # nothing sent
    assert await fresh_session(pg) == clean

    with pytest.raises(RuntimeError):  # a write that fails is rolled back
        async with pg.write() as tx:
            await tx._conn.execute("SELECT pg_advisory_xact_lock(43)")  # type: ignore[attr-defined]
            raise RuntimeError("the use case refused")
    assert await fresh_session(pg) == clean

    async with pg.read(snapshot=False) as tx:  # a transaction left open is rolled back
        await tx._conn.execute("BEGIN; SELECT pg_advisory_xact_lock(44)")  # type: ignore[attr-defined]
    assert RESET_MARK not in await last_statement(admin, clean["pid"])
    assert await fresh_session(pg) == clean


async def test_a_holder_that_leaves_session_state_gets_the_full_reset(
    pg: PostgresStore, admin: asyncpg.Connection
) -> None:
    clean = await fresh_session(pg)
    async with pg.raw_transaction(readonly=False) as conn:  # copy-db's way in: any SQL
        await conn.execute("SELECT pg_advisory_lock(7)")
        await conn.execute("SET work_mem = '9MB'")
        await conn.execute("SET statement_timeout = 4321")
        await conn.execute("LISTEN partnerbot_test")
        await conn.execute("DECLARE kept CURSOR WITH HOLD FOR SELECT 1")
    assert RESET_MARK in await last_statement(admin, clean["pid"])
    assert await fresh_session(pg) == clean
    # The full reset is for that holder only: the next one costs nothing again.
    assert RESET_MARK not in await last_statement(admin, clean["pid"])


async def test_the_connection_that_migrated_is_reset_fully(
    admin: asyncpg.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def migrating(conn: Any, now: datetime) -> list[str]:  # a migration is any SQL
        await conn.execute("SELECT pg_advisory_lock(8)")
        await conn.execute("SET work_mem = '9MB'")
        return ["9999_session"]

    async with fresh_schema() as url:
        monkeypatch.setattr("storage.postgres.migrate_postgres", migrating)
        store = PostgresStore(url, pool_size=1)
        assert await store.open(AT) == ["9999_session"]
        try:
            session = await fresh_session(store)
        finally:
            await store.close()
    assert session["advisory_locks"] == 0 and session["in_transaction"] is False
    assert session["work_mem"] == await admin.fetchval("SHOW work_mem")  # a new session's


# Statements that leave state on the session past their transaction, which only asyncpg's
# reset query takes away: the store's own statements must have none of them.
_SESSION_START = re.compile(
    r"^(SET|RESET|LISTEN|DECLARE|PREPARE|DISCARD|LOAD)\b(?!\s+(LOCAL|TRANSACTION|CONSTRAINTS)\b)"
)
_SESSION_CALL = re.compile(r"pg_(try_)?advisory_lock|set_config\s*\(", re.IGNORECASE)


def leaves_session_state(sql: str) -> bool:
    """True when a statement of sql (comments aside) may outlive its transaction."""
    text = "\n".join(line.split("--")[0] for line in sql.splitlines())
    statements = [part.strip() for part in text.split(";")]
    return bool(_SESSION_CALL.search(text)) or any(_SESSION_START.match(s) for s in statements)


def test_the_check_tells_session_statements_from_the_rest() -> None:
    for sql in (
        "SET work_mem = '9MB'",
        "SELECT 1; SET search_path = x",
        "LISTEN x",
        "DECLARE c CURSOR WITH HOLD FOR SELECT 1",
        "SELECT pg_advisory_lock(1)",
        "SELECT pg_try_advisory_lock_shared(1)",
        "SELECT set_config('work_mem', '9MB', false)",
        "RESET ALL",
    ):
        assert leaves_session_state(sql), sql
    for sql in (
        "SET LOCAL work_mem = '9MB'",
        "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE",
        "UPDATE partners\n   SET name = :name\n WHERE id = :id",
        "SELECT pg_advisory_xact_lock($1, hashtext(current_schema()))",
        "-- SET work_mem here would outlive the transaction\nSELECT 1",
    ):
        assert not leaves_session_state(sql), sql


def test_no_statement_of_the_store_leaves_session_state() -> None:
    q = queries("asyncpg")
    named = {name: getattr(q, name).sql for name in q.available_queries}
    assert len(named) > 200  # every .sql file was read
    assert [name for name, sql in named.items() if leaves_session_state(sql)] == []
    # SQL written in Python (the list's fragments, the copy's statements, migrate's ledger);
    # migrations' own files are run on a connection marked for the full reset.
    literals: dict[str, str] = {}
    for path in sorted(STORAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                literals[f"{path.relative_to(STORAGE)}:{node.lineno}"] = node.value
    assert any("INSERT" in text for text in literals.values())
    assert [where for where, text in literals.items() if leaves_session_state(text)] == []
