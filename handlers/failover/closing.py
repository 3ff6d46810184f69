"""What follows the close transition, run by its winner only (so once per close, however
many pressed Done): the partner set to dropped and the summary posted in the thread."""

from __future__ import annotations

import logging

from bot.failover import outcome
from bot.failover.rules import Drill, Event
from bot.services import Services
from handlers.blocks import error_message
from handlers.failover import summary_views
from handlers.outbox import report_by_respond
from handlers.reply import Reply

log = logging.getLogger(__name__)

NO_SUMMARY = "The drill is closed, but its summary could not be made; nothing else was changed."


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
    await services.outbox.post(
        closed.channel_id,
        summary_views.build_summary(summary, zone),
        thread_ts=closed.root_ts,
        report=report_by_respond(respond),
    )
