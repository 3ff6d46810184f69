"""Alert use cases: turn a channel's alerts on or off (audited), list the channels, and decide,
around a metrics write, whether an alert is due (claimed once per partner per period)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot import claims
from bot.access import Actor
from bot.alerts.rules import Alert, AlertChannel, check_can_turn_off, turned_red
from bot.claims import HeldPost
from bot.errors import RuleError
from bot.health.portfolio import PORTFOLIO
from bot.health.rules import HealthReport
from bot.health.service import partner_health
from bot.ports import Store

ALERT = "alert"  # the claims kind: key the partner id, slot the period it is red for
SYSTEM = "partnerbot"  # the actor when the bot turns a gone channel's alerts off itself


@dataclass(frozen=True)
class AlertsChange:
    """A channel's alerts after a request, and whether they were on before it."""

    channel: AlertChannel
    was_on: bool

    @property
    def changed(self) -> bool:
        return self.was_on != self.channel.enabled


async def set_alerts(
    store: Store, at: datetime, team_id: str, actor: Actor, channel_id: str, on: bool
) -> AlertsChange:
    """Turn a channel's alerts on (anyone) or off (an admin or whoever turned them on);
    a change is audited among the workspace's settings, a repeat changes nothing."""
    async with store.write() as tx:
        current = await tx.alert_channel(team_id, channel_id)
        was_on = current is not None and current.enabled
        if was_on == on:
            return AlertsChange(current or AlertChannel(channel_id, False, "", "", at), was_on)
        if not on:
            check_can_turn_off(current, actor.user_id, actor.is_admin)
        enabled_by = actor.user_id if on else (current.enabled_by if current else "")
        channel = AlertChannel(channel_id, on, enabled_by, actor.user_id, at)
        await tx.upsert_alert_channel(team_id, channel)
        await tx.add_settings_audit(
            team_id, actor.user_id, at, f"alerts {channel_id}", _word(was_on), _word(on)
        )
    return AlertsChange(channel, was_on)


def _word(on: bool) -> str:
    return "on" if on else "off"


async def turn_off_gone(store: Store, at: datetime, team_id: str, channel_id: str) -> bool:
    """Turn off alerts for a channel Slack says is gone or archived; whether they were on."""
    change = await set_alerts(store, at, team_id, Actor(SYSTEM, is_admin=True), channel_id, False)
    return change.changed


async def alert_channels(store: Store, team_id: str) -> list[AlertChannel]:
    """The workspace's channels with alerts on."""
    async with store.read(snapshot=False) as tx:  # one statement
        return [c for c in await tx.alert_channels(team_id) if c.enabled]


@dataclass(frozen=True)
class Watch:
    """A partner's health just before a metrics write, kept to compare with after it."""

    before: HealthReport | None


async def watch(
    store: Store, now: datetime, zone: ZoneInfo, team_id: str, name: str
) -> Watch | None:
    """Before a write: the partner's health, or None when no channel wants alerts (then
    nothing more is read or done)."""
    if not await alert_channels(store, team_id):
        return None
    try:
        before, _ = await partner_health(store, now, zone, team_id, name)
    except RuleError:  # not a partner: the write itself will say so
        return Watch(None)
    return Watch(before)


@dataclass(frozen=True)
class DueAlert:
    """An alert this process claimed, and the channels to post it to (post, as kept on the
    claim for a retake: the message and those channels)."""

    alert: Alert
    channels: list[str]
    post: HeldPost

    @property
    def slot(self) -> tuple[str, str, str]:
        """The claim's kind, key and slot."""
        return ALERT, str(self.alert.partner.id), self.alert.period


async def due_alert(
    store: Store,
    now: datetime,
    zone: ZoneInfo,
    team_id: str,
    seen: Watch,
    partner_id: int,
    message: Callable[[Alert], dict[str, Any]],
) -> DueAlert | None:
    """After a write: the alert it calls for, claimed so that it goes out once per partner
    per period across retries, replays and processes; None when none is due. The claim
    keeps the alert's message (message(alert)) and channels, so a post refused for a
    passing reason, or cut short by a crash, is posted again from there."""
    try:
        name = await partner_name(store, team_id, partner_id)
        after, _ = await partner_health(store, now, zone, team_id, name)
    except RuleError:  # renamed or removed since the write: nothing to say about it
        return None
    if after.partner not in PORTFOLIO:
        return None
    alert = turned_red(seen.before, after)
    if alert is None:
        return None
    channels = [c.channel_id for c in await alert_channels(store, team_id)]
    if not channels:
        return None
    post = HeldPost(message(alert), tuple(channels))
    due = DueAlert(alert, channels, post)
    if not await claims.claim(store, now, team_id, *due.slot, post):
        return None
    return due


async def partner_name(store: Store, team_id: str, partner_id: int) -> str:
    """A partner's current name (RuleError when it is gone)."""
    async with store.read(snapshot=False) as tx:  # one statement
        partner = await tx.partner_by_id(team_id, partner_id, full=False)
    if partner is None:
        raise RuleError("That partner no longer exists.")
    return partner.name
