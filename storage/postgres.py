"""The PostgreSQL store: an asyncpg pool, transactions, migrations, and a database that goes
away while running told apart from every other failure."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import asyncpg

from bot.errors import DatabaseUnavailable
from storage.engine import StoreUnreachable
from storage.migrate import migrate_postgres
from storage.tx import Tx
from storage.tx.base import POSTGRES

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = 10.0  # seconds to reach the server at start and for each new connection
ACQUIRE_TIMEOUT = 10.0  # seconds a request waits for a free connection of the pool
BESIDE_WAIT = 0.05  # seconds a read waits for a second, idle connection before it takes turns
_SNAPSHOT_ID = re.compile(r"[0-9A-Fa-f]+(?:-[0-9A-Fa-f]+)+")  # what pg_export_snapshot() returns
PING_TIMEOUT = 2.0
IMPORT_LANES = 2  # an import's chunk transactions written at once, each on its own connection


def _where(url: str) -> str:
    parts = urlsplit(url)
    database = parts.path.lstrip("/") or "(default)"
    return f"{parts.hostname or 'localhost'}:{parts.port or 5432}/{database}"


def describe_open_failure(url: str, err: BaseException) -> str | None:
    """One sentence for a failure to connect, or None when err is something else."""
    where = _where(url)
    if isinstance(
        err, asyncpg.InvalidPasswordError | asyncpg.InvalidAuthorizationSpecificationError
    ):
        return f"PostgreSQL at {where} refused the login ({err}): check the user and password"
    if isinstance(err, asyncpg.InvalidCatalogNameError):
        return f"PostgreSQL at {where} has no such database ({err}): create it or fix the name"
    if lost_connection(err):
        reason = str(err) or type(err).__name__
        return (
            f"PostgreSQL at {where} could not be reached ({reason}): check the host and port, "
            "and that the server is running"
        )
    return None


def lost_connection(err: BaseException) -> bool:
    """True when err says the server could not be reached or dropped the connection, as
    opposed to a statement that failed (which is a bug or a rule, not an outage)."""
    if isinstance(err, asyncpg.PostgresConnectionError | asyncpg.CannotConnectNowError):
        return True
    if isinstance(err, asyncpg.AdminShutdownError | asyncpg.TooManyConnectionsError):
        return True
    if isinstance(err, asyncpg.ConnectionDoesNotExistError):
        return True
    if isinstance(err, asyncpg.InterfaceError) and "closed" in str(err):
        return True
    return isinstance(err, OSError | TimeoutError)


class PooledConnection(asyncpg.Connection):  # type: ignore[misc]
    """A pool's connection that knows whether its holder may have left session state behind.

    The store's own statements leave none (tests/storage/test_pool_reset.py reads every one):
    no session advisory lock (migrations take transaction-scoped ones), no LISTEN, no SQL
    cursor, no SET outside a transaction. A holder that runs statements the store did not
    write (migrations, the raw connection of copy-db) calls `left_session_state` first.
    """

    __slots__ = ("_session_left",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._session_left = False

    def left_session_state(self) -> None:
        """Give this connection asyncpg's full reset when it goes back to the pool."""
        self._session_left = True


async def reset_session(conn: asyncpg.Connection) -> None:
    """The pool's reset on every release, after asyncpg's own (which always rolls back an open
    transaction and drops listener callbacks): asyncpg's reset query (unlock every advisory
    lock, CLOSE ALL, UNLISTEN *, RESET ALL; one round trip) only for a connection whose holder
    may have left session state; for the rest, nothing to send."""
    if isinstance(conn, PooledConnection) and not conn._session_left:
        return
    await conn.reset()  # asyncpg's own reset, query and all
    if isinstance(conn, PooledConnection):
        conn._session_left = False


