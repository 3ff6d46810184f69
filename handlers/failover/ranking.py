"""The backup candidates ranked once a drill is posted, after the ack: the pool is read and
weighed in the background, kept with the drill, and the checklist redrawn with them."""

from __future__ import annotations

import logging

from bot.failover import kit
from bot.failover.rules import Drill
from bot.services import Services
from handlers.blocks import channel_message, section
from handlers.failover import views

log = logging.getLogger(__name__)

RANKING_FAILED = (
    ":warning: The backup candidates could not be ranked (something went wrong on our side). "
    "Engage a backup by hand: `/partner show` lists a partner's registered backups."
)


def rank_after_start(services: Services, drill: Drill) -> None:
    """Start ranking drill's candidates in the background (the ack does not wait for it)."""
    services.tasks.spawn(_rank(services, drill), name="failover candidates")


async def _rank(services: Services, drill: Drill) -> None:
    zone, language = services.settings.zone, services.settings.language
    try:
        ranked = await kit.rank_candidates(
            services.store, services.clock.now(), zone, drill.team_id, drill.id, language
        )
    except Exception:
        log.exception("ranking backup candidates failed")
        if drill.root_ts is not None:
            failed = channel_message([section(RANKING_FAILED)], RANKING_FAILED, escaped=True)
            await services.outbox.post(drill.channel_id, failed, thread_ts=drill.root_ts)
        return
    if ranked is None or ranked.checklist_ts is None:
        return  # ranked already (or gone), or there is no checklist to redraw
    checklist = views.build_checklist(ranked, zone, services.clock.now())
    await services.outbox.update(ranked.channel_id, ranked.checklist_ts, checklist)
