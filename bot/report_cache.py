"""The slow reports (the ranking, the portfolio, a digest) computed once per workspace and
report version, and shared by every request that asks for them meanwhile.

The version is one the database bumps in the same transaction as every write that changes
what these reports show (storage/tx/versions.py), and it is read before the report's data:
an entry is never older than its version, so a request whose version read (begun after it
arrived) finds an entry of that version or a newer one can take it, whatever replica wrote
last. Concurrent requests share one version read (bot/flights.py); those of one version share
one computation, running or done. Entries are few (the newest version of each key, at most
MAX_ENTRIES keys, least recently used dropped first)."""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from bot.flights import Flights
from bot.ports import Store

log = logging.getLogger(__name__)

T = TypeVar("T")
MAX_ENTRIES = 32  # reports kept in one process, of every workspace


@dataclass
class _Entry:
    version: int
    report: asyncio.Task[Any]


async def _read_version(store: Store, team_id: str) -> int:
    async with store.read() as tx:
        return await tx.report_version(team_id)


@dataclass
class ReportCache:
    """Reports by workspace, key and version, in this process, all from one store."""

    max_entries: int = MAX_ENTRIES
    _entries: OrderedDict[tuple[str, Hashable], _Entry] = field(default_factory=OrderedDict)
    _versions: Flights[str, int] = field(default_factory=Flights)

    async def version(self, store: Store, team_id: str) -> int:
        """The workspace's report version, from a read begun after this call (shared with
        the calls that arrive before it begins)."""
        return await self._versions.read(team_id, lambda: _read_version(store, team_id))

    async def report(
        self, store: Store, team_id: str, key: Hashable, compute: Callable[[], Awaitable[T]]
    ) -> asyncio.Future[T]:
        """The report key names (compute() when not known yet for the current version), as a
        future: done when the report was ready (then the answer can go in the ack), else
        running. Its failure is not kept: the next request computes it again."""
        version = await self.version(store, team_id)
        name = (team_id, key)
        entry = self._entries.get(name)
        if entry is not None and entry.version >= version:
            self._entries.move_to_end(name)
            return entry.report
        report: asyncio.Task[T] = asyncio.create_task(_computed(compute()))
        self._entries[name] = _Entry(version, report)
        self._entries.move_to_end(name)
        report.add_done_callback(lambda done: self._forget_failed(name, done))
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)  # a running one still answers who awaits it
        return report

    def _forget_failed(self, name: tuple[str, Hashable], done: asyncio.Task[Any]) -> None:
        failed = done.cancelled() or done.exception() is not None
        entry = self._entries.get(name)
        if failed and entry is not None and entry.report is done:
            del self._entries[name]


async def _computed(work: Awaitable[T]) -> T:
    return await work
