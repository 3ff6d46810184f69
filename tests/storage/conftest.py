from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storage.store import SQLiteStore


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SQLiteStore]:
    """A migrated SQLite store in a fresh file, closed after the test."""
    opened = SQLiteStore(str(tmp_path / "t.db"))
    await opened.open(datetime(2026, 11, 22, 9, 0, tzinfo=UTC))
    yield opened
    await opened.close()
