"""Workspace settings that admins change (health thresholds, score weights), audited."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from bot.access import Actor
from bot.errors import WriteConflict
from bot.numbers import format_ratio
from bot.ports import Tx
from bot.registry.rules import FieldChange
from bot.registry.service import WRITE_ATTEMPTS


async def write_settings(
    tx: Tx,
    team_id: str,
    scope: str,
    actor: Actor,
    at: datetime,
    defaults: Mapping[str, float],
    updates: Mapping[str, float],
    label: str,
    shown: Callable[[str, float], str] = lambda _key, value: format_ratio(value),
) -> list[FieldChange]:
    """Store the settings of a scope that `updates` changes (in `defaults`' order), each with
    an audit row that names it as "<label> <key>" and holds the values as `shown` writes them
    for people; a setting never stored replaces its default.

    Each value is written over the one read (compare and set): when another transaction
    wrote it in between, it is read again, so two admins setting one value at once leave one
    change, and each audit row names the value it really replaced."""
    changes = []
    for key in (k for k in defaults if k in updates):
        value = updates[key]
        for _ in range(WRITE_ATTEMPTS):
            stored = await tx.setting(team_id, scope, key)
            old = defaults[key] if stored is None else stored
            if old == value:
                break
            if await tx.write_setting(team_id, scope, key, float(value), actor.user_id, at, stored):
                change = FieldChange(key, shown(key, old), shown(key, value))
                await tx.add_settings_audit(
                    team_id, actor.user_id, at, f"{label} {key}", change.before, change.after
                )
                changes.append(change)
                break
        else:
            raise WriteConflict(f"{label} {key}")
    return changes
