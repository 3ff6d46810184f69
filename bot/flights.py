"""Concurrent reads of one thing share one read: a caller joins the next read that has not
begun, so each answer comes from a read that began after the caller arrived (whatever was
saved before it, on any replica, is in), and at most one read runs per key at a time."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
T = TypeVar("T")


@dataclass
class _Flight(Generic[T]):
    """One read not yet begun, and whether anyone joined it."""

    done: asyncio.Future[T]
    joined: int = 0


@dataclass
class Flights(Generic[K, T]):
    """The reads in flight in this process, by key."""

    _next: dict[K, _Flight[T]] = field(default_factory=dict)
    _running: dict[K, asyncio.Lock] = field(default_factory=dict)

    async def read(self, key: K, read: Callable[[], Awaitable[T]]) -> T:
        """read()'s result, shared with every caller of the same key who arrives before the
        read begins; a caller who arrives while it runs waits for the next one."""
        waiting = self._next.get(key)
        if waiting is not None:
            waiting.joined += 1
            return await asyncio.shield(waiting.done)
        flight: _Flight[T] = _Flight(asyncio.get_running_loop().create_future())
        self._next[key] = flight
        try:
            async with self._running.setdefault(key, asyncio.Lock()):
                del self._next[key]  # from here on, a caller needs a newer read
                result = await read()
        except BaseException as err:
            if self._next.get(key) is flight:
                del self._next[key]
            if flight.joined:
                flight.done.set_exception(
                    err if isinstance(err, Exception) else RuntimeError("the read was cancelled")
                )
            raise
        flight.done.set_result(result)
        return result
