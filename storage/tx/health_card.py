"""`/health NAME`'s inputs in one statement (`storage/queries/health_card.sql`, one text per
engine's JSON functions): the partner, its backups' statuses, the workspace's thresholds and
ROI benchmarks, and the partner's metrics of a window."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from bot.health.ports import HealthInputs
from bot.health.rules import MetricPoint
from bot.metrics import stored_period
from bot.registry.rules import Status
from storage.tx.base import Queries
from storage.tx.registry import _partner


class HealthCardQueries(Queries):
    """The one read of `/health NAME`."""

    async def partner_health_inputs(
        self, team_id: str, key: str, scope: str, since: date
    ) -> HealthInputs | None:
        """The partner named by key, its backups, the settings of scope, the benchmarks and
        the partner's metrics from since (as health_points reads them); None when no partner
        has the name."""
        query = getattr(self._q, f"partner_health_inputs_{self._d.name}")
        row = await query(
            self._conn, team_id=team_id, name_key=key, scope=scope, since=self._d.day(since)
        )
        return None if row is None else self._inputs(row)

    def _inputs(self, row: Any) -> HealthInputs:
        def parts(column: str) -> list[dict[str, Any]]:
            items: list[dict[str, Any]] = json.loads(row[column])
            return items

        ordered = sorted(parts("backups"), key=lambda b: int(b["position"]))
        backups = [(str(b["name"]), Status(b["status"])) for b in ordered]
        partner = _partner(self._d, row, (), tuple(name for name, _ in backups))
        return HealthInputs(
            partner=partner,
            settings={s["key"]: float(s["value"]) for s in parts("settings")},
            benchmarks={b["category"]: float(b["roi"]) for b in parts("benchmarks")},
            backups=backups,
            points=_points(partner.id, json.loads(row["points"])),
        )


def _points(partner_id: int, items: list[list[Any]]) -> list[MetricPoint]:
    """The window's [period, metric, value] arrays as points, each period made once for
    every partner from its label (bot.metrics.stored_period)."""
    return [
        MetricPoint(partner_id, stored_period(label), metric, float(value))
        for label, metric, value in items
    ]
