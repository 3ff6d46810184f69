"""PostgreSQL migrations: numbered, one transaction each, checksummed, and taken in turns by
processes that start together (an advisory lock), each test in a fresh schema."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import asyncpg
import pytest

from storage.migrate import Migration, MigrationError, load_migrations, migrate_postgres
from storage.postgres import PostgresStore
from tests.support.databases import POSTGRES_URL, fresh_schema, require_postgres, with_search_path

pytestmark = pytest.mark.postgres

AT = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
SHIPPED = [m.name for m in load_migrations("postgresql")]


@pytest.fixture
async def url() -> AsyncIterator[str]:
    async with fresh_schema() as fresh:
        yield fresh


@pytest.fixture
async def conn(url: str) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(url)
    yield connection
    await connection.close()


async def ledger(conn: asyncpg.Connection) -> list[tuple[int, str, str]]:
    rows = await conn.fetch("SELECT version, name, checksum FROM schema_migrations ORDER BY 1")
    return [(r["version"], r["name"], r["checksum"]) for r in rows]


def test_both_engines_ship_the_same_numbered_migrations() -> None:
    assert [m.name for m in load_migrations("sqlite")] == SHIPPED


async def test_migrations_apply_once_and_are_recorded_with_checksums(
    conn: asyncpg.Connection,
) -> None:
    assert await migrate_postgres(conn, AT) == SHIPPED
    assert await migrate_postgres(conn, AT) == []
    expected = [(m.version, m.name, m.checksum) for m in load_migrations("postgresql")]
    assert await ledger(conn) == expected
    assert await conn.fetchval("SELECT MIN(applied_at) FROM schema_migrations") == AT


async def test_numbers_are_double_precision_and_times_timestamptz(
    conn: asyncpg.Connection,
) -> None:
    await migrate_postgres(conn, AT)
    rows = await conn.fetch(
        "SELECT table_name, column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = current_schema()"
    )
    types = {(r["table_name"], r["column_name"]): r["data_type"] for r in rows}
    assert "real" not in types.values()
    for column in (("metrics", "value"), ("ratings", "audience"), ("roi_benchmarks", "roi")):
        assert types[column] == "double precision", column
    for column in (("partners", "updated_at"), ("audit_log", "at"), ("claims", "claimed_at")):
        assert types[column] == "timestamp with time zone", column
    assert types[("metrics", "period_start")] == "date"


async def test_a_changed_applied_migration_is_an_error(conn: asyncpg.Connection) -> None:
    await migrate_postgres(conn, AT)
    original = load_migrations("postgresql")[0]
    changed = Migration(original.version, original.name, original.sql + "\n-- edited\n")
    with pytest.raises(MigrationError, match=r"0001_registry\.sql was changed"):
        await migrate_postgres(conn, AT, [changed])


async def test_a_database_newer_than_the_code_is_an_error(conn: asyncpg.Connection) -> None:
    await migrate_postgres(conn, AT)
    with pytest.raises(MigrationError, match="run a newer partnerbot"):
        await migrate_postgres(conn, AT, load_migrations("postgresql")[:-1])


async def test_an_up_to_date_schema_is_checked_without_waiting_for_the_migration_lock(
    url: str, conn: asyncpg.Connection
) -> None:
    await migrate_postgres(conn, AT)
    holder = await asyncpg.connect(url)  # another process, migrating this schema
    try:
        await holder.execute("SELECT pg_advisory_lock($1, hashtext(current_schema()))", 0x7062_6D67)
        async with asyncio.timeout(10):
            assert await migrate_postgres(conn, AT) == []
    finally:
        await holder.close()


async def test_a_migration_that_fails_midway_leaves_no_trace(conn: asyncpg.Connection) -> None:
    first = Migration(1, "0001_first.sql", "CREATE TABLE first (x INTEGER);\n")
    broken = Migration(
        2,
        "0002_broken.sql",
        "CREATE TABLE second (x INTEGER);\nINSERT INTO first VALUES (7);\n"
        "INSERT INTO no_such_table VALUES (1);\n",
    )
    with pytest.raises(asyncpg.UndefinedTableError):
        await migrate_postgres(conn, AT, [first, broken])
    assert [row[0] for row in await ledger(conn)] == [1]
    assert await conn.fetchval("SELECT to_regclass('second')") is None
    assert await conn.fetchval("SELECT COUNT(*) FROM first") == 0


async def test_a_schema_that_is_not_there_is_a_clear_error() -> None:
    await require_postgres()
    conn = await asyncpg.connect(with_search_path(POSTGRES_URL, "pb_no_such_schema"))
    try:
        with pytest.raises(MigrationError, match="create the schema"):
            await migrate_postgres(conn, AT)
    finally:
        await conn.close()


async def test_two_stores_opening_an_empty_database_together_migrate_once(url: str) -> None:
    for round_no in range(5):
        async with fresh_schema() as fresh:
            one, two = PostgresStore(fresh, pool_size=2), PostgresStore(fresh, pool_size=2)
            try:
                results = await asyncio.gather(one.open(AT), two.open(AT), return_exceptions=True)
            finally:
                await one.close()
                await two.close()
            errors = [r for r in results if isinstance(r, BaseException)]
            assert errors == [], f"round {round_no}: {errors}"
            applied = sorted(name for names in results for name in names)  # type: ignore[union-attr]
            assert applied == SHIPPED


async def test_two_processes_migrating_an_empty_database_at_once_both_succeed(url: str) -> None:
    env = {**os.environ, "DATABASE_URL": url}
    processes = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.cli",
            "migrate",
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        for _ in range(2)
    ]
    outputs = await asyncio.gather(*(p.communicate() for p in processes))
    for process, (out, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, err.decode()
        assert b"up to date" in out and b"Traceback" not in err
    conn = await asyncpg.connect(url)
    try:
        assert [row[1] for row in await ledger(conn)] == SHIPPED
    finally:
        await conn.close()
