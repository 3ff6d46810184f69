"""Block Kit for what steps 1 to 3 of a drill hold: the ranked backup candidates with Engage,
the stop-gap measures with their notes, the users' message draft with where it was sent;
their forms, timeline replies and refusals. Pure builders; every user-typed text escaped."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.failover.candidates import AlreadyEngaged, EngagedSince
from bot.failover.content import MEASURE_TITLES, Candidate, Measure, MeasureTick
from bot.failover.rules import MAX_NOTE, Drill, DrillStatus, Event, EventKind, Step
from bot.failover.steps import MAX_WHERE, MeasureChanged, draft, tick
from bot.health.rules import HealthStatus
from bot.numbers import format_ratio
from bot.registry.rules import RETIRED
from handlers.blocks import (
    MAX_SECTION_TEXT,
    Block,
    context,
    esc,
    message,
    modal,
    section,
    slack_date,
)
from handlers.forms import text_input
from handlers.ids import FailoverView
from handlers.payloads import (
    EngageBackup,
    MeasureMeta,
    RankAgain,
    RecordSending,
    SendingMeta,
    TickMeasure,
)

NOTE = "note"  # the measure form's input block
WHERE = "where"  # the Record sending form's input block
SENDINGS_SHOWN = 5
HEALTH_ICON = {
    HealthStatus.RED: ":red_circle:",
    HealthStatus.AMBER: ":large_orange_circle:",
    HealthStatus.GREEN: ":large_green_circle:",
    HealthStatus.GREY: ":white_circle:",
}


def _accessory(block: Block, element: dict[str, Any] | None) -> Block:
    if element is not None:
        block["accessory"] = element
    return block


def _quoted(name: str) -> str:
    """A partner's name as typed in a command: quoted when it has a space."""
    return f'"{name}"' if " " in name else name


def _candidate_line(position: int, c: Candidate, drill: Drill) -> str:
    score = "not scored" if c.score is None else f"fit score {format_ratio(c.score, 1, fixed=True)}"
    tags = " (registered backup)" if c.registered else ""
    line = f"*{position}. {esc(c.name)}*{tags}\n{score} · {HEALTH_ICON[c.health]} {c.health.value}"
    line += f" · owner <@{c.owner}>"
    if drill.backup is not None and drill.backup.partner_id == c.partner_id:
        line += "\n:handshake: *engaged*"
    elif c.status in RETIRED:
        line += f"\n_{c.status.value} since the ranking: it cannot take over_"
    return line


def build_backup_detail(drill: Drill, step: Step, zone: ZoneInfo, now: datetime) -> list[Block]:
    """Under Backup list: the candidates ranked when the drill started, each with Engage
    while the drill is open, and the backup engaged."""
    if drill.ranked_at is None:  # ranked after the start; a drill closed before shows none
        if drill.status is DrillStatus.CLOSED:
            return []
        return [context(":hourglass_flowing_sand: Ranking the backup candidates…")]
    blocks: list[Block] = []
    backup = drill.backup
    if backup is not None:
        blocks.append(
            section(
                f":handshake: *Backup engaged:* *{esc(backup.name)}*, by <@{backup.by}> "
                f"{slack_date(backup.at, zone)}"
            )
        )
    if not drill.candidates:
        name = esc(_quoted(drill.partner_name))
        text = (
            f"No partner can take over from *{esc(drill.partner_name)}* (ranked "
            f"{slack_date(drill.ranked_at, zone)}): it has no registered backup still in the "
            "pool, and no other active partner of its category that is not red. Register "
            f"backups with `/partner set {name} backups=NAME,NAME`, then press Rank again."
        )
        again = None
        if drill.status is DrillStatus.OPEN:
            again = RankAgain(drill_id=drill.id, version=drill.version).button("Rank again")
        blocks.append(_accessory(section(text), again))
        return blocks
    seen = None if backup is None else backup.partner_id
    is_open = drill.status is DrillStatus.OPEN
    for position, c in enumerate(drill.candidates, start=1):
        engaged = seen == c.partner_id
        button = None
        if is_open and not engaged and c.status not in RETIRED:
            payload = EngageBackup(
                drill_id=drill.id, partner_id=c.partner_id, version=drill.version, seen=seen
            )
            button = payload.button("Engage" if seen is None else "Engage instead")
        blocks.append(_accessory(section(_candidate_line(position, c, drill)), button))
    blocks.append(
        context(
            f"Ranked {slack_date(drill.ranked_at, zone)}: registered backups first, then active "
            "partners of the same category that are not red, best fit score first."
        )
    )
    return blocks


def _measure_line(measure: Measure, done: MeasureTick | None, zone: ZoneInfo) -> str:
    title = MEASURE_TITLES[measure]
    if done is None:
        return f":white_large_square: {title}"
    note = f": {esc(done.note)}" if done.note else ""
    return f":ballot_box_with_check: *{title}*{note}\n_<@{done.by}> {slack_date(done.at, zone)}_"


