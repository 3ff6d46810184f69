"""Fit scores in Slack: `/score` (and `/partner score`), the Rate form, radar charts, the
ranking's and the review's pages, and Retire. Module-level listeners; the services come
through Bolt's context."""

from __future__ import annotations

from functools import partial
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.access import check_can_change
from bot.errors import CommandError, RuleError
from bot.registry.rules import Category, name_key
from bot.reports import top_ranking
from bot.scoring import service as score_service
from bot.scoring.chart import RadarSeries, radar_alt_text, render_radar_png
from bot.scoring.command import (
    CardRequest,
    CompareRequest,
    RateRequest,
    ReviewRequest,
    ScoreHelpRequest,
    ScoreRequest,
    TopRequest,
    WeightsRequest,
    parse_score_command,
)
from bot.scoring.service import CardVersion, ScoreCard
from bot.services import Services
from handlers.blocks import clip, esc, field_error, message, modal, section
from handlers.buttons import Click, on_button
from handlers.charts import post_chart
from handlers.ids import ScoreView
from handlers.payloads import RadarChart, RateMeta, RatePartner, RetirePartner, ReviewPage, TopPage
from handlers.reply import (
    Answer,
    Later,
    Message,
    Reply,
    answer_command,
    follow_up,
    in_background,
    now_or_later,
    open_modal,
    serialised,
    view_of,
)
from handlers.scoring import views
from handlers.scoring.modal import build_rate_modal, read_rating


async def score_command(
    ack: Reply, respond: Reply, body: dict[str, Any], client: Any, services: Services
) -> None:
    """`/score ...`."""
    await handle_score(ack, respond, body, client, services, body.get("text", ""))


async def handle_score(
    ack: Reply, respond: Reply, body: dict[str, Any], client: Any, services: Services, text: str
) -> None:
    """Answer the text of one `/score` command (also reached as `/partner score ...`)."""
    work = partial(run, services, respond, body)
    await answer_command(services, ack, respond, text, parse_score_command, work, "/score")


async def run(
    services: Services, respond: Reply, body: dict[str, Any], request: ScoreRequest
) -> Answer | Later:
    """Carry out one scoring request and build its answer."""
    team_id, store, now = body["team_id"], services.store, services.clock.now()
    actor, zone = services.actor(body["user_id"]), services.settings.zone
    channel = body.get("channel_id", "")
    match request:
        case ScoreHelpRequest():
            return views.build_score_help()
        case CardRequest(name=name, chart=False):
            return await services.answers.answer(
                store, team_id, ("score", name_key(name)), lambda: _card(services, team_id, name)
            )
        case CardRequest(name=name, chart=True):
            card = await score_service.score_card(store, team_id, name)
            _start_radar(services, respond, channel, [_rated(card)])
            text = f":bar_chart: Drawing the radar of *{esc(card.partner.name)}*."
            return message([section(text)], text, escaped=True)
        case RateRequest(name=name, updates=updates, cases=cases):
            card = await score_service.rate(store, now, team_id, actor, updates, cases, name=name)
            return views.build_card(card, zone)
        case CompareRequest(names=names):
            cards = await score_service.compare(store, team_id, names)
            if any(c.rating is not None for c in cards):
                _start_radar(services, respond, channel, cards)
            return views.build_compare(cards)
        case TopRequest(limit=limit, category=category):
            ranked = await top_ranking(services.reports, store, team_id, category, limit)
            shown = category.value if category else None
            return now_or_later(ranked, 0, lambda top: views.build_top(top, limit, 0, shown))
        case ReviewRequest(share=share):
            result = await score_service.yearly_review(store, now, zone, team_id, share)
            return views.build_review(result, share, actor)
        case WeightsRequest(updates=updates) if not updates:
            return views.build_weights(await score_service.weights(store, team_id))
        case WeightsRequest(updates=updates):
            weights, changes = await score_service.set_weights(store, now, team_id, actor, updates)
            return views.build_weights(weights, changes)
    raise CommandError("That request is not handled yet.")


async def _card(services: Services, team_id: str, name: str) -> Answer:
    card = await score_service.score_card(services.store, team_id, name)
    return serialised(views.build_card(card, services.settings.zone))


def _rated(card: ScoreCard) -> ScoreCard:
    if card.rating is None:
        raise RuleError(f"*{card.partner.name}* has not been rated yet.")
    return card


def _start_radar(services: Services, respond: Reply, channel: str, cards: list[ScoreCard]) -> None:
    """Draw and upload a radar of these cards after the ack."""
    series = [RadarSeries(c.partner.name, dict(c.rating.values) if c.rating else {}) for c in cards]
    names = ", ".join(
        f"*{esc(c.partner.name)}*"
        + (f" (not rated: {', '.join(c.score.missing)})" if c.score.missing else "")
        for c in cards
    )
    work = post_chart(
        services,
        respond,
        channel,
        partial(render_radar_png, series),
        filename="fit-radar.png",
        title=clip("Fit dimensions: " + ", ".join(c.partner.name for c in cards), 100),
        comment=f"Fit dimensions of {names}",
        alt_text=radar_alt_text(series),
    )
    services.tasks.spawn(work, name="score radar")


# Buttons


