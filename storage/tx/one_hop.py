"""aiosql's aiosqlite adapter, with each statement one trip to the connection's thread.

aiosql's own adapter opens a cursor, fetches and closes it: three hand-offs to aiosqlite's
worker thread and back for every statement, each costing the event loop 0.1-0.2 ms whatever
SQLite itself needs. Here a read is `execute_fetchall` and a write is `execute` with the
cursor's rowcount read on the spot: one hand-off each. A statement that is done stepping
(every write here, and every read once fetched whole) leaves nothing open in its cursor.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from aiosql.adapters.aiosqlite import AioSQLiteAdapter


class OneHopSQLiteAdapter(AioSQLiteAdapter):
    """Reads fetched whole, writes counted, each in one call to the connection's thread."""

    async def select(
        self, conn: Any, _query_name: str, sql: str, parameters: Any, record_class: Any = None
    ) -> AsyncIterator[Any]:
        if record_class is not None:  # names come from the cursor: aiosql's own way
            async for row in super().select(conn, _query_name, sql, parameters, record_class):  # type: ignore[no-untyped-call]
                yield row
            return
        for row in await conn.execute_fetchall(sql, parameters):
            yield row

    async def select_one(
        self, conn: Any, _query_name: str, sql: str, parameters: Any, record_class: Any = None
    ) -> Any:
        if record_class is not None:
            return await super().select_one(conn, _query_name, sql, parameters, record_class)  # type: ignore[no-untyped-call]
        rows = await conn.execute_fetchall(sql, parameters)
        return rows[0] if rows else None

    async def select_value(self, conn: Any, _query_name: str, sql: str, parameters: Any) -> Any:
        rows = await conn.execute_fetchall(sql, parameters)
        return rows[0][0] if rows else None

    async def insert_update_delete(
        self, conn: Any, _query_name: str, sql: str, parameters: Any
    ) -> int:
        cursor = await conn.execute(sql, parameters)
        return int(cursor.rowcount)
