"""What health needs from storage: benchmarks and the metric points of a window."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from bot.health.pool import PoolMembers
from bot.health.rules import MetricPoint, Thresholds
from bot.health.summary import HealthSummary
from bot.health.summary_columns import StateRow
from bot.metrics import Period
from bot.registry.rules import Partner, Status


@dataclass(frozen=True)
class HealthInputs:
    """What `/health NAME` reads, in one statement."""

    partner: Partner  # with its backups' names, no tags
    settings: dict[str, float]  # the health scope's stored settings
    benchmarks: dict[str, float]  # ROI benchmark by category
    backups: list[tuple[str, Status]]  # each backup's name and status, in order
    points: list[MetricPoint]  # the partner's window from the since asked for (health_points')


class HealthTx(Protocol):
    """ROI benchmarks by category and the metrics the rules read."""

    async def benchmarks(self, team_id: str) -> dict[str, float]: ...
    async def partner_health_inputs(
        self, team_id: str, key: str, scope: str, since: date
    ) -> HealthInputs | None: ...
    async def benchmark(self, team_id: str, category: str) -> float | None: ...
    async def write_benchmark(
        self, team_id: str, category: str, roi: float, actor: str, at: datetime, old: float | None
    ) -> bool: ...
    async def health_points(
        self, team_id: str, since: date, partner_id: int | None = None
    ) -> list[MetricPoint]: ...
    async def summary_version(self, team_id: str, partner_id: int) -> int | None: ...
    async def rule_points(self, team_id: str, partner_id: int) -> list[MetricPoint]: ...
    async def summary_points(self, team_id: str, partner_id: int) -> list[MetricPoint]: ...
    async def write_summary(
        self, team_id: str, partner_id: int, summary: HealthSummary, old: int | None
    ) -> bool: ...
    async def summary_inputs(self, team_id: str, partner_id: int) -> str | None: ...
    async def stale_summaries(self, limit: int) -> list[tuple[str, int]]: ...
    async def pool_summaries(self, team_id: str) -> dict[int, str]: ...
    async def pool_states(
        self, team_id: str, limits: Thresholds, since: date
    ) -> dict[int, StateRow]: ...
    async def pool_members(self, team_id: str, limits: Thresholds, since: date) -> PoolMembers: ...
    async def window_sums(
        self, team_id: str, first: date, last: date
    ) -> tuple[dict[str, dict[int, float]], list[MetricPoint]]: ...
    async def reported_in_week(self, team_id: str, week: Period, since: date) -> set[int]: ...
