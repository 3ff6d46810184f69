"""Health use cases: a partner's report, the portfolio, and the admin's thresholds and
benchmarks (audited)."""

from __future__ import annotations

import asyncio
from dataclasses import asdict, dataclass, fields, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.access import Actor, check_admin
from bot.errors import WriteConflict
from bot.health.portfolio import PortfolioReport, assess_portfolio
from bot.health.rules import (
    HealthReport,
    MetricPoint,
    Thresholds,
    assess,
    format_threshold,
    lookback_start,
    thresholds_from,
)
from bot.numbers import format_ratio
from bot.ports import Store
from bot.registry.lookup import find
from bot.registry.rules import RETIRED, Category, FieldChange, Partner
from bot.registry.service import WRITE_ATTEMPTS, retry_conflicts
from bot.workspace_settings import write_settings

TREND_PERIODS = 8
HEALTH = "health"  # the scope of the thresholds among a workspace's settings
DEFAULT_THRESHOLDS = asdict(Thresholds())


@dataclass(frozen=True)
class HealthSettings:
    thresholds: Thresholds
    benchmarks: dict[str, float]


async def health_settings(store: Store, team_id: str) -> HealthSettings:
    async with store.read() as tx:
        return HealthSettings(
            thresholds_from(await tx.settings(team_id, HEALTH)), await tx.benchmarks(team_id)
        )


async def partner_health(
    store: Store, now: datetime, zone: ZoneInfo, team_id: str, name: str
) -> tuple[HealthReport, HealthSettings]:
    """One partner's health from its recent metrics."""
    today = now.astimezone(zone).date()
    async with store.read() as tx:
        partner = await find(tx, team_id, name, full=False)
        settings = HealthSettings(
            thresholds_from(await tx.settings(team_id, HEALTH)), await tx.benchmarks(team_id)
        )
        since = lookback_start(today, settings.thresholds)
        points = await tx.health_points(team_id, since, partner.id)
        backups = await tx.backup_statuses(team_id, partner.id)
    partner = replace(partner, backups=tuple(name for name, _ in backups))
    retired = frozenset(name for name, status in backups if status in RETIRED)
    benchmark = settings.benchmarks.get(partner.category.value)
    limits = settings.thresholds
    return assess(partner, points, benchmark, limits, TREND_PERIODS, retired), settings


async def partner_series(
    store: Store, now: datetime, zone: ZoneInfo, team_id: str, name: str
) -> tuple[Partner, list[MetricPoint]]:
    """A partner and its recent metrics, for the trend chart."""
    async with store.read() as tx:
        partner = await find(tx, team_id, name, full=False)
        limits = thresholds_from(await tx.settings(team_id, HEALTH))
        since = lookback_start(now.astimezone(zone).date(), limits)
        return partner, await tx.health_points(team_id, since, partner.id)


async def portfolio_health(
    store: Store, now: datetime, zone: ZoneInfo, team_id: str
) -> tuple[PortfolioReport, HealthSettings]:
    """The portfolio (PORTFOLIO's partners): one query for the window, every rule computed in
    memory, in a worker thread: over a large pool that is seconds of CPU, and the event loop
    must stay free to ack other requests meanwhile."""
    today = now.astimezone(zone).date()
    async with store.read() as tx:
        settings = HealthSettings(
            thresholds_from(await tx.settings(team_id, HEALTH)), await tx.benchmarks(team_id)
        )
        partners = await tx.all_partners(team_id)
        points = await tx.health_points(team_id, lookback_start(today, settings.thresholds))
    report = await asyncio.to_thread(
        assess_portfolio, partners, points, settings.benchmarks, settings.thresholds, today
    )
    return report, settings


async def set_thresholds(
    store: Store, now: datetime, team_id: str, actor: Actor, values: dict[str, float]
) -> list[FieldChange]:
    """Change rule thresholds (admins only); each change is audited."""
    check_admin(actor, "the health thresholds")

    async def attempt() -> list[FieldChange]:
        async with store.write() as tx:
            return await write_settings(
                tx,
                team_id,
                HEALTH,
                actor,
                now,
                DEFAULT_THRESHOLDS,
                values,
                "threshold",
                format_threshold,
            )

    return await retry_conflicts(attempt)


async def set_benchmark(
    store: Store, now: datetime, team_id: str, actor: Actor, category: Category, roi: float
) -> FieldChange | None:
    """Set a category's industry ROI benchmark (admins only), audited.

    Written over the benchmark read (compare and set): when another admin set it in between,
    it is read again, so the audit row names the value really replaced."""
    check_admin(actor, "ROI benchmarks")

    async def attempt() -> FieldChange | None:
        async with store.write() as tx:
            for _ in range(WRITE_ATTEMPTS):
                before = await tx.benchmark(team_id, category.value)
                if before == roi:
                    return None
                if await tx.write_benchmark(
                    team_id, category.value, roi, actor.user_id, now, before
                ):
                    break
            else:
                raise WriteConflict(f"benchmark {category.value}")
            change = FieldChange(
                category.value, "" if before is None else format_ratio(before), format_ratio(roi)
            )
            await tx.add_settings_audit(
                team_id,
                actor.user_id,
                now,
                f"benchmark {category.value}",
                change.before,
                change.after,
            )
        return change

    return await retry_conflicts(attempt)


THRESHOLD_NAMES = tuple(f.name for f in fields(Thresholds))
