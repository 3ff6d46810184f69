"""What the bulk writes share: rows inserted many at a time on either engine, a chunk's
deletes by partner, and stamps written once for the few moments a chunk's rows share."""

from __future__ import annotations

import asyncio
import itertools
import re
import sqlite3
from collections.abc import Callable, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

from storage.tx.base import Dialect, Queries


def stamper(dialect: Dialect) -> Callable[[datetime], Any]:
    """dialect.stamp, each moment stamped once (an import's rows share a few moments)."""
    made: dict[datetime, Any] = {}

    def stamp(moment: datetime) -> Any:
        written = made.get(moment)
        if written is None:
            written = made[moment] = dialect.stamp(moment)
        return written

    return stamp


ROWS_A_STATEMENT = 500  # SQLite: rows of one multi-row INSERT, at most (fewer if wide)
# INSERT INTO table (columns) VALUES (?, ...): nothing before VALUES that selects rows or binds
_ONE_ROW = re.compile(
    r"^(?P<head>\s*INSERT\s+INTO\s(?:(?!\bSELECT\b)[^?;])*?\bVALUES\s*)"
    r"(?P<row>\((?:\s*\?\s*,)*\s*\?\s*\))\s*;?\s*$",
    re.S | re.I,
)


@lru_cache(maxsize=64)
def rows_statement(sql: str, rows: int) -> str:
    """A positional `INSERT ... VALUES (?, ...)` made to insert `rows` rows at once (its one
    row of placeholders repeated); ValueError for any other statement."""
    found = _ONE_ROW.match(sql)
    if found is None:
        raise ValueError(f"not an INSERT of one row of positional parameters: {sql!r}")
    return found["head"] + ",".join([found["row"]] * rows)


def insert_at_once(conn: sqlite3.Connection, sql: str, records: Sequence[tuple[Any, ...]]) -> None:
    """Insert the records in statements of ROWS_A_STATEMENT rows each (fewer where their
    parameters would pass SQLite's limit), in order, on the connection's own thread.

    executemany steps one statement a row, giving up the GIL and taking it back each time:
    while another thread runs Python (the next chunk's drafts, the event loop) every row
    then waits for it to let go, and 5,000 rows took 75-595 ms instead of 11-21. One
    statement of many rows steps once (bench/README.md, "Imports: the next chunk drafted
    while one writes")."""
    if not records:
        return
    width = len(records[0])
    if any(len(record) != width for record in records):  # flattened, they would shift columns
        raise ValueError(f"records of {width} values and of other lengths: {sql!r}")
    most = conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // width
    step = max(1, min(ROWS_A_STATEMENT, most))
    for first in range(0, len(records), step):
        part = records[first : first + step]
        conn.execute(rows_statement(sql, len(part)), list(itertools.chain.from_iterable(part)))


class BulkQueries(Queries):
    """Rows written many at a time: SQLite by multi-row INSERTs, PostgreSQL by COPY."""

    async def _records(
        self,
        query: str,
        table: str,
        columns: Sequence[str],
        made: Callable[[], list[tuple[Any, ...]]],
    ) -> None:
        """Insert the rows `made` gives (tuples in the order of columns; built off the event
        loop): SQLite by the query (positional, one row) made multi-row, in one trip to the
        connection's thread; PostgreSQL by COPY."""
        records = await asyncio.to_thread(made)
        if not records:
            return
        if self._d.name == "sqlite":
            sql = getattr(self._q, query).sql
            await self._conn._execute(insert_at_once, self._conn._conn, sql, records)
        else:
            await self._conn.copy_records_to_table(table, records=records, columns=columns)

    async def _many(self, query: str, table: str, rows: list[dict[str, Any]]) -> None:
        """Insert rows into a table: SQLite by executemany, PostgreSQL by COPY (its
        executemany binds row by row, about five times slower at this size)."""
        if not rows:
            return
        if self._d.name == "sqlite":
            await getattr(self._q, query)(self._conn, rows)
            return
        columns = list(rows[0])
        records = await asyncio.to_thread(lambda: [tuple(row[c] for c in columns) for row in rows])
        await self._conn.copy_records_to_table(table, records=records, columns=columns)

    async def _delete_each(self, query: str, team_id: str, ids: list[int]) -> None:
        if ids:
            params = [{"team_id": team_id, "partner_id": pid} for pid in ids]
            await getattr(self._q, query)(self._conn, params)
