"""SQLite's readers are shared by concurrent reads, and a statement stepped but not finished
keeps its connection's read transaction (its snapshot) open: any statement run on that
connection meanwhile sees that older snapshot. So no read may leave a statement open between
two trips to a reader's thread, or a report version read queued in between (the caches' key,
bot/versioned.py) misses a write committed before it began, and a kept answer older than the
caller's own write is taken."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.access import Actor
from bot.registry.rules import Category, PartnerFields, Status
from bot.registry.service import add_partner
from storage.store import SQLiteStore

AT = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
TEAM = "T1"
OWNER = Actor("U0OWNER", is_admin=True)


async def test_a_version_read_between_a_big_reads_trips_sees_every_earlier_commit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = str(tmp_path / "t.db")
    mine, theirs = SQLiteStore(path), SQLiteStore(path)  # two replicas on one file
    await mine.open(AT)
    await theirs.open(AT)
    try:
        for name in ("Acme", "Bolt", "Cora"):
            fields = PartnerFields(name=name, category=Category.KOL, status=Status.ACTIVE)
            await add_partner(theirs, AT, TEAM, OWNER, fields)
        reader = mine.readers[0]
        monkeypatch.setattr(mine, "_reader", lambda: reader)  # every read on this reader
        seen: list[int] = []
        between: list[Callable[[], Awaitable[None]]] = []

        async def write_then_read_version() -> None:
            async with theirs.write() as tx:  # another replica's write, committed
                tx.reports_changed(TEAM)
            async with theirs.read() as tx:
                committed = await tx.report_version(TEAM)
            async with mine.read(snapshot=False) as tx:  # a request arriving after it
                seen.extend([committed, await tx.report_version(TEAM)])

        trip = reader._execute

        async def hooked(fn: Any, *args: Any, **kwargs: Any) -> Any:
            done = await trip(fn, *args, **kwargs)
            if between:  # after the first trip of the big read, before its next
                await between.pop()()
            return done

        monkeypatch.setattr(reader, "_execute", hooked)
        between.append(write_then_read_version)
        async with mine.read() as tx:
            ids = await tx.partner_ids(TEAM)  # a read of many rows (_fetch_tuples)
        assert len(ids) == 3 and not between
        committed, read = seen
        assert read == committed
    finally:
        await mine.close()
        await theirs.close()
