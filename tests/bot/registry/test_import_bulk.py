"""A metric import's chunks are bulk writes of the store (SQLite: the WAL checkpointed beside
them, storage/wal_checkpoints.py); a store without bulk writes imports as before."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.registry.imports import ImportResult, import_metrics, import_partners
from storage.store import SQLiteStore

AT = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
NAMES = [f"Partner {i}" for i in range(5)]


class RecordingStore:
    """A store that says when its bulk writes begin and end and when each write begins."""

    def __init__(self, store: SQLiteStore) -> None:
        self._store = store
        self.events: list[str] = []

    def read(self, *, snapshot: bool = True) -> Any:
        return self._store.read(snapshot=snapshot)

    @contextlib.asynccontextmanager
    async def write(self) -> AsyncIterator[Any]:
        self.events.append("write")
        async with self._store.write() as tx:
            yield tx

    @contextlib.asynccontextmanager
    async def bulk_writes(self) -> AsyncIterator[None]:
        self.events.append("bulk")
        async with self._store.bulk_writes():
            yield
        self.events.append("end")


def csv_of(rows: list[str]) -> str:
    return "\n".join(["name,period,rue,roi,sentiment,gmv,traffic", *rows]) + "\n"


async def test_every_chunk_of_a_metric_import_is_inside_the_bulk_writes(tmp_path: Path) -> None:
    store = SQLiteStore(str(tmp_path / "t.db"))
    await store.open(AT)
    try:
        partners = "\n".join(
            ["name,category,tier,status,owner,tags,backups"]
            + [f"{name},KOL,core,active,U0OWNER,," for name in NAMES]
        )
        await import_partners(store, AT, "T1", partners + "\n")
        recording = RecordingStore(store)
        text = csv_of([f"{name},2026-W40,10,2,50,1000,300" for name in NAMES])
        result = await import_metrics(recording, AT, "T1", text, today=AT.date(), chunk_size=10)  # type: ignore[arg-type]
        assert result == ImportResult(25, 0, 0, rows=5)
        assert recording.events == ["bulk", "write", "write", "write", "end"]
    finally:
        await store.close()
