"""Failover drills' queries: drills and their steps, transitions and the timeline."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from bot.failover.content import Candidate, Language, MeasureTick, Sending
from bot.failover.record import NO_DRILLS, DrillRecord, DrillSummary, OwnedStep, OwnedSteps
from bot.failover.reminders import NUDGES, Claimed, DueStep, Nudge, Unrendered, slot_of
from bot.failover.rules import (
    Backup,
    Drill,
    DrillStatus,
    Event,
    EventKind,
    GmvImpact,
    GmvSource,
    OpenDrillExists,
    Step,
    StepKey,
    StepState,
)
from storage.tx.base import from_utc_text
from storage.tx.failover_kit import FailoverKitQueries, candidate_rows, measure_rows, sending_rows

# Enum members by stored value: a dict lookup, where calling the enum costs a microsecond, and
# `/failover status` reads a dozen a drill.
_STEP_KEYS = {k.value: k for k in StepKey}
_STEP_STATES = {s.value: s for s in StepState}
_DRILL_STATUSES = {s.value: s for s in DrillStatus}
_LANGUAGES = {lang.value: lang for lang in Language}


def _second_open(err: Exception) -> bool:
    """The partial unique index refused a second open drill for a partner (a reopen)."""
    if isinstance(err, sqlite3.IntegrityError):
        return "failover_drills.team_id, failover_drills.partner_id" in str(err)
    return getattr(err, "constraint_name", None) == "failover_one_open"


class FailoverQueries(FailoverKitQueries):
    """A drill is read with its steps; times converted per engine by the dialect."""

    def _when(self, moment: datetime | None) -> Any:
        return None if moment is None else self._d.stamp(moment)

    def _at(self, stored: Any) -> datetime | None:
        return None if stored is None else self._d.moment(stored)

    def _backup(self, row: Any, moment: Callable[[Any], datetime] | None = None) -> Backup | None:
        if row["backup_id"] is None:
            return None
        return Backup(
            partner_id=int(row["backup_id"]),
            name=row["backup_name"],
            by=row["engaged_by"],
            at=(moment or self._d.moment)(row["engaged_at"]),
        )

    @staticmethod
    def _gmv(row: Any) -> GmvImpact | None:
        if row["gmv_impact"] is None:
            return None
        return GmvImpact(
            change=float(row["gmv_impact"]),
            source=GmvSource(row["gmv_source"]),
            before=None if row["gmv_before"] is None else float(row["gmv_before"]),
            after=None if row["gmv_after"] is None else float(row["gmv_after"]),
            note=row["gmv_note"],
        )

    async def _drill(self, row: Any) -> Drill:
        """A drill from its row, with its steps and its kit read here (four statements)."""
        team_id, drill_id = row["team_id"], int(row["id"])
        steps = await self._rows("failover_steps_of", team_id=team_id, drill_id=drill_id)
        return self._assemble(
            row,
            self._steps(steps, self._d.moment),
            await self.failover_candidates(team_id, drill_id),
            await self.failover_measures(team_id, drill_id),
            await self.failover_sendings(team_id, drill_id),
        )

    @staticmethod
    def _steps(rows: Iterable[Any], moment: Callable[[Any], datetime]) -> tuple[Step, ...]:
        return tuple(
            Step(
                key=_STEP_KEYS[r["step"]],
                owner=r["owner"],
                deadline=moment(r["deadline"]),
                state=_STEP_STATES[r["state"]],
                reason=r["reason"],
                by=r["done_by"],
                at=None if r["done_at"] is None else moment(r["done_at"]),
            )
            for r in rows
        )

    def _assemble(
        self,
        row: Any,
        steps: tuple[Step, ...],
        candidates: tuple[Candidate, ...],
        measures: tuple[MeasureTick, ...],
        sendings: tuple[Sending, ...],
    ) -> Drill:
        return Drill(
            id=int(row["id"]),
            team_id=row["team_id"],
            partner_id=int(row["partner_id"]),
            partner_name=row["partner_name"],
            channel_id=row["channel_id"],
            reason=row["reason"],
            starter=row["starter"],
            started_at=self._d.moment(row["started_at"]),
            steps=steps,
            status=_DRILL_STATUSES[row["status"]],
            version=int(row["version"]),
            root_ts=row["root_ts"],
            checklist_ts=row["checklist_ts"],
            closed_at=self._at(row["closed_at"]),
            backup=self._backup(row),
            gmv=self._gmv(row),
            rendered_version=int(row["rendered_version"]),
            ranked_at=self._at(row["ranked_at"]),
            language=_LANGUAGES[row["language"]],
            candidates=candidates,
            measures=measures,
            sendings=sendings,
        )

    def _whole_drill(self, row: Any) -> Drill:
        """A drill from a row of open_failover_drills_whole_*: its parts as JSON arrays, in
        no promised order (SQLite's json_group_array), so ordered here."""

        def parts(column: str, order: str | None = None) -> list[dict[str, Any]]:
            text = row[column]
            if text == "[]":  # most drills have no measures or sendings yet
                return []
            items: list[dict[str, Any]] = json.loads(text)
            return sorted(items, key=lambda i: int(i[order])) if order else items

        return self._assemble(
            row,
            self._steps(parts("steps", "position"), from_utc_text),
            candidate_rows(parts("candidates", "position")),
            measure_rows(parts("measures"), from_utc_text),
            sending_rows(parts("sendings", "id"), from_utc_text),
        )

    async def insert_failover_drill(self, drill: Drill) -> int | None:
        self.reports_changed(drill.team_id)  # a digest shows the drills opened and closed
        row = await self._q.insert_failover_drill(
            self._conn,
            team_id=drill.team_id,
            partner_id=drill.partner_id,
            channel_id=drill.channel_id,
            reason=drill.reason,
            starter=drill.starter,
            started_at=self._d.stamp(drill.started_at),
            language=drill.language.value,
        )
        if row is None:
            return None
        drill_id = int(row[0])
        for position, step in enumerate(drill.steps):
            await self._q.insert_failover_step(
                self._conn,
                drill_id=drill_id,
                team_id=drill.team_id,
                step=step.key.value,
                position=position,
                owner=step.owner,
                deadline=self._d.stamp(step.deadline),
            )
        return drill_id

    async def failover_drill(self, team_id: str, drill_id: int) -> Drill | None:
        row = await self._q.failover_drill(self._conn, team_id=team_id, id=drill_id)
        return None if row is None else await self._drill(row)

    async def open_failover_drill(self, team_id: str, partner_id: int) -> Drill | None:
        row = await self._q.open_failover_drill(self._conn, team_id=team_id, partner_id=partner_id)
        return None if row is None else await self._drill(row)

    async def open_failover_drills(self, team_id: str) -> list[Drill]:
        # One statement, not four a drill: one snapshot, and one trip to the database.
        rows = await self._rows(f"open_failover_drills_whole_{self._d.name}", team_id=team_id)
        return [self._whole_drill(r) for r in rows]

    async def recent_failover_drills(
        self, team_id: str, partner_id: int | None, limit: int
    ) -> list[Drill]:
        if partner_id is None:
            rows = await self._rows("recent_failover_drills", team_id=team_id, limit=limit)
        else:
            rows = await self._rows(
                "partner_failover_drills", team_id=team_id, partner_id=partner_id, limit=limit
            )
        return [await self._drill(r) for r in rows]

    async def advance_failover_drill(self, version: int, after: Drill) -> int | None:
        self.reports_changed(after.team_id)
        backup, gmv = after.backup, after.gmv
        try:
            row = await self._advance(version, after, backup, gmv)
        except self._d.integrity_error() as err:
            if _second_open(err):
                raise OpenDrillExists() from None
            raise
        return None if row is None else int(row[0])

    async def _advance(
        self, version: int, after: Drill, backup: Backup | None, gmv: GmvImpact | None
    ) -> Any:
        return await self._q.advance_failover_drill(
            self._conn,
            team_id=after.team_id,
            id=after.id,
            version=version,
            status=after.status.value,
            closed_at=self._when(after.closed_at),
            backup_id=None if backup is None else backup.partner_id,
            engaged_by=None if backup is None else backup.by,
            engaged_at=None if backup is None else self._d.stamp(backup.at),
            gmv_before=None if gmv is None else gmv.before,
            gmv_after=None if gmv is None else gmv.after,
            gmv_impact=None if gmv is None else gmv.change,
            gmv_source=None if gmv is None else gmv.source.value,
            gmv_note=None if gmv is None else gmv.note,
        )

    async def write_failover_step(self, team_id: str, drill_id: int, step: Step) -> None:
        self.reports_changed(team_id)  # the status shows the current step and its deadline
        await self._q.write_failover_step(
            self._conn,
            team_id=team_id,
            drill_id=drill_id,
            step=step.key.value,
            owner=step.owner,
            state=step.state.value,
            reason=step.reason,
            done_by=step.by,
            done_at=self._when(step.at),
            deadline=self._d.stamp(step.deadline),
        )

    async def set_failover_messages(
        self, team_id: str, drill_id: int, root_ts: str | None, checklist_ts: str | None
    ) -> None:
        self.reports_changed(team_id)  # cards and digests link to the drill's thread
        await self._q.set_failover_messages(
            self._conn, team_id=team_id, id=drill_id, root_ts=root_ts, checklist_ts=checklist_ts
        )

    async def delete_failover_drill(self, team_id: str, drill_id: int) -> None:
        self.reports_changed(team_id)
        await self._q.delete_failover_drill(self._conn, team_id=team_id, id=drill_id)

    async def add_failover_event(
        self, team_id: str, drill_id: int, version: int, event: Event
    ) -> None:
        self.reports_changed(team_id)  # a drill's sendings are timeline rows
        await self._q.add_failover_event(
            self._conn,
            drill_id=drill_id,
            team_id=team_id,
            version=version,
            at=self._d.stamp(event.at),
            actor=event.actor,
            kind=event.kind.value,
            step=None if event.step is None else event.step.value,
            detail=event.detail,
        )

    async def failover_timeline(self, team_id: str, drill_id: int) -> list[Event]:
        rows = await self._rows("failover_timeline", team_id=team_id, drill_id=drill_id)
        return [
            Event(
                kind=EventKind(r["kind"]),
                actor=r["actor"],
                at=self._d.moment(r["at"]),
                step=None if r["step"] is None else StepKey(r["step"]),
                detail=r["detail"],
            )
            for r in rows
        ]

    def _claimed(self, at: Any, done: Any, error: Any, taken: Any) -> Claimed | None:
        if at is None:
            return None
        return Claimed(self._d.moment(at), done is not None, error, self._d.moment(taken))

    async def due_failover_steps(self, now: datetime, since: datetime) -> list[DueStep]:
        rows = await self._fetchall(
            "due_failover_steps", now=self._d.stamp(now), since=self._d.stamp(since)
        )
        found: dict[tuple[int, str], DueStep] = {}
        for r in rows:
            deadline = self._d.moment(r["deadline"])
            key = (int(r["drill_id"]), r["step"])
            item = found.get(key) or DueStep(
                team_id=r["team_id"],
                drill_id=key[0],
                started_at=self._d.moment(r["started_at"]),
                step=Step(StepKey(r["step"]), r["owner"], deadline),
                claims={},
            )
            claims = dict(item.claims)
            for nudge in NUDGES:
                name = nudge.value
                if r[f"{name}_slot"] != slot_of(deadline):  # another deadline's claim
                    continue
                claimed = self._claimed(
                    r[f"{name}_at"], r[f"{name}_done"], r[f"{name}_error"], r[f"{name}_taken"]
                )
                if claimed is not None:
                    claims[Nudge(name)] = claimed
            found[key] = DueStep(item.team_id, item.drill_id, item.started_at, item.step, claims)
        return list(found.values())

    async def unrendered_failover_drills(self) -> list[Unrendered]:
        rows = await self._fetchall("unrendered_failover_drills")
        return [
            Unrendered(
                team_id=r["team_id"],
                drill_id=int(r["id"]),
                version=int(r["version"]),
                claim=self._claimed(
                    r["redraw_at"], r["redraw_done"], r["redraw_error"], r["redraw_taken"]
                ),
            )
            for r in rows
        ]

    async def mark_failover_rendered(self, team_id: str, drill_id: int, version: int) -> None:
        self.reports_changed(team_id)  # a drill's every row: `/failover status` keeps them
        await self._q.mark_failover_rendered(
            self._conn, team_id=team_id, id=drill_id, version=version
        )

    def _summary(self, row: Any, moment: Callable[[Any], datetime] | None = None) -> DrillSummary:
        """A drill's own fields; moment reads its times (the dialect's unless they are JSON
        text, as in storage/tx/registry_card.py)."""
        at = moment or self._d.moment
        return DrillSummary(
            id=int(row["id"]),
            partner_id=int(row["partner_id"]),
            partner_name=row["partner_name"],
            channel_id=row["channel_id"],
            root_ts=row["root_ts"],
            starter=row["starter"],
            started_at=at(row["started_at"]),
            status=DrillStatus(row["status"]),
            closed_at=None if row["closed_at"] is None else at(row["closed_at"]),
            backup=self._backup(row, at),
            gmv=self._gmv(row),
        )

    async def partner_failover_record(self, team_id: str, partner_id: int) -> DrillRecord:
        row = await self._q.partner_failover_record(
            self._conn, team_id=team_id, partner_id=partner_id
        )
        return NO_DRILLS if row is None else DrillRecord(int(row["drills"]), self._summary(row))

    async def failover_drills_between(
        self, team_id: str, since: datetime, until: datetime
    ) -> list[DrillSummary]:
        rows = await self._rows(
            "failover_drills_between",
            team_id=team_id,
            since=self._d.stamp(since),
            until=self._d.stamp(until),
        )
        return [self._summary(r) for r in rows]

    async def owned_failover_steps(self, team_id: str, owner: str, drills: int) -> OwnedSteps:
        rows = await self._rows("owned_failover_steps", team_id=team_id, owner=owner, drills=drills)
        steps = [
            OwnedStep(
                self._summary(r),
                Step(StepKey(r["step_key"]), r["step_owner"], self._d.moment(r["step_deadline"])),
            )
            for r in rows
        ]
        return OwnedSteps(steps, int(rows[0]["drills_total"]) if rows else 0)
