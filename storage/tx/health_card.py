"""`/health NAME`'s inputs but the metrics in one statement (`storage/queries/health_card.sql`,
one text per engine's JSON functions): the partner, its backups' statuses, the workspace's
thresholds and ROI benchmarks."""

from __future__ import annotations

import json
from typing import Any

from bot.health.ports import HealthInputs
from bot.registry.rules import Status
from storage.tx.base import Queries
from storage.tx.registry import _partner


class HealthCardQueries(Queries):
    """The one read before a partner's metrics."""

    async def partner_health_inputs(
        self, team_id: str, key: str, scope: str
    ) -> HealthInputs | None:
        """The partner named by key, its backups, the settings of scope and the benchmarks;
        None when no partner has the name."""
        query = getattr(self._q, f"partner_health_inputs_{self._d.name}")
        row = await query(self._conn, team_id=team_id, name_key=key, scope=scope)
        if row is None:
            return None

        def parts(column: str) -> list[dict[str, Any]]:
            items: list[dict[str, Any]] = json.loads(row[column])
            return items

        ordered = sorted(parts("backups"), key=lambda b: int(b["position"]))
        backups = [(str(b["name"]), Status(b["status"])) for b in ordered]
        return HealthInputs(
            partner=_partner(self._d, row, (), tuple(name for name, _ in backups)),
            settings={s["key"]: float(s["value"]) for s in parts("settings")},
            benchmarks={b["category"]: float(b["roi"]) for b in parts("benchmarks")},
            backups=backups,
        )
