"""Block Kit for failover drills: the root message, the checklist, timeline replies, and the
answers to `/failover`. Pure builders; every user-typed text escaped."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.failover.record import DrillSummary
from bot.failover.rules import (
    SLA_DEFAULTS,
    TITLES,
    Drill,
    DrillStatus,
    Event,
    EventKind,
    Step,
    StepState,
    format_minutes,
)
from bot.registry.rules import FieldChange
from handlers.blocks import (
    Block,
    actions,
    channel_message,
    context,
    esc,
    header,
    help_message,
    message,
    modal,
    section,
    settings_message,
    slack_date,
)
from handlers.failover import kit_views, verify_views
from handlers.failover.steps import step_detail
from handlers.forms import text_input
from handlers.ids import FailoverView
from handlers.payloads import SkipMeta, StepAssign, StepDone, StepSkip

HISTORY_SHOWN = 20
SKIP_REASON = "reason"  # the Skip modal's input block
_STATE_MARK = {
    StepState.TODO: ":white_large_square:",
    StepState.DONE: ":white_check_mark:",
    StepState.SKIPPED: ":fast_forward:",
}


def thread_link(drill: Drill | DrillSummary) -> str:
    """Where the drill lives: its channel and, once posted, a link to its root message."""
    where = f"<#{drill.channel_id}>"
    if drill.root_ts is None:
        return where
    path = drill.root_ts.replace(".", "")
    return f"{where} (<https://slack.com/archives/{drill.channel_id}/p{path}|open the thread>)"


def age(delta: timedelta) -> str:
    """A span as `3 d 4 h`, `2 h 5 min` or `7 min`."""
    minutes = max(0, int(delta.total_seconds() // 60))
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    return f"{hours} h {mins} min" if hours else f"{mins} min"


def _due(step: Step, zone: ZoneInfo, now: datetime) -> str:
    late = " :warning: *overdue*" if step.overdue(now) else ""
    return f"due {slack_date(step.deadline, zone)}{late}"


def _current(drill: Drill, zone: ZoneInfo, now: datetime) -> str:
    step = drill.current
    if drill.status is DrillStatus.CLOSED or step is None:
        return "none: every step is done or skipped"
    return f"{TITLES[step.key]}, owned by <@{step.owner}>, {_due(step, zone, now)}"


def _since_start(drill: Drill, now: datetime) -> str:
    """How long the drill has run: Slack's `{ago}` keeps an open one current without
    redraws (the fallback is as of this render); a closed one shows how long it ran."""
    if drill.status is DrillStatus.CLOSED and drill.closed_at is not None:
        return f"{age(drill.closed_at - drill.started_at)} (closed)"
    return f"<!date^{int(drill.started_at.timestamp())}^{{ago}}|{age(now - drill.started_at)} ago>"


def build_root(drill: Drill, zone: ZoneInfo, now: datetime) -> dict[str, Any]:
    """The drill's message in the channel: partner, reason, starter, status, current step."""
    name = esc(drill.partner_name)
    status = "closed" if drill.status is DrillStatus.CLOSED else "open"
    lines = [
        f":rotating_light: *Failover drill: {name}*",
        f"*Started by* <@{drill.starter}> {slack_date(drill.started_at, zone)}",
        f"*Time since start:* {_since_start(drill, now)}",
        f"*Status:* {status}",
        f"*Current step:* {_current(drill, zone, now)}",
    ]
    # The reason in a section of its own: a long one (500 characters, escaped) is never
    # what pushes the status lines past Slack's 3,000 characters.
    reason = section(f"*Reason:* {esc(drill.reason) or '_none given_'}")
    blocks = [section("\n".join(lines)), reason]
    blocks.append(context("The checklist and timeline are in the thread."))
    return channel_message(blocks, f"Failover drill: {name}", escaped=True)


def _step_line(position: int, step: Step, zone: ZoneInfo, now: datetime) -> str:
    title = f"{_STATE_MARK[step.state]} *{position}. {TITLES[step.key]}*"
    if step.state is StepState.TODO:
        return f"{title}\nowner <@{step.owner}>, {_due(step, zone, now)}"
    when = "" if step.at is None else f" {slack_date(step.at, zone)}"
    if step.state is StepState.DONE:
        return f"{title}\ndone by <@{step.by}>{when}"
    return f"{title}\nskipped by <@{step.by}>{when}: {esc(step.reason or '')}"


