"""Drawing a drill in Slack from its stored state: the checklist and the root updated in
place, the version drawn recorded once both landed, and a deleted checklist posted again in
the thread (once, whichever replica notices)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot import claims
from bot.errors import RuleError
from bot.failover import due
from bot.failover import service as failover
from bot.failover.reminders import CHECKLIST_KIND
from bot.failover.rules import Drill
from bot.ports import Delivery, Report
from bot.services import Services
from handlers.failover import views

log = logging.getLogger(__name__)

# Slack's answers that no retry mends: the drill's channel or thread is gone for partnerbot.
GONE = {
    "channel_not_found": "Slack cannot find the drill's channel (deleted, or private)",
    "is_archived": "the drill's channel is archived",
    "not_in_channel": "partnerbot was removed from the drill's channel",
    "thread_not_found": "the drill's thread is gone",
    "message_not_found": "the drill's root message is gone",
    "cant_update_message": "partnerbot can no longer edit the drill's messages",
}
ROUNDS = 2  # a draw that lost a race with a newer version's draw is made once more


@dataclass(frozen=True)
class Drawing:
    """How drawing a drill went: drawn, or the refusal (Slack's code, None when the call
    itself failed) and whether a later try can mend it."""

    drawn: bool
    error: str | None = None
    sentence: str = ""

    @property
    def gone(self) -> bool:
        return self.error in GONE


def _refused(delivery: Delivery) -> Drawing:
    return Drawing(False, delivery.error, delivery.sentence)


async def redraw(
    services: Services, team_id: str, drill_id: int, report: Report | None = None
) -> Drawing:
    """Draw the drill as stored now in its checklist and root (report told when the checklist
    fails); when both land, record the version drawn, and draw again if a newer version was
    stored meanwhile (its own draw may have landed before this one)."""
    store = services.store
    for _ in range(ROUNDS):
        try:
            drill = await failover.drill(store, team_id, drill_id)
        except RuleError:
            return Drawing(True)  # deleted: nothing left to draw
        if drill.root_ts is None:
            return Drawing(True)
        now, zone = services.clock.now(), services.settings.zone
        checklist = await _draw_checklist(services, drill, report)
        root = views.build_root(drill, zone, now)
        drawn = await services.outbox.update(drill.channel_id, drill.root_ts, root)
        for delivery in (checklist, drawn):  # the root is drawn even when the checklist fails
            if not delivery.ok:
                return _refused(delivery)
        await due.mark_rendered(store, team_id, drill_id, drill.version)
        latest = await failover.drill(store, team_id, drill_id)
        if latest.version == drill.version:
            break
    return Drawing(True)


async def _draw_checklist(services: Services, drill: Drill, report: Report | None) -> Delivery:
    """Update the checklist in place; when it was deleted (or never posted), post it again."""
    now, zone = services.clock.now(), services.settings.zone
    shown = views.build_checklist(drill, zone, now)
    if drill.checklist_ts is not None:
        updated = await services.outbox.update(
            drill.channel_id, drill.checklist_ts, shown, report=report
        )
        if updated.ok or updated.error != "message_not_found":
            return updated
    return await repost_checklist(services, drill, report)


async def repost_checklist(services: Services, drill: Drill, report: Report | None) -> Delivery:
    """Post the checklist in the thread again and store its ts: one process per lost
    checklist (a claim on its old ts); a passing refusal leaves the claim for a retry."""
    store, now = services.store, services.clock.now()
    lost = drill.checklist_ts or ""
    key = str(drill.id)
    taken = await claims.claim(store, now, drill.team_id, CHECKLIST_KIND, key, lost)
    if not taken:
        taken = await claims.retake(store, now, drill.team_id, CHECKLIST_KIND, key, lost)
    if not taken:
        sentence = "The checklist is being posted again by another process."
        return Delivery(ok=False, sentence=sentence)
    shown = views.build_checklist(drill, services.settings.zone, now)
    assert drill.root_ts is not None
    posted = await services.outbox.post(
        drill.channel_id, shown, thread_ts=drill.root_ts, report=report
    )
    if posted.ok and posted.ts is not None:
        await failover.attach_messages(store, drill.team_id, drill.id, drill.root_ts, posted.ts)
        await claims.finish(store, now, drill.team_id, CHECKLIST_KIND, key, lost)
        log.info("failover drill %s: checklist posted again", drill.id)
    elif posted.error in GONE:
        await claims.finish(store, now, drill.team_id, CHECKLIST_KIND, key, lost, posted.error)
    else:
        why = posted.error or "the call to Slack failed"
        await claims.defer(store, drill.team_id, CHECKLIST_KIND, key, lost, why)
    return posted
