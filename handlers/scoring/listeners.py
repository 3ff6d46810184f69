"""`/score` (and `/partner score`): the card, rating by command and modal, compare with a
radar, the ranking, the yearly review with Retire, and the weights."""

from __future__ import annotations

from functools import partial
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.access import check_can_change
from bot.charts import render_radar_png
from bot.errors import CommandError, RuleError
from bot.registry.lookup import find
from bot.registry.rules import Category
from bot.scoring import service as score_service
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
from handlers.blocks import esc, field_error, message, section
from handlers.ids import ScoreAction, ScoreView
from handlers.payloads import PartnerRef, RateMeta, ReviewPage, TopPage
from handlers.registry.listeners import Message, Reply, answer, command_error, open_modal
from handlers.registry.views import build_error
from handlers.scoring import views
from handlers.uploads import upload_png


async def handle_score(
    services: Services, ack: Reply, respond: Reply, body: dict[str, Any], client: Any, text: str
) -> None:
    """Answer one `/score` command: in the ack if quick, else through the response_url."""
    try:
        request = parse_score_command(text)
    except (CommandError, RuleError) as err:
        await ack(**command_error(err, "/score help"))
        return
    work = run(services, client, respond, body, request)
    await answer(services, ack, respond, work, services.ack_budget)


def _radar(
    services: Services, client: Any, respond: Reply, channel: str, cards: list[ScoreCard]
) -> None:
    """Start drawing and uploading a radar of these cards, after the ack."""
    series = [dict(c.rating.values) if c.rating else {} for c in cards]
    letters = list(views.LETTERS[: len(cards)])
    names = ", ".join(
        f"{letters[i]} = *{esc(c.partner.name)}*"
        + (f" (not rated, drawn at 0: {', '.join(c.score.missing)})" if c.score.missing else "")
        for i, c in enumerate(cards)
    )
    work = upload_png(
        client,
        respond,
        channel,
        partial(render_radar_png, series, letters),
        filename="fit-radar.png",
        title="Fit dimensions",
        comment=f"Fit dimensions: {names}",
    )
    services.tasks.spawn(work, name="score-radar")


async def run(
    services: Services, client: Any, respond: Reply, body: dict[str, Any], request: ScoreRequest
) -> Message:
    team_id, store, now = body["team_id"], services.store, services.clock.now()
    actor = services.actor(body["user_id"])
    channel = body.get("channel_id", "")
    match request:
        case ScoreHelpRequest():
            return views.build_score_help()
        case CardRequest(name=name, chart=False):
            return views.build_card(await score_service.score_card(store, team_id, name))
        case CardRequest(name=name, chart=True):
            card = await score_service.score_card(store, team_id, name)
            if card.rating is None:
                raise RuleError(f"*{card.partner.name}* has not been rated yet.")
            _radar(services, client, respond, channel, [card])
            text = f":bar_chart: Drawing the radar of *{esc(card.partner.name)}*."
            return message([section(text)], text, escaped=True)
        case RateRequest(name=name, updates=updates, cases=cases):
            card = await score_service.rate(store, now, team_id, actor, updates, cases, name=name)
            return views.build_card(card)
        case CompareRequest(names=names):
            cards = await score_service.compare(store, team_id, names)
            if any(c.rating is not None for c in cards):
                _radar(services, client, respond, channel, cards)
            return views.build_compare(cards)
        case TopRequest(limit=limit, category=category):
            ranked = await score_service.ranking(store, team_id, category)
            return views.build_top(ranked, limit, 0, category.value if category else None)
        case ReviewRequest(share=share):
            zone = services.settings.zone
            result = await score_service.yearly_review(store, now, zone, team_id, share)
            return views.build_review(result, share)
        case WeightsRequest(updates=updates) if not updates:
            return views.build_weights(await score_service.weights(store, team_id))
        case WeightsRequest(updates=updates):
            weights, changes = await score_service.set_weights(store, now, team_id, actor, updates)
            return views.build_weights(weights, changes)
    raise CommandError("That request is not handled yet.")


def _team(body: dict[str, Any]) -> str:
    return str((body.get("team") or {}).get("id") or body["user"]["team_id"])


def _value(body: dict[str, Any]) -> str | None:
    value = (body.get("actions") or [{}])[0].get("value")
    return value if isinstance(value, str) else None


