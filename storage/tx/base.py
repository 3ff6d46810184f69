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
