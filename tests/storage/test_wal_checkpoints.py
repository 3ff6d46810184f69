"""An import's WAL checkpoints beside it (storage/wal_checkpoints.py, SQLiteStore.bulk_writes):
the writer stops checkpointing inside its commits, the checkpoints run on their own connection
and are over when the bulk writes end. Fakes are stepped by events, never by sleeps."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from storage.store import AUTOCHECKPOINT, SQLiteStore
from storage.wal_checkpoints import BackgroundCheckpoints
from tests.support.databases import execute, scalar

OPENED_AT = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
ROWS = 1500  # of 4,000 characters: past wal_autocheckpoint's 1,000 pages


class Held:
    """A connection whose checkpoints wait until the test lets each one end."""

    def __init__(self, fail: bool = False) -> None:
        self.started = 0
        self.release = asyncio.Event()
        self.running = asyncio.Event()
        self.closed = False
        self.fail = fail

    async def execute(self, sql: str) -> None:
        assert sql == "PRAGMA wal_checkpoint(PASSIVE)"
        self.started += 1
        self.running.set()
        await self.release.wait()
        if self.fail:
            raise sqlite3.OperationalError("disk I/O error")

    async def close(self) -> None:
        self.closed = True


async def autocheckpoint(store: SQLiteStore) -> int:
    async with (
        store.raw_transaction(readonly=False) as conn,
        conn.execute("PRAGMA wal_autocheckpoint") as cursor,
    ):
        row = await cursor.fetchone()
    assert row is not None
    return int(row[0])


def file_size(path: str) -> int:
    """The database file's size, not counting its WAL."""
    return Path(path).stat().st_size


@pytest.fixture
async def store(tmp_path: Path) -> Any:
    opened = SQLiteStore(str(tmp_path / "t.db"))
    await opened.open(OPENED_AT)
    await execute(opened, "CREATE TABLE blobs (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
    yield opened
    await opened.close()


async def test_the_writer_does_not_checkpoint_during_bulk_writes(store: SQLiteStore) -> None:
    assert await autocheckpoint(store) == AUTOCHECKPOINT
    async with store.bulk_writes():
        assert await autocheckpoint(store) == 0
        async with store.bulk_writes():  # a second import of the process, inside the first
            assert await autocheckpoint(store) == 0
        assert await autocheckpoint(store) == 0  # the first one still runs
    assert await autocheckpoint(store) == AUTOCHECKPOINT


async def test_what_bulk_writes_commit_is_in_the_database_file_when_they_end(
    store: SQLiteStore,
) -> None:
    before = file_size(store.path)
    async with store.bulk_writes(), store.raw_transaction(readonly=False) as writer:
        await writer.execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
            f"WHERE i < {ROWS}) INSERT INTO blobs (body) SELECT printf('%.4000c', 'x') FROM n"
        )
    # The writer's commit left its pages in the WAL (autocheckpoint 0); by the end of the bulk
    # writes a checkpoint has copied them into the file.
    assert file_size(store.path) >= before + ROWS * 4000
    assert await scalar(store, "SELECT count(*) FROM blobs") == ROWS


async def test_bulk_writes_restore_the_writer_when_the_import_fails(store: SQLiteStore) -> None:
    with pytest.raises(RuntimeError, match="chunk"):
        async with store.bulk_writes():
            raise RuntimeError("a chunk failed")
    assert await autocheckpoint(store) == AUTOCHECKPOINT


async def test_commits_during_a_checkpoint_are_checkpointed_once_after_it() -> None:
    conn = Held()
    checkpoints = BackgroundCheckpoints(conn)  # type: ignore[arg-type]
    checkpoints.committed()
    await conn.running.wait()
    checkpoints.committed()
    checkpoints.committed()  # two commits while the first checkpoint runs: one more for both
    conn.release.set()
    await checkpoints.close()
    assert conn.started == 2
    assert conn.closed


async def test_a_failed_checkpoint_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    conn = Held(fail=True)
    checkpoints = BackgroundCheckpoints(conn)  # type: ignore[arg-type]
    checkpoints.committed()
    conn.release.set()
    with caplog.at_level(logging.WARNING, logger="storage.wal_checkpoints"):
        await checkpoints.close()
    assert conn.closed
    assert "background checkpoint failed" in caplog.text


async def test_a_store_closed_during_bulk_writes_closes_their_connection(tmp_path: Path) -> None:
    store = SQLiteStore(str(tmp_path / "t.db"))
    await store.open(OPENED_AT)
    async with contextlib.AsyncExitStack() as stack:
        await stack.enter_async_context(store.bulk_writes())  # an import still running
        checkpoints = store._checkpoints
        assert checkpoints is not None
        await store.close()  # as at shutdown, before the import ends
        with pytest.raises(ValueError, match="no active connection"):
            await checkpoints._conn.execute("SELECT 1")
