"""The backup candidates ranked once a drill is posted, after the ack: the pool is read and
weighed in the background, kept with the drill, and the checklist redrawn with them."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from apscheduler.triggers.cron import CronTrigger

from bot.failover import kit
from bot.failover import service as failover
from bot.failover.rules import Drill
from bot.services import Services
from handlers.blocks import channel_message, section
from handlers.failover.render import redraw

log = logging.getLogger(__name__)

JOB = "failover.rank"
# A drill this old and still unranked lost its ranking (a restart, or it predates the kit).
RANKING_GRACE = timedelta(minutes=1)
RANKED_PER_PASS = 20

RANKING_FAILED = (
    ":warning: The backup candidates could not be ranked yet (something went wrong on our "
    "side); partnerbot tries again within a few minutes. Meanwhile `/partner show NAME` lists "
    "the partner's registered backups."
)


async def rank_at_start(services: Services, drill: Drill) -> tuple[Drill, bool]:
    """Rank a new drill's candidates before its checklist is first posted, so the checklist
    shows them from the start: the drill as stored then, and whether the ranking failed (the
    failover.rank job tries again; the caller tells the thread once it exists)."""
    zone = services.settings.zone
    try:
        ranked = await kit.rank_candidates(
            services.store, services.clock.now(), zone, drill.team_id, drill.id
        )
    except Exception:
        log.exception("ranking backup candidates failed")
        return drill, True
    return (drill if ranked is None else ranked), False


async def tell_ranking_failed(services: Services, drill: Drill) -> None:
    """Say in the drill's thread that its candidates are not ranked yet."""
    if drill.root_ts is not None:
        failed = channel_message([section(RANKING_FAILED)], RANKING_FAILED, escaped=True)
        await services.outbox.post(drill.channel_id, failed, thread_ts=drill.root_ts)


async def _rank(services: Services, drill: Drill) -> None:
    """Rank a drill that a restart or a failure left unranked, and redraw it."""
    ranked, failed = await rank_at_start(services, drill)
    if not failed and ranked.ranked_at is not None and ranked is not drill:
        await redraw(services, ranked.team_id, ranked.id)


async def rank_unranked(services: Services) -> int:
    """Rank the open drills whose ranking never ran, and redraw their checklists; how many.
    Replicas may race on one drill: the first ranking is kept, the others change nothing."""
    before = services.clock.now() - RANKING_GRACE
    missed = await kit.unranked(services.store, before, RANKED_PER_PASS)
    for team_id, drill_id in missed:
        drill = await failover.drill(services.store, team_id, drill_id)
        await _rank(services, drill)
    return len(missed)


def schedule_ranking(services: Services) -> None:
    """Register the job that ranks what a restart left unranked, once a minute."""

    async def due(slot: datetime) -> None:
        await rank_unranked(services)

    services.scheduler.add(JOB, CronTrigger(minute="*", timezone=UTC), due)
