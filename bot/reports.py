"""The slow reports as the commands ask for them, each computed once per workspace and report
version (bot/report_cache.py) and shared by the requests that arrive meanwhile: `/score top`
and its pages, the portfolio (`/health`) and its pages, `/digest preview`. Each is a Report:
done when it was ready at once, with the views (messages) made of it kept beside it."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.digest.command import Scope
from bot.digest.content import Digest
from bot.digest.service import compose_digest
from bot.health.portfolio import PortfolioReport
from bot.health.service import HealthSettings, portfolio_health
from bot.ports import Store
from bot.registry.rules import Category
from bot.report_cache import Report, ReportCache
from bot.scoring.rules import Ranked
from bot.scoring.service import ranking


async def top_ranking(
    cache: ReportCache, store: Store, team_id: str, category: Category | None, limit: int
) -> Report[list[Ranked]]:
    """The best `limit` of the ranking (in a category, or all)."""
    return await cache.report(
        store,
        team_id,
        ("ranking", category, limit),
        lambda: ranking(store, team_id, category, limit=limit),
    )


async def portfolio(
    cache: ReportCache, store: Store, now: datetime, zone: ZoneInfo, team_id: str
) -> Report[tuple[PortfolioReport, HealthSettings]]:
    """The portfolio's health as of today (in zone)."""
    today = now.astimezone(zone).date()
    return await cache.report(
        store,
        team_id,
        ("portfolio", today, zone.key),
        lambda: portfolio_health(store, now, zone, team_id),
    )


async def digest_preview(
    cache: ReportCache,
    store: Store,
    now: datetime,
    zone: ZoneInfo,
    team_id: str,
    channel_id: str,
    scope: Scope,
) -> Report[Digest]:
    """A channel's digest as it would be posted now (against its last snapshot, with the
    drills opened and closed since: both bump the report version when written)."""
    today = now.astimezone(zone).date()
    return await cache.report(
        store,
        team_id,
        ("digest", channel_id, scope, today, zone.key),
        lambda: compose_digest(store, now, zone, team_id, channel_id, scope),
    )
