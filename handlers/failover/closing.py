"""What follows the close transition, run by its winner only (so once per close, however
many pressed Done): the partner set to dropped and the summary posted in the thread, once:
kept on a claim, so a post Slack refuses for a passing reason (or a crash cuts short) is
posted from there by the held-posts job (handlers/held_posts.py)."""

from __future__ import annotations

import logging

from bot import claims
from bot.claims import HeldPost, Unfinished
from bot.failover import outcome
from bot.failover.rules import Drill, Event
from bot.services import Services
from handlers.blocks import channel_message, error_message, esc, section
from handlers.failover import summary_views
from handlers.held_posts import Claimed, Sent, deliver
from handlers.outbox import report_by_respond
from handlers.reply import Reply

log = logging.getLogger(__name__)

SUMMARY = "failover.summary"  # the claims kind: key the drill's id, slot its version closed
NO_SUMMARY = "The drill is closed, but its summary could not be made; nothing else was changed."
AGAIN = " partnerbot will post it in the drill's thread, once, when Slack takes it."


async def after_close(services: Services, closed: Drill, event: Event, respond: Reply) -> None:
    """Drop the partner (audited, as the closer) and post the summary in the drill's thread;
    the pool's dependency is read in a worker thread, after the click's ack."""
    now, zone = services.clock.now(), services.settings.zone
    try:
        summary = await outcome.close_outcome(
            services.store, now, zone, services.actor(event.actor), closed
        )
    except Exception:
        log.exception("a drill's close summary failed")
        await respond(**error_message(NO_SUMMARY))
        return
    if closed.root_ts is None:
        return
    post = HeldPost(
        summary_views.build_summary(summary, zone), (closed.channel_id,), closed.root_ts
    )
    at = Claimed(closed.team_id, SUMMARY, str(closed.id), str(closed.version), now)
    if not await claims.claim(services.store, now, at.team_id, at.kind, at.key, at.slot, post):
        return  # this close's summary is posted, or being posted, already
    sent = await deliver(services, at, post)
    tell = report_by_respond(respond)
    for _, posted in sent.refusals:
        try:
            await tell(posted.sentence + (AGAIN if sent.retrying else ""))
        except Exception as err:
            log.warning("failover: telling of a refused summary failed: %s", type(err).__name__)


async def summary_given_up(services: Services, held: Unfinished, sent: Sent) -> None:
    """The summary is still refused an hour after the close: say so in the thread, where it
    was to go (Slack may take a line of text where it refused the summary)."""
    codes = ", ".join(sorted({d.error or "the call failed" for _, d in sent.refusals}))
    text = (
        "This drill's close summary could not be posted: Slack refused it for an hour "
        f"(`{esc(codes)}`). The drill is closed all the same."
    )
    for channel in held.post.channels:
        await services.outbox.post(
            channel,
            channel_message([section(text)], text, escaped=True),
            thread_ts=held.post.thread_ts,
        )
