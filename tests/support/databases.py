"""The two engines for tests: a fresh SQLite file, or a fresh schema in the PostgreSQL test
database (127.0.0.1:5432, database `test`), so runs and tests never see each other's rows.

Without that server the PostgreSQL half is skipped with its reason; with `CI` set it fails.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import aiosqlite
import asyncpg
import pytest

from storage.postgres import PostgresStore
from storage.store import SQLiteStore

ENGINES = ("sqlite", "postgresql")
POSTGRES_URL = os.environ.get(
    "PARTNERBOT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
_answer: str | None = None  # why the server cannot be used; "" once it answered


async def _probe() -> str:
    global _answer
    if _answer is None:
        try:
            conn = await asyncpg.connect(POSTGRES_URL, timeout=5)
        except Exception as err:  # any reason at all means the half cannot run
            _answer = f"{type(err).__name__}: {err}"
        else:
            await conn.close()
            _answer = ""
    return _answer


async def require_postgres() -> None:
    """Skip the test, with the reason, when the server does not answer; under CI, fail."""
    why = await _probe()
    if why:
        message = f"PostgreSQL at {POSTGRES_URL} does not answer ({why})"
        if os.environ.get("CI"):
            pytest.fail(f"{message}; CI runs the PostgreSQL half, so it must be there")
        pytest.skip(message)


def with_search_path(url: str, schema: str) -> str:
    """url with its connections' search_path set to one schema."""
    parts = urlsplit(url)
    query = "&".join(q for q in (parts.query, f"search_path={schema}") if q)
    return urlunsplit(parts._replace(query=query))


@contextlib.asynccontextmanager
async def fresh_schema() -> AsyncIterator[str]:
    """A database URL whose tables go in a new, empty schema, dropped afterwards."""
    await require_postgres()
    schema = f"pb_{uuid.uuid4().hex[:16]}"
    admin = await asyncpg.connect(POSTGRES_URL, timeout=5)
    try:
        await admin.execute(f"CREATE SCHEMA {schema}")
        try:
            yield with_search_path(POSTGRES_URL, schema)
        finally:
            await admin.execute(f"DROP SCHEMA {schema} CASCADE")
    finally:
        await admin.close()


@contextlib.asynccontextmanager
async def database_url(engine: str, tmp_path: Path, name: str = "t.db") -> AsyncIterator[str]:
    """A URL of an empty database of the engine's."""
    if engine == "sqlite":
        yield f"sqlite:///{tmp_path / name}"
        return
    async with fresh_schema() as url:
        yield url


@contextlib.asynccontextmanager
async def opened_store(
    engine: str, tmp_path: Path, at: datetime
) -> AsyncIterator[SQLiteStore | PostgresStore]:
    """A migrated store of the engine's in an empty database, closed afterwards."""
    async with database_url(engine, tmp_path) as url:
        store = store_for(url)
        await store.open(at)
        try:
            yield store
        finally:
            await store.close()


@contextlib.asynccontextmanager
async def opened_postgres(pool_size: int, at: datetime) -> AsyncIterator[PostgresStore]:
    """A migrated PostgreSQL store of pool_size connections in a fresh schema, closed after."""
    async with fresh_schema() as url:
        store = PostgresStore(url, pool_size=pool_size)
        await store.open(at)
        try:
            yield store
        finally:
            await store.close()


def store_for(url: str) -> SQLiteStore | PostgresStore:
    """A second, not yet opened, store on the same database (another process's, say)."""
    if url.startswith("sqlite:///"):
        return SQLiteStore(url.removeprefix("sqlite:///"))
    return PostgresStore(url, pool_size=4)


def url_of(store: SQLiteStore | PostgresStore) -> str:
    return store.url if isinstance(store, PostgresStore) else f"sqlite:///{store.path}"


async def scalar(store: SQLiteStore | PostgresStore, sql: str) -> Any:
    """One value, read on a raw connection of its own (what another process would see)."""
    if isinstance(store, PostgresStore):
        conn = await asyncpg.connect(store.url)
        try:
            return await conn.fetchval(sql)
        finally:
            await conn.close()
    async with aiosqlite.connect(store.path) as db, db.execute(sql) as cur:
        row = await cur.fetchone()
    assert row is not None
    return row[0]


async def execute(store: SQLiteStore | PostgresStore, sql: str) -> None:
    """Run a statement on a raw connection of its own, committed."""
    if isinstance(store, PostgresStore):
        conn = await asyncpg.connect(store.url)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()
        return
    async with aiosqlite.connect(store.path) as db:
        await db.execute(sql)
        await db.commit()


async def table_rows(
    store: SQLiteStore | PostgresStore, leave_out: tuple[str, ...] = ()
) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table but leave_out, each table's rows in a stable order: what a
    test compares before and after a refusal to show that nothing was written."""
    if isinstance(store, PostgresStore):
        conn = await asyncpg.connect(store.url)
        try:
            names = await conn.fetch(
                "SELECT table_name FROM information_schema.tables"
                " WHERE table_schema = current_schema()"
            )
            tables = [r[0] for r in names if r[0] not in leave_out]
            found = {t: [tuple(r) for r in await conn.fetch(f"SELECT * FROM {t}")] for t in tables}
        finally:
            await conn.close()
    else:
        async with aiosqlite.connect(store.path) as db:
            async with db.execute("SELECT name FROM sqlite_master WHERE type = 'table'") as cur:
                names = [r[0] for r in await cur.fetchall()]
            tables = [t for t in names if t not in leave_out and not t.startswith("sqlite_")]
            found = {}
            for t in tables:
                async with db.execute(f"SELECT * FROM {t}") as cur:
                    found[t] = [tuple(r) for r in await cur.fetchall()]
    return {t: sorted(rows, key=repr) for t, rows in found.items()}


class _CountingConnection:
    """An asyncpg connection that notes each statement it is asked to run."""

    def __init__(self, conn: Any, seen: list[str]) -> None:
        self._conn = conn
        self._seen = seen

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._conn, name)
        if name not in ("fetch", "fetchrow", "fetchval", "execute"):
            return attr

        async def noted(sql: str, *args: Any) -> Any:
            self._seen.append(sql)
            return await attr(sql, *args)

        return noted


@contextlib.asynccontextmanager
async def reads_traced(
    store: SQLiteStore | PostgresStore, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[list[str]]:
    """The statements the store's reads run while inside, on either engine."""
    seen: list[str] = []
    if isinstance(store, PostgresStore):
        import storage.postgres as module

        original = module.Tx

        def counting_tx(conn: Any, dialect: Any) -> Any:
            return original(_CountingConnection(conn, seen), dialect)

        monkeypatch.setattr(module, "Tx", counting_tx)
        try:
            yield seen
        finally:
            monkeypatch.setattr(module, "Tx", original)
        return
    readers = store.readers
    assert readers
    for reader in readers:
        await reader.set_trace_callback(seen.append)
    try:
        yield seen
    finally:
        for reader in readers:
            await reader.set_trace_callback(None)


def engine_params() -> Iterator[Any]:
    """pytest params for the two engines, the PostgreSQL one marked."""
    yield pytest.param("sqlite", id="sqlite")
    yield pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres)
