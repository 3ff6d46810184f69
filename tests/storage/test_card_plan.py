"""The card's statement on SQLite reads only the metric rows it returns: a window over every
metric row of the partner (260 in the bench, each a table page) made a miss read them all."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from storage.store import SQLiteStore
from tests.support.databases import opened_store

AT = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
CARD_SQL = Path(__file__).resolve().parents[2] / "storage" / "queries" / "registry_card.sql"


def card_text() -> str:
    """partner_card_sqlite's statement, as written in the file (its comments left out)."""
    text = CARD_SQL.read_text().split("-- name: partner_card_sqlite^\n", 1)[1]
    lines = [line for line in text.splitlines() if not line.startswith("--")]
    return "\n".join(lines).split(";", 1)[0]


async def test_the_card_reads_its_metrics_from_a_floor_found_in_the_index(
    tmp_path: Path,
) -> None:
    """The metrics are a range of the partner's index from the floor (the fourth latest
    start), and the floor is read from the index alone (no table row per metric)."""
    async with opened_store("sqlite", tmp_path, AT) as store:
        assert isinstance(store, SQLiteStore)
        async with store.read() as tx:
            plan = await tx._conn.execute_fetchall(
                "EXPLAIN QUERY PLAN " + card_text(),
                {"team_id": "T1", "name_key": "acme", "periods": 4, "limit": 32},
            )
    details = [str(row[-1]) for row in plan]
    metrics = [d for d in details if " metrics " in f" {d} " or d.startswith("SEARCH s ")]
    assert any("(team_id=? AND partner_id=? AND period_start>?)" in d for d in metrics), details
    assert any(d.startswith("SEARCH s USING COVERING INDEX") for d in metrics), details
