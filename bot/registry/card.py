"""The partner card's read: the partner, its latest metrics and its failover drills (how
many, and the latest), in one read transaction."""

from __future__ import annotations

from dataclasses import dataclass

from bot.failover.record import DrillRecord
from bot.metrics import METRICS
from bot.ports import Store
from bot.registry.lookup import find
from bot.registry.rules import Partner


@dataclass(frozen=True)
class PartnerCard:
    partner: Partner
    metrics: list[tuple[str, str, float]]  # (period, metric, value), latest periods first
    drills: DrillRecord


async def partner_card(store: Store, team_id: str, name: str) -> PartnerCard:
    """What `/partner show` shows: the drills are one aggregate statement (count and the
    latest), not a read of every drill."""
    async with store.read() as tx:
        partner = await find(tx, team_id, name)
        metrics = await tx.partner_metrics(team_id, partner.id, limit=len(METRICS) * 4)
        drills = await tx.partner_failover_record(team_id, partner.id)
    return PartnerCard(partner, metrics, drills)
