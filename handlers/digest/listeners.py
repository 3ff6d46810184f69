"""`/digest` (and `/partner digest`): schedules, a digest now or as a preview, and the
Details button on a digest's alerts."""

from __future__ import annotations

import logging
import re
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError

from bot.digest import service as digest_service
from bot.digest.command import (
    ChangeRequest,
    DigestHelpRequest,
    DigestRequest,
    ListRequest,
    NowRequest,
    PreviewRequest,
    ScheduleRequest,
    parse_digest_command,
)
from bot.digest.rules import parse_zone
from bot.errors import CommandError, RuleError
from bot.health import service as health_service
from bot.registry.lookup import find
from bot.reports import digest_preview
from bot.services import Services
from handlers.alerts.listeners import handle_alerts
from handlers.blocks import error_message
from handlers.buttons import Click, on_button
from handlers.digest import views
from handlers.digest.jobs import post_digest
from handlers.health.views import build_partner_health
from handlers.payloads import DigestDetails
from handlers.reply import Answer, Later, Message, Reply, answer_command, follow_up, now_or_later
from handlers.slack_client import error_code

log = logging.getLogger(__name__)

_ALERTS = re.compile(r"^\s*alerts(?:\s+(.*))?$", re.IGNORECASE | re.DOTALL)


async def digest_command(
    ack: Reply, respond: Reply, body: dict[str, Any], client: Any, services: Services
) -> None:
    """`/digest ...`."""
    await handle_digest(ack, respond, body, client, services, body.get("text", ""))


async def handle_digest(
    ack: Reply, respond: Reply, body: dict[str, Any], client: Any, services: Services, text: str
) -> None:
    """Answer the text of one `/digest` command (also reached as `/partner digest ...`)."""
    if alerts := _ALERTS.match(text):
        # `/digest alerts ...` belongs to the alerts feature: the text after the word goes there.
        await handle_alerts(ack, respond, body, client, services, alerts[1] or "")
        return
    work = partial(run, services, body)
    await answer_command(services, ack, respond, text, parse_digest_command, work, "/digest")


async def run(services: Services, body: dict[str, Any], request: DigestRequest) -> Answer | Later:
    """Carry out one digest request and build its answer."""
    team_id, store, now = body["team_id"], services.store, services.clock.now()
    actor = services.actor(body["user_id"])
    match request:
        case DigestHelpRequest():
            return views.build_digest_help()
        case ScheduleRequest():
            channel = request.channel_id or body["channel_id"]
            private = await usable_channel(services.client, channel)
            zone = await _zone(services, request.zone, body["user_id"])
            schedule, runs = await digest_service.create_schedule(
                store, now, team_id, actor, request, channel, zone
            )
            return views.build_schedule_saved(schedule, runs, private)
        case ListRequest():
            schedules = await digest_service.list_schedules(store, team_id)
            upcoming = {
                s.id: next(iter(digest_service.upcoming(s, now, 1)), None) for s in schedules
            }
            return views.build_schedule_list(schedules, upcoming)
        case ChangeRequest(verb=verb, schedule_id=schedule_id):
            schedule = await digest_service.change_schedule(
                store, now, team_id, actor, verb, schedule_id
            )
            return views.build_changed(schedule, verb)
        case NowRequest(channel_id=channel_id, scope=scope):
            channel = channel_id or body["channel_id"]
            await usable_channel(services.client, channel)
            posted = await post_digest(services, team_id, channel, scope, services.settings.zone)
            if posted is None or not posted.ok:
                why = posted.sentence if posted is not None else ""
                return error_message(why or "The digest could not be posted.")
            return views.build_posted(channel)
        case PreviewRequest(scope=scope):
            zone = services.settings.zone
            digest = await digest_preview(
                services.reports, store, now, zone, team_id, body["channel_id"], scope
            )
            return now_or_later(
                digest,
                "preview",
                lambda made: views.build_digest(made, scope, ephemeral=True, zone=zone)[0],
            )
    raise CommandError("That request is not handled yet.")  # AlertsRequest: routed above


async def _zone(services: Services, given: str | None, user_id: str) -> ZoneInfo:
    """The zone asked for; else the user's Slack zone; else PARTNERBOT_TIMEZONE."""
    if given is not None:
        return parse_zone(given)
    try:
        info = await services.client.users_info(user=user_id)
        tz = (info.get("user") or {}).get("tz")
        if isinstance(tz, str) and tz:
            return parse_zone(tz)
    except (SlackApiError, RuleError, aiohttp.ClientError, TimeoutError) as err:
        # The zone is only a default: without it the workspace's zone will do.
        log.info("users.info gave no usable time zone: %s", type(err).__name__)
    return services.settings.zone


async def usable_channel(client: Any, channel: str) -> bool:
    """Check partnerbot can post to channel, joining it when it is public; whether it is
    private. RuleError, with what to do, when it cannot."""
    mention = "that channel"  # errors are escaped, so a mention would show as text
    try:
        info = (await client.conversations_info(channel=channel)).get("channel") or {}
    except SlackApiError as err:
        code = error_code(err)
        if code == "channel_not_found":
            raise RuleError(
                f"I cannot see {mention}: if it is a private channel, invite partnerbot to it "
                "(`/invite @partnerbot` there), then try again. Nothing was saved."
            ) from None
        if code == "missing_scope":
            raise RuleError(
                "partnerbot's installation lacks the channels:read or groups:read scope that "
                "digests need: reinstall it from manifest.yml. Nothing was saved."
            ) from None
        raise RuleError(
            f"Slack would not tell me about {mention} (`{code}`); nothing was saved. Try again."
        ) from None
    if info.get("is_archived"):
        raise RuleError("That channel is archived; choose another. Nothing was saved.")
    private = bool(info.get("is_private"))
    if not private and not info.get("is_member"):
        try:
            await client.conversations_join(channel=channel)
        except SlackApiError as err:
            code = error_code(err)
            raise RuleError(
                f"I could not join {mention} (`{code}`): invite partnerbot to it "
                "(`/invite @partnerbot` there). Nothing was saved."
            ) from None
    return private


async def digest_details(
    click: Click[DigestDetails], ack: Reply, respond: Reply, client: Any, services: Services
) -> None:
    """Details on a digest's alert: the partner's health, to the clicker alone."""
    await ack()
    follow_up(services, respond, _details(services, click), "digest details", replace=False)


async def _details(services: Services, click: Click[DigestDetails]) -> Message:
    async with services.store.read() as tx:
        partner = await find(tx, click.team_id, "", click.payload.partner_id, full=False)
    report, settings = await health_service.partner_health(
        services.store, services.clock.now(), services.settings.zone, click.team_id, partner.name
    )
    return build_partner_health(report, settings)


def register(app: AsyncApp) -> None:
    """Register the Details button (`/digest` itself: handlers.commands)."""
    app.action(DigestDetails.action_id)(on_button(DigestDetails, digest_details))
