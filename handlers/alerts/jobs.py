"""The alert check around a metrics write: health read before it, then, after the answer
is on its way, the alert claimed and posted through the outbox to every alert channel; a
channel that refused for a passing reason gets it from the held-posts job (handlers/
held_posts.py), once."""

from __future__ import annotations

import logging

from bot.alerts import service as alerts
from bot.alerts.rules import Alert
from bot.ports import Delivery, Report
from bot.services import Services
from handlers.alerts.views import build_alert
from handlers.blocks import esc
from handlers.held_posts import Claimed, deliver, passing

log = logging.getLogger(__name__)

# Slack's codes for a channel that is no more (deleted, or archived): its alerts go off.
GONE = ("channel_not_found", "is_archived")


async def watch_metrics(services: Services, team_id: str, name: str) -> alerts.Watch | None:
    """Before a metrics write: what the check needs, or None when no channel wants alerts.
    A failure here is logged and skips the alert; it never stops the metrics being recorded."""
    try:
        now, zone = services.clock.now(), services.settings.zone
        return await alerts.watch(services.store, now, zone, team_id, name)
    except Exception:
        log.exception("alert watch failed")
        return None


def alert_after_metrics(
    services: Services, team_id: str, seen: alerts.Watch | None, partner_id: int, report: Report
) -> None:
    """After a metrics write: check for an alert in the background, so the answer is not
    held up; report tells whoever recorded the metrics if a channel refuses it."""
    if seen is None:
        return
    work = send_alert(services, team_id, seen, partner_id, report)
    services.tasks.spawn(work, name="alert check")


async def send_alert(
    services: Services, team_id: str, seen: alerts.Watch, partner_id: int, report: Report
) -> None:
    """Post the alert the write calls for, if this process claims it, to each alert channel;
    the claim is finished once every channel had it (or refused it for good)."""
    store, now, zone = services.store, services.clock.now(), services.settings.zone
    due = await alerts.due_alert(store, now, zone, team_id, seen, partner_id, build_alert)
    if due is None:
        return
    sent = await deliver(services, Claimed(team_id, *due.slot, now), due.post)
    for channel, posted in sent.refusals:
        again = sent.retrying and passing(posted)
        await _refused(services, team_id, channel, due.alert, posted, report, again)


async def _refused(
    services: Services,
    team_id: str,
    channel: str,
    alert: Alert,
    posted: Delivery,
    report: Report,
    again: bool = False,
) -> None:
    """One channel refused the alert: turn its alerts off when Slack's code says it is
    gone, and tell the person who recorded the metrics (again: that it will be posted when
    Slack takes it). Never raises (logged instead)."""
    lead = f"*{esc(alert.partner.name)}* turned red for {esc(alert.period)}, but {posted.sentence}"
    if again:
        lead += " partnerbot will post the alert there again, once, when Slack takes it."
    try:
        if posted.error in GONE:
            now = services.clock.now()
            if await alerts.turn_off_gone(services.store, now, team_id, channel):
                lead += f" Alerts for <#{channel}> are now off; turn them on again with "
                lead += f"`/digest alerts <#{channel}> on`."
        await report(lead)
    except Exception as err:
        # As the outbox does with a report: a failure to tell must not stop the others.
        log.warning("alerts: handling a refused alert failed: %s", type(err).__name__)
