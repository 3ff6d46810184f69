"""What every feature's queries share: the connection, the named queries, and how each engine
takes and gives back times, dates and counts."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar, overload

import aiosql

from bot.health.lazy import release
from storage.tx.loader import QuickQueryLoader
from storage.tx.one_hop import OneHopSQLiteAdapter

# Rows of a result the janitor frees (`_unboxed`): freed at once, 1,100,050 rows held the GIL
# 100-120 ms, so 50,000 about 5 ms; the janitor's pass a row at a time over the portfolio's
# results of 10,000-20,000 rows cost a digest 8 ms of CPU for stalls of a millisecond or two.
LARGE_RESULT = 50_000
_QUERIES_DIR = Path(str(resources.files("storage").joinpath("queries")))
_queries: dict[str, Any] = {}


def queries(adapter: str = "aiosqlite") -> Any:
    """The named queries for one driver's adapter, loaded once from the .sql files."""
    if adapter not in _queries:
        driver: Any = {"aiosqlite": OneHopSQLiteAdapter}.get(adapter, adapter)
        if adapter == "asyncpg":  # imported here: a bot on SQLite never imports asyncpg
            from storage.tx.pg_adapter import ConnectionPGAdapter

            driver = ConnectionPGAdapter
        _queries[adapter] = aiosql.from_path(
            _QUERIES_DIR, driver, mandatory_parameters=False, loader_cls=QuickQueryLoader
        )
    return _queries[adapter]


def _boxed_rows(
    conn: sqlite3.Connection, sql: str, params: dict[str, Any], plain: bool
) -> list[list[Any]]:
    """Every row of a statement, stepped to its end at once (run in the connection's own
    thread), as plain tuples or as the connection makes rows (sqlite3.Row), in a box: a
    one-item list that `_unboxed` empties on the event loop's side.

    aiosqlite's worker thread keeps its last job's result (a local of its loop, and the
    future it answered) until its next job. A result handed over bare was so freed in that
    thread when the reader ran its next statement: the full computation's 1,100,050 rows,
    one C call of 100-120 ms holding the GIL, the loop stalled throughout (bench/README.md,
    "The portfolio's first-round stall"). The box leaves the worker only an empty list."""
    cursor = conn.cursor()
    if plain:
        cursor.row_factory = None
    try:
        return [cursor.execute(sql, params).fetchall()]
    finally:
        cursor.close()


def _unboxed(box: list[list[Any]]) -> list[Any]:
    """The rows out of `_boxed_rows`' box, with the caller their only holder; a result of
    LARGE_RESULT rows or more is also handed to the janitor (bot/health/lazy.py), which frees
    it a row at a time once the caller lets go, instead of in one call that holds the GIL
    where its last reference goes (the event loop's thread or a worker's)."""
    rows = box.pop()
    if len(rows) >= LARGE_RESULT:
        release(rows)
    return rows


def utc_text(moment: datetime) -> str:
    """A timestamp as stored: UTC, ISO 8601, sortable as text."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def from_utc_text(text: str) -> datetime:
    """A stored timestamp back as an aware datetime."""
    return datetime.fromisoformat(text).astimezone(UTC)


class Dialect:
    """SQLite through aiosqlite: times as UTC text, dates as ISO text, counts as rowcount."""

    name = "sqlite"
    adapter = "aiosqlite"

    def stamp(self, moment: datetime) -> Any:
        """A moment as this engine stores it."""
        return utc_text(moment)

    def moment(self, stored: Any) -> datetime:
        """A stored moment as an aware UTC datetime."""
        return from_utc_text(stored)

    def day(self, day: date) -> Any:
        """A date as this engine stores it."""
        return day.isoformat()

    def date(self, stored: Any) -> date:
        """A stored date as a date."""
        return date.fromisoformat(stored)

    def affected(self, result: Any) -> int:
        """How many rows an INSERT, UPDATE or DELETE touched, from the driver's answer."""
        return int(result)

    def integrity_error(self) -> type[Exception]:
        """What the driver raises when a unique constraint refuses a row."""
        return sqlite3.IntegrityError


class PostgresDialect(Dialect):
    """PostgreSQL through asyncpg: TIMESTAMPTZ and DATE travel as datetime and date, and a
    statement answers with its command tag ("DELETE 3")."""

    name = "postgresql"
    adapter = "asyncpg"

    def stamp(self, moment: datetime) -> Any:
        return moment.astimezone(UTC)

    def moment(self, stored: Any) -> datetime:
        return stored.astimezone(UTC)  # type: ignore[no-any-return]

    def day(self, day: date) -> Any:
        return day

    def date(self, stored: Any) -> date:
        return stored  # type: ignore[no-any-return]

    def affected(self, result: Any) -> int:
        return int(str(result).rsplit(" ", 1)[-1])

    def integrity_error(self) -> type[Exception]:
        # Here, not at the top: a bot on SQLite never imports asyncpg (13 ms of its start-up).
        import asyncpg

        refused: type[Exception] = asyncpg.UniqueViolationError
        return refused


SQLITE = Dialect()
POSTGRES = PostgresDialect()


