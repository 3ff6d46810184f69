"""Posts kept on their claims (bot.claims.HeldPost): alerts and drills' close summaries.

The first attempt posts right after the claim; a channel refused for a passing reason (Slack
down, rate-limited past the client's retries, the call lost) leaves the claim deferred with
what is still owed, and the job here, once a minute, retakes it and posts to those channels
only, as it does a claim whose taker died (its lease over). The claim is finished once every
channel had the post or refused it for good; a post still refused GIVE_UP after its claim
is given up: logged, and the kind's own word said where it can be (a drill's thread).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from apscheduler.triggers.cron import CronTrigger

from bot import claims
from bot.claims import HeldPost, Unfinished
from bot.ports import Delivery, Report
from bot.services import Services

log = logging.getLogger(__name__)

JOB = "held_posts.due"
GIVE_UP = timedelta(hours=1)  # retried each minute for this long after the claim
# Slack's answers that pass by themselves; any other code needs a person (a channel gone,
# partnerbot removed, a message Slack will never take), so retrying cannot help.
PASSING = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)
# The outbox's code for an answer that carried none (a 5xx page), and None: the call failed.
NO_CODE = frozenset({None, "error"})


def passing(posted: Delivery) -> bool:
    """Whether a refusal is worth posting again later."""
    return posted.error in PASSING or posted.error in NO_CODE


@dataclass(frozen=True)
class Claimed:
    """Where a held post's claim is."""

    team_id: str
    kind: str
    key: str
    slot: str
    claimed_at: datetime


@dataclass
class Sent:
    """How posting a held post went: every refusal by channel, and whether it was given up
    (still refused GIVE_UP after its claim) or left for a retry."""

    refusals: list[tuple[str, Delivery]] = field(default_factory=list)
    retrying: bool = False
    gave_up: bool = False


async def deliver(
    services: Services, at: Claimed, post: HeldPost, report: Report | None = None
) -> Sent:
    """Post to each channel still owed (the claim held by this process), recording on the
    claim what is left after each channel: finished when nothing is, deferred when a
    channel refused for a passing reason, given up once GIVE_UP has passed."""
    store, sent, owed = services.store, Sent(), post
    passed: list[str] = []
    final: list[str] = []
    for channel in post.channels:
        posted = await services.outbox.post(
            channel, post.message, thread_ts=post.thread_ts, report=report
        )
        if not posted.ok:
            sent.refusals.append((channel, posted))
            (passed if passing(posted) else final).append(f"{channel}: {posted.sentence}")
        if posted.ok or not passing(posted):
            owed = owed.without(channel)
            if owed.channels:  # a crash from here on posts only to the rest
                await claims.owe(store, at.team_id, at.kind, at.key, at.slot, owed)
    now = services.clock.now()
    if not owed.channels:
        error = "; ".join(final) or None
        await claims.finish(store, now, at.team_id, at.kind, at.key, at.slot, error)
        return sent
    why = "; ".join(passed)
    if now - at.claimed_at < GIVE_UP:
        await claims.defer(store, at.team_id, at.kind, at.key, at.slot, why)
        sent.retrying = True
        return sent
    await claims.finish(store, now, at.team_id, at.kind, at.key, at.slot, "; ".join(passed + final))
    sent.gave_up = True
    return sent


GiveUp = Callable[[Services, Unfinished, Sent], Awaitable[None]]
"""What a kind says, beyond the log, when its post is given up."""


async def log_only(services: Services, held: Unfinished, sent: Sent) -> None:
    """For a kind with no one to tell but the log (repost logs every give-up)."""


async def repost(services: Services, held: Unfinished, gave_up: GiveUp = log_only) -> Sent | None:
    """Take a deferred or abandoned held post again and post it; None when another process
    took it first (or it is over)."""
    store, now = services.store, services.clock.now()
    if not await claims.retake(store, now, held.team_id, held.kind, held.key, held.slot):
        return None
    at = Claimed(held.team_id, held.kind, held.key, held.slot, held.claimed_at)
    sent = await deliver(services, at, held.post)
    codes = ", ".join(f"{c} {d.error or 'failed'}" for c, d in sent.refusals) or "none"
    if sent.gave_up:
        log.warning("%s %s/%s: given up, not posted (%s)", held.kind, held.key, held.slot, codes)
        await gave_up(services, held, sent)
    elif sent.retrying:
        log.warning(
            "%s %s/%s: refused again (%s); will retry", held.kind, held.key, held.slot, codes
        )
    else:
        log.info("%s %s/%s: posted on a retry", held.kind, held.key, held.slot)
    return sent


async def run_held_posts(services: Services, kinds: dict[str, GiveUp]) -> int:
    """One pass: every deferred or abandoned held post of kinds, each taken by one process;
    how many this process posted or gave up."""
    handled = 0
    for kind, gave_up in kinds.items():
        for held in await claims.unfinished_posts(services.store, services.clock.now(), kind):
            try:
                if await repost(services, held, gave_up) is not None:
                    handled += 1
            except Exception:
                log.exception("%s %s/%s: repost failed", held.kind, held.key, held.slot)
    return handled


def schedule_held_posts(services: Services, kinds: dict[str, GiveUp]) -> None:
    """Register the job: once a minute, on the minute."""

    async def run(slot: datetime) -> None:
        await run_held_posts(services, kinds)

    services.scheduler.add(JOB, CronTrigger(minute="*", timezone=UTC), run)
