"""When an overdue step of a drill is nudged, as pure decisions: a reminder to its owner at
its deadline, an escalation to the admins at twice it (start + 2 x (deadline - start)), and
what one pass of the due job sends given what the claims table says was sent already. No
clock, database or Slack."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from bot.claims import abandoned
from bot.failover.rules import Step, StepKey, StepState


class Nudge(StrEnum):
    """What an overdue step gets, in the order they come due."""

    REMINDER = "reminder"
    ESCALATION = "escalation"


NUDGES = tuple(Nudge)
CLAIM_KINDS = {Nudge.REMINDER: "failover.reminder", Nudge.ESCALATION: "failover.escalation"}
REDRAW_KIND = "failover.redraw"  # key: the drill's id, slot: the version to draw
CHECKLIST_KIND = "failover.checklist"  # key: the drill's id, slot: the checklist's lost ts
# A refused send is tried again on each later pass (once a minute) until this long after
# its first attempt, then recorded failed: a handful of attempts, never an endless loop.
RETRY_WINDOW = timedelta(minutes=5)
# A nudge more than this late (a long downtime) is not sent any more; claims are kept 30
# days, so one pruned from the table can never be sent a second time.
STALE_AFTER = timedelta(days=14)


def claim_key(drill_id: int, step: StepKey) -> str:
    """A step's nudges as their claims name them."""
    return f"{drill_id}:{step.value}"


def slot_of(deadline: datetime) -> str:
    """A step's deadline as its nudges' claim slot: UTC text."""
    return deadline.astimezone(UTC).isoformat()


@dataclass(frozen=True)
class Claimed:
    """One claim as stored: when it was first taken, whether its work is over (sent, or
    given up with error), while not over the passing error it is to be retried for, and
    when it was last taken (None: at)."""

    at: datetime
    done: bool = False
    error: str | None = None
    taken: datetime | None = None

    @property
    def retryable(self) -> bool:
        """A refused send waiting for a later pass (in flight when error is None)."""
        return not self.done and self.error is not None

    def takeable(self, now: datetime) -> bool:
        """Whether a pass at now takes this claim's work again: refused and waiting for a
        retry, or in flight past its lease (its taker died)."""
        if self.done:
            return False
        return self.retryable or abandoned(self.taken or self.at, now)


@dataclass(frozen=True)
class DueStep:
    """An open drill's step still to do whose deadline has come, with its nudges' claims."""

    team_id: str
    drill_id: int
    started_at: datetime
    step: Step
    claims: Mapping[Nudge, Claimed]


@dataclass(frozen=True)
class Unrendered:
    """A drill whose stored version is ahead of the one drawn in Slack, with the claim on
    drawing that version (None before anyone tried)."""

    team_id: str
    drill_id: int
    version: int
    claim: Claimed | None


@dataclass(frozen=True)
class Plan:
    """What to send for a step now: one message (send), and the claims it accounts for
    (send first, then the earlier nudges it stands in for); retry says send's claim is a
    refused one to take again rather than a new one."""

    send: Nudge
    covers: tuple[Nudge, ...]
    retry: bool = False


def nudge_times(step: Step, started_at: datetime) -> dict[Nudge, datetime]:
    """When each nudge of a step comes due: its deadline, and twice its deadline."""
    return {
        Nudge.REMINDER: step.deadline,
        Nudge.ESCALATION: step.deadline + (step.deadline - started_at),
    }


def waits_for_verify(step: StepKey, todo: set[StepKey]) -> bool:
    """Close shares verify's deadline: while verify is still to do, only verify is nudged."""
    return step is StepKey.CLOSE and StepKey.VERIFY in todo


def due_nudges(step: Step, started_at: datetime, now: datetime) -> list[Nudge]:
    """The nudges whose time has come for a step still to do, oldest first; none once it is
    done or skipped, and none more than STALE_AFTER late."""
    if step.state is not StepState.TODO:
        return []
    times = nudge_times(step, started_at)
    return [n for n in NUDGES if times[n] <= now and now - times[n] <= STALE_AFTER]


def plan(
    step: Step,
    started_at: datetime,
    now: datetime,
    claims: Mapping[Nudge, Claimed],
    *,
    blocked: bool = False,
) -> Plan | None:
    """What one pass sends for a step: the latest nudge due, unless it was claimed already
    (sent, given up, or being sent); a refused one is taken again. When a reminder and an
    escalation are due at once (after a downtime), one message goes out, the escalation, and
    accounts for the reminder too."""
    due = [] if blocked else due_nudges(step, started_at, now)
    if not due:
        return None
    latest, earlier = due[-1], due[:-1]
    claimed = claims.get(latest)
    if claimed is not None and not claimed.takeable(now):
        return None
    open_earlier = tuple(
        n for n in earlier if (c := claims.get(n)) is None or c.takeable(now)
    )  # those still to account for: never claimed, waiting for a retry, or abandoned
    return Plan(latest, (latest, *open_earlier), retry=claimed is not None)


def plans(due: list[DueStep], now: datetime) -> list[tuple[DueStep, Plan]]:
    """A pass's work across drills: each due step with what it gets, close held back while
    its drill's verify is still to do."""
    todo: dict[int, set[StepKey]] = {}
    for item in due:
        todo.setdefault(item.drill_id, set()).add(item.step.key)
    planned = []
    for item in due:
        blocked = waits_for_verify(item.step.key, todo[item.drill_id])
        chosen = plan(item.step, item.started_at, now, item.claims, blocked=blocked)
        if chosen is not None:
            planned.append((item, chosen))
    return planned


def give_up(first_attempt: datetime, now: datetime) -> bool:
    """A refused send is not tried again once RETRY_WINDOW has passed since its first try."""
    return now - first_attempt >= RETRY_WINDOW


def redraw_due(pending: Unrendered, now: datetime) -> bool:
    """Whether a pass draws a drill again: never tried for this version, refused and
    waiting for a retry, or abandoned in flight (a draw in flight elsewhere is left to it)."""
    return pending.claim is None or pending.claim.takeable(now)
