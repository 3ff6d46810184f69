"""Digest use cases: schedules (creator or admin changes them, audited), composing a digest,
and the job's bookkeeping: which slots are due, claimed, skipped, retried or failed."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot import claims
from bot.access import Actor
from bot.digest.command import ScheduleRequest, Scope
from bot.digest.content import (
    Digest,
    Snapshot,
    assess_scoped,
    compose_named,
    digest_of,
    judge_scoped,
    overdue_week,
    with_drills,
)
from bot.digest.ports import NewSchedule, Schedule
from bot.digest.rules import Rule, describe, following, next_runs, slots_until, trigger_of
from bot.errors import RuleError
from bot.failover.record import DrillSummary
from bot.health.pool import Judged, pool_report
from bot.health.portfolio import near_band_edge
from bot.health.rules import MetricPoint, lookback_start, thresholds_from, window_weeks
from bot.health.service import HEALTH
from bot.ports import Store, Tx

CLAIM_KIND = "digest"
MAX_ATTEMPTS = 3  # posts of one slot, the first included, before it is recorded failed
BACKOFF = timedelta(minutes=1)  # doubled after each failed attempt


def slot_key(slot: datetime) -> str:
    """A slot as its claim names it: the UTC time."""
    return slot.astimezone(UTC).isoformat()


def zone_of(schedule: Schedule) -> ZoneInfo:
    return ZoneInfo(schedule.timezone)


def upcoming(schedule: Schedule, now: datetime, n: int = 3) -> list[datetime]:
    """A schedule's next n runs after now, in its zone."""
    zone = zone_of(schedule)
    return next_runs(trigger_of(Rule(schedule.rule), zone), zone, now, n)


async def create_schedule(
    store: Store,
    now: datetime,
    team_id: str,
    actor: Actor,
    request: ScheduleRequest,
    channel_id: str,
    zone: ZoneInfo,
) -> tuple[Schedule, list[datetime]]:
    """Save a schedule (audited); it and its next three runs in its zone."""
    trigger = trigger_of(request.rule, zone)
    runs = next_runs(trigger, zone, now, 3)
    if not runs:
        raise RuleError("That schedule never runs; nothing was saved.")
    new = NewSchedule(
        team_id,
        channel_id,
        request.rule.text,
        zone.key,
        request.quiet,
        request.scope.text,
        actor.user_id,
    )
    async with store.write() as tx:
        schedule_id = await tx.insert_digest_schedule(new, now, runs[0])
        after = f"<#{channel_id}> {describe(request.rule)} ({zone.key})"
        await tx.add_settings_audit(
            team_id, actor.user_id, now, f"digest schedule {schedule_id}", "", after
        )
        schedule = await tx.digest_schedule(team_id, schedule_id)
    assert schedule is not None
    return schedule, runs


async def list_schedules(store: Store, team_id: str) -> list[Schedule]:
    async with store.read() as tx:
        return await tx.digest_schedules(team_id)


def _check_can_change(schedule: Schedule, actor: Actor) -> None:
    if not (actor.is_admin or actor.user_id == schedule.creator):
        raise RuleError(
            f"Only whoever made digest schedule {schedule.id} or a partnerbot admin can change it."
        )


async def change_schedule(
    store: Store, now: datetime, team_id: str, actor: Actor, verb: str, schedule_id: int
) -> Schedule:
    """Remove, pause or resume a schedule (its creator or an admin), audited; the schedule
    as it was before a remove, else as it is now. A resumed schedule runs from now on."""
    async with store.write() as tx:
        schedule = await tx.digest_schedule(team_id, schedule_id)
        if schedule is None:
            raise RuleError(f"There is no digest schedule {schedule_id}; see `/digest list`.")
        _check_can_change(schedule, actor)
        before = "paused" if schedule.paused else "active"
        if (verb, before) in (("pause", "paused"), ("resume", "active")):
            return schedule  # already so (a second click, say): nothing to change or audit
        if verb == "remove":
            await tx.delete_digest_schedule(team_id, schedule_id)
            after = "removed"
        elif verb == "pause":
            await tx.set_digest_paused(team_id, schedule_id, True, None, schedule.next_slot)
            after = "paused"
        else:
            runs = upcoming(schedule, now, 1)
            await tx.set_digest_paused(team_id, schedule_id, False, None, runs[0] if runs else None)
            after = "active"
        await tx.add_settings_audit(
            team_id, actor.user_id, now, f"digest schedule {schedule_id}", before, after
        )
        changed = await tx.digest_schedule(team_id, schedule_id)
    return changed or schedule


