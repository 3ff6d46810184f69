"""The failover drill (domain.md §4) as data and a pure state machine: its steps, their
owners, deadlines and states, and which transitions are legal. No clock, database or Slack."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from bot.errors import RuleError
from bot.failover.content import Candidate, Language, MeasureTick, Sending
from bot.text_checks import text_refusal


class StepKey(StrEnum):
    """The kit's steps, in order."""

    BACKUP = "backup"
    TAKEOVER = "takeover"
    COMMS = "comms"
    VERIFY = "verify"
    CLOSE = "close"


STEPS = tuple(StepKey)
TITLES = {
    StepKey.BACKUP: "Backup list",
    StepKey.TAKEOVER: "Transitional traffic takeover",
    StepKey.COMMS: "User communication",
    StepKey.VERIFY: "Verify migration",
    StepKey.CLOSE: "Close",
}
# The deadlines' defaults in minutes from the start (domain.md §4); close shares verify's.
SLA_DEFAULTS: dict[str, float] = {"backup": 30, "takeover": 120, "comms": 240, "verify": 1440}
SLA_SCOPE = "failover"  # the scope of the deadlines among a workspace's settings
MAX_SLA_MINUTES = 30 * 24 * 60
MAX_REASON = 500
MAX_NOTE = 300  # a measure's or a GMV impact's note
_DURATION = re.compile(r"(\d{1,6})\s*(m|min|h|d)", re.IGNORECASE)
_UNIT_MINUTES = {"m": 1, "min": 1, "h": 60, "d": 1440}


class StepState(StrEnum):
    TODO = "todo"
    DONE = "done"
    SKIPPED = "skipped"


class DrillStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class EventKind(StrEnum):
    """What a timeline row records."""

    STARTED = "started"
    DONE = "done"
    SKIPPED = "skipped"
    ASSIGNED = "assigned"
    CLOSED = "closed"
    GMV = "gmv"  # the GMV impact recorded; detail is the figure
    REOPENED = "reopened"
    ENGAGED = "engaged"  # a backup engaged; detail: its name
    MEASURED = "measured"  # a stop-gap measure ticked off; detail: the measure and its note
    SENT = "sent"  # the users' message recorded as sent; detail: where


@dataclass(frozen=True)
class Step:
    """One step of a drill: who owns it, when it is due, and what became of it."""

    key: StepKey
    owner: str
    deadline: datetime
    state: StepState = StepState.TODO
    reason: str | None = None  # why it was skipped
    by: str | None = None  # who did or skipped it
    at: datetime | None = None  # when

    def overdue(self, now: datetime) -> bool:
        return self.state is StepState.TODO and now > self.deadline


class GmvSource(StrEnum):
    """How a drill's GMV impact was found."""

    METRICS = "metrics"  # from the partners' recorded GMV
    ENTERED = "entered"  # typed in by a person


@dataclass(frozen=True)
class GmvImpact:
    """The migration's effect on GMV: change is a fraction (-0.08 is an 8% loss); before and
    after are the amounts compared when they came from metrics."""

    change: float
    source: GmvSource
    before: float | None = None
    after: float | None = None
    note: str | None = None


@dataclass(frozen=True)
class Backup:
    """The backup partner engaged to take over, by whom and when."""

    partner_id: int
    name: str
    by: str
    at: datetime


@dataclass(frozen=True)
class Drill:
    """A drill as stored; version grows by one with every transition, and rendered_version
    is the version last drawn in Slack (behind version when a chat.update failed)."""

    id: int
    team_id: str
    partner_id: int
    partner_name: str
    channel_id: str
    reason: str
    starter: str
    started_at: datetime
    steps: tuple[Step, ...]
    status: DrillStatus = DrillStatus.OPEN
    version: int = 1
    root_ts: str | None = None
    checklist_ts: str | None = None
    closed_at: datetime | None = None
    backup: Backup | None = None
    gmv: GmvImpact | None = None
    rendered_version: int = 0
    # What steps 1 to 3 hold (bot/failover/content.py); ranked_at None: not ranked yet.
    ranked_at: datetime | None = None
    language: Language = Language.EN
    candidates: tuple[Candidate, ...] = ()
    measures: tuple[MeasureTick, ...] = ()
    sendings: tuple[Sending, ...] = ()

    def step(self, key: StepKey) -> Step:
        return next(s for s in self.steps if s.key is key)

    @property
    def current(self) -> Step | None:
        """The first step still to do; None once every step is done or skipped."""
        return next((s for s in self.steps if s.state is StepState.TODO), None)


