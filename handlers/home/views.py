"""The App Home tab: the registry at a glance and how to start. Pure."""

from __future__ import annotations

from typing import Any

from bot.access import Actor
from bot.registry.rules import Status
from bot.wording import count
from handlers.blocks import context, divider, fields_section, header, home, section
from handlers.registry.views import HELP, STATUS_EMOJI


def build_home(counts: dict[str, int], owned: int, actor: Actor) -> dict[str, Any]:
    """The home view for one user: counts by status, what they own, the commands."""
    total = sum(n for status, n in counts.items() if status != Status.ARCHIVED.value)
    pairs = [(f"{STATUS_EMOJI[s]} {s.value}", str(counts.get(s.value, 0))) for s in Status]
    role = "You are a partnerbot admin." if actor.is_admin else ""
    commands = "\n".join(f"`/partner {usage.split(' ')[0]}` {what}" for usage, what in HELP)
    blocks = [
        header("partnerbot"),
        section(f"*{count(total, 'partner')}* in the registry; you own *{owned}*. {role}".strip()),
        fields_section(pairs),
        divider(),
        section("*Commands*\n" + commands),
        context("`/partner help` lists every option. Names with spaces go in quotes."),
    ]
    return home(blocks)
