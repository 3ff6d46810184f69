"""Concurrent reads of one key share a read, each answered from a read that began after it
arrived: a change saved while a read runs is in the next one's answer."""

import asyncio

import pytest

from bot.flights import Flights


class FakeSource:
    """Reads that wait for the test, each answering the source's version when it began."""

    def __init__(self) -> None:
        self.version = 1
        self.reads: list[str] = []
        self.release = asyncio.Event()
        self.begun = asyncio.Condition()  # notified at each read begun
        self.fail = False

    def reader(self, key: str):  # type: ignore[no-untyped-def]
        async def read() -> str:
            self.reads.append(key)
            seen = self.version  # the snapshot: taken when the read begins
            async with self.begun:
                self.begun.notify_all()
            await self.release.wait()
            if self.fail:
                raise RuntimeError("the database went away")
            return f"{key}-v{seen}"

        return read

    async def until_begun(self, count: int) -> None:
        async with self.begun:
            await self.begun.wait_for(lambda: len(self.reads) == count)


async def test_callers_during_a_read_share_the_next_one_begun_after_them() -> None:
    source = FakeSource()
    flights: Flights[str, str] = Flights()
    first = asyncio.create_task(flights.read("T1", source.reader("T1")))
    await source.until_begun(1)
    source.version = 2  # a change saved while the first read runs
    later = [asyncio.create_task(flights.read("T1", source.reader("T1"))) for _ in range(3)]
    other = asyncio.create_task(flights.read("T2", source.reader("T2")))
    await source.until_begun(2)  # T2's is a read of its own, begun at once
    source.release.set()
    assert await first == "T1-v1"
    assert [await t for t in later] == ["T1-v2"] * 3
    assert await other == "T2-v2"
    assert source.reads == ["T1", "T2", "T1"]  # three callers, one read after the first
    assert await flights.read("T1", source.reader("T1")) == "T1-v2"  # none in flight: a new one
    assert len(source.reads) == 4


async def test_a_failed_read_fails_those_who_joined_it_and_not_the_next() -> None:
    source = FakeSource()
    flights: Flights[str, str] = Flights()
    first = asyncio.create_task(flights.read("T1", source.reader("T1")))
    await source.until_begun(1)
    joined = asyncio.create_task(flights.read("T1", source.reader("T1")))
    await asyncio.sleep(0)
    source.fail = True
    source.release.set()
    with pytest.raises(RuntimeError, match="went away"):
        await first
    with pytest.raises(RuntimeError, match="went away"):
        await joined
    source.fail = False
    assert await flights.read("T1", source.reader("T1")) == "T1-v1"
