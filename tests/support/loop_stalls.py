"""How long the event loop was kept from running: a task that should wake every tick
records the longest it overslept, which is the longest anything held the loop."""

from __future__ import annotations

import asyncio
import time

TICK = 0.01


class StallMonitor:
    """Start it, do the work, stop it: `longest` is the worst stall in seconds."""

    def __init__(self) -> None:
        self.longest = 0.0
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def _watch(self) -> None:
        last = time.perf_counter()
        while not self._stop.is_set():
            await asyncio.sleep(TICK)
            now = time.perf_counter()
            self.longest = max(self.longest, now - last - TICK)
            last = now

    def start(self) -> None:
        self._task = asyncio.create_task(self._watch())

    async def stop(self) -> float:
        """Stop watching; the longest stall seen, in seconds."""
        self._stop.set()
        if self._task is not None:
            await self._task
        return self.longest
