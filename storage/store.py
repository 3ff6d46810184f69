"""The stores: `open_store(url)` opens SQLite (aiosqlite, here) or PostgreSQL (asyncpg,
storage/postgres.py) and applies migrations.

The SQL itself is in storage/queries/*.sql, run through `storage.tx.Tx` on either engine.
storage/postgres.py, and asyncpg with it, is imported only when a PostgreSQL URL is opened
(or PostgresStore is asked for by name): a bot on SQLite starts without them.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import aiosqlite

from storage.engine import POSTGRES_PREFIXES, SQLITE_PREFIX, StoreUnreachable
from storage.migrate import migrate_sqlite
from storage.tx import Tx, utc_text
from storage.wal_checkpoints import BackgroundCheckpoints
from storage.write_waits import WriteWaits

if TYPE_CHECKING:
    from storage.postgres import PostgresStore

__all__ = [
    "SQLITE_PREFIX",
    "PostgresStore",
    "SQLiteStore",
    "StoreUnreachable",
    "Tx",
    "open_store",
    "utc_text",
]


def __getattr__(name: str) -> Any:
    """PostgresStore, imported from storage/postgres.py when first asked for."""
    if name == "PostgresStore":
        from storage.postgres import PostgresStore

        return PostgresStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# Reader connections, each with its own aiosqlite thread: with one, every read of every
# request queued on one thread (68% busy under `/partner list`).
READERS = 3
BUSY_TIMEOUT_MS = 5000  # how long a statement waits for another connection's lock
# Rows of each index that ANALYZE looks at (SQLite's analysis_limit): the planner's statistics
# of every table in a few milliseconds at any size (10,000 x 52: 4 ms, against seconds for
# every row), close enough to choose the same plans.
ANALYSIS_LIMIT = 1000
# Another process waiting for the write lock retries up to 100 ms apart (SQLite's busy
# handler): a writer of many transactions in a row (an import) leaves up to this long between
# them while another writer waits (storage/write_waits.py), and none when nobody does.
WRITE_GAP = 0.1
AUTOCHECKPOINT = 1000  # SQLite's default wal_autocheckpoint, in pages, outside bulk writes


async def open_store(
    url: str, now: datetime, *, pool_size: int = 10, statement_cache_size: int = 100
) -> tuple[SQLiteStore | PostgresStore, list[str]]:
    """Open the database a URL names (`sqlite:///path`, `postgresql://...`), apply missing
    migrations, and return the store with the names of the migrations applied. The pool
    settings apply to PostgreSQL only."""
    store: SQLiteStore | PostgresStore
    if url.startswith(POSTGRES_PREFIXES):
        from storage import postgres  # asyncpg with it, only for a PostgreSQL URL

        store = postgres.PostgresStore(
            url, pool_size=pool_size, statement_cache_size=statement_cache_size
        )
    elif url.startswith(SQLITE_PREFIX):
        store = SQLiteStore(url.removeprefix(SQLITE_PREFIX))
    else:
        raise ValueError(f"unsupported database URL scheme: {url.split(':', 1)[0]}")
    try:
        applied = await store.open(now)
    except BaseException:
        await store.close()
        raise
    return store, applied


class SQLiteStore:
    """SQLite in WAL mode: one writer connection behind a lock, READERS readers beside it,
    taken in turn (shared, as one was: a read inside a read never waits for a free one)."""

    def __init__(self, path: str, write_gap: float = WRITE_GAP) -> None:
        self.path = path
        self.write_gap = write_gap
        self._writer: aiosqlite.Connection | None = None
        self._readers: list[aiosqlite.Connection] = []
        self._turn = 0
        self._write_lock = asyncio.Lock()
        self._waits: WriteWaits | None = None
        self._checkpoints: BackgroundCheckpoints | None = None  # during bulk_writes
        self._bulk = 0  # bulk_writes running (imports of this process)

    async def open(self, now: datetime) -> list[str]:
        """Connect, apply missing migrations, and return the names applied."""
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self._writer = await self._connect()
            self._waits = WriteWaits(None if self.path == ":memory:" else self.path)
            applied = await migrate_sqlite(self._writer, utc_text(now))
            await self._refresh_statistics()
            for _ in range(READERS):
                self._readers.append(await self._connect())
        except BaseException:
            await self.close()
            raise
        return applied

    async def _refresh_statistics(self) -> bool:
        """Statistics for the planner on every table, each start. `PRAGMA optimize` (at close)
        analyses only the tables its connection used, the writer's: a file it had analysed
        held statistics for metrics and none for the summaries and partners, and with half
        the picture the planner read the portfolio 10x slower (2.9 s against 0.29 s at
        10,000 x 52). Taken only if the write lock is free at once: a start does not wait
        behind another process's import for it (the next start or close refreshes them).
        True when taken."""
        assert self._writer is not None
        await self._writer.execute(f"PRAGMA analysis_limit = {ANALYSIS_LIMIT}")
        return await _unless_locked(self._writer, "ANALYZE")

    async def refresh_statistics(self) -> bool:
        """The planner's statistics taken again (`_refresh_statistics`) and loaded by every
        reader: a connection reads them when it opens and keeps them (a later ANALYZE on
        another connection does not change its plans), so a bot that started on a small file
        planned the portfolio of the registry it grew into with the statistics of the small
        one (2.5 s against 0.16 s at 10,000 x 52). Run hourly (bot/app.py) and after an
        import's bulk writes; True when every connection has them, False when a write lock
        held elsewhere put it off (none waits for it)."""
        if self._writer is None:
            raise RuntimeError("the store is not open")
        async with self._write_lock:  # not inside another coroutine's transaction
            if not await self._refresh_statistics():
                return False
        loaded = True
        for reader in self._readers:  # one job of its thread: no read runs with busy_timeout 0
            loaded = await reader._execute(_loaded_statistics, reader._conn) and loaded  # type: ignore[no-untyped-call]
        return loaded

    async def _connect(self) -> aiosqlite.Connection:
        conn = await aiosqlite.connect(self.path, isolation_level=None)
        try:
            conn.row_factory = aiosqlite.Row
            await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            await self._enable_wal(conn)
            await conn.execute("PRAGMA foreign_keys = ON")
            await conn.execute("PRAGMA synchronous = NORMAL")
        except BaseException:
            await conn.close()
            raise
        return conn

    @staticmethod
    async def _enable_wal(conn: aiosqlite.Connection) -> None:
        """Switch to WAL; SQLite refuses at once (no busy wait) while another process is
        switching the same new file, so try again for a few seconds."""
        for attempt in range(100):
            try:
                await conn.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as err:
                if "locked" not in str(err) or attempt == 99:
                    raise
                await asyncio.sleep(0.05)

    async def close(self) -> None:
        if self._checkpoints is not None:  # closed during an import: its checkpoints end too
            checkpoints, self._checkpoints = self._checkpoints, None
            await checkpoints.close()
        if self._writer is not None:
            # SQLite's advice for long-lived connections: refresh the planner's statistics.
            with contextlib.suppress(sqlite3.Error):
                await self._writer.execute("PRAGMA optimize")
        for conn in [*self._readers, self._writer]:
            if conn is not None:
                await conn.close()
        self._readers = []
        self._writer = None
        if self._waits is not None:
            self._waits.close()
            self._waits = None

    def _reader(self) -> aiosqlite.Connection:
        """The next reader in turn."""
        if not self._readers:
            raise RuntimeError("the store is not open")
        self._turn = (self._turn + 1) % len(self._readers)
        return self._readers[self._turn]

    @property
    def readers(self) -> list[aiosqlite.Connection]:
        """The reader connections (tests trace the statements they run)."""
        return list(self._readers)

    @contextlib.asynccontextmanager
    async def read(self, *, snapshot: bool = True) -> AsyncIterator[Tx]:
        """Queries that change nothing, on a reader connection, each statement on its own
        snapshot whatever snapshot says (the readers are shared by concurrent reads, so one
        cannot hold a transaction open): a read that must agree with itself is one statement
        here. Its `at_once` runs the calls one after the other: beside each other on this
        reader their statements interleaved, and the portfolio at 100,000 took 5-9% longer;
        on other readers (10,000) 218-231 against 164-178 ms, their rows made holding the GIL."""
        yield Tx(self._reader())

    @contextlib.asynccontextmanager
    async def write(self) -> AsyncIterator[Tx]:
        """One transaction that holds SQLite's write lock from its start."""
        if self._writer is None or self._waits is None:
            raise RuntimeError("the store is not open")
        async with self._write_lock:
            async with self._waits.waiting():  # other processes' imports let it in
                await self._writer.execute("BEGIN IMMEDIATE")
            try:
                tx = Tx(self._writer)
                yield tx
                await tx.bump_report_versions()
            except BaseException:
                await self._writer.execute("ROLLBACK")
                raise
            await self._writer.execute("COMMIT")
            if self._checkpoints is not None:
                self._checkpoints.committed()

    @contextlib.asynccontextmanager
    async def bulk_writes(self) -> AsyncIterator[None]:
        """Many write transactions in a row (an import): meanwhile the writer's commits leave
        the WAL's checkpoints to a connection of their own, which runs them beside the import
        (storage/wal_checkpoints.py); the last is over when this ends."""
        if self._writer is None or self.path == ":memory:":
            yield
            return
        writer = self._writer
        self._bulk += 1
        try:
            if self._bulk == 1:
                self._checkpoints = await BackgroundCheckpoints.open(self.path)
                async with self._write_lock:  # between transactions of this connection
                    await writer.execute("PRAGMA wal_autocheckpoint = 0")
            yield
        finally:
            self._bulk -= 1
            if self._bulk == 0 and self._checkpoints is not None:
                checkpoints, self._checkpoints = self._checkpoints, None
                try:
                    async with self._write_lock:
                        await writer.execute(f"PRAGMA wal_autocheckpoint = {AUTOCHECKPOINT}")
                finally:
                    checkpoints.committed()  # whatever this connection committed last
                    await checkpoints.close()
                if self._writer is not None:  # the plans for what the import wrote
                    with contextlib.suppress(sqlite3.Error):
                        await self.refresh_statistics()

    def writers_waiting(self) -> bool:
        """True while a writer of any process on this file waits for the write lock (an
        import, between two of its transactions, lets it in)."""
        return self._waits is not None and self._waits.anyone_waiting()

    @contextlib.asynccontextmanager
    async def raw_transaction(self, *, readonly: bool) -> AsyncIterator[aiosqlite.Connection]:
        """A connection in one transaction (a snapshot of the file when readonly, else holding
        the write lock), for tools that copy whole tables (copy-db)."""
        if self._writer is None or not self._readers:
            raise RuntimeError("the store is not open")
        if readonly:
            reader = self._reader()
            await reader.execute("BEGIN")
            try:
                yield reader
            finally:
                await reader.execute("ROLLBACK")
            return
        async with self.write():
            yield self._writer

    async def ping(self) -> bool:
        """True while the database answers."""
        try:
            async with self.read(snapshot=False) as tx:
                return await asyncio.wait_for(tx.ping(), timeout=2)
        except Exception:
            return False


async def _unless_locked(conn: aiosqlite.Connection, statement: str) -> bool:
    """Run statement if the write lock it takes is free at once; False when it is not."""
    await conn.execute("PRAGMA busy_timeout = 0")
    try:
        await conn.execute(statement)
    except sqlite3.OperationalError as err:
        if "locked" not in str(err) and "busy" not in str(err):
            raise
        return False
    finally:
        await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return True


def _loaded_statistics(conn: sqlite3.Connection) -> bool:
    """The statistics loaded again on a reader (`ANALYZE sqlite_schema` writes nothing but
    takes the write lock), in its own thread, with no wait for a lock held elsewhere."""
    conn.execute("PRAGMA busy_timeout = 0")
    try:
        conn.execute("ANALYZE sqlite_schema")
    except sqlite3.OperationalError as err:
        if "locked" not in str(err) and "busy" not in str(err):
            raise
        return False
    finally:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return True
