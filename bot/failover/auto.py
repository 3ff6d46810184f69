"""Where a drill starts by itself: the workspace's auto-start setting (a drop of a strategic
or core partner opens its drill), and which partners a drop offers a drill for."""

from __future__ import annotations

from datetime import datetime

from bot.access import Actor, check_admin
from bot.failover.rules import SLA_SCOPE
from bot.ports import Store
from bot.registry.rules import FieldChange, Partner, Status, Tier
from bot.registry.service import Change, retry_conflicts
from bot.workspace_settings import write_settings

AUTO_KEY = "auto_start"  # among the failover settings, beside the deadlines
AUTO_DEFAULTS = {AUTO_KEY: 0.0}  # off until an admin turns it on
DRILL_TIERS = frozenset({Tier.STRATEGIC, Tier.CORE})  # the partners a team cannot lose quietly


def offers_drill(partner: Partner) -> bool:
    """Whether losing this partner calls for a failover drill (strategic and core only)."""
    return partner.tier in DRILL_TIERS


def dropped_now(change: Change) -> bool:
    """Whether the change made the partner dropped (not a drop of one dropped already)."""
    moved = any(c.field == "status" for c in change.diff.changes)
    return moved and change.partner.status is Status.DROPPED


def _shown(_key: str, value: float) -> str:
    return "on" if value else "off"


async def auto_start(store: Store, team_id: str) -> bool:
    """Whether a drop of a strategic or core partner starts its drill by itself."""
    async with store.read() as tx:
        stored = await tx.setting(team_id, SLA_SCOPE, AUTO_KEY)
    return bool(stored)


async def set_auto_start(
    store: Store, at: datetime, team_id: str, actor: Actor, on: bool
) -> tuple[bool, list[FieldChange]]:
    """Turn auto-start on or off (admins only), audited as `failover auto_start`; the
    setting in force after, and the change made (none when it was so already)."""
    check_admin(actor, "whether drills start by themselves")

    async def attempt() -> tuple[bool, list[FieldChange]]:
        async with store.write() as tx:
            changes = await write_settings(
                tx,
                team_id,
                SLA_SCOPE,
                actor,
                at,
                AUTO_DEFAULTS,
                {AUTO_KEY: 1.0 if on else 0.0},
                "failover",
                _shown,
            )
            return bool(await tx.setting(team_id, SLA_SCOPE, AUTO_KEY)), changes

    return await retry_conflicts(attempt)
