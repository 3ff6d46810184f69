"""`/partner show`'s card in one statement (`storage/queries/registry_card.sql`, one text per
engine's JSON functions): the partner with its tags and backups, its latest metrics and its
drills' record. One snapshot and one trip to the database, where it was four."""

from __future__ import annotations

import json
from typing import Any

from bot.failover.record import NO_DRILLS, DrillRecord
from bot.registry.rules import Partner
from storage.tx.base import from_utc_text
from storage.tx.failover import FailoverQueries
from storage.tx.registry import RegistryQueries, _partner


class CardQueries(RegistryQueries, FailoverQueries):
    """The card's read, built with the registry's and the drills' own row readers."""

    async def partner_card(
        self, team_id: str, key: str, periods: int, limit: int
    ) -> tuple[Partner, list[tuple[str, str, float]], DrillRecord] | None:
        """The partner named by key with its latest metric values (period, metric, value;
        latest periods first), those of its `periods` latest period starts, at most `limit`
        (what `partner_metrics(limit)` gives, up to its first start older than those), and
        its drills; None when no partner has the name."""
        query = getattr(self._q, f"partner_card_{self._d.name}")
        row = await query(self._conn, team_id=team_id, name_key=key, periods=periods, limit=limit)
        if row is None:
            return None

        def parts(column: str) -> list[list[Any]]:
            items: list[list[Any]] = json.loads(row[column])
            items.sort(key=_first)  # JSON arrays keep no order; each item leads with its place
            return items

        tags = tuple(str(t[1]) for t in parts("tags"))
        backups = tuple(str(b[1]) for b in parts("backups"))
        metrics = [(str(p), str(m), float(v)) for _, p, m, v in parts("metrics")]
        drills = NO_DRILLS
        if row["latest_drill"] is not None:
            latest = json.loads(row["latest_drill"]) | {"partner_name": row["name"]}
            drills = DrillRecord(int(row["drills"]), self._summary(latest, from_utc_text))
        return _partner(self._d, row, tags, backups), metrics, drills


def _first(item: list[Any]) -> int:
    """An item's place: the first element of each [place, values...] array."""
    return int(item[0])