async def compose_digest(
    store: Store, now: datetime, zone: ZoneInfo, team_id: str, channel_id: str, scope: Scope
) -> Digest:
    """The digest for a channel now: the portfolio (computed off the event loop) against
    the channel's previous snapshot, and the scope's failover drills opened or closed since
    that snapshot was taken."""
    today = now.astimezone(zone).date()
    async with store.read() as tx:
        limits = thresholds_from(await tx.settings(team_id, HEALTH))
        benchmarks = await tx.benchmarks(team_id)
        first, last = window_weeks(today, limits.window_weeks)
        since = lookback_start(today, limits)

        async def judged_members(tx: Tx) -> Judged:
            members = await tx.pool_members(team_id, limits, since)
            return await asyncio.to_thread(judge_scoped, members, benchmarks, limits, today, scope)

        async def window(tx: Tx) -> tuple[dict[str, dict[int, float]], list[MetricPoint]]:
            return await tx.window_sums(team_id, first.start, last.end)

        async def the_rest(
            tx: Tx,
        ) -> tuple[set[int], tuple[datetime, str] | None, list[DrillSummary]]:
            reported = await tx.reported_in_week(team_id, overdue_week(today), since)
            stored = await tx.digest_snapshot(team_id, channel_id)
            drills = (
                [] if stored is None else await tx.failover_drills_between(team_id, stored[0], now)
            )
            return reported, stored, drills

        # The members read and judged (in a worker thread), the window's totals and the rest,
        # each on a connection of its own on the same snapshot; then the report (the exact HHI
        # in decimals, 0.15 s at 100,000) in a worker thread.
        judged, (sums, day_points), (reported, stored, drills) = await tx.at_once(
            judged_members, window, the_rest
        )
        pooled = await asyncio.to_thread(pool_report, judged, sums, day_points, limits, today)
        previous = stored[1] if stored else None
        digest = await asyncio.to_thread(digest_of, judged, pooled, reported, previous)
        report = digest.report
        if near_band_edge(report.gmv, limits) or near_band_edge(report.traffic, limits):
            partners = await tx.all_partners(team_id)
            points = await tx.health_points(team_id, since)
            exact, _, _ = await asyncio.to_thread(
                assess_scoped, partners, points, benchmarks, limits, today, scope
            )
            report = replace(report, gmv=exact.gmv, traffic=exact.traffic)
            digest = compose_named(report, judged.names, digest.overdue, Snapshot.load(previous))
        book = judged.book
        drilled = []  # the drills' partners, for the scope's
        for pid in sorted({d.partner_id for d in drills}):
            found = book[pid] if pid in book else await tx.partner_by_id(team_id, pid)
            if found is not None:
                drilled.append(found)
    if stored is None:
        return digest
    return with_drills(digest, drills, drilled, scope, stored[0], now)


async def save_snapshot(
    store: Store, now: datetime, team_id: str, channel_id: str, digest: Digest
) -> None:
    """Remember what the channel's digest showed, for the next one's changes (written as
    JSON off the event loop: a pool of 100,000 is megabytes of it)."""
    dumped = await asyncio.to_thread(digest.snapshot.dump)
    async with store.write() as tx:
        await tx.upsert_digest_snapshot(team_id, channel_id, now, dumped)


@dataclass(frozen=True)
class Firing:
    """A slot this process claimed and must post; attempts made before this one."""

    schedule: Schedule
    slot: datetime
    attempts: int = 0


async def due_firings(store: Store, now: datetime, grace: timedelta) -> list[Firing]:
    """Every due slot across workspaces: each claimed once, whichever process asks; slots
    more than grace late are recorded skipped; a retry whose time has come is taken once."""
    async with store.read() as tx:
        due = await tx.due_digest_schedules(now)
    firings: list[Firing] = []
    for schedule in due:
        if schedule.retry_at is not None and schedule.retry_at <= now:
            async with store.write() as tx:
                taken = await tx.take_digest_retry(schedule.team_id, schedule.id, schedule.attempts)
                if taken and schedule.retry_slot is not None:  # its claim in flight again
                    await tx.retake_claim(
                        schedule.team_id,
                        CLAIM_KIND,
                        str(schedule.id),
                        slot_key(schedule.retry_slot),
                        now,
                        now - claims.LEASE,
                    )
            if taken and schedule.retry_slot is not None:
                firings.append(Firing(schedule, schedule.retry_slot, schedule.attempts))
        if schedule.next_slot is None or schedule.next_slot > now:
            continue
        zone = zone_of(schedule)
        trigger = trigger_of(Rule(schedule.rule), zone)
        slots = list(slots_until(trigger, zone, schedule.next_slot, now))
        latest = slots[-1] if slots else schedule.next_slot
        async with store.write() as tx:
            await tx.advance_digest_schedule(
                schedule.team_id, schedule.id, schedule.next_slot, following(trigger, zone, now)
            )
            if now - latest > grace:
                await tx.record_digest_outcome(
                    schedule.team_id, schedule.id, latest, "skipped", _late(now - latest)
                )
        if now - latest > grace:
            continue
        key = str(schedule.id)
        if await claims.claim(store, now, schedule.team_id, CLAIM_KIND, key, slot_key(latest)):
            firings.append(Firing(schedule, latest))
    return firings + await _abandoned_firings(store, now, grace)


