"""Who waits for SQLite's write lock, across processes on one database file.

SQLite tells a writer nothing about others waiting for its lock: they poll (its busy
handler, up to 100 ms apart). A writer of many transactions in a row (an import) that left a
gap after every one would lose that time when nobody waits; one that left none would starve
them. So a writer about to take the lock says so: it holds a shared `flock` on `<db>-writers`
until it has the lock, and the importer, between two transactions, asks whether anyone holds
one (an exclusive lock it cannot take, then gives back at once). The kernel drops the locks
of a process that exits, so a crashed writer is never counted for ever.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

# While an importer is asking (a few microseconds, its exclusive lock held), a writer cannot
# register: it tries again, this many times this far apart, then writes unregistered (the
# importer may then not pause for it, as if it had come a moment later).
WRITERS_SUFFIX = "-writers"  # beside the database, as SQLite's -wal and -shm
REGISTER_ATTEMPTS = 20
REGISTER_RETRY = 0.001


class WriteWaits:
    """The `<db>-writers` file of one database: `waiting()` around taking the write lock,
    `anyone_waiting()` between two transactions. A `path` of None (an in-memory database,
    which no other process opens): nobody ever waits."""

    def __init__(self, path: str | None) -> None:
        self._mine = self._asks = -1
        if path is not None:
            name = f"{path}{WRITERS_SUFFIX}"
            # Two descriptors: flock's locks belong to one each, so asking (exclusive) on the
            # second never converts or drops this process's own registration on the first.
            # Read-only is enough for flock: a process of another user opens it too.
            self._mine = os.open(name, os.O_RDONLY | os.O_CREAT | os.O_CLOEXEC, 0o644)
            self._asks = os.open(name, os.O_RDONLY | os.O_CLOEXEC)

    @asynccontextmanager
    async def waiting(self) -> AsyncIterator[None]:
        """Registered as a writer waiting for the lock for the block (enter it just before
        `BEGIN IMMEDIATE`, leave it once that returned). Never blocks the event loop."""
        registered = self._mine >= 0 and await self._register()
        try:
            yield
        finally:
            if registered:
                fcntl.flock(self._mine, fcntl.LOCK_UN)

    async def _register(self) -> bool:
        for attempt in range(REGISTER_ATTEMPTS):
            try:
                fcntl.flock(self._mine, fcntl.LOCK_SH | fcntl.LOCK_NB)
                return True
            except BlockingIOError:  # an importer is asking right now
                if attempt < REGISTER_ATTEMPTS - 1:
                    await asyncio.sleep(REGISTER_RETRY)
        return False

    def anyone_waiting(self) -> bool:
        """True while a writer of any process (this one's too) is registered as waiting."""
        if self._asks < 0:
            return False
        try:
            fcntl.flock(self._asks, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(self._asks, fcntl.LOCK_UN)
        return False

    def close(self) -> None:
        for fd in (self._mine, self._asks):
            if fd >= 0:
                os.close(fd)
        self._mine = self._asks = -1
