"""The Home tab's use case: the partners one person owns, each with its health, read with
the same rules, thresholds and benchmarks as `/health` over a few rows, not the pool."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.health.portfolio import PORTFOLIO
from bot.health.rules import (
    HealthReport,
    MetricPoint,
    Thresholds,
    assess,
    lookback_start,
    thresholds_from,
)
from bot.health.service import HEALTH
from bot.ports import Store
from bot.registry.rules import RETIRED, Partner


async def owned_health(
    store: Store, now: datetime, zone: ZoneInfo, team_id: str, owner: str
) -> list[HealthReport]:
    """Every partner owner owns (archived ones aside), with its health: the portfolio's
    (active and paused) first, then the others; worst first within each, then by name."""
    today = now.astimezone(zone).date()
    async with store.read() as tx:
        limits = thresholds_from(await tx.settings(team_id, HEALTH))
        benchmarks = await tx.benchmarks(team_id)
        partners, backups = await tx.owned_partners(team_id, owner)
        points = await tx.owned_points(team_id, owner, lookback_start(today, limits))
    retired = frozenset(name for name, status in backups.items() if status in RETIRED)
    # An owner of thousands is as much CPU as a small pool: kept off the event loop.
    return await asyncio.to_thread(assess_owned, partners, points, benchmarks, limits, retired)


def assess_owned(
    partners: list[Partner],
    points: list[MetricPoint],
    benchmarks: dict[str, float],
    limits: Thresholds,
    retired: frozenset[str],
) -> list[HealthReport]:
    """Each partner assessed exactly as the portfolio assesses it (bot.health.portfolio)."""
    by_partner: dict[int, list[MetricPoint]] = defaultdict(list)
    for point in points:
        by_partner[point.partner_id].append(point)
    reports = [
        assess(p, by_partner[p.id], benchmarks.get(p.category.value), limits, 0, retired)
        for p in partners
    ]
    return sorted(reports, key=_order)


def _order(report: HealthReport) -> tuple[bool, int, int, str]:
    partner = report.partner
    return (partner not in PORTFOLIO, *report.severity, partner.name.casefold())
