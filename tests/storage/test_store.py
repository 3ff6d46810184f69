"""The SQLite store: connection settings, write transactions, workspace scoping."""

import asyncio
import sqlite3
import threading
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import aiosqlite
import pytest

import storage.store
from bot.registry.rules import Category, Partner, Status, Tier
from storage.migrate import load_migrations
from storage.store import SQLiteStore, utc_text
from tests.support.sqlite_leaks import close_leaked_connections

OPENED_AT = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
AT = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SQLiteStore]:
    """A migrated SQLite store in a fresh file, closed after the test."""
    opened = SQLiteStore(str(tmp_path / "t.db"))
    await opened.open(OPENED_AT)
    yield opened
    await opened.close()


def draft(name: str = "Acme", team_id: str = "T1") -> Partner:
    return Partner(
        id=0,
        team_id=team_id,
        name=name,
        category=Category.KOL,
        tier=Tier.CORE,
        status=Status.ACTIVE,
        owner="U0OWNER",
    )


async def insert(store: SQLiteStore, name: str = "Acme", team_id: str = "T1") -> int:
    async with store.write() as tx:
        return await tx.insert_partner(draft(name, team_id), name.casefold(), AT)


async def scalar(path: str, sql: str) -> object:
    """One value, read on a raw connection of its own."""
    async with aiosqlite.connect(path) as conn, conn.execute(sql) as cur:
        row = await cur.fetchone()
    assert row is not None
    return row[0]


# --- connection settings --------------------------------------------------------------


async def test_the_database_is_in_wal_mode(store: SQLiteStore) -> None:
    assert await scalar(store.path, "PRAGMA journal_mode") == "wal"


async def test_foreign_keys_are_enforced_on_writes(store: SQLiteStore) -> None:
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        async with store.write() as tx:
            await tx.replace_tags("T1", 999, ("live",))
    assert await scalar(store.path, "SELECT COUNT(*) FROM partner_tags") == 0


async def test_a_store_that_is_not_open_refuses_work(tmp_path: Path) -> None:
    closed = SQLiteStore(str(tmp_path / "never.db"))
    with pytest.raises(RuntimeError, match="not open"):
        async with closed.write():
            pass
    with pytest.raises(RuntimeError, match="not open"):
        async with closed.read():
            pass
    assert await closed.ping() is False


async def test_ping_answers_while_open(store: SQLiteStore) -> None:
    assert await store.ping() is True


async def test_open_creates_the_parent_folder(tmp_path: Path) -> None:
    nested = SQLiteStore(str(tmp_path / "a" / "b" / "t.db"))
    try:
        assert await nested.open(OPENED_AT) == [m.name for m in load_migrations()]
    finally:
        await nested.close()
    assert (tmp_path / "a" / "b" / "t.db").exists()


async def test_a_failed_open_leaves_no_connection_running(tmp_path: Path) -> None:
    not_a_database = tmp_path / "t.db"
    not_a_database.write_bytes(b"this is not a database file" * 100)
    threads_before = set(threading.enumerate())
    failed = SQLiteStore(str(not_a_database))
    with pytest.raises(sqlite3.DatabaseError) as err:
        await failed.open(OPENED_AT)
    await failed.close()
    started = [t for t in threading.enumerate() if t not in threads_before]
    for thread in started:
        await asyncio.to_thread(thread.join, 1)
    still_running = sum(thread.is_alive() for thread in started)
    await close_leaked_connections(err.value)
    assert still_running == 0, "the failed open left a connection's worker thread running"


# --- SQLite's own ----------------------------------------------------------------


async def test_write_holds_the_write_lock_from_its_start(store: SQLiteStore) -> None:
    async with store.write(), aiosqlite.connect(store.path, timeout=0) as other:
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            await other.execute("BEGIN IMMEDIATE")


async def test_reads_in_flight_together_run_on_different_readers_and_see_every_commit(
    store: SQLiteStore,
) -> None:
    from storage.store import READERS

    used: list[object] = []

    async def read_back(name: str) -> Partner | None:
        async with store.read() as tx:
            used.append(tx._conn)
            return await tx.partner_by_key("T1", name.casefold())

    names = [f"P{n}" for n in range(READERS)]
    for name in names:
        await insert(store, name)
    found = await asyncio.gather(*(read_back(name) for name in names))
    assert [p.name if p else None for p in found] == names
    assert len({id(conn) for conn in used}) == READERS


