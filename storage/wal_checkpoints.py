"""An import's WAL checkpoints, run beside it on a connection of their own.

SQLite checkpoints the WAL inside the COMMIT that takes it past `wal_autocheckpoint` pages:
an import's chunk writes thousands of pages, so each of its commits also copied them into the
database file and waited for two fsyncs (about a second of a 100,000-value import, the
import's own thread idle meanwhile). During bulk writes the writer does not checkpoint; after
each commit a PASSIVE checkpoint runs on this connection instead, while the import reads and
works out its next chunk. PASSIVE takes no lock a reader or writer waits for; the WAL is as
durable as before (synchronous=NORMAL: the checkpoint syncs it before copying, as ever).
"""

from __future__ import annotations

import asyncio
import logging

import aiosqlite

log = logging.getLogger(__name__)


class BackgroundCheckpoints:
    """`committed()` after each commit of a bulk write; `close()` once, after the last one,
    waits for the checkpoint of everything committed (a failed checkpoint is logged: what it
    would have copied stays in the WAL, for the next one)."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn
        self._due = False
        self._task: asyncio.Task[None] | None = None

    @classmethod
    async def open(cls, path: str) -> BackgroundCheckpoints:
        return cls(await aiosqlite.connect(path, isolation_level=None))

    def committed(self) -> None:
        """Checkpoint what is committed, now or (one running) as soon as it ends."""
        self._due = True
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._checkpoints())

    async def _checkpoints(self) -> None:
        while self._due:
            self._due = False
            await self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)")

    async def close(self) -> None:
        try:
            if self._task is not None:
                await self._task
        except Exception:
            log.warning("a background checkpoint failed; the next checkpoint copies its pages")
        finally:
            await self._conn.close()
