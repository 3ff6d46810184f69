"""`/health` (and `/partner health`): reports in the ack when quick, else after it; charts
drawn off the loop and uploaded through the outbox."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.errors import CommandError, RuleError
from bot.health import service as health_service
from bot.health.chart import CHART_METRICS, render_trend_png, trend_alt_text
from bot.health.command import (
    BenchmarkRequest,
    HealthHelpRequest,
    HealthRequest,
    PartnerHealthRequest,
    PortfolioRequest,
    ThresholdsRequest,
    parse_health_command,
)
from bot.registry.rules import name_key
from bot.reports import portfolio
from bot.services import Services
from handlers.blocks import esc, message, section
from handlers.buttons import Click, on_button
from handlers.charts import post_chart
from handlers.health import views
from handlers.payloads import PortfolioPage
from handlers.reply import (
    Answer,
    Later,
    Message,
    Reply,
    answer_command,
    follow_up,
    now_or_later,
    serialised,
    view_of,
)


async def health_command(
    ack: Reply, respond: Reply, body: dict[str, Any], client: Any, services: Services
) -> None:
    """`/health ...`."""
    await handle_health(ack, respond, body, client, services, body.get("text", ""))


async def handle_health(
    ack: Reply, respond: Reply, body: dict[str, Any], client: Any, services: Services, text: str
) -> None:
    """Answer the text of one `/health` command (also reached as `/partner health ...`)."""
    work = partial(run, services, respond, body)
    await answer_command(services, ack, respond, text, parse_health_command, work, "/health")


async def run(
    services: Services, respond: Reply, body: dict[str, Any], request: HealthRequest
) -> Answer | Later:
    """Carry out one health request and build its answer."""
    team_id, store = body["team_id"], services.store
    now, zone = services.clock.now(), services.settings.zone
    actor = services.actor(body["user_id"])
    match request:
        case HealthHelpRequest():
            return views.build_health_help()
        case PortfolioRequest(offset=offset):
            pool = await portfolio(services.reports, store, now, zone, team_id)
            return now_or_later(pool, offset, lambda found: views.build_portfolio(*found, offset))
        case PartnerHealthRequest(name=name, chart=False):
            today = now.astimezone(zone).date()  # the day sets the window the rules read
            key = ("health", name_key(name), zone.key, today)
            return await services.answers.answer(
                store, team_id, key, lambda: _partner_health(services, team_id, name, now)
            )
        case PartnerHealthRequest(name=name, chart=True):
            return await start_chart(services, respond, body, name)
        case ThresholdsRequest(values=values):
            if not values:
                current = await health_service.health_settings(store, team_id)
                return views.build_thresholds(current.thresholds)
            changes = await health_service.set_thresholds(store, now, team_id, actor, values)
            current = await health_service.health_settings(store, team_id)
            return views.build_thresholds(current.thresholds, changes)
        case BenchmarkRequest(category=category, roi=roi):
            if category is None or roi is None:
                current = await health_service.health_settings(store, team_id)
                return views.build_benchmarks(current.benchmarks, current.thresholds)
            change = await health_service.set_benchmark(store, now, team_id, actor, category, roi)
            current = await health_service.health_settings(store, team_id)
            return views.build_benchmarks(current.benchmarks, current.thresholds, change, True)
    raise CommandError("That request is not handled yet.")


async def _partner_health(services: Services, team_id: str, name: str, now: datetime) -> Answer:
    """`/health NAME`'s answer, built to be kept under the report version (bot/answer_cache.py):
    every input (the partner, its backups' statuses, metrics, thresholds, benchmarks) is
    written by a transaction that bumps it."""
    found, settings = await health_service.partner_health(
        services.store, now, services.settings.zone, team_id, name
    )
    return serialised(views.build_partner_health(found, settings))


async def start_chart(
    services: Services, respond: Reply, body: dict[str, Any], name: str
) -> Message:
    """Check there is something to draw, then draw and upload it after the ack."""
    partner, points = await health_service.partner_series(
        services.store, services.clock.now(), services.settings.zone, body["team_id"], name
    )
    if not any(p.metric in CHART_METRICS for p in points):
        raise RuleError(f"*{partner.name}* has no metrics in the last four months to chart.")
    settings = await health_service.health_settings(services.store, body["team_id"])
    guides = {"rue": settings.thresholds.rue}
    benchmark = settings.benchmarks.get(partner.category.value)
    if benchmark is not None:
        guides["roi"] = benchmark * settings.thresholds.roi_ratio
    work = post_chart(
        services,
        respond,
        body["channel_id"],
        partial(render_trend_png, points, guides, partner.name),
        filename=f"health-{partner.id}.png",
        title=f"{partner.name}: metrics by period",
        comment=f"Metrics of *{esc(partner.name)}* by period",
        alt_text=trend_alt_text(partner.name, points, guides),
    )
    services.tasks.spawn(work, name="health chart")
    text = (
        f":chart_with_upwards_trend: Drawing the chart of *{esc(partner.name)}*; "
        "it will appear here."
    )
    return message([section(text)], text, escaped=True)


async def portfolio_page(
    click: Click[PortfolioPage], ack: Reply, respond: Reply, client: Any, services: Services
) -> None:
    """Previous/Next on the portfolio's flagged partners."""
    await ack()
    follow_up(services, respond, _portfolio(services, click), "health page", replace=True)


async def _portfolio(services: Services, click: Click[PortfolioPage]) -> Answer:
    pool = await portfolio(
        services.reports,
        services.store,
        services.clock.now(),
        services.settings.zone,
        click.team_id,
    )
    await pool
    offset = click.payload.offset
    return view_of(pool, offset, lambda found: views.build_portfolio(*found, offset))


def register(app: AsyncApp) -> None:
    """Register the portfolio's buttons (`/health` itself: handlers.commands)."""
    app.action(PortfolioPage.action_id)(on_button(PortfolioPage, portfolio_page))
