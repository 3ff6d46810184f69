"""What digests need from storage: schedules, their due work and outcomes, and snapshots."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class Schedule:
    """A digest schedule as stored."""

    id: int
    team_id: str
    channel_id: str
    rule: str
    timezone: str
    quiet: bool
    scope: str
    creator: str
    created_at: datetime
    paused: bool = False
    paused_reason: str | None = None
    next_slot: datetime | None = None
    retry_slot: datetime | None = None
    retry_at: datetime | None = None
    attempts: int = 0
    last_slot: datetime | None = None
    last_outcome: str | None = None
    last_error: str | None = None


@dataclass(frozen=True)
class NewSchedule:
    team_id: str
    channel_id: str
    rule: str
    timezone: str
    quiet: bool
    scope: str
    creator: str


class DigestTx(Protocol):
    """Schedules by workspace, what is due across workspaces, and channels' snapshots."""

    async def insert_digest_schedule(
        self, new: NewSchedule, at: datetime, next_slot: datetime | None
    ) -> int: ...
    async def digest_schedules(self, team_id: str) -> list[Schedule]: ...
    async def digest_schedule(self, team_id: str, schedule_id: int) -> Schedule | None: ...
    async def delete_digest_schedule(self, team_id: str, schedule_id: int) -> None: ...
    async def set_digest_paused(
        self,
        team_id: str,
        schedule_id: int,
        paused: bool,
        reason: str | None,
        next_slot: datetime | None,
    ) -> None: ...
    async def pause_digest_for(self, team_id: str, schedule_id: int, reason: str) -> str | None: ...
    async def due_digest_schedules(self, now: datetime) -> list[Schedule]: ...
    async def advance_digest_schedule(
        self, team_id: str, schedule_id: int, old_slot: datetime, next_slot: datetime | None
    ) -> None: ...
    async def record_digest_outcome(
        self, team_id: str, schedule_id: int, slot: datetime, outcome: str, error: str | None
    ) -> None: ...
    async def set_digest_retry(
        self,
        team_id: str,
        schedule_id: int,
        slot: datetime | None,
        retry_at: datetime | None,
        attempts: int,
    ) -> None: ...
    async def take_digest_retry(self, team_id: str, schedule_id: int, attempts: int) -> bool: ...
    async def abandoned_digest_slots(
        self, abandoned_before: datetime, since: datetime
    ) -> list[tuple[Schedule, str]]: ...
    async def digest_snapshot(self, team_id: str, channel_id: str) -> tuple[datetime, str] | None:
        """When the channel's previous digest was taken, and what it showed."""

    async def upsert_digest_snapshot(
        self, team_id: str, channel_id: str, at: datetime, body: str
    ) -> None: ...
