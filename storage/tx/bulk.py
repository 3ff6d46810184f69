"""What the bulk writes share: rows inserted many at a time on either engine, a chunk's
deletes by partner, and stamps written once for the few moments a chunk's rows share."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import datetime
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


class BulkQueries(Queries):
    """Rows written many at a time: SQLite by executemany, PostgreSQL by COPY."""

    async def _records(
        self,
        query: str,
        table: str,
        columns: Sequence[str],
        made: Callable[[], list[tuple[Any, ...]]],
    ) -> None:
        """Insert the rows `made` gives (tuples in the order of columns; built off the event
        loop): SQLite by executemany of the query (positional), PostgreSQL by COPY."""
        records = await asyncio.to_thread(made)
        if not records:
            return
        if self._d.name == "sqlite":
            await getattr(self._q, query)(self._conn, records)
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
