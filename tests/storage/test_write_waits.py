"""Writers waiting for SQLite's write lock, seen across descriptors, stores and processes
(storage/write_waits.py). Every wait here is bounded: an event or a pipe with a timeout."""

from __future__ import annotations

import asyncio
import fcntl
import os
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storage.store import SQLiteStore
from storage.write_waits import REGISTER_ATTEMPTS, WriteWaits

OPENED_AT = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
ROOT = str(Path(__file__).resolve().parents[2])  # the project, for the child process
BOUND = 10.0  # seconds: the longest any step here may take before the test fails

CHILD = """
import asyncio, sys
from storage.write_waits import WriteWaits

async def main() -> None:
    waits = WriteWaits(sys.argv[1])
    async with waits.waiting():
        print("registered", flush=True)
        sys.stdin.readline()  # until the test says so
    waits.close()

asyncio.run(main())
"""


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "t.db")


def test_nobody_waits_on_a_new_file(db: str) -> None:
    waits = WriteWaits(db)
    try:
        assert not waits.anyone_waiting()
        assert os.path.exists(f"{db}-writers")
    finally:
        waits.close()


async def test_a_registered_writer_is_seen_until_it_leaves(db: str) -> None:
    writer, importer = WriteWaits(db), WriteWaits(db)
    try:
        async with writer.waiting():
            assert importer.anyone_waiting()
            assert writer.anyone_waiting()  # its own process's registration counts too
            assert importer.anyone_waiting()  # asking changes nothing
        assert not importer.anyone_waiting()
        assert not writer.anyone_waiting()
    finally:
        writer.close()
        importer.close()


async def test_two_writers_registered_at_once_count_until_both_leave(db: str) -> None:
    first, second, importer = WriteWaits(db), WriteWaits(db), WriteWaits(db)
    try:
        async with first.waiting():
            async with second.waiting():
                assert importer.anyone_waiting()
            assert importer.anyone_waiting()
        assert not importer.anyone_waiting()
    finally:
        for waits in (first, second, importer):
            waits.close()


async def test_an_in_memory_database_has_nobody_waiting() -> None:
    waits = WriteWaits(None)
    async with waits.waiting():
        assert not waits.anyone_waiting()
    waits.close()


async def test_a_writer_registers_once_an_importer_has_asked(db: str) -> None:
    """An importer asking holds the file's exclusive lock for a moment: a writer arriving
    then tries again and is registered once it is given back."""
    writer, importer = WriteWaits(db), WriteWaits(db)
    asking = os.open(f"{db}-writers", os.O_RDONLY)
    fcntl.flock(asking, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as anyone_waiting, mid-question
    inside = asyncio.Event()
    leave = asyncio.Event()

    async def write() -> None:
        async with writer.waiting():
            inside.set()
            await leave.wait()

    task = asyncio.create_task(write())
    try:
        await asyncio.sleep(0)  # the writer tried once and is retrying
        assert not inside.is_set()
        fcntl.flock(asking, fcntl.LOCK_UN)
        await asyncio.wait_for(inside.wait(), BOUND)
        assert importer.anyone_waiting()
        leave.set()
        await asyncio.wait_for(task, BOUND)
        assert not importer.anyone_waiting()
    finally:
        leave.set()
        os.close(asking)
        writer.close()
        importer.close()


async def test_a_writer_that_cannot_register_writes_unregistered(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    slept: list[float] = []

    async def no_sleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr("storage.write_waits.asyncio.sleep", no_sleep)
    writer = WriteWaits(db)
    asking = os.open(f"{db}-writers", os.O_RDONLY)
    fcntl.flock(asking, fcntl.LOCK_EX | fcntl.LOCK_NB)  # never given back during the write
    try:
        async with writer.waiting():
            pass  # reached: the write goes on
        assert len(slept) == REGISTER_ATTEMPTS - 1
        fcntl.flock(asking, fcntl.LOCK_UN)
        assert not writer.anyone_waiting()  # nothing was left registered
    finally:
        os.close(asking)
        writer.close()


async def test_a_writer_in_another_process_is_seen(db: str) -> None:
    importer = WriteWaits(db)
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        CHILD,
        db,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": ROOT},
    )
    assert child.stdin is not None and child.stdout is not None
    try:
        assert await asyncio.wait_for(child.stdout.readline(), BOUND) == b"registered\n"
        assert importer.anyone_waiting()
        child.stdin.write(b"go\n")
        await child.stdin.drain()
        assert await asyncio.wait_for(child.wait(), BOUND) == 0
        assert not importer.anyone_waiting()
    finally:
        if child.returncode is None:
            child.kill()
            await child.wait()
        importer.close()


@pytest.fixture
async def two_stores(db: str) -> AsyncIterator[tuple[SQLiteStore, SQLiteStore]]:
    """Two stores on one file, as two processes would have them."""
    first, second = SQLiteStore(db), SQLiteStore(db)
    await first.open(OPENED_AT)
    await second.open(OPENED_AT)
    yield first, second
    await second.close()
    await first.close()


async def test_a_store_waiting_for_the_lock_is_seen_until_it_has_it(
    two_stores: tuple[SQLiteStore, SQLiteStore],
) -> None:
    importer, bot = two_stores
    inside = asyncio.Event()
    seen_inside: list[bool] = []

    async def bot_write() -> None:
        async with bot.write():
            seen_inside.append(importer.writers_waiting())
            inside.set()

    assert not importer.writers_waiting()
    async with importer.write():
        task = asyncio.create_task(bot_write())
        await asyncio.sleep(0)  # it registers, then waits on BEGIN IMMEDIATE in its thread
        assert importer.writers_waiting()
        assert not inside.is_set()
    await asyncio.wait_for(inside.wait(), BOUND)
    await asyncio.wait_for(task, BOUND)
    assert seen_inside == [False]  # once it holds the lock it no longer waits
    assert not importer.writers_waiting()


async def test_an_uncontended_write_leaves_nobody_registered(
    two_stores: tuple[SQLiteStore, SQLiteStore],
) -> None:
    importer, bot = two_stores
    async with bot.write():
        pass
    with pytest.raises(RuntimeError):  # a failed transaction unregisters too
        async with bot.write():
            raise RuntimeError("rolled back")
    assert not importer.writers_waiting()
