"""The pause between two chunks of an import: taken only while another writer waits for the
lock, and never past the store's gap since the last commit (a fake clock, no real sleeps)."""

from __future__ import annotations

from pathlib import Path

from bot.registry.import_runs import WAIT_POLL, Progress, progress_of
from storage.store import SQLiteStore


class Clock:
    """A monotonic clock that moves only when the pause sleeps."""

    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def progress(clock: Clock, waiting: list[bool], gap: float = 0.1) -> Progress:
    """A Progress whose writer waits for as many looks as `waiting` says (then not)."""
    looks = iter(waiting)
    return Progress(
        gap=gap,
        waiting=lambda: next(looks, False),
        clock=clock,
        sleep=clock.sleep,
        last=clock.now,
    )


async def test_no_pause_when_nobody_waits() -> None:
    clock = Clock()
    await progress(clock, []).pause()
    assert clock.slept == []


async def test_no_pause_before_the_first_chunk() -> None:
    clock = Clock()
    first = progress(clock, [True] * 100)
    first.last = None
    await first.pause()
    assert clock.slept == []


async def test_a_waiting_writer_is_given_until_it_has_the_lock() -> None:
    clock = Clock()
    await progress(clock, [True, True, True]).pause()
    assert clock.slept == [WAIT_POLL] * 3  # looked again after each poll, then went on


async def test_a_writer_that_keeps_waiting_is_given_the_gap_and_no_more() -> None:
    clock = Clock()
    await progress(clock, [True] * 1000, gap=0.1).pause()
    assert abs(sum(clock.slept) - 0.1) < 1e-9
    assert max(clock.slept) <= WAIT_POLL


async def test_time_since_the_last_commit_counts_toward_the_gap() -> None:
    clock = Clock()
    late = progress(clock, [True] * 1000, gap=0.1)
    clock.now += 0.08  # the next chunk's drafts took 80 ms
    await late.pause()
    assert abs(sum(clock.slept) - 0.02) < 1e-9
    clock.slept.clear()
    clock.now += 1.0
    await late.pause()
    assert clock.slept == []


async def test_a_sqlite_store_gives_the_pause_its_own_waiting_writers(tmp_path: Path) -> None:
    store = SQLiteStore(str(tmp_path / "t.db"))
    made = progress_of(store)
    assert made.gap == store.write_gap > 0
    assert made.waiting == store.writers_waiting
