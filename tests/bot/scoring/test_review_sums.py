"""The yearly review's monthly ROI means summed in the database are those `monthly_means`
makes from the points (weeks in their Thursday's month, months, days), on both engines."""

from datetime import UTC, datetime, timedelta

import pytest

from bot.scoring.service import monthly_means
from storage.store import PostgresStore, SQLiteStore
from tests.bot.health.pools import TEAM, generate_pool

AT = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)


async def test_monthly_sums_are_the_points_monthly_means(
    store: SQLiteStore | PostgresStore,
) -> None:
    await generate_pool(store, AT, 4, 80, {})
    today = AT.date()
    since = today - timedelta(days=365)
    async with store.read() as tx:
        points = await tx.roi_since(TEAM, since, today)
        summed = await tx.roi_monthly(TEAM, since, today)
    assert set(summed) == set(points)
    crossing = [
        p for ps in points.values() for p in ps if p.period.start.month != p.period.end.month
    ]
    assert {p.period.kind for ps in points.values() for p in ps} >= {"week", "month", "day"}
    assert crossing, "some week spans two months"
    for pid, own in points.items():
        assert sorted(summed[pid]) == pytest.approx(sorted(monthly_means(own)), rel=1e-12)


async def test_monthly_sums_do_not_depend_on_the_sessions_date_style(
    store: SQLiteStore | PostgresStore,
) -> None:
    """A PostgreSQL database set to another DateStyle (`SQL, DMY` writes 22/11/2026) still
    places each value in its month: the months are not read from a date's text."""
    await generate_pool(store, AT, 5, 30, {})
    today = AT.date()
    since = today - timedelta(days=365)
    async with store.read() as tx:
        if isinstance(store, PostgresStore):
            await tx._conn.execute("SET DateStyle = 'SQL, DMY'")
        try:
            points = await tx.roi_since(TEAM, since, today)
            summed = await tx.roi_monthly(TEAM, since, today)
        finally:
            if isinstance(store, PostgresStore):
                await tx._conn.execute("RESET DateStyle")
    assert points
    for pid, own in points.items():
        assert sorted(summed[pid]) == pytest.approx(sorted(monthly_means(own)), rel=1e-12)
