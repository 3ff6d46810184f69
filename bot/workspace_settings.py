"""Workspace settings that admins change (health thresholds, score weights), audited."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from bot.access import Actor
from bot.numbers import format_ratio
from bot.ports import Tx
from bot.registry.rules import FieldChange


async def write_settings(
    tx: Tx,
    team_id: str,
    scope: str,
    actor: Actor,
    at: datetime,
    before: Mapping[str, float],
    after: Mapping[str, float],
    label: str,
    shown: Callable[[str, float], str] = lambda _key, value: format_ratio(value),
) -> list[FieldChange]:
    """Store the settings of a scope that differ from before, each with an audit row that
    names it as "<label> <key>" and holds the values as `shown` writes them for people."""
    changes = []
    for key, value in after.items():
        old = before[key]
        if old == value:
            continue
        await tx.upsert_setting(team_id, scope, key, float(value), actor.user_id, at)
        change = FieldChange(key, shown(key, old), shown(key, value))
        await tx.add_settings_audit(
            team_id, actor.user_id, at, f"{label} {key}", change.before, change.after
        )
        changes.append(change)
    return changes
