"""aiosql's asyncpg adapter, without its test of every statement's connection for a pool.

aiosql wraps each statement in `MaybeAcquire`, which asks `"acquire" in dir(connection)`:
listing every attribute of asyncpg's connection proxy, about a third of a short statement's
event-loop time. Our queries always run on a connection already taken from the pool
(`storage/postgres.py`), so they use it as it is; a pool still goes through aiosql's way.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import asyncpg
from aiosql.adapters.asyncpg import AsyncPGAdapter


class ConnectionPGAdapter(AsyncPGAdapter):
    """Each statement on the connection given; a pool is acquired from as aiosql does."""

    async def select(
        self, conn: Any, query_name: str, sql: str, parameters: Any, record_class: Any = None
    ) -> AsyncIterator[Any]:
        if isinstance(conn, asyncpg.Pool) or record_class is not None:
            async for row in super().select(conn, query_name, sql, parameters, record_class):  # type: ignore[no-untyped-call]
                yield row
            return
        for row in await conn.fetch(sql, *self.maybe_order_params(query_name, parameters)):  # type: ignore[no-untyped-call]
            yield row

    async def select_one(
        self, conn: Any, query_name: str, sql: str, parameters: Any, record_class: Any = None
    ) -> Any:
        if isinstance(conn, asyncpg.Pool) or record_class is not None:
            return await super().select_one(conn, query_name, sql, parameters, record_class)  # type: ignore[no-untyped-call]
        return await conn.fetchrow(sql, *self.maybe_order_params(query_name, parameters))  # type: ignore[no-untyped-call]

    async def select_value(self, conn: Any, query_name: str, sql: str, parameters: Any) -> Any:
        if isinstance(conn, asyncpg.Pool):
            return await super().select_value(conn, query_name, sql, parameters)  # type: ignore[no-untyped-call]
        return await conn.fetchval(sql, *self.maybe_order_params(query_name, parameters))  # type: ignore[no-untyped-call]

    async def insert_returning(self, conn: Any, query_name: str, sql: str, parameters: Any) -> Any:
        if isinstance(conn, asyncpg.Pool):
            return await super().insert_returning(conn, query_name, sql, parameters)  # type: ignore[no-untyped-call]
        row = await conn.fetchrow(sql, *self.maybe_order_params(query_name, parameters))  # type: ignore[no-untyped-call]
        if not row:
            return None
        return row[0] if len(row) == 1 else row

    async def insert_update_delete(
        self, conn: Any, query_name: str, sql: str, parameters: Any
    ) -> Any:
        if isinstance(conn, asyncpg.Pool):
            return await super().insert_update_delete(conn, query_name, sql, parameters)  # type: ignore[no-untyped-call]
        return await conn.execute(sql, *self.maybe_order_params(query_name, parameters))  # type: ignore[no-untyped-call]

    async def fetch_rows(self, conn: Any, query_name: str, sql: str, parameters: Any) -> Any:
        """A select's rows as one list from one fetch on the connection given: what `select`
        yields, without aiosql's two generators stepped once a row (30 of 100 us of loop
        for a 20-row page)."""
        if isinstance(conn, asyncpg.Pool):
            return [row async for row in self.select(conn, query_name, sql, parameters)]
        return await conn.fetch(sql, *self.maybe_order_params(query_name, parameters))  # type: ignore[no-untyped-call]
