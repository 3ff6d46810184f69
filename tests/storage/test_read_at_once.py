"""`Tx.at_once` in a read: on PostgreSQL the calls run at the same time, each on a connection of
its own that shares the read's snapshot (none to spare: they take turns on the read's), and a
call that fails cancels the others, its own error coming out; on SQLite they take turns."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from storage.postgres import PostgresStore
from storage.store import SQLiteStore
from tests.support.databases import opened_postgres

AT = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
TEAM = "T1"
WAIT = 10.0  # s: a bound on a wait that ends at once unless at_once is broken
Store = SQLiteStore | PostgresStore


async def bump(store: Store) -> None:
    """A committed write that changes the workspace's report version."""
    async with store.write() as tx:
        tx.reports_changed(TEAM)


async def backend(tx: Any) -> int:
    return int(await tx._conn.fetchval("SELECT pg_backend_pid()"))


async def test_postgresql_calls_run_at_the_same_time(pg: PostgresStore) -> None:
    store = pg
    await bump(store)
    began = asyncio.Event()

    async def waits(tx: Any) -> int:
        await asyncio.wait_for(began.wait(), WAIT)  # one after the other, this never ends
        return int(await tx.report_version(TEAM))

    async def starts(tx: Any) -> str:
        began.set()
        return "second"

    async with store.read() as tx:
        assert await tx.at_once(waits, starts) == (1, "second")


@pytest.fixture
async def pg() -> AsyncIterator[PostgresStore]:
    async with opened_postgres(4, AT) as store:
        yield store


@pytest.fixture
async def one_connection() -> AsyncIterator[PostgresStore]:
    async with opened_postgres(1, AT) as store:
        yield store


async def test_postgresql_calls_share_the_reads_snapshot_on_their_own_connections(
    pg: PostgresStore,
) -> None:
    await bump(pg)
    async with pg.read() as tx:
        first = await tx.report_version(TEAM)
        await bump(pg)  # committed mid-read on another connection
        own = await backend(tx)

        async def version(on: Any) -> tuple[int, int]:
            return await on.report_version(TEAM), await backend(on)

        (v1, pid1), (v2, pid2), (v3, pid3) = await tx.at_once(version, version, version)
    assert v1 == v2 == v3 == first  # none sees the write, on three backends
    assert len({pid1, pid2, pid3}) == 3 and pid1 == own
    async with pg.read() as tx:
        assert await tx.report_version(TEAM) == first + 1


async def test_with_no_connection_to_spare_the_calls_take_turns(
    one_connection: PostgresStore,
) -> None:
    await bump(one_connection)
    order: list[str] = []

    async def version(name: str) -> Any:
        async def call(on: Any) -> tuple[int, int]:
            order.append(name)
            return await on.report_version(TEAM), await backend(on)

        return call

    async with one_connection.read() as tx:
        pid = await backend(tx)
        found = await asyncio.wait_for(
            tx.at_once(await version("a"), await version("b"), await version("c")), WAIT
        )
    assert found == ((1, pid), (1, pid), (1, pid))
    assert order == ["a", "b", "c"]


async def test_a_failing_call_cancels_the_others_and_its_error_comes_out(pg: PostgresStore) -> None:
    store = pg
    cancelled = asyncio.Event()

    async def forever(tx: Any) -> None:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.set()
            raise

    async def fails(tx: Any) -> None:
        await tx.report_version(TEAM)
        raise ValueError("this call failed")

    with pytest.raises(ValueError, match="this call failed"):
        async with store.read() as tx:
            await asyncio.wait_for(tx.at_once(forever, fails), WAIT)
    assert cancelled.is_set()
    _all_back(store)
    async with store.read() as tx:  # and the store reads on
        assert await tx.report_version(TEAM) == 0


def _all_back(store: Store) -> None:
    """Every connection of a PostgreSQL store's pool is idle again (none held, none leaked)."""
    if isinstance(store, PostgresStore):
        pool = store._pool
        assert pool is not None and pool.get_idle_size() == pool.get_size() >= 2


async def test_cancelling_the_caller_cancels_every_call_and_gives_back_the_connections(
    pg: PostgresStore,
) -> None:
    store = pg
    running: list[str] = []

    def forever(name: str) -> Any:
        async def call(tx: Any) -> None:
            await tx.report_version(TEAM)
            running.append(name)
            await asyncio.Event().wait()

        return call

    async def read() -> None:
        async with store.read() as tx:
            await tx.at_once(forever("a"), forever("b"), forever("c"))

    before = asyncio.all_tasks()
    task = asyncio.ensure_future(read())
    while len(running) < 3:  # every call under way (each has read once)
        await asyncio.sleep(0)
        assert not task.done()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert [t for t in asyncio.all_tasks() - before if not t.done()] == []
    _all_back(store)


async def test_a_connection_the_server_refuses_means_taking_turns_not_a_failed_read(
    pg: PostgresStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = asyncpg.Pool.acquire
    refusing = False

    def acquire(pool: asyncpg.Pool, *args: Any, **kwargs: Any) -> Any:
        if refusing:  # a second connection: the server is at max_connections
            raise asyncpg.TooManyConnectionsError("sorry, too many clients already")
        return real(pool, *args, **kwargs)

    monkeypatch.setattr(asyncpg.Pool, "acquire", acquire)
    async with pg.read() as tx:
        own = await backend(tx)
        refusing = True
        found = await tx.at_once(backend, backend)
    assert found == (own, own)


@pytest.fixture
async def lite(tmp_path: Path) -> AsyncIterator[SQLiteStore]:
    store = SQLiteStore(str(tmp_path / "t.db"))
    await store.open(AT)
    try:
        yield store
    finally:
        await store.close()


async def test_sqlite_calls_take_turns_in_order_and_an_error_stops_them(
    lite: SQLiteStore,
) -> None:
    await bump(lite)
    order: list[str] = []

    def call(name: str, fail: bool = False) -> Any:
        async def run(tx: Any) -> tuple[str, int]:
            order.append(f"{name} begins")
            version = int(await tx.report_version(TEAM))
            if fail:
                raise ValueError(f"{name} failed")
            order.append(f"{name} ends")
            return name, version

        return run

    async with lite.read() as tx:
        assert await tx.at_once(call("a"), call("b"), call("c")) == (("a", 1), ("b", 1), ("c", 1))
    assert order == ["a begins", "a ends", "b begins", "b ends", "c begins", "c ends"]
    order.clear()
    with pytest.raises(ValueError, match="b failed"):
        async with lite.read() as tx:
            await tx.at_once(call("a"), call("b", fail=True), call("c"))
    assert order == ["a begins", "a ends", "b begins"]
