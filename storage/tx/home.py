"""The Home tab's queries: one person's partners, their backups and their metrics window."""

from __future__ import annotations

import asyncio
from datetime import date

from bot.health.rules import MetricPoint
from bot.registry.rules import Partner, Status
from storage.tx.base import Queries
from storage.tx.health import _points
from storage.tx.registry import _partners


class HomeQueries(Queries):
    """What one owner's Home tab reads: a few rows per partner they own, never the pool."""

    async def owned_partners(
        self, team_id: str, owner: str
    ) -> tuple[list[Partner], dict[str, Status]]:
        rows = await self._fetchall("owned_partners", team_id=team_id, owner=owner)
        backups = await self._fetchall("owned_backups", team_id=team_id, owner=owner)
        # Tags are not shown on Home, so not read; thousands of dates are parsed off the loop.
        partners = await asyncio.to_thread(_partners, self._d, rows, [], backups)
        return partners, {r["name"]: Status(r["status"]) for r in backups}

    async def owned_points(self, team_id: str, owner: str, since: date) -> list[MetricPoint]:
        rows = await self._fetch_tuples(
            "owned_window", team_id=team_id, owner=owner, since=self._d.day(since)
        )
        # An owner of the whole pool is as many rows as the pool's window: off the loop too.
        return await asyncio.to_thread(_points, rows, self._d)
