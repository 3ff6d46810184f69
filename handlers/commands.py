"""`/partner`, the one command a workspace must install: the registry's subcommands, and
every other feature's command as `/partner WORD ...` (`/partner score acme` = `/score acme`)."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.services import Services
from handlers.digest.listeners import digest_command, handle_digest
from handlers.failover.listeners import failover_command, handle_failover
from handlers.health.listeners import handle_health, health_command
from handlers.registry.listeners import handle_partner
from handlers.reply import Reply
from handlers.scoring.listeners import handle_score, score_command

# A feature's command handler: (ack, respond, body, client, services, the command's text).
CommandHandler = Callable[[Reply, Reply, dict[str, Any], Any, Services, str], Awaitable[None]]

ROUTES: dict[str, CommandHandler] = {
    "health": handle_health,
    "score": handle_score,
    "digest": handle_digest,
    "failover": handle_failover,
}
_ROUTED = re.compile(r"^\s*(\S+)\s*(.*)$", re.DOTALL)


async def partner_command(
    ack: Reply, respond: Reply, body: dict[str, Any], client: Any, services: Services
) -> None:
    """`/partner ...`: another feature's word routes to it; the rest is the registry's."""
    text = body.get("text", "")
    routed = _ROUTED.match(text)
    if routed and routed[1].casefold() in ROUTES:
        await ROUTES[routed[1].casefold()](ack, respond, body, client, services, routed[2])
        return
    await handle_partner(ack, respond, body, client, services, text)


# Each slash command's listener, by the command's name.
COMMANDS: dict[str, Callable[..., Awaitable[None]]] = {
    "/partner": partner_command,
    "/score": score_command,
    "/health": health_command,
    "/failover": failover_command,
    "/digest": digest_command,
}
_COMMAND = re.compile("^(" + "|".join(re.escape(c) for c in COMMANDS) + ")$")


async def slash_command(
    ack: Reply, respond: Reply, body: dict[str, Any], client: Any, services: Services
) -> None:
    """Any of the five slash commands, handed to its own listener."""
    await COMMANDS[body["command"]](ack, respond, body, client, services)


def register(app: AsyncApp) -> None:
    """Register the five slash commands as one listener, before any other: Bolt tries
    listeners in order, and each matcher tried costs a command about 15 us of loop time (one
    listener a command made `/failover` try four)."""
    app.command(_COMMAND)(slash_command)
