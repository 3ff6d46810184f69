"""Scoring's queries: ratings, the latest ROI, ROI over the review's year."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from bot.health.rules import MetricPoint
from bot.metrics import Period
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
        rows = await self._rows("latest_ratings", team_id=team_id)
        return {int(r["partner_id"]): _rating(self._d, r) for r in rows}

    async def latest_roi(self, team_id: str) -> dict[int, tuple[str, float]]:
        rows = await self._rows("latest_roi", team_id=team_id)
        return {int(r["partner_id"]): (r["period"], float(r["value"])) for r in rows}

    async def partner_latest_roi(self, team_id: str, partner_id: int) -> tuple[str, float] | None:
        row = await self._q.partner_latest_roi(self._conn, team_id=team_id, partner_id=partner_id)
        return None if row is None else (row["period"], float(row["value"]))

    async def roi_since(
        self, team_id: str, since: date, until: date
    ) -> dict[int, list[MetricPoint]]:
        found: dict[int, list[MetricPoint]] = {}
        rows = await self._rows(
            "roi_since", team_id=team_id, since=self._d.day(since), until=self._d.day(until)
        )
        for r in rows:
            start, end = self._d.date(r["period_start"]), self._d.date(r["period_end"])
            period = Period(start, end, r["period_kind"], r["period"])
            pid = int(r["partner_id"])
            found.setdefault(pid, []).append(MetricPoint(pid, period, "roi", float(r["value"])))
        return found
