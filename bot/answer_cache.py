"""Answers that show only what the database holds (a partner's card, its score card, its
health on a day, a page of `/partner list`, the open drills that `/failover status` shows as
of each request's moment), kept per workspace and key under the workspace's report version,
so a request that finds its key under the version it read answers with no read of its own
beyond that version.

The version is the one the slow reports are keyed on (bot/report_cache.py): the database
bumps it in the same transaction as every write that changes what these answers show, and
it is read (one statement, shared by the requests that arrive before it begins) before the
answer's data. An entry is therefore never older than its version, whatever replica wrote
last; only an equal version is taken. Failures are not kept. Entries are few and small (the
messages as the bodies their acks send, least recently used dropped first), and never
changed once kept: whoever takes one must not mutate it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from bot.ports import Store
from bot.report_cache import ReportCache
from bot.versioned import VersionedValues

T = TypeVar("T")
# Answers kept in one process, of every workspace: each as its serialised body
# (handlers/reply.py Serialised), 2-4 kB with what building it memoised (tracemalloc over 300
# cards, score cards and health answers), so at most ~15 MB.
MAX_ANSWERS = 4096


@dataclass
class AnswerCache:
    """Answers by workspace, key and report version, in this process, all from one store;
    the version read is the report cache's (one shared read for both)."""

    reports: ReportCache
    max_entries: int = MAX_ANSWERS
    _entries: VersionedValues[tuple[str, Hashable], Any] = field(init=False)

    def __post_init__(self) -> None:
        self._entries = VersionedValues(self.max_entries)

    async def answer(
        self, store: Store, team_id: str, key: Hashable, compute: Callable[[], Awaitable[T]]
    ) -> T:
        """The answer key names under the workspace's current version: kept, or compute()'s
        (kept under the version read before it began; a failure raises and is not kept)."""
        version = await self.reports.version(store, team_id)
        name = (team_id, key)
        known = self._entries.known(name)
        if known is not None and known.version == version:
            return cast(T, known.value)
        value = await compute()
        self._entries.keep(name, version, value)  # never over one of a later version
        return value
