"""`/digest alerts [#channel] on|off` and the alert's "Open health" button. Module-level
listeners; the services come through Bolt's context."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.alerts import service as alerts
from bot.alerts.rules import NotYours
from bot.command_parser import ChannelRef, parse_command
from bot.errors import CommandError
from bot.health.service import partner_health
from bot.services import Services
from handlers.alerts import views
from handlers.blocks import error_message
from handlers.buttons import Click, on_button
from handlers.health.views import build_partner_health
from handlers.payloads import AlertHealth
from handlers.reply import Message, Reply, answer, follow_up, user_error

_CHANNEL_ID = re.compile(r"[CG][A-Z0-9]+")
USAGE = (
    "Use `/digest alerts [#channel] on|off`, or `/digest alerts` for the channels that have them."
)


async def handle_alerts(
    ack: Reply, respond: Reply, body: dict[str, Any], client: Any, services: Services, text: str
) -> None:
    """Answer the text after `/digest alerts`: `[#channel] on|off`, or nothing for the list.

    Anyone may turn alerts on (in the current channel, or one picked with #); only an admin
    or whoever turned them on may turn them off."""
    try:
        request = _parse(text, str(body.get("channel_id") or ""))
    except CommandError as err:
        await ack(**user_error(err))
        return
    team_id, user_id = body["team_id"], body["user_id"]
    if request is None:
        work = _list(services, team_id)
    else:
        work = _set(services, team_id, user_id, *request)
    await answer(services, ack, respond, work, "/digest alerts")


def _parse(text: str, current: str) -> tuple[str, bool] | None:
    """(channel id, on) from `[#channel] on|off`; None for the list."""
    parsed = parse_command(text)
    words = list(parsed.words)
    if parsed.options:
        raise CommandError(f"`/digest alerts` takes no options. {USAGE}")
    if not words:
        return None
    channel = current
    first = words[0]
    if isinstance(first, ChannelRef):
        channel = first.id
        words.pop(0)
    elif isinstance(first, str) and first.startswith("#"):
        raise CommandError(
            "Pick the channel from the list Slack shows as you type `#`, so it arrives as a "
            f"link, not as text. {USAGE}"
        )
    if len(words) != 1 or not isinstance(words[0], str) or words[0].lower() not in ("on", "off"):
        raise CommandError(f"Say `on` or `off` after the channel. {USAGE}")
    if not _CHANNEL_ID.fullmatch(channel):
        raise CommandError(
            f"Alerts go to a channel, not a direct message; name one with #. {USAGE}"
        )
    return channel, words[0].lower() == "on"


async def _list(services: Services, team_id: str) -> Message:
    return views.build_alert_channels(await alerts.alert_channels(services.store, team_id))


async def _set(services: Services, team_id: str, user_id: str, channel: str, on: bool) -> Message:
    actor = services.actor(user_id)
    try:
        change = await alerts.set_alerts(
            services.store, services.clock.now(), team_id, actor, channel, on
        )
    except NotYours as err:
        return error_message(f"{err} Alerts in <#{channel}> were turned on by <@{err.enabled_by}>.")
    return views.build_alerts_changed(change)


async def alert_health(
    click: Click[AlertHealth], ack: Reply, respond: Reply, client: Any, services: Services
) -> None:
    """ "Open health" on an alert: the partner's health now, shown to the clicker alone."""
    await ack()
    follow_up(services, respond, _health(services, click), "alert health", replace=False)


async def _health(services: Services, click: Click[AlertHealth]) -> Message:
    store, team_id = services.store, click.team_id
    name = await alerts.partner_name(store, team_id, click.payload.partner_id)
    now, zone = services.clock.now(), services.settings.zone
    report, settings = await partner_health(store, now, zone, team_id, name)
    return build_partner_health(report, settings)


def register(app: AsyncApp) -> None:
    """Register the alert's button (`/digest alerts` is routed by /digest to handle_alerts)."""
    app.action(AlertHealth.action_id)(on_button(AlertHealth, alert_health))
