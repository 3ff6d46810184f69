"""What every feature's queries share: the connection, the named queries, stored times."""

from __future__ import annotations

from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import aiosql
import aiosqlite

_QUERIES_DIR = Path(str(resources.files("storage").joinpath("queries")))
_queries: Any = None


def queries() -> Any:
    """The named queries, loaded once from the .sql files."""
    global _queries
    if _queries is None:
        _queries = aiosql.from_path(_QUERIES_DIR, "aiosqlite", mandatory_parameters=False)
    return _queries


def utc_text(moment: datetime) -> str:
    """A timestamp as stored: UTC, ISO 8601, sortable as text."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def from_utc_text(text: str) -> datetime:
    """A stored timestamp back as an aware datetime."""
    return datetime.fromisoformat(text).astimezone(UTC)


class Queries:
    """One connection and the named queries; inside `Store.write()` one transaction."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn
        self._q = queries()

    async def _rows(self, name: str, **params: Any) -> list[Any]:
        return [row async for row in getattr(self._q, name)(self._conn, **params)]

    async def _fetchall(self, name: str, **params: Any) -> list[Any]:
        """Every row of a query, fetched in one call to the connection's thread: no step per
        row on the event loop, as iterating `_rows` takes."""
        async with getattr(self._q, f"{name}_cursor")(self._conn, **params) as cursor:
            return list(await cursor.fetchall())

    async def _fetch_tuples(self, name: str, **params: Any) -> list[tuple[Any, ...]]:
        """`_fetchall` as plain tuples, for reads of hundreds of thousands of rows: tuples of
        plain values, unlike sqlite3.Row, drop out of the garbage collector's scans."""
        async with getattr(self._q, f"{name}_cursor")(self._conn, **params) as cursor:
            cursor.row_factory = None
            return list(await cursor.fetchall())