def build_checklist(drill: Drill, zone: ZoneInfo, now: datetime) -> dict[str, Any]:
    """The checklist, re-rendered in place from the stored drill: each step's state, and
    Done, Skip and Assign on the steps still to do while the drill is open."""
    blocks: list[Block] = [header(f"Checklist: {drill.partner_name}")]
    for position, step in enumerate(drill.steps, start=1):
        blocks.append(section(_step_line(position, step, zone, now)))
        blocks.extend(step_detail(drill, step, zone, now))
        if drill.status is DrillStatus.OPEN and step.state is StepState.TODO:
            ref = (drill.id, step.key, drill.version)
            assign = StepAssign(drill_id=ref[0], step=ref[1], version=ref[2])
            done = StepDone(drill_id=ref[0], step=ref[1], version=ref[2])
            elements = [done.button("Done", style="primary")]
            if step.key.value in SLA_DEFAULTS:  # close is not skipped
                skip = StepSkip(drill_id=ref[0], step=ref[1], version=ref[2])
                elements.append(skip.button("Skip"))
            elements.append(assign.picker())
            blocks.append(actions(elements, block_id=assign.pack()))
    if drill.status is DrillStatus.CLOSED and drill.closed_at is not None:
        blocks.append(context(f"Closed {slack_date(drill.closed_at, zone)}."))
    text = f"Failover checklist: {esc(drill.partner_name)}"
    return channel_message(blocks, text, escaped=True)


def build_event(drill: Drill, event: Event) -> dict[str, Any]:
    """A timeline reply in the drill's thread."""
    step = TITLES[event.step] if event.step is not None else ""
    who = f"<@{event.actor}>"
    match event.kind:
        case EventKind.DONE:
            text = f":white_check_mark: {who} marked *{step}* done."
        case EventKind.SKIPPED:
            text = f":fast_forward: {who} skipped *{step}*: {esc(event.detail or '')}"
        case EventKind.ASSIGNED:
            text = f":bust_in_silhouette: {who} gave *{step}* to <@{event.detail}>."
        case EventKind.CLOSED:
            text = f":checkered_flag: {who} closed the drill for *{esc(drill.partner_name)}*."
        case EventKind.GMV:
            text = verify_views.gmv_event_text(drill, event)
        case EventKind.REOPENED:
            text = verify_views.reopened_event_text(drill, event)

        case EventKind.ENGAGED | EventKind.MEASURED | EventKind.SENT:
            text = kit_views.event_text(drill, event)
        case _:
            text = f":rotating_light: {who} started the drill."
    return channel_message([section(text)], text, escaped=True)


def build_started(drill: Drill, problem: str | None = None) -> dict[str, Any]:
    """The starter's answer: where the drill is (and what could not be posted)."""
    text = f":rotating_light: Failover drill started for *{esc(drill.partner_name)}* in "
    text += thread_link(drill) + "."
    blocks = [section(text)]
    if problem:
        blocks.append(section(f":warning: {problem}"))
    return message(blocks, text, escaped=True)


def build_already_open(drill: Drill, zone: ZoneInfo) -> dict[str, Any]:
    """A second start on a partner: the drill already open."""
    text = (
        f"*{esc(drill.partner_name)}* has a failover drill open already, started by "
        f"<@{drill.starter}> {slack_date(drill.started_at, zone)} in {thread_link(drill)}. "
        "Nothing new was started."
    )
    return message([section(text)], text, escaped=True)


def build_already_handled(step: Step) -> dict[str, Any]:
    """The answer to a click on a step someone else did or skipped first."""
    verb = "done" if step.state is StepState.DONE else "skipped"
    text = f"*{TITLES[step.key]}* was already {verb} by <@{step.by}>; nothing was changed."
    return message([section(text)], text, escaped=True)


def build_status(drills: list[Drill], zone: ZoneInfo, now: datetime) -> dict[str, Any]:
    """`/failover status`: the open drills, their age, current step and overdue marks."""
    if not drills:
        text = "No failover drill is open. Start one with `/failover NAME [reason]`."
        return message([section(text)], text, escaped=True)
    blocks: list[Block] = [header(f"Open failover drills ({len(drills)})")]
    for drill in drills[:HISTORY_SHOWN]:
        overdue = [TITLES[s.key] for s in drill.steps if s.overdue(now)]
        late = f"\n:warning: overdue: {', '.join(overdue)}" if overdue else ""
        blocks.append(
            section(
                f"*{esc(drill.partner_name)}*, open {age(now - drill.started_at)}, "
                f"in {thread_link(drill)}\nCurrent step: {_current(drill, zone, now)}{late}"
            )
        )
    if len(drills) > HISTORY_SHOWN:
        blocks.append(context(f"And {len(drills) - HISTORY_SHOWN} more."))
    return message(blocks, f"{len(drills)} open failover drills")


_MINUTE = timedelta(minutes=1)
_TICK = timedelta(microseconds=1)


