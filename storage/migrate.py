"""Numbered SQL migrations: applied in order, each in its own transaction, with a checksum."""

from __future__ import annotations

import hashlib
import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from typing import TYPE_CHECKING

import aiosqlite

if TYPE_CHECKING:
    import asyncpg

_FILE = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


class MigrationError(Exception):
    """The database's migrations do not match the code's; str() says which and why."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode("utf-8")).hexdigest()


def load_migrations(engine: str = "sqlite") -> list[Migration]:
    """The migrations shipped for an engine, in version order."""
    folder = resources.files("storage").joinpath("migrations", engine)
    found = []
    for entry in folder.iterdir():
        m = _FILE.match(entry.name)
        if m:
            found.append(Migration(int(m[1]), entry.name, entry.read_text(encoding="utf-8")))
    found.sort(key=lambda mig: mig.version)
    versions = [mig.version for mig in found]
    if len(set(versions)) != len(versions):
        raise MigrationError(f"two {engine} migrations share a number: {versions}")
    return found


def split_statements(sql: str) -> list[str]:
    """Split a script into statements the way SQLite itself finds their ends."""
    statements, buffer = [], ""
    for line in sql.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            statement = buffer.strip()
            if statement.strip(";").strip() and not _only_comments(statement):
                statements.append(statement)
            buffer = ""
    if buffer.strip() and not _only_comments(buffer):
        raise MigrationError(f"a statement is not terminated: {buffer.strip()[:60]}")
    return statements


def _only_comments(text: str) -> bool:
    return all(not line.strip() or line.strip().startswith("--") for line in text.splitlines())


_LEDGER = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    checksum   TEXT NOT NULL,
    applied_at TEXT NOT NULL
)
"""


# A migration may rewrite rows that replicas still running keep answers of (a rolling
# deploy): each one bumps every workspace's report version in its own transaction, once the
# table is there (storage/tx/versions.py).
_BUMP_ALL = "UPDATE report_versions SET version = version + 1"
_SQLITE_HAS_VERSIONS = (
    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'report_versions'"
)


async def migrate_sqlite(
    conn: aiosqlite.Connection, now: str, migrations: list[Migration] | None = None
) -> list[str]:
    """Apply what is missing; return the names applied. conn is in autocommit mode.

    Each migration runs under BEGIN IMMEDIATE, which holds SQLite's write lock, and checks
    the ledger again inside it, so two processes starting together apply each one once.
    """
    migrations = load_migrations("sqlite") if migrations is None else migrations
    await conn.execute(_LEDGER)  # no write lock when the table is there
    async with conn.execute("SELECT version, name, checksum FROM schema_migrations") as cur:
        rows = await cur.fetchall()
    ledger = [(int(version), str(name), str(checksum)) for version, name, checksum in rows]
    if not _pending(ledger, migrations):
        return []
    applied_now = []
    for migration in migrations:
        await conn.execute("BEGIN IMMEDIATE")
        try:
            async with conn.execute(
                "SELECT checksum FROM schema_migrations WHERE version = ?", (migration.version,)
            ) as cur:
                row = await cur.fetchone()
            if row is not None:
                if row[0] != migration.checksum:
                    raise MigrationError(_changed(migration))
                await conn.execute("ROLLBACK")
                continue
            for statement in split_statements(migration.sql):
                await conn.execute(statement)
            async with conn.execute(_SQLITE_HAS_VERSIONS) as cur:
                if await cur.fetchone() is not None:
                    await conn.execute(_BUMP_ALL)
            await conn.execute(
                "INSERT INTO schema_migrations (version, name, checksum, applied_at) "
                "VALUES (?, ?, ?, ?)",
                (migration.version, migration.name, migration.checksum, now),
            )
            await conn.execute("COMMIT")
            applied_now.append(migration.name)
        except BaseException:
            if conn.in_transaction:
                await conn.execute("ROLLBACK")
            raise
    await _check_unknown(conn, migrations)
    return applied_now


async def _check_unknown(conn: aiosqlite.Connection, migrations: list[Migration]) -> None:
    async with conn.execute("SELECT version, name FROM schema_migrations") as cur:
        rows = await cur.fetchall()
    _refuse_unknown([(int(version), str(name)) for version, name in rows], migrations)


