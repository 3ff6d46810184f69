"""Concurrent `/score top`s share one read of the pool: a request joins the next read that has
not begun, so each answer comes from a snapshot taken after its request arrived (a rating
saved before it is in, on any replica) and at most one read runs per workspace and category."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bot.ports import Store
from bot.registry.rules import Category
from bot.scoring.rules import Ranked
from bot.scoring.service import ranking

Rank = Callable[[Store, str, Category | None, int], Awaitable[list[Ranked]]]


async def _ranking(
    store: Store, team_id: str, category: Category | None, limit: int
) -> list[Ranked]:
    return await ranking(store, team_id, category, limit=limit)


@dataclass
class _Flight:
    """One read of the pool not yet begun, and the most entries anyone who joined it shows."""

    limit: int
    done: asyncio.Future[list[Ranked]]
    joined: int = 0


@dataclass
class RankingFlights:
    """The reads of the ranking in flight in this process, by workspace and category."""

    rank: Rank = _ranking
    _next: dict[tuple[str, Category | None], _Flight] = field(default_factory=dict)
    _running: dict[tuple[str, Category | None], asyncio.Lock] = field(default_factory=dict)

    async def top(
        self, store: Store, team_id: str, category: Category | None, limit: int
    ) -> list[Ranked]:
        """`ranking(store, team_id, category, limit=limit)`, its read shared with requests
        that arrive while an earlier read runs."""
        key = (team_id, category)
        waiting = self._next.get(key)
        if waiting is not None:
            waiting.limit = max(waiting.limit, limit)
            waiting.joined += 1
            return (await asyncio.shield(waiting.done))[:limit]
        flight = _Flight(limit, asyncio.get_running_loop().create_future())
        self._next[key] = flight
        try:
            async with self._running.setdefault(key, asyncio.Lock()):
                del self._next[key]  # from here on, a request needs a newer snapshot
                result = await self.rank(store, team_id, category, flight.limit)
        except BaseException as err:
            if self._next.get(key) is flight:
                del self._next[key]
            if flight.joined:
                flight.done.set_exception(
                    err if isinstance(err, Exception) else RuntimeError("ranking cancelled")
                )
            raise
        flight.done.set_result(result)
        return result[:limit]
