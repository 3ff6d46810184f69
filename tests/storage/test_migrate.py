"""Numbered migrations: applied once, in order, atomically, with a checksum."""

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import aiosqlite
import pytest

from storage.migrate import (
    Migration,
    MigrationError,
    load_migrations,
    migrate_sqlite,
    split_statements,
)
from storage.store import SQLiteStore
from tests.support.sqlite_leaks import close_leaked_connections

OPENED_AT = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
NOW = "2026-11-22T09:30:00.000000Z"
SHIPPED = [m.name for m in load_migrations()]
REGISTRY_TABLES = {
    "partners",
    "partner_tags",
    "partner_backups",
    "audit_log",
    "metrics",
    "claims",
}


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SQLiteStore]:
    """A migrated SQLite store in a fresh file, closed after the test."""
    opened = SQLiteStore(str(tmp_path / "t.db"))
    await opened.open(OPENED_AT)
    yield opened
    await opened.close()


@pytest.fixture
async def conn(tmp_path: Path) -> AsyncIterator[aiosqlite.Connection]:
    """A raw connection to a fresh file, in autocommit mode as migrate_sqlite expects."""
    connection = await aiosqlite.connect(str(tmp_path / "raw.db"), isolation_level=None)
    yield connection
    await connection.close()


async def tables(conn: aiosqlite.Connection) -> set[str]:
    async with conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'") as cur:
        return {row[0] for row in await cur.fetchall()}


async def ledger(conn: aiosqlite.Connection) -> list[tuple[int, str, str, str]]:
    async with conn.execute(
        "SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version"
    ) as cur:
        return [tuple(row) for row in await cur.fetchall()]


# --- load_migrations ------------------------------------------------------------------


def test_load_migrations_finds_the_shipped_ones_in_order() -> None:
    migrations = load_migrations("sqlite")
    assert [m.version for m in migrations] == sorted(m.version for m in migrations)
    assert migrations[0].version == 1
    assert migrations[0].name == "0001_registry.sql"
    assert "CREATE TABLE partners" in migrations[0].sql


def test_a_checksum_follows_the_sql() -> None:
    one = Migration(1, "0001_a.sql", "CREATE TABLE a (x);")
    assert one.checksum == Migration(1, "0001_a.sql", "CREATE TABLE a (x);").checksum
    assert one.checksum != Migration(1, "0001_a.sql", "CREATE TABLE a (y);").checksum
    assert len(one.checksum) == 64


# --- open -----------------------------------------------------------------------------


async def test_open_applies_the_registry_migration_once(tmp_path: Path) -> None:
    path = str(tmp_path / "t.db")
    first = SQLiteStore(path)
    try:
        assert await first.open(OPENED_AT) == SHIPPED
    finally:
        await first.close()
    second = SQLiteStore(path)
    try:
        assert await second.open(datetime(2026, 11, 23, 9, 30, tzinfo=UTC)) == []
    finally:
        await second.close()
    async with aiosqlite.connect(path) as raw:
        rows = await ledger(raw)
        assert await tables(raw) >= REGISTRY_TABLES
    assert [(version, name, applied_at) for version, name, _, applied_at in rows] == [
        (m.version, m.name, NOW) for m in load_migrations()
    ]
    assert [row[2] for row in rows] == [m.checksum for m in load_migrations()]


async def test_a_changed_applied_migration_is_an_error(store: SQLiteStore) -> None:
    original = load_migrations()[0]
    changed = Migration(original.version, original.name, original.sql + "\n-- edited\n")
    async with aiosqlite.connect(store.path, isolation_level=None) as raw:
        with pytest.raises(MigrationError, match=r"0001_registry\.sql was changed"):
            await migrate_sqlite(raw, NOW, [changed])
        assert not raw.in_transaction
        assert len(await ledger(raw)) == len(SHIPPED)


