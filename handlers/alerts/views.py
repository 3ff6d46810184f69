"""Block Kit for alerts: the channel alert, and the answers to `/digest alerts`. Pure."""

from __future__ import annotations

from typing import Any

from bot.alerts.rules import Alert, AlertChannel
from bot.alerts.service import AlertsChange
from bot.health.rules import ACTIONS, Rule
from handlers.blocks import Block, actions, channel_message, context, esc, message, section
from handlers.payloads import AlertHealth, StartDrill

ALERTS_HELP = (
    "`/digest alerts [#channel] on|off`: alerts in a channel (default: this one) when recorded "
    "metrics turn a partner red. `/digest alerts`: the channels that have them."
)


def build_alert(alert: Alert) -> dict[str, Any]:
    """The alert posted to a channel: the partner (never a mention), its owner mentioned,
    the sentiment rule's values, what to do, and a button to its health."""
    partner = alert.partner
    name = esc(partner.name)
    blocks: list[Block] = [
        section(
            f":red_circle: *{name}* turned *red* for {esc(alert.period)}: "
            f"{esc(alert.reason.detail)}."
        ),
        section(f"<@{partner.owner}>, you own *{name}*: {ACTIONS[Rule.SENTIMENT]}"),
        actions(
            [
                AlertHealth(partner_id=partner.id).button("Open health"),
                StartDrill(partner_id=partner.id).start_button(),
            ]
        ),
        context(
            f"{partner.category.value} · {partner.tier.value} · {partner.status.value}  ·  "
            "one alert per partner per period"
        ),
    ]
    return channel_message(blocks, f"{name} turned red for {esc(alert.period)}", escaped=True)


def build_alerts_changed(change: AlertsChange) -> dict[str, Any]:
    """The answer to `/digest alerts #channel on|off`."""
    where = f"<#{change.channel.channel_id}>"
    if change.channel.enabled:
        lead = "Alerts were already on" if not change.changed else ":bell: Alerts are on"
        text = (
            f"{lead} in {where}: when recorded metrics turn a partner red, partnerbot posts "
            "there once per partner per period, mentioning its owner. partnerbot must be a "
            f"member of {where} (`/invite @partnerbot` there)."
        )
    else:
        lead = "Alerts were already off" if not change.changed else ":no_bell: Alerts are off"
        text = f"{lead} in {where}."
    return message([section(text)], text, escaped=True)


def build_alert_channels(channels: list[AlertChannel]) -> dict[str, Any]:
    """The answer to `/digest alerts`: the channels with alerts on, and who turned them on."""
    if not channels:
        text = "No channel has alerts yet."
    else:
        lines = [f"• <#{c.channel_id}>, turned on by <@{c.enabled_by}>" for c in channels]
        text = "*Channels with alerts*\n" + "\n".join(lines)
    return message([section(text), context(ALERTS_HELP)], text, escaped=True)