def status_steady_until(drills: list[Drill], now: datetime) -> datetime:
    """The first moment after now at which `build_status(drills, zone, t)` may differ from
    its answer at now (for no zone earlier): a shown drill's age (whole minutes) ticks over,
    or a step still to do passes its deadline. Before it, the status as of now stands."""
    until = datetime.max.replace(tzinfo=now.tzinfo)
    for drill in drills[:HISTORY_SHOWN]:
        minutes = max(0, (now - drill.started_at) // _MINUTE)
        until = min(until, drill.started_at + (minutes + 1) * _MINUTE)
        for step in drill.steps:
            if step.state is StepState.TODO and step.deadline >= now:
                until = min(until, step.deadline + _TICK)  # overdue from just after it
    return until


def build_history(name: str | None, drills: list[Drill], zone: ZoneInfo) -> dict[str, Any]:
    """`/failover history [NAME]`: the latest drills, newest first."""
    title = f"Failover drills: {name}" if name else "Failover drills"
    if not drills:
        text = f"No failover drill yet{' for *' + esc(name) + '*' if name else ''}."
        return message([section(text)], text, escaped=True)
    blocks: list[Block] = [header(title)]
    for drill in drills:
        done = sum(s.state is StepState.DONE for s in drill.steps)
        skipped = sum(s.state is StepState.SKIPPED for s in drill.steps)
        if drill.status is DrillStatus.CLOSED and drill.closed_at is not None:
            outcome = f"closed {slack_date(drill.closed_at, zone)}"
        else:
            outcome = "open"
        blocks.append(
            section(
                f"*{esc(drill.partner_name)}*, started {slack_date(drill.started_at, zone)} by "
                f"<@{drill.starter}>, {outcome}: {done} done, {skipped} skipped "
                f"({thread_link(drill)})"
                + (f"\nReason: {esc(drill.reason)}" if drill.reason else "")
            )
        )
    return message(blocks, title)


def build_sla(minutes: dict[str, float], changes: list[FieldChange] | None) -> dict[str, Any]:
    """`/failover sla`: the deadlines in force, after what a change did."""
    labels = {"backup": "Backup list", "takeover": "Traffic takeover", "comms": "User comms"}
    labels["verify"] = "Verify migration (and close)"
    lines = [f"{labels[k]} (`{k}`): {format_minutes(v)} from the start" for k, v in minutes.items()]
    hint = (
        "Admins change them with `/failover sla backup=30m takeover=2h comms=4h verify=24h`; "
        "drills already open keep their deadlines."
    )
    return settings_message("Failover deadlines", lines, hint, changes)


def build_help() -> dict[str, Any]:
    """`/failover help`."""
    usages = [
        ("/failover NAME [reason]", "start a drill on a partner in this channel"),
        ("/failover status", "the open drills: age, current step, next deadline, overdue"),
        ("/failover history [NAME]", "the latest drills, or one partner's"),
        ("/failover sla [backup=30m takeover=2h comms=4h verify=24h]", "show or set deadlines"),
        (
            "/failover auto [on|off]",
            "show or set (admins) whether dropping a strategic or core partner starts its drill",
        ),
        ("/failover help", "this list"),
    ]
    return help_message(
        "Failover drills",
        usages,
        "Also as `/partner failover ...`. Each step has Done, Skip and Assign in the thread. "
        "A Start button also comes with a strategic or core partner's drop, a red "
        "`/health NAME`, a digest's red alerts and channel alerts.",
    )


def build_skip_modal(meta: SkipMeta, step: Step) -> dict[str, Any]:
    """The Skip form: why the step is skipped."""
    blocks = [
        section(f"Skip *{TITLES[step.key]}*? The reason goes in the drill's timeline."),
        text_input(SKIP_REASON, "Why", optional=False, multiline=True, max_length=500),
    ]
    return modal(
        "Skip a step",
        blocks,
        callback_id=FailoverView.SKIP_SUBMIT,
        private_metadata=meta.pack(),
        submit="Skip",
    )


def build_notice(text: str, title: str = "Skip a step") -> dict[str, Any]:
    """A read-only modal with one mrkdwn line (a form that lost to another change)."""
    return modal(title, [section(text)], submit=None, close="Close")


def build_auto(on: bool, changes: list[FieldChange] | None) -> dict[str, Any]:
    """`/failover auto [on|off]`: whether a drop starts its drill, after what a change did."""
    state = "*on*: dropping a strategic or core partner starts its drill in that channel"
    if not on:
        state = "*off*: dropping a strategic or core partner offers a Start button"
    hint = "Admins change it with `/failover auto on` or `/failover auto off`."
    return settings_message("Failover auto-start", [f"Auto-start is {state}."], hint, changes)
