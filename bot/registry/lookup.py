"""Finding a partner by the name a user typed, or by the id a button or form carries."""

from __future__ import annotations

import asyncio

from bot.errors import NotFound, RuleError
from bot.ports import Tx
from bot.registry.rules import Partner, closest_names, name_key


async def find(
    tx: Tx, team_id: str, name: str, partner_id: int | None = None, *, full: bool = True
) -> Partner:
    """The partner with this name, or NotFound with the closest names. A partner_id (from
    a button or a form) is looked up instead, in the same workspace only. full=False leaves
    out the tags and backups, for callers that do not show them."""
    if partner_id is not None:
        found = await tx.partner_by_id(team_id, partner_id, full=full)
        if found is None:
            raise RuleError("That partner no longer exists.")
        return found
    partner = await tx.partner_by_key(team_id, name_key(name), full=full)
    if partner is None:
        raise NotFound(name, await suggestions(tx, team_id, name))
    return partner


async def suggestions(tx: Tx, team_id: str, name: str) -> list[str]:
    """The registered names closest to one that was not found. Comparing with every name
    in a large pool takes a few hundred milliseconds: done in a worker thread."""
    names = await tx.partner_names(team_id)
    return await asyncio.to_thread(closest_names, name, names)
