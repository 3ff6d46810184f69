"""The partner card's read: the partner, its latest metrics and its failover drills (how
many, and the latest), in one statement."""

from __future__ import annotations

from dataclasses import dataclass

from bot.errors import NotFound
from bot.failover.record import DrillRecord
from bot.metrics import METRICS
from bot.ports import Store
from bot.registry.lookup import suggestions
from bot.registry.rules import Partner, name_key

CARD_PERIODS = 4  # periods of metrics a card shows (a period holds at most one of each metric)


@dataclass(frozen=True)
class PartnerCard:
    partner: Partner
    metrics: list[tuple[str, str, float]]  # (period, metric, value), latest periods first:
    # those of the CARD_PERIODS latest period starts (what the card shows, and no more)
    drills: DrillRecord


async def partner_card(store: Store, team_id: str, name: str) -> PartnerCard:
    """What `/partner show` shows, read in one statement (one snapshot): the partner, its
    latest metrics and its drills (how many, and the latest)."""
    async with store.read(snapshot=False) as tx:  # one statement (suggestions aside)
        found = await tx.partner_card(
            team_id, name_key(name), CARD_PERIODS, len(METRICS) * CARD_PERIODS
        )
        if found is None:
            raise NotFound(name, await suggestions(tx, team_id, name))
    return PartnerCard(*found)
