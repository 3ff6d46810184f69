"""What scoring needs from storage: ratings and the ROI its gate and review read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from bot.failover.record import DrillRecord
from bot.health.rules import MetricPoint
from bot.registry.rules import Partner
from bot.scoring.ranking import RankInputs
from bot.scoring.rules import Rating


@dataclass(frozen=True)
class ScoreInputs:
    """What `/score NAME` reads, in one statement."""

    partner: Partner  # without tags and backups
    weights: dict[str, float]  # the workspace's stored weights
    ratings: list[Rating]  # the two latest, newest first
    roi: tuple[str, float] | None  # the latest ROI's period and value
    drills: DrillRecord


class ScoringTx(Protocol):
    """Every rating kept; the latest ones, the latest ROI, ROI over a year."""

    async def insert_rating(self, team_id: str, partner_id: int, rating: Rating) -> int: ...
    async def advance_rating(
        self, team_id: str, partner_id: int, rating_id: int, new_id: int, changed_at: datetime
    ) -> bool: ...
    async def recent_ratings(self, team_id: str, partner_id: int, limit: int) -> list[Rating]: ...
    async def score_inputs(self, team_id: str, key: str, scope: str) -> ScoreInputs | None: ...
    async def rating_count(self, team_id: str, partner_id: int) -> int: ...
    async def latest_ratings(self, team_id: str) -> dict[int, Rating]: ...
    async def latest_roi(self, team_id: str) -> dict[int, tuple[str, float]]: ...
    async def ranking_inputs(self, team_id: str) -> list[RankInputs]: ...
    async def partner_latest_roi(
        self, team_id: str, partner_id: int
    ) -> tuple[str, float] | None: ...
    async def roi_since(
        self, team_id: str, since: date, until: date
    ) -> dict[int, list[MetricPoint]]: ...
    async def roi_monthly(
        self, team_id: str, since: date, until: date
    ) -> dict[int, list[float]]: ...