def _pending(ledger: list[tuple[int, str, str]], migrations: list[Migration]) -> bool:
    """Whether the ledger (version, name, checksum) lacks any of the migrations. Start-up
    reads it once and, when nothing is missing, takes no lock at all: one query instead of
    a locked transaction per migration. A changed or unknown migration is refused here."""
    applied = {version: checksum for version, _, checksum in ledger}
    if any(m.version not in applied for m in migrations):
        return True  # applied one by one, each checked again under the lock
    for migration in migrations:
        if applied[migration.version] != migration.checksum:
            raise MigrationError(_changed(migration))
    _refuse_unknown([(version, name) for version, name, _ in ledger], migrations)
    return False


def _changed(migration: Migration) -> str:
    return (
        f"migration {migration.name} was changed after it was applied; "
        "restore the file or add a new migration instead"
    )


def _refuse_unknown(rows: list[tuple[int, str]], migrations: list[Migration]) -> None:
    known = {m.version for m in migrations}
    unknown = [name for version, name in rows if version not in known]
    if unknown:
        raise MigrationError(
            f"the database has migrations this version does not know ({', '.join(unknown)}); "
            "run a newer partnerbot"
        )


_PG_LEDGER = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    checksum   TEXT NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL
)
"""
# The advisory lock's first key, "partnerbot migrations"; the second is the schema's hash, so
# databases' schemas migrate independently while two processes on one schema take turns.
_PG_LOCK = 0x7062_6D67
_PG_TAKE_LOCK = "SELECT pg_advisory_xact_lock($1, hashtext(current_schema()))"
# The schema tables are created in, and whether the ledger is there already (in that schema,
# where CREATE TABLE IF NOT EXISTS looks, not anywhere on the search_path).
_PG_SCHEMA = """
SELECT current_schema() AS name,
       to_regclass(quote_ident(current_schema()) || '.schema_migrations') IS NOT NULL
           AS has_ledger
"""


async def migrate_postgres(
    conn: asyncpg.Connection, now: datetime, migrations: list[Migration] | None = None
) -> list[str]:
    """Apply what is missing; return the names applied.

    Each migration runs in its own transaction that first takes a transaction-scoped advisory
    lock (which also holds behind PgBouncer in transaction mode), creates the ledger if it is
    not there, and checks it again, so two processes starting together on an empty database
    apply each migration once and neither fails.
    """
    migrations = load_migrations("postgresql") if migrations is None else migrations
    schema = await conn.fetchrow(_PG_SCHEMA)
    if schema["name"] is None:
        raise MigrationError(
            "the database has no schema to create tables in: create the schema named in "
            "the URL's search_path, or leave search_path out to use public"
        )
    if schema["has_ledger"]:
        rows = await conn.fetch("SELECT version, name, checksum FROM schema_migrations")
        ledger = [(int(r["version"]), str(r["name"]), str(r["checksum"])) for r in rows]
        if not _pending(ledger, migrations):
            return []
    applied_now = []
    for migration in migrations:
        async with conn.transaction():
            await conn.execute(_PG_TAKE_LOCK, _PG_LOCK)
            await conn.execute(_PG_LEDGER)
            checksum = await conn.fetchval(
                "SELECT checksum FROM schema_migrations WHERE version = $1", migration.version
            )
            if checksum is not None:
                if checksum != migration.checksum:
                    raise MigrationError(_changed(migration))
                continue
            await conn.execute(migration.sql)
            if await conn.fetchval("SELECT to_regclass('report_versions') IS NOT NULL"):
                await conn.execute(_BUMP_ALL)
            await conn.execute(
                "INSERT INTO schema_migrations (version, name, checksum, applied_at) "
                "VALUES ($1, $2, $3, $4)",
                migration.version,
                migration.name,
                migration.checksum,
                now,
            )
        applied_now.append(migration.name)
    async with conn.transaction():
        await conn.execute(_PG_TAKE_LOCK, _PG_LOCK)
        await conn.execute(_PG_LEDGER)
        rows = await conn.fetch("SELECT version, name FROM schema_migrations")
    _refuse_unknown([(int(r["version"]), str(r["name"])) for r in rows], migrations)
    return applied_now
