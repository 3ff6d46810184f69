"""Digests' queries: schedules, the due work of every workspace, and channels' snapshots."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.digest.ports import NewSchedule, Schedule
from storage.tx.base import Queries


class DigestQueries(Queries):
    """Schedules and snapshots; times converted per engine by the dialect."""

    def _when(self, moment: datetime | None) -> Any:
        return None if moment is None else self._d.stamp(moment)

    def _at(self, stored: Any) -> datetime | None:
        return None if stored is None else self._d.moment(stored)

    def _schedule(self, row: Any) -> Schedule:
        return Schedule(
            id=int(row["id"]),
            team_id=row["team_id"],
            channel_id=row["channel_id"],
            rule=row["rule"],
            timezone=row["timezone"],
            quiet=bool(row["quiet"]),
            scope=row["scope"],
            creator=row["creator"],
            created_at=self._d.moment(row["created_at"]),
            paused=bool(row["paused"]),
            paused_reason=row["paused_reason"],
            next_slot=self._at(row["next_slot"]),
            retry_slot=self._at(row["retry_slot"]),
            retry_at=self._at(row["retry_at"]),
            attempts=int(row["attempts"]),
            last_slot=self._at(row["last_slot"]),
            last_outcome=row["last_outcome"],
            last_error=row["last_error"],
        )

    async def insert_digest_schedule(
        self, new: NewSchedule, at: datetime, next_slot: datetime | None
    ) -> int:
        row = await self._q.insert_digest_schedule(
            self._conn,
            team_id=new.team_id,
            channel_id=new.channel_id,
            rule=new.rule,
            timezone=new.timezone,
            quiet=int(new.quiet),
            scope=new.scope,
            creator=new.creator,
            at=self._d.stamp(at),
            next_slot=self._when(next_slot),
        )
        return int(row[0])

    async def digest_schedules(self, team_id: str) -> list[Schedule]:
        return [self._schedule(r) for r in await self._rows("digest_schedules", team_id=team_id)]

    async def digest_schedule(self, team_id: str, schedule_id: int) -> Schedule | None:
        row = await self._q.digest_schedule(self._conn, team_id=team_id, id=schedule_id)
        return None if row is None else self._schedule(row)

    async def delete_digest_schedule(self, team_id: str, schedule_id: int) -> None:
        await self._q.delete_digest_schedule(self._conn, team_id=team_id, id=schedule_id)

    async def set_digest_paused(
        self,
        team_id: str,
        schedule_id: int,
        paused: bool,
        reason: str | None,
        next_slot: datetime | None,
    ) -> None:
        await self._q.set_digest_paused(
            self._conn,
            team_id=team_id,
            id=schedule_id,
            paused=int(paused),
            reason=reason,
            next_slot=self._when(next_slot),
        )

    async def pause_digest_for(self, team_id: str, schedule_id: int, reason: str) -> str | None:
        row = await self._q.pause_digest_for(
            self._conn, team_id=team_id, id=schedule_id, reason=reason
        )
        return None if row is None else str(row["creator"])

    async def due_digest_schedules(self, now: datetime) -> list[Schedule]:
        rows = await self._rows("due_digest_schedules", now=self._d.stamp(now))
        return [self._schedule(r) for r in rows]

    async def abandoned_digest_slots(
        self, abandoned_before: datetime, since: datetime
    ) -> list[tuple[Schedule, str]]:
        rows = await self._rows(
            "abandoned_digest_slots",
            abandoned_before=self._d.stamp(abandoned_before),
            since=self._d.stamp(since),
        )
        return [(self._schedule(r), str(r["claim_slot"])) for r in rows]

    async def advance_digest_schedule(
        self, team_id: str, schedule_id: int, old_slot: datetime, next_slot: datetime | None
    ) -> None:
        await self._q.advance_digest_schedule(
            self._conn,
            team_id=team_id,
            id=schedule_id,
            old_slot=self._d.stamp(old_slot),
            next_slot=self._when(next_slot),
        )

    async def record_digest_outcome(
        self, team_id: str, schedule_id: int, slot: datetime, outcome: str, error: str | None
    ) -> None:
        await self._q.record_digest_outcome(
            self._conn,
            team_id=team_id,
            id=schedule_id,
            slot=self._d.stamp(slot),
            outcome=outcome,
            error=error,
        )

    async def set_digest_retry(
        self,
        team_id: str,
        schedule_id: int,
        slot: datetime | None,
        retry_at: datetime | None,
        attempts: int,
    ) -> None:
        await self._q.set_digest_retry(
            self._conn,
            team_id=team_id,
            id=schedule_id,
            slot=self._when(slot),
            retry_at=self._when(retry_at),
            attempts=attempts,
        )

    async def take_digest_retry(self, team_id: str, schedule_id: int, attempts: int) -> bool:
        row = await self._q.take_digest_retry(
            self._conn, team_id=team_id, id=schedule_id, attempts=attempts
        )
        return row is not None

    async def digest_snapshot(self, team_id: str, channel_id: str) -> tuple[datetime, str] | None:
        row = await self._q.digest_snapshot(self._conn, team_id=team_id, channel_id=channel_id)
        return None if row is None else (self._d.moment(row["taken_at"]), str(row["body"]))

    async def upsert_digest_snapshot(
        self, team_id: str, channel_id: str, at: datetime, body: str
    ) -> None:
        self.reports_changed(team_id)  # what a preview compares against
        await self._q.upsert_digest_snapshot(
            self._conn, team_id=team_id, channel_id=channel_id, at=self._d.stamp(at), body=body
        )