def register(app: AsyncApp, services: Services) -> list[str]:
    """Register `/score`, its buttons and the Rate modal; return the command registered."""

    async def score_command(ack: Reply, respond: Reply, body: dict[str, Any], client: Any) -> None:
        await handle_score(services, ack, respond, body, client, body.get("text", ""))

    async def open_rate(ref: PartnerRef, body: dict[str, Any], client: Any, respond: Reply) -> None:
        team_id = _team(body)
        try:
            async with services.store.read() as tx:
                partner = await find(tx, team_id, "", ref.partner_id)
            card = await score_service.score_card(services.store, team_id, partner.name)
            check_can_change(card.partner, services.actor(body["user"]["id"]))
        except RuleError as err:
            await respond(**build_error(err))
            return
        view = views.build_rate_modal(
            card,
            RateMeta(
                partner_id=card.partner.id,
                rating_id=card.version.rating_id,
                changed_at=card.version.changed_at,
            ),
        )
        await open_modal(client, respond, body["trigger_id"], view)

    async def rate_button(ack: Reply, body: dict[str, Any], client: Any, respond: Reply) -> None:
        ref = PartnerRef.unpack(_value(body))
        if ref is not None:
            services.tasks.spawn(open_rate(ref, body, client, respond), name="rate-modal")
        await ack()

    async def chart_button(ack: Reply, body: dict[str, Any], client: Any, respond: Reply) -> None:
        ref = PartnerRef.unpack(_value(body))
        if ref is not None:
            services.tasks.spawn(chart_for(ref, body, client, respond), name="radar")
        await ack()

    async def chart_for(ref: PartnerRef, body: dict[str, Any], client: Any, respond: Reply) -> None:
        try:
            async with services.store.read() as tx:
                partner = await find(tx, _team(body), "", ref.partner_id)
            card = await score_service.score_card(services.store, partner.team_id, partner.name)
            if card.rating is None:
                raise RuleError(f"*{partner.name}* has not been rated yet.")
        except RuleError as err:
            await respond(**build_error(err))
            return
        channel = (body.get("channel") or {}).get("id") or body["container"]["channel_id"]
        _radar(services, client, respond, channel, [card])

    async def top_page(ack: Reply, body: dict[str, Any], respond: Reply) -> None:
        page = TopPage.unpack(_value(body))
        if page is not None and (page.category is None or page.category in set(Category)):
            services.tasks.spawn(show_top(page, _team(body), respond), name="top-page")
        await ack()

    async def show_top(page: TopPage, team_id: str, respond: Reply) -> None:
        category = Category(page.category) if page.category else None
        ranked = await score_service.ranking(services.store, team_id, category)
        await respond(
            replace_original=True, **views.build_top(ranked, page.limit, page.offset, page.category)
        )

    async def review_page(ack: Reply, body: dict[str, Any], respond: Reply) -> None:
        page = ReviewPage.unpack(_value(body))
        if page is not None and 0 < page.share <= 100:
            services.tasks.spawn(show_review(page, _team(body), respond), name="review-page")
        await ack()

    async def show_review(page: ReviewPage, team_id: str, respond: Reply) -> None:
        result = await score_service.yearly_review(
            services.store, services.clock.now(), services.settings.zone, team_id, page.share
        )
        await respond(replace_original=True, **views.build_review(result, page.share, page.offset))

    async def retire_button(ack: Reply, body: dict[str, Any], respond: Reply) -> None:
        ref = PartnerRef.unpack(_value(body))
        if ref is not None:
            services.tasks.spawn(do_retire(ref, body, respond), name="retire")
        await ack()

    async def do_retire(ref: PartnerRef, body: dict[str, Any], respond: Reply) -> None:
        actor = services.actor(body["user"]["id"])
        try:
            change = await score_service.retire(
                services.store, services.clock.now(), _team(body), actor, ref.partner_id
            )
        except RuleError as err:
            await respond(**build_error(err))
            return
        await respond(**views.build_retired(change.partner, bool(change.diff)))

    async def rate_submit(ack: Reply, body: dict[str, Any], view: dict[str, Any]) -> None:
        updates, cases, errors = views.read_rating(view["state"]["values"])
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
        try:
            card = await score_service.rate(
                services.store,
                services.clock.now(),
                str(view.get("team_id") or _team(body)),
                services.actor(body["user"]["id"]),
                updates,
                cases,
                partner_id=meta.partner_id,
                version=CardVersion(meta.rating_id, meta.changed_at),
            )
        except RuleError as err:
            await ack(
                response_action="errors",
                errors={"brand": field_error(err)},
            )
            return
        saved = views.build_card(card)["blocks"]
        saved = [b for b in saved if b["type"] != "actions"]
        await ack(
            response_action="update",
            view={
                "type": "modal",
                "title": {
                    "type": "plain_text",
                    "text": "Rating saved" if card.saved else "No change",
                },
                "close": {"type": "plain_text", "text": "Done"},
                "blocks": saved,
            },
        )

    app.command("/score")(score_command)
    app.action(ScoreAction.RATE.value)(rate_button)
    app.action(ScoreAction.CHART.value)(chart_button)
    app.action(ScoreAction.TOP_PAGE.value)(top_page)
    app.action(ScoreAction.RETIRE.value)(retire_button)
    app.action(ScoreAction.REVIEW_PAGE.value)(review_page)
    app.view(ScoreView.RATE_SUBMIT.value)(rate_submit)
    return ["/score"]
