"""What the checklist shows under each step beyond its owner, deadline and state: the backup
candidates, the stop-gap measures, the users' message draft, the GMV impact, the summary.
Pure builders, one per step, looked up by the step's key."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.failover.rules import Drill, Step, StepKey
from handlers.blocks import Block
from handlers.failover import verify_views
from handlers.failover.kit_views import (
    build_backup_detail,
    build_comms_detail,
    build_takeover_detail,
)

StepDetail = Callable[[Drill, Step, ZoneInfo, datetime], list[Block]]

# Filled per step; a step without an entry shows only its line.
DETAILS: dict[StepKey, StepDetail] = {
    StepKey.BACKUP: build_backup_detail,
    StepKey.TAKEOVER: build_takeover_detail,
    StepKey.COMMS: build_comms_detail,
    StepKey.VERIFY: verify_views.verify_detail,
    StepKey.CLOSE: verify_views.close_detail,
}


def step_detail(drill: Drill, step: Step, zone: ZoneInfo, now: datetime) -> list[Block]:
    """The blocks under one step's line in the checklist (none by default)."""
    build = DETAILS.get(step.key)
    return [] if build is None else build(drill, step, zone, now)
