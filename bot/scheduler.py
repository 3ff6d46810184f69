"""Run registered jobs when their triggers say so; the scheduler knows no feature.

Features register a name, an APScheduler trigger and a coroutine taking the scheduled fire time
(the slot). Time is read only through a Clock, so tests drive it with a FixedClock and call
run_due() themselves; in production start() ticks run_due() every few seconds.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.clock import Clock

log = logging.getLogger(__name__)

Run = Callable[[datetime], Awaitable[None]]

TICK_JOB_ID = "partnerbot.tick"


@dataclass
class _Job:
    name: str
    trigger: BaseTrigger
    run: Run
    next_time: datetime


class Scheduler:
    """Registered jobs keyed by name, each run once per pass when its next fire time has come."""

    def __init__(self, clock: Clock, *, tick_seconds: float = 15.0) -> None:
        self._clock = clock
        self._tick_seconds = tick_seconds
        self._jobs: dict[str, _Job] = {}
        # One pass at a time, so a slow pass and the next tick never run a job twice at once.
        self._lock = asyncio.Lock()
        self._apscheduler: AsyncIOScheduler | None = None
        self._passes: set[asyncio.Task[list[str]]] = set()
        self._stopping = False

    @property
    def names(self) -> list[str]:
        """The names of the registered jobs, in registration order."""
        return list(self._jobs)

    def next_run(self, name: str) -> datetime | None:
        """The next fire time of the job called name, or None if there is no such job."""
        job = self._jobs.get(name)
        return job.next_time if job is not None else None

    def add(self, name: str, trigger: BaseTrigger, run: Run) -> None:
        """Register run under name, replacing any job of that name; run receives each slot.

        A trigger that never fires from now on registers nothing (and still removes the old job).
        """
        self._jobs.pop(name, None)
        first: datetime | None = trigger.get_next_fire_time(None, self._clock.now())
        if first is None:
            log.warning("scheduled job %s never fires; not registered", name)
            return
        self._jobs[name] = _Job(name, trigger, run, first)

    async def run_due(self) -> list[str]:
        """Run every job whose next fire time has come, one after the other, once each.

        Missed fire times coalesce: the job gets the latest one that has passed as its slot.
        A job that raises is logged and rescheduled like any other. Returns the names that ran
        (failed ones included), in order.
        """
        async with self._lock:
            now = self._clock.now()
            due = sorted(
                (job for job in self._jobs.values() if job.next_time <= now),
                key=lambda job: job.next_time,
            )
            ran: list[str] = []
            for job in due:
                # An earlier job in this pass may have replaced it; the new one waits its turn.
                if self._jobs.get(job.name) is not job:
                    continue
                slot, following = self._latest_passed(job, now)
                try:
                    await job.run(slot)
                except Exception:
                    log.exception("scheduled job %s failed for slot %s", job.name, slot.isoformat())
                ran.append(job.name)
                if self._jobs.get(job.name) is not job:
                    continue  # the job re-registered itself while running; keep the new one
                if following is None:
                    del self._jobs[job.name]
                else:
                    job.next_time = following
            return ran

    @staticmethod
    def _latest_passed(job: _Job, now: datetime) -> tuple[datetime, datetime | None]:
        """The latest fire time <= now (the slot) and the fire time after it, if any."""
        slot = job.next_time
        following: datetime | None = job.trigger.get_next_fire_time(slot, now)
        while following is not None and following <= now:
            slot = following
            following = job.trigger.get_next_fire_time(slot, now)
        return slot, following

    def start(self) -> None:
        """Tick run_due() every tick_seconds on the running event loop, the first tick at once."""
        if self._apscheduler is not None:
            raise RuntimeError("scheduler already started")
        self._stopping = False
        # UTC so APScheduler never consults the host's local zone; job triggers carry their own.
        apscheduler = AsyncIOScheduler(timezone=UTC)
        apscheduler.add_job(
            self._tick,
            IntervalTrigger(seconds=self._tick_seconds, timezone=UTC),
            id=TICK_JOB_ID,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,  # a late tick still runs; run_due() catches up by itself
            # The tick's cadence is real time (APScheduler's own clock); jobs still read the Clock.
            next_run_time=datetime.now(UTC),
        )
        apscheduler.start()
        self._apscheduler = apscheduler

    async def _tick(self) -> None:
        if self._stopping:
            return
        # Skip while a pass runs; the lock would only queue this one behind it.
        if any(not task.done() for task in self._passes):
            return
        # Our own task, not APScheduler's: its shutdown cancels its pending tasks, we let ours end.
        task = asyncio.get_running_loop().create_task(self.run_due(), name=TICK_JOB_ID)
        self._passes.add(task)
        task.add_done_callback(self._pass_done)

    def _pass_done(self, task: asyncio.Task[list[str]]) -> None:
        self._passes.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("scheduler pass failed", exc_info=task.exception())

    async def stop(self) -> None:
        """Stop ticking, then wait for a running pass to finish; never cancels a job.

        Idempotent and safe without start(). Do not call it from inside a job: it would wait
        for itself.
        """
        self._stopping = True
        apscheduler, self._apscheduler = self._apscheduler, None
        if apscheduler is not None:
            apscheduler.shutdown(wait=False)
            # AsyncIOScheduler queues its shutdown with call_soon_threadsafe; let it run now.
            await asyncio.sleep(0)
        while self._passes:
            await asyncio.gather(*list(self._passes), return_exceptions=True)
        # A pass started by a direct run_due() call holds the lock until it is done.
        async with self._lock:
            pass
