"""Clean-up for tests that make a store's open() fail."""

from __future__ import annotations

import traceback

import aiosqlite


async def close_leaked_connections(error: BaseException) -> None:
    """Close the aiosqlite connections still held by the frames of a failed open.

    A connection left open keeps its worker thread, and with it the interpreter, alive:
    a failing test would hang the whole run instead of failing.
    """
    for frame, _ in traceback.walk_tb(error.__traceback__):
        for value in list(frame.f_locals.values()):
            if isinstance(value, aiosqlite.Connection):
                await value.close()
