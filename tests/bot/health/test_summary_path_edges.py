"""The summary path against the full computation at the thresholds' extremes, on a month's
first and last days, with another workspace's partners in the same tables, both engines."""

from datetime import UTC, datetime
from typing import Any

import pytest

import tests.bot.health.pools as pools
from bot.health.service import portfolio_health, portfolio_health_full
from storage.store import PostgresStore, SQLiteStore
from tests.bot.health.test_summary_path import UTC_ZONE

CASES: list[tuple[datetime, dict[str, Any]]] = [
    (datetime(2026, 11, 30, 23, 0, tzinfo=UTC), {"rue_weeks": 1, "roi_months": 1}),
    (datetime(2026, 12, 1, 1, 0, tzinfo=UTC), {"rue_weeks": 12, "roi_months": 12}),
    (
        datetime(2026, 3, 1, 9, 0, tzinfo=UTC),
        {"rue_weeks": 5, "roi_months": 6, "sentiment_drop": 1, "roi_ratio": 0.5, "rue": 55.0},
    ),
]


@pytest.mark.parametrize("case", range(len(CASES)))
async def test_the_portfolio_at_the_edges_is_the_full_computation(
    store: SQLiteStore | PostgresStore, case: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    at, thresholds = CASES[case]
    with monkeypatch.context() as other:  # another workspace's rows, not to be counted
        other.setattr(pools, "TEAM", "T2")
        await pools.generate_pool(store, at, 100 + case, 60, {"rue_weeks": 3})
    await pools.generate_pool(store, at, case, 160, thresholds)
    full, _ = await portfolio_health_full(store, at, UTC_ZONE, pools.TEAM)
    fast, _ = await portfolio_health(store, at, UTC_ZONE, pools.TEAM)
    assert sum(full.counts.values()) > 0 and full.flagged
    assert fast.counts == full.counts
    assert [r.partner.name for r in fast.flagged] == [r.partner.name for r in full.flagged]
    assert fast == full
