"""What health needs from storage: benchmarks and the metric points of a window."""

from __future__ import annotations

from datetime import date, datetime
from typing import Protocol

from bot.health.rules import MetricPoint


class HealthTx(Protocol):
    """ROI benchmarks by category and the metrics the rules read."""

    async def benchmarks(self, team_id: str) -> dict[str, float]: ...
    async def benchmark(self, team_id: str, category: str) -> float | None: ...
    async def write_benchmark(
        self, team_id: str, category: str, roi: float, actor: str, at: datetime, old: float | None
    ) -> bool: ...
    async def health_points(
        self, team_id: str, since: date, partner_id: int | None = None
    ) -> list[MetricPoint]: ...
