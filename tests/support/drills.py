"""Test helpers for failover drills: a backup set on a drill through the tx's versioned
write, standing in for Engage on the Backup list (built in another part of the drill)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot.failover.rules import Backup, Drill
from bot.ports import Store


async def set_backup(
    store: Store, team_id: str, drill_id: int, partner_id: int, by: str, at: datetime
) -> Drill:
    """The drill with partner_id as its engaged backup, written over its current version."""
    async with store.write() as tx:
        drill = await tx.failover_drill(team_id, drill_id)
        backup = await tx.partner_by_id(team_id, partner_id, full=False)
        assert drill is not None and backup is not None
        engaged = Backup(partner_id, backup.name, by, at)
        assert await tx.advance_failover_drill(drill.version, replace(drill, backup=engaged))
        after = await tx.failover_drill(team_id, drill_id)
    assert after is not None
    return after
