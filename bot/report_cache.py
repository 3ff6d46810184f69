"""The slow reports (the ranking, the portfolio, a digest) computed once per workspace and
report version, and shared by every request that asks for them meanwhile.

The version is one the database bumps in the same transaction as every write that changes
what these reports show (storage/tx/versions.py), and it is read before the report's data:
an entry is never older than its version, so a request whose version read (begun after it
arrived) finds an entry of that version can take it, whatever replica wrote last.
Concurrent requests share one version read (bot/flights.py); those of one version share one
computation, running or done. Entries are few (the latest version of each key, at most
MAX_ENTRIES keys, least recently used dropped first)."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Generator, Hashable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from bot.flights import Flights
from bot.ports import Store

T = TypeVar("T")
V = TypeVar("V")
MAX_ENTRIES = 32  # reports kept in one process, of every workspace
MAX_VIEWS = 16  # views kept of one report (pages, say)


class Report(Generic[T]):
    """One report being computed or done, and the views made of it (the messages that show
    it, built once a page or a scope for everyone who asks for the same)."""

    def __init__(self, computed: asyncio.Task[T]) -> None:
        self.computed = computed
        self._views: OrderedDict[Hashable, Any] = OrderedDict()

    def done(self) -> bool:
        return self.computed.done()

    def __await__(self) -> Generator[Any, None, T]:
        return asyncio.shield(self.computed).__await__()

    def view(self, key: Hashable, build: Callable[[T], V]) -> V:
        """build(report), made once for key (a done report only; a failed one raises)."""
        if key in self._views:
            self._views.move_to_end(key)
            made: V = self._views[key]
            return made
        made = build(self.computed.result())
        self._views[key] = made
        while len(self._views) > MAX_VIEWS:
            self._views.popitem(last=False)
        return made


@dataclass
class _Entry:
    version: int
    report: Report[Any]


async def _read_version(store: Store, team_id: str) -> int:
    async with store.read(snapshot=False) as tx:  # one statement
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
    ) -> Report[T]:
        """The report key names (compute() when not known yet for the current version):
        done when it was ready (then the answer can go in the ack), else running. Its
        failure is not kept: the next request computes it again."""
        version = await self.version(store, team_id)
        name = (team_id, key)
        entry = self._entries.get(name)
        # Equal, not "at least": a database restored to an older version is read afresh.
        if entry is not None and entry.version == version:
            self._entries.move_to_end(name)
            kept: Report[T] = entry.report
            return kept
        report = Report(asyncio.create_task(_computed(compute())))
        self._entries[name] = _Entry(version, report)
        self._entries.move_to_end(name)
        report.computed.add_done_callback(lambda done: self._forget_failed(name, report))
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)  # a running one still answers who awaits it
        return report

    def _forget_failed(self, name: tuple[str, Hashable], report: Report[Any]) -> None:
        done = report.computed
        failed = done.cancelled() or done.exception() is not None
        entry = self._entries.get(name)
        if failed and entry is not None and entry.report is report:
            del self._entries[name]


async def _computed(work: Awaitable[T]) -> T:
    return await work