def build_takeover_detail(drill: Drill, step: Step, zone: ZoneInfo, now: datetime) -> list[Block]:
    """Under Transitional traffic takeover: each stop-gap measure ticked or not, with its
    note and who ticked it; a button per measure opens its note's form."""
    blocks: list[Block] = []
    for measure in Measure:
        done = tick(drill, measure)
        button = None
        if drill.status is DrillStatus.OPEN:
            payload = TickMeasure(drill_id=drill.id, measure=measure, version=drill.version)
            button = payload.button("Tick off" if done is None else "Edit note")
        blocks.append(_accessory(section(_measure_line(measure, done, zone)), button))
    return blocks


def _code(text: str) -> str:
    """text in a code block for copying; a backtick would end the block, so it is swapped
    for a look-alike."""
    return "```\n" + esc(text).replace("`", "ˋ") + "\n```"


def build_comms_detail(drill: Drill, step: Step, zone: ZoneInfo, now: datetime) -> list[Block]:
    """Under User communication: the "service upgrade" draft with the partner and backup
    filled in, to copy; where it was sent, by whom and when; Record sending."""
    backup = None if drill.backup is None else drill.backup.name
    text = draft(drill.language, drill.partner_name, backup)
    pending = "" if backup else "\n_A neutral wording until a backup is engaged._"
    blocks: list[Block] = [section(f"*Message to users* (copy it):\n{_code(text)}{pending}")]
    lines: list[str] = []
    budget = MAX_SECTION_TEXT - 100  # room for the heading and the "and N earlier" line
    for s in reversed(drill.sendings[-SENDINGS_SHOWN:]):  # the latest kept first
        line = f":outbox_tray: {esc(s.where)}, by <@{s.by}> {slack_date(s.at, zone)}"
        if sum(len(x) + 1 for x in lines) + len(line) > budget:
            break
        lines.insert(0, line)
    earlier = len(drill.sendings) - len(lines)
    if earlier:
        lines.insert(0, f"_and {earlier} earlier_")
    summary = "*Sent:*\n" + "\n".join(lines) if lines else "_Not recorded as sent yet._"
    button = None
    if drill.status is DrillStatus.OPEN:
        button = RecordSending(drill_id=drill.id, version=drill.version).button("Record sending")
    blocks.append(_accessory(section(summary), button))
    return blocks


def event_text(drill: Drill, event: Event) -> str:
    """A timeline reply for what steps 1 to 3 record (mrkdwn, user text escaped)."""
    who = f"<@{event.actor}>"
    detail = esc(event.detail or "")
    match event.kind:
        case EventKind.ENGAGED:
            owner = next(
                (
                    c.owner
                    for c in drill.candidates
                    if drill.backup is not None and c.partner_id == drill.backup.partner_id
                ),
                None,
            )
            ask = f" <@{owner}>, you own *{detail}*: please take over." if owner else ""
            return f":handshake: {who} engaged *{detail}* as the backup.{ask}"
        case EventKind.MEASURED:
            return f":ballot_box_with_check: {who} ticked off {detail}"
        case _:
            return f":outbox_tray: {who} sent the message to users: {detail}"


def build_engage_refusal(err: AlreadyEngaged | EngagedSince, zone: ZoneInfo) -> dict[str, Any]:
    """Engage on the backup already engaged, or on a checklist drawn before another was."""
    b = err.backup
    when = f"by <@{b.by}> {slack_date(b.at, zone)}"
    if isinstance(err, AlreadyEngaged):
        text = f"*{esc(b.name)}* is engaged as the backup already, {when}; nothing was changed."
    else:
        text = (
            f"*{esc(b.name)}* was engaged {when}, after this checklist was drawn; nothing was "
            "changed. Press Engage instead on the current checklist to replace it."
        )
    return message([section(text)], text, escaped=True)


def build_measure_modal(meta: MeasureMeta, done: MeasureTick | None) -> dict[str, Any]:
    """A measure's form: its note (required for "other")."""
    title = MEASURE_TITLES[meta.measure]
    optional = meta.measure is not Measure.OTHER
    intro = f"Tick off *{title}*. The note goes in the drill's timeline."
    if done is not None:
        intro = f"*{title}* was ticked off by <@{done.by}>. Saving replaces its note."
    label = "What is it" if not optional else "Note"
    blocks = [
        section(intro),
        text_input(
            NOTE,
            label,
            "" if done is None else done.note,
            optional=optional,
            multiline=True,
            max_length=MAX_NOTE,
        ),
    ]
    return modal(
        "Traffic takeover",
        blocks,
        callback_id=FailoverView.MEASURE_SUBMIT,
        private_metadata=meta.pack(),
        submit="Tick off",
    )


def build_sending_modal(meta: SendingMeta) -> dict[str, Any]:
    """Record sending: where the users' message went."""
    blocks = [
        section("Where was the message to users sent? It goes in the drill's timeline."),
        text_input(
            WHERE,
            "Where",
            optional=False,
            hint="e.g. app push, WeChat account, #announcements",
            max_length=MAX_WHERE,
        ),
    ]
    return modal(
        "User communication",
        blocks,
        callback_id=FailoverView.SENDING_SUBMIT,
        private_metadata=meta.pack(),
        submit="Record",
    )


def measure_changed(err: MeasureChanged, zone: ZoneInfo) -> str:
    """The form was opened before someone else's tick or note."""
    t = err.tick
    return (
        f"*{MEASURE_TITLES[t.measure]}* was changed by <@{t.by}> {slack_date(t.at, zone)} since "
        "this form was opened; nothing was changed. Open it again to see the note."
    )