@dataclass(frozen=True)
class Event:
    """One timeline row: a transition, who made it and when."""

    kind: EventKind
    actor: str
    at: datetime
    step: StepKey | None = None
    detail: str | None = None  # a skip's reason, a new owner's user id


class StepAlreadyHandled(RuleError):
    """The step was done or skipped already (by someone, at some time)."""

    def __init__(self, step: Step) -> None:
        self.step = step
        verb = "done" if step.state is StepState.DONE else "skipped"
        super().__init__(f"{TITLES[step.key]} was already {verb}.")


class OpenDrillExists(RuleError):
    """The partner has another drill open: the partial unique index `failover_one_open`
    refused a second one."""

    def __init__(self) -> None:
        super().__init__("The partner has another failover drill open; nothing was changed.")


def parse_step(raw: str) -> StepKey:
    """A step's key as a button or form carries it."""
    try:
        return StepKey(raw)
    except ValueError:
        raise RuleError(f"`{raw}` is not a step of a failover drill.") from None


def deadlines(started_at: datetime, sla: dict[str, float]) -> dict[StepKey, datetime]:
    """Each step's deadline from the start; close is due with verify."""
    due = {k: started_at + timedelta(minutes=sla[k.value]) for k in STEPS if k.value in sla}
    due[StepKey.CLOSE] = due[StepKey.VERIFY]
    return due


def new_steps(starter: str, started_at: datetime, sla: dict[str, float]) -> tuple[Step, ...]:
    """A new drill's steps: all to do, owned by the starter, due per the SLA."""
    due = deadlines(started_at, sla)
    return tuple(Step(key, starter, due[key]) for key in STEPS)


def check_reason(reason: str, what: str = "The reason", limit: int = MAX_REASON) -> str:
    """Text a person typed (a reason, a note), as stored: trimmed, printable, at most limit
    characters."""
    reason = reason.strip()
    if refusal := text_refusal(what, reason):
        raise RuleError(refusal)
    if len(reason) > limit:
        raise RuleError(f"{what} is {len(reason)} characters; keep it to {limit}.")
    return reason


def check_open(drill: Drill) -> None:
    """Refuse a change to a closed drill."""
    if drill.status is DrillStatus.CLOSED:
        raise RuleError(f"The drill for {drill.partner_name} is closed; nothing was changed.")


def _open_step(drill: Drill, key: StepKey) -> Step:
    if drill.status is DrillStatus.CLOSED and key is StepKey.CLOSE:
        raise StepAlreadyHandled(drill.step(key))  # a Done that lost to the close: say who
    check_open(drill)
    step = drill.step(key)
    if step.state is not StepState.TODO:
        raise StepAlreadyHandled(step)
    return step


def _with(drill: Drill, step: Step) -> Drill:
    """The drill with step in place of the step of the same key."""
    return replace(drill, steps=tuple(step if s.key is step.key else s for s in drill.steps))


def complete(drill: Drill, key: StepKey, actor: str, at: datetime) -> tuple[Drill, Event]:
    """Mark a step done; done on close closes the drill, once every other step is done or
    skipped."""
    step = _open_step(drill, key)
    if key is StepKey.CLOSE:
        todo = (s for s in drill.steps if s.key is not key and s.state is StepState.TODO)
        left = [TITLES[s.key] for s in todo]
        if left:
            raise RuleError(f"Finish or skip {', '.join(left)} before closing the drill.")
        done = _with(drill, replace(step, state=StepState.DONE, by=actor, at=at))
        return replace(done, status=DrillStatus.CLOSED, closed_at=at), Event(
            EventKind.CLOSED, actor, at, key
        )
    done = _with(drill, replace(step, state=StepState.DONE, by=actor, at=at))
    return done, Event(EventKind.DONE, actor, at, key)


