"""The SQLite store: connection settings, write transactions, workspace scoping."""

import asyncio
import sqlite3
import threading
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import aiosqlite
import pytest

from bot.metrics import parse_period
from bot.registry.ports import AuditEntry, ListFilters, MetricRow
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


# --- write transactions ---------------------------------------------------------------


async def test_write_commits_when_the_block_ends(store: SQLiteStore) -> None:
    partner_id = await insert(store)
    async with store.read() as tx:
        found = await tx.partner_by_id("T1", partner_id)
    assert found is not None
    assert found.name == "Acme"
    assert await scalar(store.path, "SELECT COUNT(*) FROM partners") == 1


async def test_write_rolls_back_on_an_exception(store: SQLiteStore) -> None:
    class Boom(Exception):
        pass

    with pytest.raises(Boom):
        async with store.write() as tx:
            partner_id = await tx.insert_partner(draft(), "acme", AT)
            await tx.replace_tags("T1", partner_id, ("live",))
            raise Boom
    assert await scalar(store.path, "SELECT COUNT(*) FROM partners") == 0
    assert await scalar(store.path, "SELECT COUNT(*) FROM partner_tags") == 0
    async with store.read() as tx:
        assert await tx.partner_by_key("T1", "acme") is None


async def test_the_store_writes_again_after_a_rollback(store: SQLiteStore) -> None:
    with pytest.raises(ValueError):
        async with store.write() as tx:
            await tx.insert_partner(draft(), "acme", AT)
            raise ValueError("changed my mind")
    await insert(store)
    assert await scalar(store.path, "SELECT COUNT(*) FROM partners") == 1


async def test_a_failing_statement_rolls_back_the_whole_transaction(store: SQLiteStore) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        async with store.write() as tx:
            await tx.insert_partner(draft("Acme"), "acme", AT)
            await tx.replace_tags("T1", 999, ("live",))  # no such partner: foreign key violation
    assert await scalar(store.path, "SELECT COUNT(*) FROM partners") == 0


async def test_write_holds_the_write_lock_from_its_start(store: SQLiteStore) -> None:
    async with store.write(), aiosqlite.connect(store.path, timeout=0) as other:
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            await other.execute("BEGIN IMMEDIATE")


# --- what the queries keep ------------------------------------------------------------


async def test_timestamps_are_stored_in_utc(store: SQLiteStore) -> None:
    shanghai_morning = datetime.fromisoformat("2026-11-23T07:30:00+08:00")
    async with store.write() as tx:
        await tx.insert_partner(draft(), "acme", shanghai_morning)
    assert await scalar(store.path, "SELECT created_at FROM partners") == (
        "2026-11-22T23:30:00.000000Z"
    )
    assert utc_text(shanghai_morning) == "2026-11-22T23:30:00.000000Z"


async def test_tags_and_backups_keep_their_order(store: SQLiteStore) -> None:
    acme, beta, gamma = [await insert(store, name) for name in ("Acme", "Beta", "Gamma")]
    async with store.write() as tx:
        await tx.replace_tags("T1", acme, ("zeta", "alpha", "mid"))
        await tx.replace_backups("T1", acme, [gamma, beta])
    async with store.read() as tx:
        found = await tx.partner_by_key("T1", "acme")
    assert found is not None
    assert found.tags == ("zeta", "alpha", "mid")
    assert found.backups == ("Gamma", "Beta")


async def test_partner_by_key_without_full_skips_tags(store: SQLiteStore) -> None:
    partner_id = await insert(store)
    async with store.write() as tx:
        await tx.replace_tags("T1", partner_id, ("live",))
    async with store.read() as tx:
        light = await tx.partner_by_key("T1", "acme", full=False)
        full = await tx.partner_by_key("T1", "acme")
    assert light is not None and full is not None
    assert (light.tags, full.tags) == ((), ("live",))


async def test_queries_are_scoped_to_a_workspace(store: SQLiteStore) -> None:
    partner_id = await insert(store, "Acme", "T1")
    async with store.read() as tx:
        assert await tx.partner_by_key("T2", "acme") is None
        assert await tx.partner_by_id("T2", partner_id) is None
        assert await tx.partner_names("T2") == []
        assert await tx.list_partners("T2", ListFilters(), 10, 0) == ([], 0)
        assert await tx.history("T2", partner_id, 10, 0) == ([], 0)
        assert await tx.teams() == ["T1"]


async def test_audit_entries_read_back_as_written(store: SQLiteStore) -> None:
    partner_id = await insert(store)
    entry = AuditEntry("T1", "U0OWNER", AT, "set", "tier", "standard", "core")
    async with store.write() as tx:
        await tx.add_audit(entry, partner_id)
    async with store.read() as tx:
        entries, total = await tx.history("T1", partner_id, 10, 0)
    assert (entries, total) == ([entry], 1)


async def test_record_metric_replaces_the_value_of_the_same_period(store: SQLiteStore) -> None:
    partner_id = await insert(store)
    week = parse_period("2026-W47")
    async with store.write() as tx:
        assert await tx.record_metric(
            MetricRow("T1", partner_id, week, "rue", 35.0), "U1", AT, None
        )
        assert await tx.record_metric(
            MetricRow("T1", partner_id, week, "rue", 40.0), "U2", AT, 35.0
        )
    async with store.read() as tx:
        assert await tx.metric_value("T1", partner_id, "2026-W47", "rue") == 40.0
        assert await tx.metric_value("T1", partner_id, "2026-W48", "rue") is None
        assert await tx.metric_value("T2", partner_id, "2026-W47", "rue") is None
    assert await scalar(store.path, "SELECT recorded_by FROM metrics") == "U2"
    assert await scalar(store.path, "SELECT period_end FROM metrics") == "2026-11-22"


async def test_an_event_is_claimed_once_per_workspace(store: SQLiteStore) -> None:
    async with store.write() as tx:
        assert await tx.claim("T1", "event", "Ev1", "", AT) is True
        assert await tx.claim("T1", "event", "Ev1", "", AT) is False
        assert await tx.claim("T2", "event", "Ev1", "", AT) is True