class PostgresStore:
    """PostgreSQL through an asyncpg pool: every write is one transaction on one pooled
    connection; reads take any connection. Nothing here serialises writes: the versioned
    statements and constraints do, as they must with several processes on one database."""

    def __init__(self, url: str, *, pool_size: int = 10, statement_cache_size: int = 100) -> None:
        self.url = url
        self.pool_size = pool_size
        self.statement_cache_size = statement_cache_size
        self._pool: asyncpg.Pool | None = None
        # How many of an import's chunk transactions are written at once (its chunks hold
        # disjoint partners): each has a server process of its own, where most of a chunk's
        # time goes. A metric import holds two connections a lane (a chunk's write, the next
        # chunk's drafts read), so an import takes at most half the pool; a small pool, one.
        self.write_lanes = max(1, min(IMPORT_LANES, pool_size // 4))

    async def open(self, now: datetime) -> list[str]:
        """Connect, apply missing migrations, and return the names applied."""
        try:
            self._pool = await asyncpg.create_pool(
                self.url,
                min_size=1,
                max_size=self.pool_size,
                timeout=CONNECT_TIMEOUT,
                statement_cache_size=self.statement_cache_size,
                # The cards' JSON writes float8 as text: shortest exact, whatever the database sets.
                # No JIT: the portfolio's statements cost past jit_above_cost at 100,000
                # partners and compiling took 1.2-1.6 s of the 1.4 s pool_states ran (EXPLAIN
                # ANALYZE), against 0.2 s to run them; no statement here runs long enough to
                # win it back.
                server_settings={"extra_float_digits": "1", "jit": "off"},
                connection_class=PooledConnection,
                reset=reset_session,
            )
            async with self._pool.acquire(timeout=ACQUIRE_TIMEOUT) as conn:
                conn.left_session_state()  # a migration's SQL is any SQL
                return await migrate_postgres(conn, now)
        except BaseException as err:
            await self.close()
            why = describe_open_failure(self.url, err) if isinstance(err, Exception) else None
            if why is not None:
                raise StoreUnreachable(why) from err
            raise

    async def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            try:
                await asyncio.wait_for(pool.close(), timeout=PING_TIMEOUT * 5)
            except (TimeoutError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
                pool.terminate()  # the server is gone: nothing left to close politely

    def _open_pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError("the store is not open")
        return self._pool

    @contextlib.asynccontextmanager
    async def read(self, *, snapshot: bool = True) -> AsyncIterator[Tx]:
        """Queries that change nothing, all on one snapshot: a REPEATABLE READ READ ONLY
        transaction, so a write committed between two statements is seen by neither. A read
        of one statement passes snapshot=False and runs in autocommit (its statement is its
        own snapshot), sparing the BEGIN and COMMIT round trips."""
        pool = self._open_pool()
        async with (
            self._unavailable_on_loss(pool),
            pool.acquire(timeout=ACQUIRE_TIMEOUT) as conn,
        ):
            if not snapshot:
                yield Tx(conn, POSTGRES)
                return
            async with conn.transaction(isolation="repeatable_read", readonly=True):
                yield Tx(conn, POSTGRES, beside=lambda: self._beside(pool, conn))

    @contextlib.asynccontextmanager
    async def _beside(self, pool: asyncpg.Pool, conn: Any) -> AsyncIterator[Tx | None]:
        """A second connection on the snapshot of conn's read (exported, then taken by a
        transaction of the same isolation), for `at_once`; None when the pool has none to
        spare. Never a long wait for one that is in use: every holder of the pool's
        connections could be waiting for one more. One not yet opened is opened (within
        CONNECT_TIMEOUT); one that cannot be (the server at max_connections, say) is None too,
        not a failed read."""
        in_use = pool.get_size() - pool.get_idle_size()
        if in_use >= pool.get_max_size():
            yield None
            return
        wait = BESIDE_WAIT if pool.get_idle_size() else CONNECT_TIMEOUT
        other = None
        with contextlib.suppress(
            TimeoutError, asyncpg.TooManyConnectionsError, asyncpg.CannotConnectNowError, OSError
        ):
            other = await pool.acquire(timeout=wait)
        if other is None:
            yield None
            return
        try:
            exported = str(await conn.fetchval("SELECT pg_export_snapshot()"))
            if not _SNAPSHOT_ID.fullmatch(exported):
                raise ValueError(f"not a snapshot id: {exported!r}")
            async with other.transaction(isolation="repeatable_read", readonly=True):
                await other.execute(f"SET TRANSACTION SNAPSHOT '{exported}'")
                yield Tx(other, POSTGRES)
        finally:
            await pool.release(other, timeout=ACQUIRE_TIMEOUT)

    @contextlib.asynccontextmanager
    async def write(self) -> AsyncIterator[Tx]:
        """One READ COMMITTED transaction on one connection."""
        pool = self._open_pool()
        async with (
            self._unavailable_on_loss(pool),
            pool.acquire(timeout=ACQUIRE_TIMEOUT) as conn,
            conn.transaction(),
        ):
            tx = Tx(conn, POSTGRES)
            yield tx
            await tx.bump_report_versions()  # last, so the version row is locked briefly

    @contextlib.asynccontextmanager
    async def _unavailable_on_loss(self, pool: asyncpg.Pool) -> AsyncIterator[None]:
        try:
            yield
        except Exception as err:
            if not lost_connection(err):
                raise
            log.warning("database unavailable: %s", type(err).__name__)
            # The pool's other connections died with this one: replace them on next use.
            await pool.expire_connections()
            raise DatabaseUnavailable() from err

    async def ping(self) -> bool:
        """True while the database answers and its schema can be read."""
        if self._pool is None:
            return False
        try:
            async with asyncio.timeout(PING_TIMEOUT), self.read(snapshot=False) as tx:
                return await tx.ping()
        except Exception:
            return False

    @contextlib.asynccontextmanager
    async def raw_transaction(self, *, readonly: bool) -> AsyncIterator[asyncpg.Connection]:
        """A pooled connection in one transaction (a repeatable-read snapshot when readonly),
        for tools that copy whole tables (copy-db)."""
        pool = self._open_pool()
        isolation = "repeatable_read" if readonly else "read_committed"
        async with (
            self._unavailable_on_loss(pool),
            pool.acquire(timeout=ACQUIRE_TIMEOUT) as conn,
            conn.transaction(isolation=isolation, readonly=readonly),
        ):
            conn.left_session_state()  # the tool's statements are its own
            yield conn
