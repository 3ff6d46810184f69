"""Scoring's queries: ratings, the latest ROI, ROI over the review's year."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from bot.health.rules import MetricPoint
from bot.metrics import Period
from bot.registry.rules import Category
from bot.scoring.ranking import RankInputs
from bot.scoring.rules import DIMENSIONS, Rating, weights_from
from storage.tx.base import Dialect, Queries


def _rating(d: Dialect, row: Mapping[str, Any]) -> Rating:
    return Rating(
        values={d: None if row[d] is None else float(row[d]) for d in DIMENSIONS},
        weights=weights_from(json.loads(row["weights"])),
        cases=int(row["cases"]),
        actor=row["actor"],
        at=d.moment(row["at"]),
        id=int(row["id"]),
    )


class ScoringQueries(Queries):
    """Every rating is kept; these read the latest ones and the ROI the gates need."""

    async def insert_rating(self, team_id: str, partner_id: int, rating: Rating) -> int:
        self.reports_changed(team_id)
        row = await self._q.insert_rating(
            self._conn,
            team_id=team_id,
            partner_id=partner_id,
            actor=rating.actor,
            at=self._d.stamp(rating.at),
            **{d: rating.values.get(d) for d in DIMENSIONS},
            cases=rating.cases,
            weights=json.dumps(rating.weights.as_dict()),
        )
        return int(row[0])

    async def advance_rating(
        self, team_id: str, partner_id: int, rating_id: int, new_id: int, changed_at: datetime
    ) -> bool:
        """Make new_id the partner's latest rating, only over the latest rating (rating_id, 0
        for none) and the partner's version (changed_at) that were read; False when another
        rating or change landed in between."""
        self.reports_changed(team_id)
        row = await self._q.advance_rating(
            self._conn,
            team_id=team_id,
            partner_id=partner_id,
            rating_id=rating_id,
            new_id=new_id,
            changed_at=self._d.stamp(changed_at),
        )
        return row is not None

    async def recent_ratings(self, team_id: str, partner_id: int, limit: int) -> list[Rating]:
        rows = await self._rows(
            "recent_ratings", team_id=team_id, partner_id=partner_id, limit=limit
        )
        return [_rating(self._d, r) for r in rows]

    async def rating_count(self, team_id: str, partner_id: int) -> int:
        return int(await self._q.rating_count(self._conn, team_id=team_id, partner_id=partner_id))

    async def latest_ratings(self, team_id: str) -> dict[int, Rating]:
        rows = await self._fetchall("latest_ratings", team_id=team_id)
        return await asyncio.to_thread(_ratings, self._d, rows)  # one per partner: off the loop

    async def latest_roi(self, team_id: str) -> dict[int, tuple[str, float]]:
        rows = await self._fetchall("latest_roi", team_id=team_id)
        return await asyncio.to_thread(_latest, rows)  # one per partner: off the event loop

    async def ranking_inputs(self, team_id: str) -> list[RankInputs]:
        """Every rated current partner's latest values, cases and latest ROI, in one statement."""
        rows = await self._fetch_tuples("ranking_inputs", team_id=team_id)
        return await asyncio.to_thread(_rank_inputs, rows)  # one per partner: off the loop

    async def partner_latest_roi(self, team_id: str, partner_id: int) -> tuple[str, float] | None:
        row = await self._q.partner_latest_roi(self._conn, team_id=team_id, partner_id=partner_id)
        return None if row is None else (row["period"], float(row["value"]))

    async def roi_since(
        self, team_id: str, since: date, until: date
    ) -> dict[int, list[MetricPoint]]:
        rows = await self._fetch_tuples(
            "roi_since", team_id=team_id, since=self._d.day(since), until=self._d.day(until)
        )
        return await asyncio.to_thread(_roi_points, self._d, rows)  # a year of the pool

    async def roi_monthly(self, team_id: str, since: date, until: date) -> dict[int, list[float]]:
        """Each partner's monthly mean ROI over periods starting in the range (as
        `monthly_means` makes them from the points), summed in the database."""
        rows = await self._fetch_tuples(
            f"roi_monthly_{self._d.name}",
            team_id=team_id,
            since=self._d.day(since),
            until=self._d.day(until),
        )
        means: dict[int, list[float]] = {}
        for pid, _, total, count in rows:
            means.setdefault(int(pid), []).append(float(total) / int(count))
        return means


def _ratings(dialect: Dialect, rows: list[Mapping[str, Any]]) -> dict[int, Rating]:
    return {int(r["partner_id"]): _rating(dialect, r) for r in rows}


def _rank_inputs(rows: list[tuple[Any, ...]]) -> list[RankInputs]:
    found = []
    for pid, name, category, cases, *values, period, roi in rows:
        rated = {
            d: None if v is None else float(v) for d, v in zip(DIMENSIONS, values, strict=True)
        }
        latest = None if period is None else (period, float(roi))
        found.append(RankInputs(int(pid), name, Category(category), int(cases), rated, latest))
    return found


def _latest(rows: list[Mapping[str, Any]]) -> dict[int, tuple[str, float]]:
    return {int(r["partner_id"]): (r["period"], float(r["value"])) for r in rows}


def _roi_points(dialect: Dialect, rows: list[tuple[Any, ...]]) -> dict[int, list[MetricPoint]]:
    periods: dict[tuple[str, str], Period] = {}  # a year holds few periods, many rows
    found: dict[int, list[MetricPoint]] = {}
    for pid, label, kind, start, end, value in rows:
        period = periods.get((label, kind))
        if period is None:
            period = Period(dialect.date(start), dialect.date(end), kind, label)
            periods[(label, kind)] = period
        found.setdefault(int(pid), []).append(MetricPoint(int(pid), period, "roi", float(value)))
    return found