async def test_timestamps_are_stored_in_utc(store: SQLiteStore) -> None:
    shanghai_morning = datetime.fromisoformat("2026-11-23T07:30:00+08:00")
    async with store.write() as tx:
        await tx.insert_partner(draft(), "acme", shanghai_morning)
    assert await scalar(store.path, "SELECT created_at FROM partners") == (
        "2026-11-22T23:30:00.000000Z"
    )
    assert utc_text(shanghai_morning) == "2026-11-22T23:30:00.000000Z"


# --- one trip to the connection's thread a statement ------------------------------------


def count_trips(conn: aiosqlite.Connection, trips: list[str]) -> None:
    """Note each call aiosqlite hands to conn's worker thread."""
    handed = conn._execute

    async def counted(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
        trips.append(getattr(fn, "__name__", repr(fn)))
        return await handed(fn, *args, **kwargs)

    conn._execute = counted  # type: ignore[method-assign]


async def test_a_read_and_a_write_each_take_one_trip_to_the_thread(store: SQLiteStore) -> None:
    first = await insert(store, "Acme")
    await insert(store, "Bolt")
    trips: list[str] = []
    for conn in [*store.readers, store._writer]:
        assert conn is not None
        count_trips(conn, trips)
    async with store.read() as tx:
        found = await tx.partner_by_key("T1", "acme", full=False)
        names = await tx.partner_names("T1")
    assert found is not None and found.id == first
    assert sorted(names) == ["Acme", "Bolt"]
    assert len(trips) == 2, trips
    trips.clear()
    # BEGIN, the read, the update, the report version's one bump (a partner changed what
    # the reports show), COMMIT
    async with store.write() as tx:
        partner = await tx.partner_by_id("T1", first, full=False)
        assert partner is not None
        changed = await tx.update_partner(partner, "acme", AT)
    assert changed is not None
    assert len(trips) == 5, trips


# --- the planner's statistics ------------------------------------------------------


async def stat_tables(path: str) -> set[str]:
    async with aiosqlite.connect(path) as conn:
        rows = await conn.execute_fetchall("SELECT DISTINCT tbl FROM sqlite_stat1")
    return {str(row[0]) for row in rows}


async def test_each_start_gives_the_planner_statistics_of_every_table(tmp_path: Path) -> None:
    """PRAGMA optimize at close analyses only what the writer used: a start fills in the rest
    (a file with statistics of metrics alone got a portfolio plan ten times slower)."""
    path = str(tmp_path / "t.db")
    first = SQLiteStore(path)
    await first.open(OPENED_AT)
    for n in range(30):
        await insert(first, f"Partner {n}")
    await first.close()
    async with aiosqlite.connect(path) as conn:  # as a close that analysed one table leaves it
        await conn.execute("DELETE FROM sqlite_stat1 WHERE tbl <> 'metrics'")
        await conn.commit()
    assert "partners" not in await stat_tables(path)
    again = SQLiteStore(path)
    await again.open(OPENED_AT)
    try:
        assert "partners" in await stat_tables(path)
        assert await scalar(path, "SELECT stat FROM sqlite_stat1 WHERE idx = 'partners_listed'")
    finally:
        await again.close()


async def test_a_start_does_not_wait_for_the_write_lock_to_analyse(tmp_path: Path) -> None:
    """Another process holding the write lock (an import): the start goes on without the
    statistics, and its writer waits for locks as long as ever afterwards."""
    path = str(tmp_path / "t.db")
    made = SQLiteStore(path)
    await made.open(OPENED_AT)
    await made.close()
    async with aiosqlite.connect(path) as conn:
        await conn.execute("DELETE FROM sqlite_stat1")
        await conn.commit()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    blocked = SQLiteStore(path)
    try:
        await blocked.open(OPENED_AT)
        assert await stat_tables(path) == set()  # not analysed: the lock was taken
        async with blocked.read() as tx:
            assert await tx.report_version("T1") == 0  # and it serves
        assert blocked._writer is not None
        busy = await blocked._writer.execute_fetchall("PRAGMA busy_timeout")
        assert next(iter(busy))[0] == 5000
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        await blocked.close()


# A table whose best index only statistics tell: `a` is unique and `b` the same in every
# row, so `a = ? AND b = ?` is a search of `by_a`; without statistics the planner takes `by_b`.
PLANNED = "EXPLAIN QUERY PLAN SELECT * FROM planned WHERE a = 1 AND b = 2"


async def grown(store: SQLiteStore, rows: int = 5000) -> None:
    """The planned table, made and then filled through the store's writer."""
    async with store.write() as tx:
        await tx._conn.execute("CREATE TABLE planned (a INTEGER, b INTEGER)")
        await tx._conn.execute("CREATE INDEX by_a ON planned (a)")
        await tx._conn.execute("CREATE INDEX by_b ON planned (b)")
    for reader in store.readers:  # each reader reads the schema (and its statistics) now
        await reader.execute_fetchall(PLANNED)
    async with store.write() as tx:
        await tx._conn.executemany(
            "INSERT INTO planned (a, b) VALUES (?, 2)", [(n,) for n in range(rows)]
        )


async def plans(store: SQLiteStore) -> list[str]:
    """The index each reader searches for PLANNED."""
    found = []
    for reader in store.readers:
        [row] = await reader.execute_fetchall(PLANNED)
        found.append(str(row[3]).split(" USING INDEX ")[1].split(" ")[0])
    return found


async def test_every_reader_plans_with_the_statistics_of_the_file_it_grew_into(
    store: SQLiteStore,
) -> None:
    """A reader keeps the statistics it read when it opened, whatever another connection
    analyses later: a bot that started on a small file planned the grown registry's
    portfolio 15x slower. refresh_statistics analyses and has every reader load them."""
    await grown(store)
    assert await plans(store) == ["by_b"] * 3
    assert await store._refresh_statistics()  # the writer's ANALYZE alone: readers keep theirs
    assert await plans(store) == ["by_b"] * 3
    assert await store.refresh_statistics()
    assert await plans(store) == ["by_a"] * 3


async def test_an_import_leaves_the_readers_with_the_statistics_of_what_it_wrote(
    store: SQLiteStore,
) -> None:
    async with store.bulk_writes():
        await grown(store)
        assert await plans(store) == ["by_b"] * 3
    assert await plans(store) == ["by_a"] * 3


async def test_statistics_are_put_off_while_another_process_writes(store: SQLiteStore) -> None:
    """Neither the writer nor a reader waits for another process's write lock for them (an
    import's chunk): refreshed at the next hour, and every connection waits for locks as long
    as ever afterwards."""
    await grown(store)
    holder = sqlite3.connect(store.path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        assert await store.refresh_statistics() is False
        assert await plans(store) == ["by_b"] * 3
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert store._writer is not None
    for conn in [store._writer, *store.readers]:
        [(timeout,)] = await conn.execute_fetchall("PRAGMA busy_timeout")
        assert timeout == 5000
    assert await store.refresh_statistics()
    assert await plans(store) == ["by_a"] * 3


async def test_a_reader_busy_with_the_write_lock_elsewhere_puts_off_only_its_own_load(
    store: SQLiteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The writer analysed; a reader that finds the lock taken when it loads them says so
    (False), and the others load them."""
    await grown(store)
    first = store.readers[0]._conn
    load = storage.store._loaded_statistics

    def taken_for_first(conn: sqlite3.Connection) -> bool:
        if conn is not first:
            return load(conn)
        holder = sqlite3.connect(store.path, isolation_level=None)  # in the reader's thread
        holder.execute("BEGIN IMMEDIATE")
        try:
            return load(conn)
        finally:
            holder.execute("ROLLBACK")
            holder.close()

    monkeypatch.setattr(storage.store, "_loaded_statistics", taken_for_first)
    assert await store.refresh_statistics() is False
    assert await plans(store) == ["by_b", "by_a", "by_a"]
