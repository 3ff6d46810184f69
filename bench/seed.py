"""A large registry in bulk SQL, for benchmarks: partners active KOLs, each with weeks of
rue, roi, sentiment, gmv and traffic, its health summary (with the columns the portfolio's
rule states are decided from) and, for nine partners in ten, a fit rating; on SQLite (as
tests/e2e/test_health_load does) or on PostgreSQL (generate_series, the summaries by COPY).
Values vary by partner and week; no randomness."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg

from bot.health.rules import MetricPoint
from bot.health.summary import summarise, to_json
from bot.health.summary_columns import COLUMNS, summary_columns
from bot.metrics import Period, week_of
from bot.scoring.rules import Weights

STAMP = "2026-11-22T09:30:00.000000Z"
STAMP_AT = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
_WEIGHTS = json.dumps(Weights().as_dict())

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


# A rating for nine partners in ten, dimensions varying by partner; rating id = partner id.
_RATINGS = """INSERT INTO ratings (id, team_id, partner_id, actor, at, brand, users, channel,
    audience, traffic, tone, cases, weights)
SELECT p.id, 'T0001', p.id, 'U1', {at}, 40 + (p.id * 7) % 60, 30 + (p.id * 11) % 70,
       50 + (p.id * 13) % 50, 45 + (p.id * 3) % 55, 35 + (p.id * 17) % 65, 60 + p.id % 40,
       p.id % 6, {weights}
  FROM partners p WHERE p.id % 10 <> 0"""
_RATED = "UPDATE partners SET rating_id = id WHERE id % 10 <> 0"
_RULED = "SELECT partner_id, period, period_kind, period_start, period_end, metric, value FROM metrics WHERE metric IN ('rue', 'roi', 'sentiment') ORDER BY partner_id"  # noqa: E501
SUMMARY_COLUMNS = ("team_id", "partner_id", "version", "stale", "inputs", *COLUMNS)


def summary_rows(rows: Iterable[Any]) -> Iterator[tuple[Any, ...]]:
    """Each partner's health_summary row, as a metric write keeps it, from its rue, roi and
    sentiment rows (ordered by partner)."""
    points: list[MetricPoint] = []
    periods: dict[tuple[str, str], Period] = {}
    current = None
    for pid, label, kind, start, end, metric, value in [*rows, (None,) * 7]:
        if pid != current and current is not None:
            summary = summarise(points)
            yield ("T0001", current, 1, 0, to_json(summary), *summary_columns(summary).values())
            points = []
        current = pid
        if pid is None:
            break
        period = periods.get((label, kind))
        if period is None:
            first, last = (
                d if isinstance(d, date) else date.fromisoformat(d) for d in (start, end)
            )
            period = periods[(label, kind)] = Period(first, last, kind, label)
        points.append(MetricPoint(int(pid), period, metric, float(value)))


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
        marks = ", ".join("?" * len(SUMMARY_COLUMNS))
        conn.executemany(
            f"INSERT INTO health_summary ({', '.join(SUMMARY_COLUMNS)}) VALUES ({marks})",
            summary_rows(conn.execute(_RULED).fetchall()),
        )
        conn.execute(_RATINGS.format(at="?", weights="?"), (STAMP, _WEIGHTS))
        conn.execute(_RATED)
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
        ruled = await conn.fetch(_RULED)
        await conn.copy_records_to_table(
            "health_summary", records=list(summary_rows(ruled)), columns=SUMMARY_COLUMNS
        )
        await conn.execute(_RATINGS.format(at="$1", weights="$2"), STAMP_AT, _WEIGHTS)
        await conn.execute("SELECT setval(pg_get_serial_sequence('ratings', 'id'), $1)", partners)
        await conn.execute(_RATED)
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
