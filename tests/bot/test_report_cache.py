"""Slow reports kept by workspace, key and report version: computed once per version by
however many requests ask meanwhile, computed again after a write (a newer version), a
failure never kept, and no more entries than the bound."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.report_cache import ReportCache


class VersionedStore:
    """A store whose only read is the report version, which the test sets."""

    def __init__(self) -> None:
        self.version = 1
        self.version_reads = 0
        self.answer = asyncio.Event()  # cleared: version reads wait for the test
        self.answer.set()
        self.begun = asyncio.Condition()

    @contextlib.asynccontextmanager
    async def read(self, *, snapshot: bool = True) -> AsyncIterator[Any]:
        yield self

    async def report_version(self, team_id: str) -> int:
        self.version_reads += 1
        async with self.begun:
            self.begun.notify_all()
        await self.answer.wait()
        return self.version


class Computation:
    """A computation the test releases, counting how often it ran."""

    def __init__(self) -> None:
        self.runs = 0
        self.release = asyncio.Event()
        self.fail = False

    async def __call__(self) -> str:
        self.runs += 1
        await self.release.wait()
        if self.fail:
            raise RuntimeError("the database went away")
        return f"report {self.runs}"


async def test_requests_of_one_version_share_one_computation_and_a_write_redoes_it() -> None:
    store, report, cache = VersionedStore(), Computation(), ReportCache()
    asked = [await cache.report(store, "T1", "top", report) for _ in range(5)]  # type: ignore[arg-type]
    assert all(f is asked[0] for f in asked) and not asked[0].done()
    report.release.set()
    assert await asked[0] == "report 1"
    ready = await cache.report(store, "T1", "top", report)  # type: ignore[arg-type]
    assert ready.done() and ready.computed.result() == "report 1" and report.runs == 1
    # Another workspace, or another key, is a report of its own.
    assert await (await cache.report(store, "T2", "top", report)) == "report 2"  # type: ignore[arg-type]
    assert await (await cache.report(store, "T1", "digest", report)) == "report 3"  # type: ignore[arg-type]
    store.version = 2  # a write, on any replica
    assert await (await cache.report(store, "T1", "top", report)) == "report 4"  # type: ignore[arg-type]
    assert store.version_reads == 9  # each request read the version (none were concurrent)


async def test_a_failed_computation_is_not_kept() -> None:
    store, report, cache = VersionedStore(), Computation(), ReportCache()
    report.fail = True
    report.release.set()
    failed = await cache.report(store, "T1", "top", report)  # type: ignore[arg-type]
    with pytest.raises(RuntimeError, match="went away"):
        await failed
    report.fail = False
    assert await (await cache.report(store, "T1", "top", report)) == "report 2"  # type: ignore[arg-type]


async def test_entries_are_bounded_least_recently_used_first() -> None:
    store, report, cache = VersionedStore(), Computation(), ReportCache(max_entries=2)
    report.release.set()
    for key in ("a", "b", "a", "c"):  # "b" is the least recently used when "c" comes
        await (await cache.report(store, "T1", key, report))  # type: ignore[arg-type]
    assert report.runs == 3
    assert (await cache.report(store, "T1", "a", report)).done()  # type: ignore[arg-type]
    assert report.runs == 3
    await (await cache.report(store, "T1", "b", report))  # type: ignore[arg-type]
    assert report.runs == 4


async def test_concurrent_requests_share_one_version_read() -> None:
    store, report, cache = VersionedStore(), Computation(), ReportCache()
    report.release.set()
    await (await cache.report(store, "T1", "top", report))  # type: ignore[arg-type]
    before = store.version_reads
    store.answer.clear()
    asking = [asyncio.create_task(cache.report(store, "T1", "top", report)) for _ in range(8)]  # type: ignore[arg-type]
    async with store.begun:  # the first request's read has begun; the others came meanwhile
        await store.begun.wait_for(lambda: store.version_reads == before + 1)
    store.answer.set()
    asked = [await task for task in asking]
    assert all(f.done() for f in asked) and report.runs == 1
    # The first began its read at once; the seven others joined the next one.
    assert store.version_reads - before == 2


async def test_a_view_of_a_report_is_built_once_a_key() -> None:
    store, report, cache = VersionedStore(), Computation(), ReportCache()
    report.release.set()
    made = await cache.report(store, "T1", "top", report)  # type: ignore[arg-type]
    await made
    built: list[int] = []

    def page(offset: int):  # type: ignore[no-untyped-def]
        def build(text: str) -> str:
            built.append(offset)
            return f"{text}, from {offset}"

        return build

    assert made.view(0, page(0)) == "report 1, from 0"
    assert made.view(0, page(0)) == "report 1, from 0"
    assert made.view(10, page(10)) == "report 1, from 10"
    assert built == [0, 10]