def skip(drill: Drill, key: StepKey, actor: str, at: datetime, reason: str) -> tuple[Drill, Event]:
    """Skip a step, saying why; close cannot be skipped."""
    step = _open_step(drill, key)
    if key is StepKey.CLOSE:
        raise RuleError("Close cannot be skipped: press Done on it to close the drill.")
    why = check_reason(reason)
    if not why:
        raise RuleError("Say why the step is skipped.")
    skipped = _with(drill, replace(step, state=StepState.SKIPPED, reason=why, by=actor, at=at))
    return skipped, Event(EventKind.SKIPPED, actor, at, key, why)


def assign(drill: Drill, key: StepKey, actor: str, at: datetime, owner: str) -> tuple[Drill, Event]:
    """Give a step still to do to another owner."""
    step = _open_step(drill, key)
    if not re.fullmatch(r"[UW][A-Z0-9]{2,}", owner):
        raise RuleError("Pick a person to own the step.")
    if owner == step.owner:
        raise RuleError(f"<@{owner}> owns {TITLES[key]} already; nothing was changed.")
    return _with(drill, replace(step, owner=owner)), Event(
        EventKind.ASSIGNED, actor, at, key, owner
    )


def reopen(drill: Drill, actor: str, at: datetime, admin: bool) -> tuple[Drill, Event]:
    """Open a closed drill again, its close step back to do with a fresh deadline: allowed to
    its starter, a step owner or an admin. The partner's status is left as the close set it."""
    if drill.status is not DrillStatus.CLOSED:
        raise RuleError(f"The drill for {drill.partner_name} is open already; nothing was changed.")
    owners = {drill.starter, *(s.owner for s in drill.steps)}
    if not admin and actor not in owners:
        raise RuleError(
            "Only the drill's starter, a step owner or a partnerbot admin can reopen it; "
            "nothing was changed."
        )
    # Close is due again as long after the reopening as it was after the start, so its
    # reminder and escalation count from now, not from a deadline long past.
    old = drill.step(StepKey.CLOSE)
    due = at + (old.deadline - drill.started_at)
    close = replace(old, state=StepState.TODO, by=None, at=None, deadline=due)
    opened = replace(_with(drill, close), status=DrillStatus.OPEN, closed_at=None)
    return opened, Event(EventKind.REOPENED, actor, at, StepKey.CLOSE)


def parse_duration(raw: str) -> float:
    """`30m`, `2h`, `1d` (or a bare number of minutes) as minutes, 1 minute to 30 days."""
    text = raw.strip()
    if text.isdigit():
        minutes = int(text)
    elif m := _DURATION.fullmatch(text):
        minutes = int(m[1]) * _UNIT_MINUTES[m[2].casefold()]
    else:
        raise RuleError(f"`{raw}` is not a duration; write it as 30m, 2h or 1d.")
    if not 1 <= minutes <= MAX_SLA_MINUTES:
        raise RuleError(f"`{raw}` is out of range; a deadline is 1 minute to 30 days.")
    return float(minutes)


def parse_sla(options: dict[str, str]) -> dict[str, float]:
    """`backup=30m takeover=2h ...` as minutes per step; unknown keys are refused."""
    unknown = [k for k in options if k not in SLA_DEFAULTS]
    if unknown:
        raise RuleError(
            f"`{unknown[0]}` is not a deadline; set {', '.join(SLA_DEFAULTS)} (as 30m, 2h, 1d)."
        )
    return {k: parse_duration(v) for k, v in options.items()}


def format_minutes(minutes: float) -> str:
    """Minutes as the shortest of `1d`, `2h`, `90m`."""
    whole = int(minutes)
    if whole % 1440 == 0:
        return f"{whole // 1440}d"
    if whole % 60 == 0:
        return f"{whole // 60}h"
    return f"{whole}m"
