"""The scheduler seam: slots, coalescing, failures, replacement, ticking and a clean stop."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.clock import FixedClock
from bot.scheduler import Scheduler

T0 = datetime(2026, 10, 30, 12, 0, tzinfo=UTC)
NEW_YORK = ZoneInfo("America/New_York")


class Recorder:
    """A job that records every slot it is given."""

    def __init__(self) -> None:
        self.slots: list[datetime] = []

    async def __call__(self, slot: datetime) -> None:
        self.slots.append(slot)


async def yield_loop(times: int = 5) -> None:
    """Let other tasks run a few steps; only for checking that something has NOT happened."""
    for _ in range(times):
        await asyncio.sleep(0)


async def test_date_job_runs_once_at_its_time() -> None:
    clock = FixedClock(T0)
    scheduler = Scheduler(clock)
    job = Recorder()
    due = T0 + timedelta(hours=1)
    scheduler.add("once", DateTrigger(due), job)
    assert scheduler.next_run("once") == due

    clock.set(due - timedelta(seconds=1))
    assert await scheduler.run_due() == []
    assert job.slots == []

    clock.set(due)
    assert await scheduler.run_due() == ["once"]
    assert job.slots == [due]
    assert scheduler.names == []
    assert scheduler.next_run("once") is None

    clock.advance(timedelta(days=1))
    assert await scheduler.run_due() == []
    assert job.slots == [due]


async def test_cron_job_gets_local_slots_across_dst_and_coalesces_missed_days() -> None:
    clock = FixedClock(T0)
    scheduler = Scheduler(clock)
    job = Recorder()
    scheduler.add("digest", CronTrigger(hour=9, minute=0, timezone=NEW_YORK), job)

    # New York leaves daylight saving time on Sunday 1 November 2026: 09:00 moves from 13 to 14 UTC.
    expected = [
        datetime(2026, 10, 30, 13, 0, tzinfo=UTC),
        datetime(2026, 10, 31, 13, 0, tzinfo=UTC),
        datetime(2026, 11, 1, 14, 0, tzinfo=UTC),
        datetime(2026, 11, 2, 14, 0, tzinfo=UTC),
    ]
    for slot in expected:
        assert scheduler.next_run("digest") == slot
        clock.set(slot - timedelta(minutes=1))
        assert await scheduler.run_due() == []
        clock.set(slot + timedelta(minutes=5))  # a late pass still gets the scheduled slot
        assert await scheduler.run_due() == ["digest"]
    assert job.slots == expected
    assert all(
        (s.astimezone(NEW_YORK).hour, s.astimezone(NEW_YORK).minute) == (9, 0) for s in job.slots
    )

    # Down from 3 to 6 November: four slots passed, one run with the latest.
    clock.set(datetime(2026, 11, 6, 15, 0, tzinfo=UTC))
    assert await scheduler.run_due() == ["digest"]
    assert job.slots[len(expected) :] == [datetime(2026, 11, 6, 14, 0, tzinfo=UTC)]
    assert scheduler.next_run("digest") == datetime(2026, 11, 7, 14, 0, tzinfo=UTC)
    assert await scheduler.run_due() == []


async def test_failing_job_is_logged_and_others_still_run(caplog: pytest.LogCaptureFixture) -> None:
    clock = FixedClock(T0)
    scheduler = Scheduler(clock)

    async def broken(slot: datetime) -> None:
        raise RuntimeError("boom")

    after = Recorder()
    scheduler.add("broken", IntervalTrigger(hours=1, start_date=T0), broken)
    scheduler.add("after", DateTrigger(T0), after)

    with caplog.at_level(logging.ERROR, logger="bot.scheduler"):
        assert await scheduler.run_due() == ["broken", "after"]

    assert after.slots == [T0]
    failures = [r for r in caplog.records if r.name == "bot.scheduler"]
    assert len(failures) == 1
    assert "broken" in failures[0].getMessage()
    assert failures[0].exc_info is not None
    assert isinstance(failures[0].exc_info[1], RuntimeError)
    assert scheduler.next_run("broken") == T0 + timedelta(hours=1)


async def test_add_with_an_existing_name_replaces_the_job() -> None:
    clock = FixedClock(T0)
    scheduler = Scheduler(clock)
    old, new = Recorder(), Recorder()
    scheduler.add("reminder", DateTrigger(T0 + timedelta(hours=1)), old)
    scheduler.add("reminder", DateTrigger(T0 + timedelta(hours=2)), new)
    assert scheduler.names == ["reminder"]
    assert scheduler.next_run("reminder") == T0 + timedelta(hours=2)

    clock.set(T0 + timedelta(hours=1))
    assert await scheduler.run_due() == []
    clock.set(T0 + timedelta(hours=2))
    assert await scheduler.run_due() == ["reminder"]
    assert old.slots == []
    assert new.slots == [T0 + timedelta(hours=2)]


async def test_add_with_a_trigger_that_never_fires_removes_the_old_job() -> None:
    clock = FixedClock(T0)
    scheduler = Scheduler(clock)
    scheduler.add("digest", CronTrigger(hour=9, timezone=NEW_YORK), Recorder())
    ended = CronTrigger(hour=9, timezone=NEW_YORK, end_date=T0 - timedelta(days=1))
    scheduler.add("digest", ended, Recorder())
    assert scheduler.names == []
    assert scheduler.next_run("digest") is None


async def test_concurrent_passes_do_not_run_a_job_twice() -> None:
    clock = FixedClock(T0)
    scheduler = Scheduler(clock)
    started, release = asyncio.Event(), asyncio.Event()
    slots: list[datetime] = []

    async def slow(slot: datetime) -> None:
        slots.append(slot)
        started.set()
        await release.wait()

    scheduler.add("slow", IntervalTrigger(hours=1, start_date=T0), slow)
    first = asyncio.create_task(scheduler.run_due())
    await asyncio.wait_for(started.wait(), timeout=5)
    second = asyncio.create_task(scheduler.run_due())
    await yield_loop()
    assert not second.done()

    release.set()
    assert await asyncio.wait_for(first, timeout=5) == ["slow"]
    assert await asyncio.wait_for(second, timeout=5) == []
    assert slots == [T0]


async def test_stop_waits_for_a_running_job() -> None:
    clock = FixedClock(T0)
    scheduler = Scheduler(clock)
    started, release = asyncio.Event(), asyncio.Event()
    finished: list[datetime] = []

    async def slow(slot: datetime) -> None:
        started.set()
        await release.wait()
        finished.append(slot)

    scheduler.add("slow", DateTrigger(T0), slow)
    running = asyncio.create_task(scheduler.run_due())
    await asyncio.wait_for(started.wait(), timeout=5)

    stopping = asyncio.create_task(scheduler.stop())
    await yield_loop()
    assert not stopping.done()
    assert finished == []

    release.set()
    await asyncio.wait_for(stopping, timeout=5)
    assert finished == [T0]
    assert running.done()
    assert running.result() == ["slow"]


async def test_start_ticks_run_due_until_stopped() -> None:
    clock = FixedClock(T0)
    scheduler = Scheduler(clock, tick_seconds=0.05)
    ran = asyncio.Event()
    slots: list[datetime] = []

    async def job(slot: datetime) -> None:
        slots.append(slot)
        ran.set()

    scheduler.add("hourly", IntervalTrigger(hours=1, start_date=T0), job)
    scheduler.start()
    try:
        await asyncio.wait_for(ran.wait(), timeout=5)  # the first tick happens right away
        assert slots == [T0]
        ran.clear()
        clock.advance(timedelta(hours=1))
        await asyncio.wait_for(ran.wait(), timeout=5)  # a later tick sees the moved clock
    finally:
        await scheduler.stop()
    assert slots == [T0, T0 + timedelta(hours=1)]


async def test_stop_lets_a_ticked_job_finish_rather_than_cancelling_it(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = FixedClock(T0)
    scheduler = Scheduler(clock, tick_seconds=0.05)
    started, release = asyncio.Event(), asyncio.Event()
    finished: list[datetime] = []

    async def slow(slot: datetime) -> None:
        started.set()
        await release.wait()
        finished.append(slot)

    scheduler.add("slow", DateTrigger(T0), slow)
    with caplog.at_level(logging.WARNING):
        scheduler.start()
        await asyncio.wait_for(started.wait(), timeout=5)
        stopping = asyncio.create_task(scheduler.stop())
        await yield_loop()
        assert not stopping.done()

        release.set()
        await asyncio.wait_for(stopping, timeout=5)
    assert finished == [T0]
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []


async def test_stop_is_idempotent_and_safe_without_start() -> None:
    clock = FixedClock(T0)
    scheduler = Scheduler(clock, tick_seconds=0.05)
    await scheduler.stop()
    await scheduler.stop()

    ran = asyncio.Event()

    async def job(slot: datetime) -> None:
        ran.set()

    scheduler.add("once", DateTrigger(T0), job)
    scheduler.start()  # a stop before start must not leave the scheduler unable to start
    try:
        await asyncio.wait_for(ran.wait(), timeout=5)
    finally:
        await scheduler.stop()
        await scheduler.stop()
    assert scheduler.names == []