A = TypeVar("A")
B = TypeVar("B")
C = TypeVar("C")
# Another connection on this read's snapshot, for statements at the same time as its own;
# None when there is none to be had at once (the statements then take turns on this one).
Beside = Callable[[], AbstractAsyncContextManager[Any]]


class Queries:
    """One connection and the named queries; inside `Store.write()` one transaction."""

    def __init__(self, conn: Any, dialect: Dialect = SQLITE, beside: Beside | None = None) -> None:
        self._conn = conn
        self._d = dialect
        self._q = queries(dialect.adapter)
        # Workspaces whose reports this transaction changes (storage/tx/versions.py).
        self._changed: set[str] = set()
        self._beside = beside

    @overload
    async def at_once(
        self, a: Callable[[Any], Awaitable[A]], b: Callable[[Any], Awaitable[B]], /
    ) -> tuple[A, B]: ...
    @overload
    async def at_once(
        self,
        a: Callable[[Any], Awaitable[A]],
        b: Callable[[Any], Awaitable[B]],
        c: Callable[[Any], Awaitable[C]],
        /,
    ) -> tuple[A, B, C]: ...
    async def at_once(self, *calls: Callable[[Any], Awaitable[Any]]) -> tuple[Any, ...]:
        """Each call's result, given a Tx to run its statements on. In a PostgreSQL read all
        at the same time: the first on this one, each other one on a pooled connection of its
        own on this read's snapshot where the pool has one to spare (else one after the other
        here), and a call that fails cancels the others (awaited) before its error comes out.
        Elsewhere (SQLite's reads, every write) one after the other on this one."""
        if self._beside is None:
            return tuple([await call(self) for call in calls])
        results: list[Any] = [None] * len(calls)
        async with AsyncExitStack() as others:
            lanes: dict[int, tuple[Any, list[int]]] = {id(self): (self, [0])}
            for idx in range(1, len(calls)):
                tx = await others.enter_async_context(self._beside()) or self
                lanes.setdefault(id(tx), (tx, []))[1].append(idx)

            async def lane(tx: Any, idxs: Sequence[int]) -> None:
                for idx in idxs:
                    results[idx] = await calls[idx](tx)

            tasks = [asyncio.ensure_future(lane(tx, idxs)) for tx, idxs in lanes.values()]
            try:
                await asyncio.gather(*tasks)
            except BaseException:
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                raise
        return tuple(results)

    async def _rows(self, name: str, **params: Any) -> list[Any]:
        return await self._rows_of(getattr(self._q, name), **params)

    async def _rows_of(self, query: Any, **params: Any) -> list[Any]:
        """Every row of one of aiosql's select functions, fetched in one trip."""
        if self._d.name == "sqlite" and not query.attributes:
            # What OneHopSQLiteAdapter.select runs, without aiosql's two generators stepped
            # once a row (a tenth of a millisecond of loop for a hundred rows).
            box = await self._conn._execute(_boxed_rows, self._conn._conn, query.sql, params, False)
            return _unboxed(box)
        # The queries' own adapter (list_queries has its own): on PostgreSQL ConnectionPGAdapter.
        fetch_rows = getattr(query.__self__.driver_adapter, "fetch_rows", None)
        if fetch_rows is not None and not query.attributes:
            rows: list[Any] = await fetch_rows(self._conn, query.__name__, query.sql, params)
            return rows
        return [row async for row in query(self._conn, **params)]

    async def _fetchall(self, name: str, **params: Any) -> list[Any]:
        """Every row of a query as one list, fetched in one call to the connection's thread,
        with no step per row on the event loop as iterating `_rows` takes (half a second
        of loop for 500,000 rows). asyncpg fetches a whole result at once already."""
        # _rows_of's one trip, which leaves a query naming attributes (:p.x) to aiosql.
        return await self._rows_of(getattr(self._q, name), **params)

    async def _fetch_tuples(self, name: str, **params: Any) -> list[Any]:
        """`_fetchall` as rows that unpack like tuples, for reads of hundreds of thousands of
        rows: on SQLite plain tuples, which unlike sqlite3.Row drop out of the garbage
        collector's scans; asyncpg's records are such already. On SQLite in one trip to the
        connection's thread: a statement stepped once and fetched on a later trip keeps the
        shared reader's snapshot open in between, and a report version read queued there
        meanwhile would miss a write committed before it began (tests/storage/test_reader_hops.py).
        """
        if self._d.name != "sqlite":
            return await self._fetchall(name, **params)
        sql = getattr(self._q, name).sql
        # aiosqlite's own queueing (what its execute_fetchall does), with tuples for rows.
        box = await self._conn._execute(_boxed_rows, self._conn._conn, sql, params, True)
        return _unboxed(box)

    def reports_changed(self, *team_ids: str) -> None:
        """Note that this transaction writes what the workspaces' slow reports or cached cards
        show (partners, metrics, summaries, ratings, settings, benchmarks, drills and their
        threads, digest snapshots; bot/report_cache.py, bot/answer_cache.py): each one's
        report version is bumped once when it commits (storage/tx/versions.py). The one call a
        new write path needs."""
        self._changed.update(team_ids)
