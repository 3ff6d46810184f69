"""What the failover drill needs from storage: drills with their steps, the versioned write
of a transition, and the timeline."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.failover.content import Candidate, MeasureTick
from bot.failover.record import DrillRecord, DrillSummary, OwnedSteps
from bot.failover.reminders import DueStep, Unrendered
from bot.failover.rules import Drill, Event, Step


class FailoverTx(Protocol):
    """Drills, their steps and timelines; a transition is one versioned write."""

    async def insert_failover_drill(self, drill: Drill) -> int | None: ...
    async def failover_drill(self, team_id: str, drill_id: int) -> Drill | None: ...
    async def open_failover_drill(self, team_id: str, partner_id: int) -> Drill | None: ...
    async def open_failover_drills(self, team_id: str) -> list[Drill]: ...
    async def recent_failover_drills(
        self, team_id: str, partner_id: int | None, limit: int
    ) -> list[Drill]: ...
    async def advance_failover_drill(self, version: int, after: Drill) -> int | None:
        """Write after's own fields (status, backup, GMV impact) over version; the new
        version, or None when another transition landed since version was read."""

    async def write_failover_step(self, team_id: str, drill_id: int, step: Step) -> None: ...
    async def set_failover_messages(
        self, team_id: str, drill_id: int, root_ts: str | None, checklist_ts: str | None
    ) -> None: ...
    async def delete_failover_drill(self, team_id: str, drill_id: int) -> None: ...
    async def add_failover_event(
        self, team_id: str, drill_id: int, version: int, event: Event
    ) -> None: ...
    async def failover_timeline(self, team_id: str, drill_id: int) -> list[Event]: ...
    async def due_failover_steps(self, now: datetime, since: datetime) -> list[DueStep]:
        """Across workspaces: open drills' steps still to do with since < deadline <= now,
        each with its nudges' claims."""

    async def unrendered_failover_drills(self) -> list[Unrendered]:
        """Across workspaces: drills whose version is ahead of the one drawn in Slack."""

    async def mark_failover_rendered(self, team_id: str, drill_id: int, version: int) -> None:
        """Record version as drawn, if it is newer than the one recorded."""

    async def partner_failover_record(self, team_id: str, partner_id: int) -> DrillRecord:
        """How many drills the partner had, and the latest: one statement."""

    async def failover_drills_between(
        self, team_id: str, since: datetime, until: datetime
    ) -> list[DrillSummary]:
        """The drills opened or closed after since, up to until, oldest first."""

    async def owned_failover_steps(self, team_id: str, owner: str, drills: int) -> OwnedSteps:
        """The steps still to do that owner owns in the first `drills` open drills (by their
        soonest deadline), and in how many open drills they own one."""

    async def write_failover_ranking(
        self,
        team_id: str,
        drill_id: int,
        at: datetime,
        candidates: list[Candidate],
        *,
        again: bool = False,
    ) -> bool:
        """Keep the candidates ranked for a drill, in order, with when: once (False when it
        was ranked already), or again, on an open drill whose list is still empty; either
        moves the version when the checklist was posted already."""

    async def write_failover_measure(self, team_id: str, drill_id: int, tick: MeasureTick) -> None:
        """A measure ticked off, or its note replaced."""

    async def unranked_failover_drills(self, before: datetime, limit: int) -> list[tuple[str, int]]:
        """Open drills started by before whose candidates were never ranked: (team, id)."""
