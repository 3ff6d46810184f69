"""`/health` (and `/partner health`): reports after the ack when slow, charts off the loop."""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.charts import CHART_METRICS, render_trend_png
from bot.errors import CommandError, RuleError
from bot.health import service as health_service
from bot.health.command import (
    BenchmarkRequest,
    HealthHelpRequest,
    HealthRequest,
    PartnerHealthRequest,
    PortfolioRequest,
    ThresholdsRequest,
    parse_health_command,
)
from bot.services import Services
from handlers.blocks import esc, message, section
from handlers.health import views
from handlers.ids import HealthAction
from handlers.payloads import PortfolioPage
from handlers.registry.listeners import Message, Reply, answer, command_error
from handlers.uploads import upload_png

log = logging.getLogger(__name__)


async def handle_health(
    services: Services, ack: Reply, respond: Reply, body: dict[str, Any], client: Any, text: str
) -> None:
    """Answer one `/health` command: in the ack if quick, else through the response_url."""
    try:
        request = parse_health_command(text)
    except (CommandError, RuleError) as err:
        await ack(**command_error(err, "/health help"))
        return
    work = run(services, client, respond, body, request)
    await answer(services, ack, respond, work, services.ack_budget)


async def run(
    services: Services, client: Any, respond: Reply, body: dict[str, Any], request: HealthRequest
) -> Message:
    team_id, store = body["team_id"], services.store
    now, zone = services.clock.now(), services.settings.zone
    actor = services.actor(body["user_id"])
    match request:
        case HealthHelpRequest():
            return views.build_health_help()
        case PortfolioRequest(offset=offset):
            report, settings = await health_service.portfolio_health(store, now, zone, team_id)
            return views.build_portfolio(report, settings, offset)
        case PartnerHealthRequest(name=name, chart=False):
            partner_report, settings = await health_service.partner_health(
                store, now, zone, team_id, name
            )
            return views.build_partner_health(partner_report, settings)
        case PartnerHealthRequest(name=name, chart=True):
            return await start_chart(services, client, respond, body, name)
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


async def start_chart(
    services: Services, client: Any, respond: Reply, body: dict[str, Any], name: str
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
    channel = body["channel_id"]
    work = upload_png(
        client,
        respond,
        channel,
        partial(render_trend_png, points, guides),
        filename=f"health-{partner.id}.png",
        title=f"{partner.name}: metrics by period",
        comment=f"Metrics of *{esc(partner.name)}* by period",
    )
    services.tasks.spawn(work, name="health-chart")
    text = (
        f":chart_with_upwards_trend: Drawing the chart of *{esc(partner.name)}*; "
        "it will appear here."
    )
    return message([section(text)], text, escaped=True)


def register(app: AsyncApp, services: Services) -> list[str]:
    """Register `/health` and its paging button; return the command registered."""

    async def health_command(ack: Reply, respond: Reply, body: dict[str, Any], client: Any) -> None:
        await handle_health(services, ack, respond, body, client, body.get("text", ""))

    async def show_page(page: PortfolioPage, team_id: str, respond: Reply) -> None:
        report, settings = await health_service.portfolio_health(
            services.store, services.clock.now(), services.settings.zone, team_id
        )
        await respond(replace_original=True, **views.build_portfolio(report, settings, page.offset))

    async def portfolio_page(ack: Reply, body: dict[str, Any], respond: Reply) -> None:
        value = (body.get("actions") or [{}])[0].get("value")
        page = PortfolioPage.unpack(value if isinstance(value, str) else None)
        if page is not None:
            team_id = str((body.get("team") or {}).get("id") or body["user"]["team_id"])
            services.tasks.spawn(show_page(page, team_id, respond), name="portfolio-page")
        await ack()

    app.command("/health")(health_command)
    app.action(HealthAction.PORTFOLIO_PAGE.value)(portfolio_page)
    return ["/health"]
