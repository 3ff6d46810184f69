"""Health's queries: ROI benchmarks by category and the metrics window the rules read."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from bot.health.rules import MetricPoint
from bot.metrics import Period
from storage.tx.base import Dialect, Queries


class HealthQueries(Queries):
    """Benchmarks and the metric points of a window, for one partner or the pool."""

    async def benchmarks(self, team_id: str) -> dict[str, float]:
        rows = await self._rows("benchmarks", team_id=team_id)
        return {r["category"]: float(r["roi"]) for r in rows}

    async def benchmark(self, team_id: str, category: str) -> float | None:
        roi = await self._q.benchmark(self._conn, team_id=team_id, category=category)
        return None if roi is None else float(roi)

    async def write_benchmark(
        self, team_id: str, category: str, roi: float, actor: str, at: datetime, old: float | None
    ) -> bool:
        """Write a benchmark over the one that was read (old; None: none set yet).
        False when another transaction wrote it in between: read again and decide again."""
        params = {
            "team_id": team_id,
            "category": category,
            "roi": float(roi),
            "actor": actor,
            "at": self._d.stamp(at),
        }
        if old is None:
            written = await self._q.insert_benchmark(self._conn, **params)
        else:
            written = await self._q.replace_benchmark(self._conn, **params, old=float(old))
        return written is not None

    async def health_points(
        self, team_id: str, since: date, partner_id: int | None = None
    ) -> list[MetricPoint]:
        if partner_id is None:
            rows = await self._fetch_tuples(
                "pool_window", team_id=team_id, since=self._d.day(since)
            )
            # A pool's window is hundreds of thousands of rows: seconds of CPU off the loop.
            return await asyncio.to_thread(_points, rows, self._d)
        rows = await self._rows(
            "partner_window", team_id=team_id, since=self._d.day(since), partner_id=partner_id
        )
        return _points(rows, self._d)


def _points(rows: Sequence[Any], dialect: Dialect) -> list[MetricPoint]:
    periods: dict[tuple[str, str], Period] = {}  # a window holds few periods, many rows
    points = []
    for pid, label, kind, start, end, metric, value in rows:
        period = periods.get((label, kind))
        if period is None:
            period = Period(dialect.date(start), dialect.date(end), kind, label)
            periods[(label, kind)] = period
        points.append(MetricPoint(int(pid), period, metric, float(value)))
    return points
