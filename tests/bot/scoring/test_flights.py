"""Concurrent `/score top`s share a read of the pool, each answered from a read that began
after it arrived: a change saved while a read runs is in the next one's answer."""

import asyncio
from typing import Any

import pytest

from bot.registry.rules import Category
from bot.scoring.flights import RankingFlights


class FakePool:
    """A ranking whose reads wait for the test, each answering the pool's version then."""

    def __init__(self) -> None:
        self.version = 1
        self.reads: list[tuple[str, Category | None, int]] = []
        self.release = asyncio.Event()
        self.started = asyncio.Event()
        self.fail = False
        self.read = asyncio.Condition()  # notified at each read begun

    async def rank(self, store: Any, team_id: str, category: Category | None, limit: int) -> Any:
        self.reads.append((team_id, category, limit))
        seen = self.version  # the snapshot: taken when the read begins
        self.started.set()
        async with self.read:
            self.read.notify_all()
        await self.release.wait()
        if self.fail:
            raise RuntimeError("the database went away")
        return [f"v{seen}-{i}" for i in range(limit)]


async def test_requests_during_a_read_share_the_next_one_begun_after_them() -> None:
    pool = FakePool()
    flights = RankingFlights(rank=pool.rank)
    first = asyncio.create_task(flights.top(None, "T1", None, 2))
    await pool.started.wait()
    pool.version = 2  # a rating saved while the first read runs
    later = [asyncio.create_task(flights.top(None, "T1", None, n)) for n in (3, 1, 5)]
    other = asyncio.create_task(flights.top(None, "T1", Category.KOL, 1))
    async with pool.read:  # the KOL ranking is a read of its own
        await pool.read.wait_for(lambda: len(pool.reads) == 2)
    pool.release.set()
    assert await first == ["v1-0", "v1-1"]
    assert [await t for t in later] == [
        ["v2-0", "v2-1", "v2-2"],
        ["v2-0"],
        ["v2-0", "v2-1", "v2-2", "v2-3", "v2-4"],
    ]
    assert await other == ["v2-0"]
    assert pool.reads == [("T1", None, 2), ("T1", Category.KOL, 1), ("T1", None, 5)]
    assert await flights.top(None, "T1", None, 1) == ["v2-0"]  # nothing in flight: a new read
    assert len(pool.reads) == 4


async def test_a_failed_read_fails_those_who_joined_it_and_not_the_next() -> None:
    pool = FakePool()
    flights = RankingFlights(rank=pool.rank)
    first = asyncio.create_task(flights.top(None, "T1", None, 1))
    await pool.started.wait()
    joined = asyncio.create_task(flights.top(None, "T1", None, 1))
    await asyncio.sleep(0)
    pool.fail = True
    pool.release.set()
    with pytest.raises(RuntimeError, match="went away"):
        await first
    with pytest.raises(RuntimeError, match="went away"):
        await joined
    pool.fail = False
    assert await flights.top(None, "T1", None, 2) == ["v1-0", "v1-1"]
