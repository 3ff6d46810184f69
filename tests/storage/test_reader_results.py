"""A read's rows leave SQLite's connection thread with nothing there still holding them.
aiosqlite's worker keeps its last job's result until its next job; rows it kept were freed
in that thread when the reader ran its next statement, a large result in one call holding
the GIL (the full computation's 1.1 million rows stalled the event loop 100-120 ms). The
caller is their only holder, and a large result is handed to the janitor, which frees it a
row at a time once the caller lets it go."""

from __future__ import annotations

import gc
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import bot.health.lazy
from storage.store import SQLiteStore
from storage.tx.base import LARGE_RESULT

AT = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
TEAM = "T1"
OTHER = "T2"
STAMP = "2026-11-22T09:00:00.000000Z"


async def _store_of(path: Path, partners: int, others: int = 0) -> SQLiteStore:
    """A store with partners in TEAM and others in OTHER."""
    store = SQLiteStore(str(path))
    await store.open(AT)
    rows = [
        (team, f"Partner {n}", f"partner {n}", "KOL", "core", "active", "U1", STAMP, STAMP)
        for team, count in ((TEAM, partners), (OTHER, others))
        for n in range(count)
    ]
    async with store.write() as tx:
        await tx._conn.executemany(
            "INSERT INTO partners (team_id, name, name_key, category, tier, status, owner, "
            "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    return store


class _Taken:
    """The janitor's stand-in: what it was handed."""

    def __init__(self) -> None:
        self.handed: list[Any] = []

    def take(self, containers: list[Any]) -> None:
        self.handed += containers


@pytest.mark.parametrize("fetch", ["_fetch_tuples", "_fetchall"])
async def test_a_reads_rows_are_held_by_the_caller_alone(tmp_path: Path, fetch: str) -> None:
    store = await _store_of(tmp_path / "t.db", 3)
    try:
        async with store.read() as tx:
            rows = await getattr(tx, fetch)("partner_ids", team_id=TEAM)
        assert len(rows) == 3
        holders = [holder for holder in gc.get_referrers(rows[0]) if holder is not rows]
        assert holders == []  # nothing in the reader's thread (its last result) holds a row
    finally:
        await store.close()


@pytest.mark.parametrize("fetch", ["_fetch_tuples", "_fetchall"])
async def test_a_large_reads_rows_are_handed_to_the_janitor(
    tmp_path: Path, fetch: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = await _store_of(tmp_path / "t.db", LARGE_RESULT, LARGE_RESULT - 1)
    taken = _Taken()
    monkeypatch.setattr(bot.health.lazy, "JANITOR", taken)
    try:
        async with store.read() as tx:
            fewer = await getattr(tx, fetch)("partner_ids", team_id=OTHER)
            assert taken.handed == []  # freed where it is dropped
            rows = await getattr(tx, fetch)("partner_ids", team_id=TEAM)
        assert len(fewer) == LARGE_RESULT - 1 and len(rows) == LARGE_RESULT
        assert len(taken.handed) == 1 and taken.handed[0] is rows
    finally:
        await store.close()
