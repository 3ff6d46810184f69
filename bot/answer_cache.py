"""Answers that show only what the database holds (a partner's card, its score card, the
open drills that `/failover status` shows as of each request's moment), kept per workspace
and key under the workspace's report version, so a request that finds its key under the
version it read answers with no read of its own beyond that version.

The version is the one the slow reports are keyed on (bot/report_cache.py): the database
bumps it in the same transaction as every write that changes what these answers show, and
it is read (one statement, shared by the requests that arrive before it begins) before the
answer's data. An entry is therefore never older than its version, whatever replica wrote
last; only an equal version is taken. Failures are not kept. Entries are few and small (the
built messages, least recently used dropped first), and never changed once kept: whoever
takes one must not mutate it."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from bot.ports import Store
from bot.report_cache import ReportCache

T = TypeVar("T")
MAX_ANSWERS = 2048  # answers kept in one process, of every workspace (a card ~5 kB: 11 MB)


@dataclass
class AnswerCache:
    """Answers by workspace, key and report version, in this process, all from one store;
    the version read is the report cache's (one shared read for both)."""

    reports: ReportCache
    max_entries: int = MAX_ANSWERS
    _entries: OrderedDict[tuple[str, Hashable], tuple[int, Any]] = field(
        default_factory=OrderedDict
    )

    async def answer(
        self, store: Store, team_id: str, key: Hashable, compute: Callable[[], Awaitable[T]]
    ) -> T:
        """The answer key names under the workspace's current version: kept, or compute()'s
        (kept under the version read before it began; a failure raises and is not kept)."""
        version = await self.reports.version(store, team_id)
        name = (team_id, key)
        entry = self._entries.get(name)
        if entry is not None and entry[0] == version:
            self._entries.move_to_end(name)
            return cast(T, entry[1])
        value = await compute()
        self._entries[name] = (version, value)
        self._entries.move_to_end(name)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)
        return value
