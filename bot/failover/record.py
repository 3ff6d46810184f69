"""What the rest of partnerbot shows of failover drills: a partner's record (how many drills,
the latest), the drills a digest reports, and the steps a person owns, read without the
drills' whole step lists. Pure data; the queries are in storage/tx/failover.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.failover.rules import Backup, DrillStatus, GmvImpact, Step


@dataclass(frozen=True)
class DrillSummary:
    """A drill's own fields, without its steps: where it lives, when it started and
    closed, and its outcome (the backup engaged, the GMV impact) once recorded."""

    id: int
    partner_id: int
    partner_name: str
    channel_id: str
    root_ts: str | None
    starter: str
    started_at: datetime
    status: DrillStatus
    closed_at: datetime | None = None
    backup: Backup | None = None
    gmv: GmvImpact | None = None

    def opened_in(self, since: datetime, until: datetime) -> bool:
        return since < self.started_at <= until

    def closed_in(self, since: datetime, until: datetime) -> bool:
        return self.closed_at is not None and since < self.closed_at <= until


@dataclass(frozen=True)
class DrillRecord:
    """A partner's drills as its cards show them: how many, and the latest."""

    count: int
    latest: DrillSummary | None


NO_DRILLS = DrillRecord(0, None)


@dataclass(frozen=True)
class OwnedStep:
    """A step still to do in an open drill, and the drill, for its owner's Home tab."""

    drill: DrillSummary
    step: Step


@dataclass(frozen=True)
class OwnedSteps:
    """A person's steps still to do in the first open drills (soonest due first), and in
    how many open drills in all they own a step."""

    steps: list[OwnedStep]
    drills: int