async def test_a_database_newer_than_the_code_is_an_error(store: SQLiteStore) -> None:
    async with aiosqlite.connect(store.path, isolation_level=None) as raw:
        with pytest.raises(MigrationError, match=r"0001_registry\.sql"):
            await migrate_sqlite(raw, NOW, [])


async def test_an_up_to_date_database_is_checked_in_one_query_without_the_write_lock(
    store: SQLiteStore,
) -> None:
    # Another process holds the write lock (an import, say): starting takes none, so it does
    # not wait for it (five seconds' busy timeout, then "database is locked").
    async with (
        aiosqlite.connect(store.path, isolation_level=None) as holder,
        aiosqlite.connect(store.path, isolation_level=None) as raw,
    ):
        await holder.execute("BEGIN IMMEDIATE")
        statements: list[str] = []
        await raw.set_trace_callback(statements.append)
        assert await migrate_sqlite(raw, NOW) == []
        await holder.execute("ROLLBACK")
    run = [" ".join(statement.split()) for statement in statements]
    assert len(run) == 2 and run[0].startswith("CREATE TABLE IF NOT EXISTS schema_migrations (")
    assert run[1] == "SELECT version, name, checksum FROM schema_migrations"


# Two stores racing on a fresh file lose the race only now and then, so one round proves little.
RACE_ROUNDS = 60


async def test_two_stores_opening_a_fresh_file_together_migrate_once(tmp_path: Path) -> None:
    for round_no in range(RACE_ROUNDS):
        path = str(tmp_path / f"shared-{round_no}.db")
        one, two = SQLiteStore(path), SQLiteStore(path)
        try:
            results = await asyncio.gather(
                one.open(OPENED_AT), two.open(OPENED_AT), return_exceptions=True
            )
        finally:
            await one.close()
            await two.close()
        errors = [r for r in results if isinstance(r, BaseException)]
        for error in errors:
            await close_leaked_connections(error)
        assert errors == [], f"round {round_no}: opening together failed"
        # Each migration is applied by exactly one of the two (which one may differ).
        applied = [name for names in results for name in names]  # type: ignore[union-attr]
        assert sorted(applied) == SHIPPED
        async with aiosqlite.connect(path) as raw:
            assert [row[0] for row in await ledger(raw)] == [m.version for m in load_migrations()]


# --- migrate_sqlite with migrations of our own ----------------------------------------

FIRST = Migration(1, "0001_first.sql", "CREATE TABLE first (x INTEGER);\n")
SECOND = Migration(
    2,
    "0002_second.sql",
    "CREATE TABLE second (x INTEGER);\n"
    "INSERT INTO second VALUES (1);\n"
    "INSERT INTO first VALUES (7);\n",
)
BROKEN = Migration(
    3,
    "0003_broken.sql",
    "CREATE TABLE third (x INTEGER);\n"
    "INSERT INTO first VALUES (99);\n"
    "INSERT INTO no_such_table VALUES (1);\n"
    "CREATE TABLE never (x INTEGER);\n",
)


async def test_migrations_apply_in_order_and_are_recorded(conn: aiosqlite.Connection) -> None:
    assert await migrate_sqlite(conn, NOW, [FIRST, SECOND]) == [FIRST.name, SECOND.name]
    assert {"first", "second"} <= await tables(conn)
    assert await ledger(conn) == [
        (1, FIRST.name, FIRST.checksum, NOW),
        (2, SECOND.name, SECOND.checksum, NOW),
    ]
    assert await migrate_sqlite(conn, NOW, [FIRST, SECOND]) == []


async def test_only_the_missing_migrations_are_applied(conn: aiosqlite.Connection) -> None:
    assert await migrate_sqlite(conn, NOW, [FIRST]) == [FIRST.name]
    assert await migrate_sqlite(conn, NOW, [FIRST, SECOND]) == [SECOND.name]
    async with conn.execute("SELECT x FROM first") as cur:
        assert [row[0] for row in await cur.fetchall()] == [7]


