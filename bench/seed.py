"""A large registry in bulk SQL, for benchmarks: partners active KOLs, each with weeks of
rue, roi, sentiment, gmv and traffic, on SQLite (as tests/e2e/test_health_load does) or on
PostgreSQL (generate_series). Values vary by partner and week; no randomness."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import asyncpg

from bot.metrics import week_of

STAMP = "2026-11-22T09:30:00.000000Z"
STAMP_AT = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)

# One expression per metric over a partner id `p` and a week number `n`, both engines.
_VALUE = """CASE m.metric
    WHEN 'rue' THEN 20 + (p.id * 7 + w.n * 13) % 70
    WHEN 'roi' THEN 0.5 + ((p.id * 3 + w.n) % 45) / 10.0
    WHEN 'sentiment' THEN 30 + (p.id * 11 + w.n * 17) % 60
    WHEN 'gmv' THEN (p.id * 7919 + w.n * 104729) % 1000000
    ELSE (p.id * 31 + w.n * 97) % 100000 END"""
_METRICS = (
    "(SELECT 'rue' AS metric UNION ALL SELECT 'roi' UNION ALL SELECT 'sentiment'"
    " UNION ALL SELECT 'gmv' UNION ALL SELECT 'traffic') m"
)


def weeks(now: datetime, count: int) -> list[tuple[int, str, str, str]]:
    """(n, label, start, end) of the count weeks up to now's, newest first."""
    this_week = week_of(now.date())
    periods = [week_of(this_week.start - timedelta(weeks=back)) for back in range(count)]
    return [(n, p.label, p.start.isoformat(), p.end.isoformat()) for n, p in enumerate(periods)]


def seed_sqlite(path: str, now: datetime, partners: int, week_count: int) -> None:
    """The registry into a migrated SQLite file, through sqlite3 (no round trips)."""
    with sqlite3.connect(path) as conn:
        conn.executemany(
            "INSERT INTO partners (id, team_id, name, name_key, category, tier, status, owner, "
            "created_at, updated_at) VALUES (?, 'T0001', ?, ?, 'KOL', ?, 'active', 'U1', ?, ?)",
            [
                (i, f"Partner {i:05d}", f"partner {i:05d}", tier, STAMP, STAMP)
                for i in range(1, partners + 1)
                for tier in [("core", "standard")[i % 2]]
            ],
        )
        conn.execute("CREATE TEMP TABLE weeks (n, label, start, end)")
        conn.executemany("INSERT INTO weeks VALUES (?, ?, ?, ?)", weeks(now, week_count))
        conn.execute(
            "INSERT INTO metrics (team_id, partner_id, period, period_kind, period_start, "
            "period_end, metric, value, recorded_by, recorded_at) "
            f"SELECT 'T0001', p.id, w.label, 'week', w.start, w.end, m.metric, {_VALUE}, 'U1', ? "
            f"FROM partners p, weeks w, {_METRICS}",
            (STAMP,),
        )
        conn.execute("INSERT INTO roi_benchmarks VALUES ('T0001', 'KOL', 2.5, 'U1', ?)", (STAMP,))
        conn.execute("ANALYZE")


async def seed_postgres(url: str, now: datetime, partners: int, week_count: int) -> None:
    """The same registry into a migrated PostgreSQL schema, in three statements."""
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(
            "INSERT INTO partners (id, team_id, name, name_key, category, tier, status, owner, "
            "created_at, updated_at) "
            "SELECT i, 'T0001', 'Partner ' || lpad(i::text, 5, '0'), "
            "'partner ' || lpad(i::text, 5, '0'), 'KOL', "
            "CASE WHEN i % 2 = 0 THEN 'core' ELSE 'standard' END, 'active', 'U1', $2, $2 "
            "FROM generate_series(1, $1::int) AS i",
            partners,
            STAMP_AT,
        )
        await conn.execute("SELECT setval(pg_get_serial_sequence('partners', 'id'), $1)", partners)
        await conn.execute("CREATE TEMP TABLE weeks (n INT, label TEXT, start DATE, end_ DATE)")
        await conn.executemany(
            "INSERT INTO weeks VALUES ($1, $2, $3::text::date, $4::text::date)",
            weeks(now, week_count),
        )
        await conn.execute(
            "INSERT INTO metrics (team_id, partner_id, period, period_kind, period_start, "
            "period_end, metric, value, recorded_by, recorded_at) "
            f"SELECT 'T0001', p.id, w.label, 'week', w.start, w.end_, m.metric, {_VALUE}, 'U1', $1 "
            f"FROM partners p, weeks w, {_METRICS}",
            STAMP_AT,
        )
        await conn.execute(
            "INSERT INTO roi_benchmarks VALUES ('T0001', 'KOL', 2.5, 'U1', $1)", STAMP_AT
        )
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
