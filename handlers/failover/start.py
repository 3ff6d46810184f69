"""Where a drill starts besides `/failover NAME`: the "Start failover drill" button (on a
drop's answer, a red `/health NAME`, a digest's red alerts, a channel alert) and, when the
workspace has auto-start on, the drop of a strategic or core partner. Both take the path
`/failover NAME` takes: start_drill's shared opening, then the root and checklist posted."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.failover import auto
from bot.failover import service as failover
from bot.failover.service import Started
from bot.registry.rules import typed_name
from bot.registry.service import Change
from bot.services import Services
from handlers.blocks import Block, actions, channel_message, esc, section
from handlers.buttons import Click, on_button
from handlers.failover import views
from handlers.failover.listeners import _post_drill
from handlers.payloads import StartDrill
from handlers.reply import Message, Reply, message_of, rendered

NO_CHANNEL = (
    "A drill lives in a channel's thread, and this button was not pressed in a channel: "
    "run `/failover NAME` in the channel the team works in. Nothing was started."
)


def start_row(partner_id: int) -> Block:
    """The actions row holding a partner's Start button."""
    return actions([StartDrill(partner_id=partner_id).start_button()], block_id="failover-start")


async def announce(services: Services, started: Started) -> Message:
    """A start's answer: the new drill posted (root, checklist in its thread) and where it
    is, or the drill that was open already."""
    if not started.created:
        return views.build_already_open(started.drill, services.settings.zone)
    return await _post_drill(services, started.drill)


async def _start_on(
    services: Services, team_id: str, user_id: str, partner_id: int, channel_id: str
) -> Message:
    actor, now = services.actor(user_id), services.clock.now()
    started = await failover.start_drill_for(
        services.store, now, team_id, actor, partner_id, channel_id, services.settings.language
    )
    return await announce(services, started)


async def start_clicked(
    click: Click[StartDrill], ack: Reply, respond: Reply, client: Any, services: Services
) -> None:
    """Start failover drill: a drill on the partner in the channel the button was pressed
    in (an ephemeral answer's channel too); the clicker is told where it is."""
    await ack()
    services.tasks.spawn(_start_clicked(services, click, respond), name="failover start")


async def _start_clicked(services: Services, click: Click[StartDrill], respond: Reply) -> None:
    if click.channel_id is None:  # a modal or the Home tab: no response_url, no channel
        text = f":warning: {NO_CHANNEL}"
        await services.outbox.post(click.user_id, channel_message([section(text)], text))
        return
    work = _start_on(
        services, click.team_id, click.user_id, click.payload.partner_id, click.channel_id
    )
    await respond(**message_of(await rendered(work, "failover start")))


async def after_drop(
    services: Services,
    change: Change,
    answer: Message,
    user_id: str,
    channel_id: str | None,
    respond: Reply | None,
) -> Message:
    """The answer to a drop, with what it means for a drill: nothing for a standard or trial
    partner (or one dropped already); the Start button when auto-start is off; when it is on,
    word that the drill is being started in this channel, started after the answer (the
    root and checklist take Slack calls) and answered through respond."""
    partner = change.partner
    if not (auto.offers_drill(partner) and auto.dropped_now(change)):
        return answer
    if (
        channel_id is None
        or respond is None
        or not await auto.auto_start(services.store, partner.team_id)
    ):
        return _with(answer, start_row(partner.id))
    work = _start_on(services, partner.team_id, user_id, partner.id, channel_id)

    async def start_then_tell() -> None:
        await respond(**message_of(await rendered(work, "failover auto-start")))

    services.tasks.spawn(start_then_tell(), name="failover auto-start")
    text = (
        f":rotating_light: Auto-start is on: starting a failover drill for "
        f"*{esc(partner.name)}* in <#{channel_id}>…"
    )
    return _with(answer, section(text))


def drop_hint(change: Change) -> Block | None:
    """For a drop made where there is no channel (the edit form): what starts the drill a
    strategic or core partner calls for, which auto-start cannot open without a channel."""
    partner = change.partner
    if not (auto.offers_drill(partner) and auto.dropped_now(change)):
        return None
    command = esc(f"/failover {typed_name(partner.name)}")
    return section(
        f":rotating_light: *{esc(partner.name)}* is a {partner.tier.value} partner: its loss "
        f"calls for a failover drill. A drill lives in a channel's thread, so run `{command}` "
        "in the channel the team works in (auto-start, when on, starts drills only for drops "
        "made in a channel)."
    )


def _with(answer: Message, block: Block) -> Message:
    return {**answer, "blocks": [*answer["blocks"], block]}


def register(app: AsyncApp) -> None:
    """Register the Start failover drill button."""
    app.action(StartDrill.action_id)(on_button(StartDrill, start_clicked))
