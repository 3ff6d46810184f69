"""Block Kit for the replies the due job posts in a drill's thread: a reminder to an overdue
step's owner, an escalation to the admins at twice its deadline. Pure builders."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any
from zoneinfo import ZoneInfo

from bot.failover.rules import TITLES, Drill, Step, StepKey
from handlers.blocks import Block, channel_message, context, esc, section, slack_date
from handlers.failover.views import age

NO_ADMINS = (
    "No admins are configured, so this goes to the drill's starter. To escalate to admins, "
    "set PARTNERBOT_ADMINS to their Slack user IDs (comma-separated) and restart partnerbot."
)
MAX_MENTIONED = 30  # admins mentioned by name, so the message is never cut short


def _act(step: Step) -> str:
    """What the owner can press (close cannot be skipped)."""
    buttons = "Done or Assign" if step.key is StepKey.CLOSE else "Done, Skip or Assign"
    return f"Press {buttons} on it in the checklist above."


def build_reminder(drill: Drill, step: Step, zone: ZoneInfo) -> dict[str, Any]:
    """The one reminder of an overdue step, to its owner now."""
    title = TITLES[step.key]
    text = (
        f":alarm_clock: <@{step.owner}> *{title}* was due {slack_date(step.deadline, zone)} "
        f"and is still to do on the drill for *{esc(drill.partner_name)}*. {_act(step)}"
    )
    notice = f"<@{step.owner}> reminder: {title} is overdue"
    return channel_message([section(text)], notice, escaped=True)


def build_escalation(
    drill: Drill, step: Step, zone: ZoneInfo, admins: Collection[str]
) -> dict[str, Any]:
    """The one escalation of a step still to do at twice its deadline: to the admins (the
    starter when none is configured), naming its owner."""
    title = TITLES[step.key]
    named = sorted(admins)[:MAX_MENTIONED]
    who = " ".join(f"<@{a}>" for a in named) or f"<@{drill.starter}>"
    if len(admins) > len(named):
        who += f" (and {len(admins) - len(named)} more admins)"
    allowed = age(step.deadline - drill.started_at)
    text = (
        f":sos: {who} *{title}* on the drill for *{esc(drill.partner_name)}* is still to do "
        f"at twice its deadline: it was due {slack_date(step.deadline, zone)} ({allowed} "
        f"after the start) and is owned by <@{step.owner}>. {_act(step)}"
    )
    blocks: list[Block] = [section(text)]
    if not admins:
        blocks.append(context(NO_ADMINS))
    return channel_message(blocks, f"{who} escalation: {title} is overdue", escaped=True)
