"""Health use cases: a partner's report, the portfolio, and the admin's thresholds and
benchmarks (audited)."""

from __future__ import annotations

import asyncio
from dataclasses import asdict, dataclass, fields, replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.access import Actor, check_admin
from bot.errors import NotFound, WriteConflict
from bot.health.pool import Judged, judge_pool, pool_report
from bot.health.portfolio import PoolSummaries, PortfolioReport, assess_portfolio, near_band_edge
from bot.health.rules import (
    HealthReport,
    MetricPoint,
    Thresholds,
    assess,
    format_threshold,
    lookback_start,
    thresholds_from,
    window_weeks,
)
from bot.metrics import Period
from bot.numbers import format_ratio
from bot.ports import Store, Tx
from bot.registry.lookup import find, suggestions
from bot.registry.rules import RETIRED, Category, FieldChange, Partner, name_key
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
    """One partner's health from its recent metrics, in one statement (one snapshot): the
    partner with its backups, thresholds and benchmarks, and the metrics of the window the
    default thresholds set (the shortest); read again from further back when the workspace's
    thresholds ask for a longer window. (`/health NAME` keeps the built answer under the
    report version: handlers/health/listeners.py.)"""
    today = now.astimezone(zone).date()
    key = name_key(name)
    read_from = lookback_start(today, Thresholds())
    while True:
        async with store.read(snapshot=False) as tx:  # one statement (suggestions aside)
            found = await tx.partner_health_inputs(team_id, key, HEALTH, read_from)
            if found is None:
                raise NotFound(name, await suggestions(tx, team_id, name))
        settings = HealthSettings(thresholds_from(found.settings), found.benchmarks)
        since = lookback_start(today, settings.thresholds)
        if since >= read_from:
            break
        read_from = since
    points = [p for p in found.points if p.period.start >= since]
    partner = found.partner
    retired = frozenset(name for name, status in found.backups if status in RETIRED)
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
    """The portfolio (PORTFOLIO's partners) from the rule states SQL decides over one
    health summary a partner and the window's GMV and traffic summed in the database;
    counted and ordered in a worker thread, so the event loop stays free to ack other
    requests meanwhile; a partner's report is made only when it is read (a page)."""
    today = now.astimezone(zone).date()
    async with store.read() as tx:
        settings = HealthSettings(
            thresholds_from(await tx.settings(team_id, HEALTH)), await tx.benchmarks(team_id)
        )
        limits = settings.thresholds
        first, last = window_weeks(today, limits.window_weeks)

        async def judged_members(tx: Tx) -> Judged:
            members = await tx.pool_members(team_id, limits, lookback_start(today, limits))
            return await asyncio.to_thread(judge_pool, members, settings.benchmarks, limits, today)

        async def window(tx: Tx) -> tuple[dict[str, dict[int, float]], list[MetricPoint]]:
            return await tx.window_sums(team_id, first.start, last.end)

        # The members read and judged (in a worker thread) while the window's totals are read
        # on another connection of the same snapshot.
        judged, (sums, day_points) = await tx.at_once(judged_members, window)
        report = await asyncio.to_thread(pool_report, judged, sums, day_points, limits, today)
        if near_band_edge(report.gmv, limits) or near_band_edge(report.traffic, limits):
            partners = await tx.all_partners(team_id)
            points = await tx.health_points(team_id, lookback_start(today, limits))
            exact = await asyncio.to_thread(
                assess_portfolio, partners, points, settings.benchmarks, limits, today
            )
            report = replace(report, gmv=exact.gmv, traffic=exact.traffic)
    return report, settings


async def pool_summaries(
    tx: Tx, team_id: str, today: date, limits: Thresholds, reported: Period | None = None
) -> PoolSummaries:
    """What the portfolio is computed from: a summary a partner and the concentration
    window's totals; with reported, the partners with metrics for that week too."""
    first, last = window_weeks(today, limits.window_weeks)
    since = lookback_start(today, limits)
    states = await tx.pool_states(team_id, limits, since)
    sums, day_points = await tx.window_sums(team_id, first.start, last.end)
    seen: set[int] = set()
    if reported is not None:
        seen = await tx.reported_in_week(team_id, reported, since)
    return PoolSummaries(states, sums, day_points, seen)


async def portfolio_health_full(
    store: Store, now: datetime, zone: ZoneInfo, team_id: str
) -> tuple[PortfolioReport, HealthSettings]:
    """The portfolio computed from every metric of the window (the reference the summaries
    are tested and benchmarked against): one query, every rule in memory."""
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
