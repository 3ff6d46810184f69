"""The digest job: every minute, ask the database what is due, post each claimed slot
through the outbox, and record how it went (posted, quiet, retrying, failed, paused)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from bot.digest import service as digest_service
from bot.digest.command import Scope
from bot.digest.service import Firing
from bot.ports import Delivery
from bot.services import Services
from handlers.digest import views

log = logging.getLogger(__name__)

JOB = "digest.due"
# Slack's answers that mean the channel will not take posts until a person acts.
CHANNEL_GONE = {
    "channel_not_found": "Slack cannot find the channel (deleted, or private without partnerbot)",
    "is_archived": "the channel is archived",
    "not_in_channel": "partnerbot was removed from the channel",
}


async def post_digest(
    services: Services,
    team_id: str,
    channel_id: str,
    scope: Scope,
    zone: ZoneInfo,
    *,
    quiet: bool = False,
) -> Delivery | None:
    """Compose and post a digest (its long lists in a thread reply) and keep its snapshot:
    how the main post went (Slack's code and why when refused), or None when quiet and
    nothing changed."""
    now = services.clock.now()
    digest = await digest_service.compose_digest(
        services.store, now, zone, team_id, channel_id, scope
    )
    if quiet and not digest.changed:
        return None
    main, detail = views.build_digest(digest, scope, zone=zone)
    posted = await services.outbox.post(channel_id, main)
    if not posted.ok:
        return posted
    if detail is not None and posted.ts is not None:
        # The digest is out; a lost thread reply is logged, not retried (that would double).
        await services.outbox.post(channel_id, detail, thread_ts=posted.ts)
    await digest_service.save_snapshot(services.store, now, team_id, channel_id, digest)
    return posted


async def fire(services: Services, firing: Firing) -> None:
    """Post one claimed slot and record its outcome."""
    schedule, store = firing.schedule, services.store
    scope = Scope.from_text(schedule.scope)
    posted = await post_digest(
        services,
        schedule.team_id,
        schedule.channel_id,
        scope,
        ZoneInfo(schedule.timezone),
        quiet=schedule.quiet,
    )
    now = services.clock.now()
    if posted is None:
        await digest_service.record_posted(store, now, firing, "nothing changed (quiet)")
        return
    if posted.ok:
        await digest_service.record_posted(store, now, firing, "posted")
        return
    code = posted.error
    if code in CHANNEL_GONE:
        reason = CHANNEL_GONE[code]
        creator = await digest_service.pause_for_channel(store, now, firing, reason)
        if creator is not None:
            await services.outbox.post(creator, views.build_channel_gone(schedule, reason))
        return
    retrying = await digest_service.record_failure(store, now, firing, code or posted.sentence)
    log.warning(
        "digest %s for %s failed (%s); %s",
        schedule.id,
        digest_service.slot_key(firing.slot),
        code or "error",
        "will retry" if retrying else "recorded failed",
    )


async def run_due_digests(services: Services) -> int:
    """Post every due digest slot this process claims; how many it handled."""
    grace = timedelta(minutes=services.settings.digest_grace_minutes)
    firings = await digest_service.due_firings(services.store, services.clock.now(), grace)
    for firing in firings:
        try:
            await fire(services, firing)
        except Exception:
            log.exception("digest %s failed", firing.schedule.id)
            await digest_service.record_failure(
                services.store, services.clock.now(), firing, "an error on our side"
            )
    return len(firings)


def schedule_digests(services: Services) -> None:
    """Register the digest job: once a minute, on the minute (schedules are minute-exact)."""

    async def due(slot: datetime) -> None:
        await run_due_digests(services)

    services.scheduler.add(JOB, CronTrigger(minute="*", timezone=UTC), due)
