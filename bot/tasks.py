"""Work that runs after the ack, tracked so shutdown and tests can wait for it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import Any, TypeVar

T = TypeVar("T")

log = logging.getLogger(__name__)


class BackgroundTasks:
    """Starts coroutines as tasks, logs their failures, and can wait for all of them."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, work: Awaitable[T], name: str) -> asyncio.Task[T]:
        """Run work in the background; an exception is logged, never lost silently."""
        task = asyncio.get_running_loop().create_task(_await(work), name=name)
        self._tasks.add(task)
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("background task %s failed", task.get_name(), exc_info=task.exception())

    async def drain(self, grace: float | None = None) -> None:
        """Wait until every task, including ones started meanwhile, has finished; after
        grace seconds, cancel what is left (logged) so shutdown always completes."""
        try:
            async with asyncio.timeout(grace):
                while self._tasks:
                    await asyncio.gather(*list(self._tasks), return_exceptions=True)
        except TimeoutError:
            left = list(self._tasks)
            log.warning(
                "cancelling %d unfinished tasks: %s",
                len(left),
                ", ".join(t.get_name() for t in left),
            )
            for task in left:
                task.cancel()
            await asyncio.gather(*left, return_exceptions=True)


async def _await(work: Awaitable[T]) -> T:
    return await work
