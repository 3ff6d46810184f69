"""Undo: taking back a drop, an archive or a retirement, from what the audit trail recorded
of that very change."""

from __future__ import annotations

from datetime import datetime

from bot.access import Actor, check_can_change
from bot.errors import RuleError, StaleEdit
from bot.ports import Store
from bot.registry.lookup import find
from bot.registry.rules import PartnerFields, Status, typed_name
from bot.registry.service import Change, apply_change

# The changes an Undo button takes back, and how each is said in the past tense.
UNDOABLE = {"drop": "dropped", "archive": "archived", "retire": "retired"}


async def undo_change(
    store: Store,
    at: datetime,
    team_id: str,
    actor: Actor,
    partner_id: int,
    action: str,
    version: datetime,
) -> Change:
    """Take back a drop, an archive or a retirement (owner or admin): the status and drop
    reason it replaced come back, audited as undo. version is the partner's updated_at
    right after that change; any change since means the Undo is refused, not guessed."""
    if action not in UNDOABLE:
        raise RuleError("That change cannot be undone.")
    async with store.write() as tx:
        partner = await find(tx, team_id, "", partner_id)
        check_can_change(partner, actor)
        done = []
        if partner.updated_at == version:
            done = await tx.changes_at(team_id, partner.id, version, action)
        if not done:
            raise StaleEdit(
                f"*{partner.name}* has changed since it was {UNDOABLE[action]}, so nothing was "
                f"undone; see `/partner history {typed_name(partner.name)}`."
            )
        before = {change.field: change.before for change in done}
        status = before.get("status")
        fields = PartnerFields(
            status=Status(status) if status else None, drop_reason=before.get("drop_reason")
        )
        return await apply_change(tx, at, actor, partner, fields, "undo")