async def test_a_migration_that_fails_midway_leaves_no_trace(conn: aiosqlite.Connection) -> None:
    with pytest.raises(sqlite3.OperationalError, match="no_such_table"):
        await migrate_sqlite(conn, NOW, [FIRST, SECOND, BROKEN])
    assert not conn.in_transaction
    found = await tables(conn)
    assert {"first", "second"} <= found
    assert "third" not in found
    assert "never" not in found
    assert [row[0] for row in await ledger(conn)] == [1, 2]
    async with conn.execute("SELECT x FROM first") as cur:
        assert [row[0] for row in await cur.fetchall()] == [7]


async def test_a_failed_migration_applies_once_fixed(conn: aiosqlite.Connection) -> None:
    with pytest.raises(sqlite3.OperationalError):
        await migrate_sqlite(conn, NOW, [FIRST, BROKEN])
    fixed = Migration(3, BROKEN.name, "CREATE TABLE third (x INTEGER);\n")
    assert await migrate_sqlite(conn, NOW, [FIRST, fixed]) == [fixed.name]
    assert [row[0] for row in await ledger(conn)] == [1, 3]


async def test_a_changed_migration_of_our_own_is_an_error(conn: aiosqlite.Connection) -> None:
    await migrate_sqlite(conn, NOW, [FIRST])
    edited = Migration(1, FIRST.name, "CREATE TABLE first (y TEXT);\n")
    with pytest.raises(MigrationError, match=r"0001_first\.sql was changed"):
        await migrate_sqlite(conn, NOW, [edited, SECOND])
    assert "second" not in await tables(conn)
    assert [row[0] for row in await ledger(conn)] == [1]


# --- split_statements -----------------------------------------------------------------


def test_split_statements_on_semicolons_at_the_end_of_statements() -> None:
    sql = "CREATE TABLE a (x);\nCREATE TABLE b (y);\n"
    assert split_statements(sql) == ["CREATE TABLE a (x);", "CREATE TABLE b (y);"]


def test_split_statements_ignores_semicolons_inside_string_literals() -> None:
    sql = "INSERT INTO a VALUES ('one; two');\nINSERT INTO a VALUES ('three;\nfour');\n"
    assert split_statements(sql) == [
        "INSERT INTO a VALUES ('one; two');",
        "INSERT INTO a VALUES ('three;\nfour');",
    ]


def test_split_statements_keeps_a_trigger_body_whole() -> None:
    trigger = (
        "CREATE TRIGGER a_audit AFTER INSERT ON a\n"
        "BEGIN\n"
        "    INSERT INTO log VALUES ('inserted; into a');\n"
        "    UPDATE counter SET n = n + 1;\n"
        "END;"
    )
    sql = f"CREATE TABLE a (x);\n{trigger}\nCREATE TABLE b (y);\n"
    assert split_statements(sql) == ["CREATE TABLE a (x);", trigger, "CREATE TABLE b (y);"]


def test_split_statements_drops_comment_only_and_empty_parts() -> None:
    sql = "-- a header; with a semicolon\n\nCREATE TABLE a (x);\n;\n-- trailing note\n"
    statements = split_statements(sql)
    assert len(statements) == 1
    assert statements[0].endswith("CREATE TABLE a (x);")


def test_split_statements_rejects_an_unterminated_statement() -> None:
    with pytest.raises(MigrationError, match="not terminated: CREATE TABLE b"):
        split_statements("CREATE TABLE a (x);\nCREATE TABLE b (y)\n")


def test_split_statements_of_the_shipped_migration_run_one_by_one() -> None:
    statements = [s for m in load_migrations() for s in split_statements(m.sql)]
    db = sqlite3.connect(":memory:")
    try:
        for statement in statements:
            assert sqlite3.complete_statement(statement)
            db.execute(statement)
        names = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    finally:
        db.close()
    assert names >= REGISTRY_TABLES