async def _abandoned_firings(store: Store, now: datetime, grace: timedelta) -> list[Firing]:
    """Slots a process took and died before posting (their claims in flight past the
    lease): each taken again by one process, and posted if still within grace of its time,
    else recorded skipped."""
    async with store.read() as tx:
        found = await tx.abandoned_digest_slots(now - claims.LEASE, now - claims.LEASE - grace)
    firings: list[Firing] = []
    for schedule, key in found:
        team, slot = schedule.team_id, datetime.fromisoformat(key)
        if not await claims.retake(store, now, team, CLAIM_KIND, str(schedule.id), key):
            continue
        if now - slot > grace:
            why = _interrupted(now - slot)
            async with store.write() as tx:
                await tx.record_digest_outcome(team, schedule.id, slot, "skipped", why)
            await claims.finish(store, now, team, CLAIM_KIND, str(schedule.id), key, why)
            continue
        retried = schedule.attempts if schedule.retry_slot == slot else 0
        firings.append(Firing(schedule, slot, retried))
    return firings


def _interrupted(by: timedelta) -> str:
    minutes = int(by.total_seconds() // 60)
    return f"its post was interrupted (the process posting it stopped); {minutes} minutes late"


def _late(by: timedelta) -> str:
    minutes = int(by.total_seconds() // 60)
    return f"due {minutes} minutes earlier, while partnerbot was not running"


async def record_posted(store: Store, now: datetime, firing: Firing, outcome: str) -> None:
    """A claimed slot was posted (or, quiet, had nothing to post)."""
    schedule = firing.schedule
    async with store.write() as tx:
        await tx.record_digest_outcome(schedule.team_id, schedule.id, firing.slot, outcome, None)
        await tx.set_digest_retry(schedule.team_id, schedule.id, None, None, 0)
    await claims.finish(
        store, now, schedule.team_id, CLAIM_KIND, str(schedule.id), slot_key(firing.slot)
    )


async def record_failure(store: Store, now: datetime, firing: Firing, error: str) -> bool:
    """A post failed: retried later with backoff (True), or after MAX_ATTEMPTS recorded
    failed with its error (False)."""
    schedule = firing.schedule
    attempts = firing.attempts + 1
    team, key = schedule.team_id, str(schedule.id)
    if attempts < MAX_ATTEMPTS:
        retry_at = now + BACKOFF * 2 ** (attempts - 1)
        async with store.write() as tx:
            await tx.set_digest_retry(team, schedule.id, firing.slot, retry_at, attempts)
            # deferred, not in flight: the retry takes it again, and no one thinks it abandoned
            await tx.defer_claim(team, CLAIM_KIND, key, slot_key(firing.slot), error)
            await tx.record_digest_outcome(
                team, schedule.id, firing.slot, "retrying", f"{error} (attempt {attempts})"
            )
        return True
    async with store.write() as tx:
        await tx.set_digest_retry(team, schedule.id, None, None, 0)
        await tx.record_digest_outcome(team, schedule.id, firing.slot, "failed", error)
    await claims.finish(store, now, team, CLAIM_KIND, key, slot_key(firing.slot), error)
    return False


async def pause_for_channel(store: Store, now: datetime, firing: Firing, reason: str) -> str | None:
    """Pause a schedule whose channel is gone; its creator to tell, for the one process
    that paused it (None for any other)."""
    schedule = firing.schedule
    async with store.write() as tx:
        creator = await tx.pause_digest_for(schedule.team_id, schedule.id, reason)
        await tx.record_digest_outcome(schedule.team_id, schedule.id, firing.slot, "failed", reason)
    await claims.finish(
        store, now, schedule.team_id, CLAIM_KIND, str(schedule.id), slot_key(firing.slot), reason
    )
    return creator
