"""Background work: waited for at shutdown, and cancelled when it outlasts the grace."""

from __future__ import annotations

import asyncio

from bot.tasks import BackgroundTasks


async def test_drain_waits_for_tasks_started_while_draining() -> None:
    tasks = BackgroundTasks()
    done: list[str] = []
    gate = asyncio.Event()

    async def second() -> None:
        done.append("second")

    async def first() -> None:
        await gate.wait()
        tasks.spawn(second(), name="second")
        done.append("first")

    tasks.spawn(first(), name="first")
    gate.set()
    await tasks.drain(grace=10)
    assert done == ["first", "second"]


async def test_drain_cancels_what_outlasts_the_grace_and_returns() -> None:
    tasks = BackgroundTasks()
    never = asyncio.Event()
    stuck = tasks.spawn(never.wait(), name="stuck")
    await tasks.drain(grace=0.01)
    assert stuck.cancelled()


async def test_a_failing_task_is_logged_not_raised(caplog) -> None:  # type: ignore[no-untyped-def]
    tasks = BackgroundTasks()

    async def broken() -> None:
        raise ValueError("boom")

    tasks.spawn(broken(), name="broken")
    await tasks.drain(grace=10)
    assert "background task broken failed" in caplog.text
