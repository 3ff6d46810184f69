"""The failover due job: once a minute, on the minute, ask the database which overdue steps
are owed a reminder or an escalation and post each claimed one in its drill's thread; then
draw again every drill whose last chat.update did not land."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from apscheduler.triggers.cron import CronTrigger

from bot.errors import RuleError
from bot.failover import due
from bot.failover import service as failover
from bot.failover.reminders import DueStep, Nudge, Plan, Unrendered, give_up, redraw_due
from bot.failover.rules import DrillStatus, StepState
from bot.services import Services
from handlers.failover import nudges
from handlers.failover.render import GONE, redraw

log = logging.getLogger(__name__)

JOB = "failover.due"


async def send_nudge(services: Services, item: DueStep, plan: Plan) -> None:
    """Post one planned nudge once across replicas, and record how it went on its claims."""
    store, now = services.store, services.clock.now()
    held = await due.take_nudges(store, now, item, plan)
    if not held:
        return  # another process has it
    try:
        drill = await failover.drill(store, item.team_id, item.drill_id)
    except RuleError:
        await due.settle_nudges(store, now, item, held, "not sent: the drill is gone")
        return
    step = drill.step(item.step.key)
    if drill.status is not DrillStatus.OPEN or step.state is not StepState.TODO:
        await due.settle_nudges(store, now, item, held, "not sent: the step was handled first")
        return
    zone = services.settings.zone
    if plan.send is Nudge.ESCALATION:
        shown = nudges.build_escalation(drill, step, zone, services.settings.admins)
    else:
        shown = nudges.build_reminder(drill, step, zone)
    assert drill.root_ts is not None  # the due query asks for posted drills only
    posted = await services.outbox.post(drill.channel_id, shown, thread_ts=drill.root_ts)
    if posted.ok:
        await due.settle_nudges(store, services.clock.now(), item, held)
        return
    code = posted.error or "the call to Slack failed"
    first = item.claims[plan.send].at if plan.retry else now
    later = posted.error not in GONE and not give_up(first, services.clock.now())
    await due.settle_nudges(store, services.clock.now(), item, held, code, retry=later)
    log.warning(
        "failover drill %s: %s for %s failed (%s); %s",
        drill.id,
        plan.send.value,
        step.key.value,
        code,
        "will retry" if later else "recorded failed",
    )


async def redraw_pending(services: Services, pending: Unrendered) -> None:
    """Draw one drill again from stored state, once across replicas for its version."""
    store, now = services.store, services.clock.now()
    if not await due.take_redraw(store, now, pending):
        return
    drawing = await redraw(services, pending.team_id, pending.drill_id)
    if drawing.drawn:
        await due.settle_redraw(store, services.clock.now(), pending, None)
        return
    code = drawing.error or drawing.sentence or "the call to Slack failed"
    first = pending.claim.at if pending.claim is not None else now
    later = not drawing.gone and not give_up(first, services.clock.now())
    await due.settle_redraw(store, services.clock.now(), pending, code, retry=later)
    log.warning(
        "failover drill %s: drawing version %s failed (%s); %s",
        pending.drill_id,
        pending.version,
        code,
        "will retry" if later else "recorded failed",
    )


async def run_due_failover(services: Services) -> None:
    """One pass: every nudge due across workspaces, then every drill left undrawn."""
    now = services.clock.now()
    for item, plan in await due.nudge_plans(services.store, now):
        try:
            await send_nudge(services, item, plan)
        except Exception:
            log.exception("failover drill %s: nudge failed", item.drill_id)
    for pending in await due.unrendered(services.store):
        if not redraw_due(pending, now):
            continue
        try:
            await redraw_pending(services, pending)
        except Exception:
            log.exception("failover drill %s: redraw failed", pending.drill_id)


def schedule_failover(services: Services) -> None:
    """Register the failover job: once a minute, on the minute."""

    async def run(slot: datetime) -> None:
        await run_due_failover(services)

    services.scheduler.add(JOB, CronTrigger(minute="*", timezone=UTC), run)