async def rate_partner(
    click: Click[RatePartner], ack: Reply, respond: Reply, client: Any, services: Services
) -> None:
    """The Rate button: the Rate form prefilled, or why not."""
    await ack()
    in_background(services, respond, _open_rate(services, click, client, respond), "rate form")


async def _open_rate(
    services: Services, click: Click[RatePartner], client: Any, respond: Reply
) -> None:
    card = await score_service.score_card(
        services.store, click.team_id, partner_id=click.payload.partner_id
    )
    check_can_change(card.partner, services.actor(click.user_id))
    meta = RateMeta(
        partner_id=card.partner.id,
        rating_id=card.version.rating_id,
        changed_at=card.version.changed_at,
    )
    await open_modal(client, respond, click.trigger_id or "", build_rate_modal(card, meta))


async def radar_chart(
    click: Click[RadarChart], ack: Reply, respond: Reply, client: Any, services: Services
) -> None:
    """The Radar chart button: the partner's radar, posted to the channel."""
    await ack()
    in_background(services, respond, _radar_for(services, click, respond), "score radar")


async def _radar_for(services: Services, click: Click[RadarChart], respond: Reply) -> None:
    card = await score_service.score_card(
        services.store, click.team_id, partner_id=click.payload.partner_id
    )
    _start_radar(services, respond, click.channel_id or "", [_rated(card)])


async def top_page(
    click: Click[TopPage], ack: Reply, respond: Reply, client: Any, services: Services
) -> None:
    """Previous/Next on `/score top`."""
    await ack()
    follow_up(services, respond, _top(services, click), "top page", replace=True)


async def _top(services: Services, click: Click[TopPage]) -> Answer:
    page = click.payload
    if page.category is not None and page.category not in set(Category):
        raise RuleError("That page's category is not valid; run `/score top` again.")
    category = Category(page.category) if page.category else None
    ranked = await top_ranking(
        services.reports, services.store, click.team_id, category, page.limit
    )
    await ranked
    return view_of(
        ranked,
        page.offset,
        lambda top: views.build_top(top, page.limit, page.offset, page.category),
    )


async def review_page(
    click: Click[ReviewPage], ack: Reply, respond: Reply, client: Any, services: Services
) -> None:
    """Previous/Next on `/score review`."""
    await ack()
    follow_up(services, respond, _review(services, click), "review page", replace=True)


async def _review(services: Services, click: Click[ReviewPage]) -> Message:
    page = click.payload
    if not 0 < page.share <= 100:
        raise RuleError("That page's share is not valid; run `/score review` again.")
    result = await score_service.yearly_review(
        services.store, services.clock.now(), services.settings.zone, click.team_id, page.share
    )
    return views.build_review(result, page.share, services.actor(click.user_id), page.offset)


async def retire_partner(
    click: Click[RetirePartner], ack: Reply, respond: Reply, client: Any, services: Services
) -> None:
    """Retire (after Slack's confirmation): archive the partner, audited."""
    await ack()
    follow_up(services, respond, _retire(services, click), "retire", replace=False)


async def _retire(services: Services, click: Click[RetirePartner]) -> Message:
    change = await score_service.retire(
        services.store,
        services.clock.now(),
        click.team_id,
        services.actor(click.user_id),
        click.payload.partner_id,
    )
    return views.build_retired(change)


# The Rate form


async def rate_submit(
    ack: Reply, body: dict[str, Any], view: dict[str, Any], services: Services
) -> None:
    """Save a rating from the form, or say under the inputs what is wrong."""
    updates, cases, errors = read_rating(view["state"]["values"])
    if errors:
        await ack(response_action="errors", errors=errors)
        return
    if not updates and cases is None:
        await ack(response_action="errors", errors={"brand": "Rate at least one dimension."})
        return
    meta = RateMeta.unpack(view.get("private_metadata"))
    if meta is None:
        await ack(response_action="errors", errors={"brand": "This form is out of date."})
        return
    team_id = str(view.get("team_id") or body["team"]["id"])
    try:
        card = await score_service.rate(
            services.store,
            services.clock.now(),
            team_id,
            services.actor(body["user"]["id"]),
            updates,
            cases,
            partner_id=meta.partner_id,
            version=CardVersion(meta.rating_id, meta.changed_at),
        )
    except RuleError as err:
        await ack(response_action="errors", errors={"brand": field_error(err)})
        return
    shown = views.build_card(card, services.settings.zone)
    saved = [b for b in shown["blocks"] if b["type"] != "actions"]
    title = "Rating saved" if card.saved else "No change"
    await ack(
        response_action="update",
        view=modal(title, saved, close="Done"),
    )


def register(app: AsyncApp) -> None:
    """Register the score's buttons and the Rate form (`/score` itself: handlers.commands)."""
    app.action(RatePartner.action_id)(on_button(RatePartner, rate_partner))
    app.action(RadarChart.action_id)(on_button(RadarChart, radar_chart))
    app.action(TopPage.action_id)(on_button(TopPage, top_page))
    app.action(ReviewPage.action_id)(on_button(ReviewPage, review_page))
    app.action(RetirePartner.action_id)(on_button(RetirePartner, retire_partner))
    app.view(ScoreView.RATE_SUBMIT.value)(rate_submit)
