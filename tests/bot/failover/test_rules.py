"""The drill's state machine: every legal transition and the illegal ones refused, with the
drill unchanged; deadlines from the SLA; the SLA's grammar."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.errors import RuleError
from bot.failover import rules
from bot.failover.rules import (
    STEPS,
    Drill,
    DrillStatus,
    EventKind,
    StepAlreadyHandled,
    StepKey,
    StepState,
)

AT = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
LATER = AT + timedelta(minutes=10)
STARTER, OTHER = "U0STARTER", "U0OTHER"


def drill() -> Drill:
    steps = rules.new_steps(STARTER, AT, rules.SLA_DEFAULTS)
    return Drill(7, "T1", 3, "Acme", "C1", "left us", STARTER, AT, steps)


def test_a_new_drill_has_every_step_to_do_owned_by_the_starter_due_per_the_sla() -> None:
    d = drill()
    assert [s.key for s in d.steps] == list(STEPS)
    assert all(s.state is StepState.TODO and s.owner == STARTER for s in d.steps)
    assert [s.deadline - AT for s in d.steps] == [
        timedelta(minutes=30),
        timedelta(hours=2),
        timedelta(hours=4),
        timedelta(hours=24),
        timedelta(hours=24),
    ]
    assert d.current is not None and d.current.key is StepKey.BACKUP
    assert not d.step(StepKey.BACKUP).overdue(AT + timedelta(minutes=30))
    assert d.step(StepKey.BACKUP).overdue(AT + timedelta(minutes=31))


def test_deadlines_follow_a_changed_sla() -> None:
    sla = {**rules.SLA_DEFAULTS, "backup": 15.0, "verify": 2880.0}
    due = rules.deadlines(AT, sla)
    assert due[StepKey.BACKUP] == AT + timedelta(minutes=15)
    assert due[StepKey.CLOSE] == due[StepKey.VERIFY] == AT + timedelta(days=2)


@pytest.mark.parametrize("key", [k for k in STEPS if k is not StepKey.CLOSE])
def test_done_marks_a_step_done_by_whom_and_when(key: StepKey) -> None:
    after, event = rules.complete(drill(), key, OTHER, LATER)
    step = after.step(key)
    assert (step.state, step.by, step.at) == (StepState.DONE, OTHER, LATER)
    assert (event.kind, event.step, event.actor, event.at) == (EventKind.DONE, key, OTHER, LATER)
    assert after.status is DrillStatus.OPEN
    assert [s for s in after.steps if s.key is not key] == [
        s for s in drill().steps if s.key is not key
    ]


@pytest.mark.parametrize("key", [k for k in STEPS if k is not StepKey.CLOSE])
def test_skip_keeps_the_reason_trimmed(key: StepKey) -> None:
    after, event = rules.skip(drill(), key, OTHER, LATER, "  not needed  ")
    step = after.step(key)
    assert (step.state, step.reason, step.by) == (StepState.SKIPPED, "not needed", OTHER)
    assert (event.kind, event.detail) == (EventKind.SKIPPED, "not needed")


@pytest.mark.parametrize("key", list(STEPS))
def test_assign_changes_the_owner_only(key: StepKey) -> None:
    after, event = rules.assign(drill(), key, STARTER, LATER, OTHER)
    assert after.step(key) == replace(drill().step(key), owner=OTHER)
    assert (event.kind, event.detail) == (EventKind.ASSIGNED, OTHER)


@pytest.mark.parametrize("first", ["done", "skip"])
@pytest.mark.parametrize("second", ["done", "skip", "assign"])
def test_a_step_done_or_skipped_refuses_every_further_transition(first: str, second: str) -> None:
    if first == "done":
        d, _ = rules.complete(drill(), StepKey.COMMS, STARTER, AT)
    else:
        d, _ = rules.skip(drill(), StepKey.COMMS, STARTER, AT, "done by phone")
    with pytest.raises(StepAlreadyHandled) as refused:
        if second == "done":
            rules.complete(d, StepKey.COMMS, OTHER, LATER)
        elif second == "skip":
            rules.skip(d, StepKey.COMMS, OTHER, LATER, "why")
        else:
            rules.assign(d, StepKey.COMMS, OTHER, LATER, "U0THIRD")
    assert refused.value.step.by == STARTER
    assert "already" in str(refused.value)


def test_close_waits_for_every_other_step_then_closes_the_drill() -> None:
    d = drill()
    with pytest.raises(RuleError, match=r"Backup list, .*Verify migration before closing"):
        rules.complete(d, StepKey.CLOSE, STARTER, LATER)
    for key in (StepKey.BACKUP, StepKey.TAKEOVER, StepKey.COMMS):
        d, _ = rules.complete(d, key, STARTER, LATER)
    d, _ = rules.skip(d, StepKey.VERIFY, STARTER, LATER, "no GMV yet")
    closed, event = rules.complete(d, StepKey.CLOSE, OTHER, LATER)
    assert closed.status is DrillStatus.CLOSED and closed.closed_at == LATER
    assert closed.current is None
    assert event.kind is EventKind.CLOSED
    with pytest.raises(RuleError, match="is closed"):
        rules.assign(closed, StepKey.BACKUP, OTHER, LATER, "U0THIRD")


def test_close_cannot_be_skipped() -> None:
    with pytest.raises(RuleError, match="cannot be skipped"):
        rules.skip(drill(), StepKey.CLOSE, STARTER, LATER, "why")


@pytest.mark.parametrize("reason", ["", "   ", "bad\x07bell", "x" * 501])
def test_a_skip_needs_a_printable_reason_of_at_most_500_characters(reason: str) -> None:
    with pytest.raises(RuleError):
        rules.skip(drill(), StepKey.BACKUP, STARTER, LATER, reason)


@pytest.mark.parametrize("owner", [STARTER, "", "nobody", "<!channel>"])
def test_assign_refuses_the_same_owner_or_no_person(owner: str) -> None:
    with pytest.raises(RuleError):
        rules.assign(drill(), StepKey.BACKUP, STARTER, LATER, owner)


def test_an_unknown_step_is_refused() -> None:
    assert rules.parse_step("verify") is StepKey.VERIFY
    with pytest.raises(RuleError, match="not a step"):
        rules.parse_step("lunch")


@pytest.mark.parametrize(
    ("raw", "minutes"), [("30m", 30), ("2h", 120), ("4H", 240), ("1d", 1440), ("45", 45)]
)
def test_durations(raw: str, minutes: float) -> None:
    assert rules.parse_duration(raw) == minutes
    assert rules.parse_duration(rules.format_minutes(minutes)) == minutes


@pytest.mark.parametrize("raw", ["0m", "31d", "2 hours", "-5m", "1.5h", ""])
def test_bad_durations_are_refused(raw: str) -> None:
    with pytest.raises(RuleError):
        rules.parse_duration(raw)


def test_sla_options() -> None:
    assert rules.parse_sla({"backup": "15m", "verify": "2d"}) == {"backup": 15, "verify": 2880}
    with pytest.raises(RuleError, match="`lunch` is not a deadline"):
        rules.parse_sla({"lunch": "1h"})
