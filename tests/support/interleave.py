"""Two writers interleaved on purpose: one stops inside its transaction, right after a read,
while the other runs; then it goes on. Deterministic on both engines, with no sleeps."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any


class Gate:
    """Where the paused writer stops: after its first call of one Tx method."""

    def __init__(self, method: str) -> None:
        self.method = method
        self.reached = asyncio.Event()
        self.release = asyncio.Event()


class _GatedTx:
    def __init__(self, tx: Any, gate: Gate) -> None:
        self._tx = tx
        self._gate = gate

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._tx, name)
        gate = self._gate
        if name != gate.method:
            return attr

        async def then_wait(*args: Any, **kwargs: Any) -> Any:
            result = await attr(*args, **kwargs)
            if not gate.reached.is_set():  # only the first attempt stops; a retry runs on
                gate.reached.set()
                await gate.release.wait()
            return result

        return then_wait


class GatedStore:
    """A store whose write transactions stop at the gate; reads pass through."""

    def __init__(self, store: Any, gate: Gate) -> None:
        self._store = store
        self._gate = gate

    def read(self, *, snapshot: bool = True) -> Any:
        return self._store.read(snapshot=snapshot)

    @contextlib.asynccontextmanager
    async def write(self) -> AsyncIterator[Any]:
        async with self._store.write() as tx:
            yield _GatedTx(tx, self._gate)

    async def ping(self) -> bool:
        return bool(await self._store.ping())

    async def close(self) -> None:
        await self._store.close()


async def _outcome(work: Awaitable[Any]) -> Any:
    try:
        return await work
    except Exception as err:  # the race's loser is judged by its exception
        return err


async def race(
    paused: Callable[[], Awaitable[Any]],
    gate: Gate,
    other: Callable[[], Awaitable[Any]],
    *,
    other_finishes_first: bool,
) -> tuple[Any, Any]:
    """Start `paused` (its store gated) until it reaches the gate, then start `other`.

    other_finishes_first: `other` commits while `paused` holds its transaction open (on
    PostgreSQL, where a read takes no lock). Otherwise (SQLite's write lock, or a row that
    `paused` already wrote) `other` must wait for it, so `paused` goes on first.
    Returns the two outcomes, a result or the exception raised.
    """
    first = asyncio.create_task(_outcome(paused()))
    reached = asyncio.create_task(gate.reached.wait())
    await asyncio.wait({first, reached}, return_when=asyncio.FIRST_COMPLETED)
    reached.cancel()
    assert gate.reached.is_set(), f"the paused writer never reached {gate.method}"
    second = asyncio.create_task(_outcome(other()))
    if other_finishes_first:
        await second
    gate.release.set()
    return await first, await second
