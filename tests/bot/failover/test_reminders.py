"""The nudges' pure decisions: when a reminder and an escalation come due, what one pass
sends given the claims, close held back behind verify, handled steps left alone."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot import claims
from bot.failover.reminders import (
    RETRY_WINDOW,
    STALE_AFTER,
    Claimed,
    DueStep,
    Nudge,
    Plan,
    Unrendered,
    claim_key,
    due_nudges,
    give_up,
    nudge_times,
    plan,
    plans,
    redraw_due,
    slot_of,
)
from bot.failover.rules import SLA_DEFAULTS, StepKey, StepState, new_steps

START = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
STEPS = {s.key: s for s in new_steps("U0OWNER", START, SLA_DEFAULTS)}
BACKUP = STEPS[StepKey.BACKUP]  # due 30 minutes after the start
T = BACKUP.deadline
SECOND = timedelta(seconds=1)


def test_the_reminder_is_due_at_the_deadline_and_the_escalation_at_twice_it() -> None:
    assert nudge_times(BACKUP, START) == {
        Nudge.REMINDER: START + timedelta(minutes=30),
        Nudge.ESCALATION: START + timedelta(minutes=60),
    }
    verify = STEPS[StepKey.VERIFY]
    assert nudge_times(verify, START)[Nudge.ESCALATION] == START + timedelta(hours=48)


def test_nothing_before_the_deadline_a_reminder_at_it_an_escalation_at_twice_it() -> None:
    assert plan(BACKUP, START, T - SECOND, {}) is None
    assert plan(BACKUP, START, T, {}) == Plan(Nudge.REMINDER, (Nudge.REMINDER,))
    reminded = {Nudge.REMINDER: Claimed(T, done=True)}
    assert plan(BACKUP, START, T + timedelta(minutes=29), reminded) is None
    at_2t = T + timedelta(minutes=30)
    assert plan(BACKUP, START, at_2t - SECOND, reminded) is None
    assert plan(BACKUP, START, at_2t, reminded) == Plan(Nudge.ESCALATION, (Nudge.ESCALATION,))
    both = {**reminded, Nudge.ESCALATION: Claimed(at_2t, done=True)}
    assert plan(BACKUP, START, at_2t + timedelta(hours=5), both) is None


def test_a_reminder_and_an_escalation_due_at_once_send_one_message_covering_both() -> None:
    after_downtime = T + timedelta(hours=3)
    assert due_nudges(BACKUP, START, after_downtime) == [Nudge.REMINDER, Nudge.ESCALATION]
    assert plan(BACKUP, START, after_downtime, {}) == Plan(
        Nudge.ESCALATION, (Nudge.ESCALATION, Nudge.REMINDER)
    )
    # A reminder waiting for its retry is accounted for by the escalation too.
    waiting = {Nudge.REMINDER: Claimed(T, error="ratelimited")}
    assert plan(BACKUP, START, after_downtime, waiting) == Plan(
        Nudge.ESCALATION, (Nudge.ESCALATION, Nudge.REMINDER)
    )
    # One sent (or being sent) is not claimed again.
    sent = {Nudge.REMINDER: Claimed(T, done=True)}
    assert plan(BACKUP, START, after_downtime, sent) == Plan(Nudge.ESCALATION, (Nudge.ESCALATION,))


def test_a_claimed_nudge_is_not_sent_again_and_a_refused_one_is_taken_again() -> None:
    in_flight = {Nudge.REMINDER: Claimed(T)}
    assert plan(BACKUP, START, T + SECOND, in_flight) is None
    given_up = {Nudge.REMINDER: Claimed(T, done=True, error="channel_not_found")}
    assert plan(BACKUP, START, T + SECOND, given_up) is None
    refused = {Nudge.REMINDER: Claimed(T, error="ratelimited")}
    assert plan(BACKUP, START, T + SECOND, refused) == Plan(
        Nudge.REMINDER, (Nudge.REMINDER,), retry=True
    )
    # In flight past its lease: its sender died, so it is taken again (the lease from the
    # latest take, not the first).
    assert plan(BACKUP, START, T + claims.LEASE, in_flight) is None
    past = T + claims.LEASE + SECOND
    assert plan(BACKUP, START, past, in_flight) == Plan(
        Nudge.REMINDER, (Nudge.REMINDER,), retry=True
    )
    retaken = {Nudge.REMINDER: Claimed(T, taken=past - SECOND)}
    assert plan(BACKUP, START, past, retaken) is None


def test_done_and_skipped_steps_get_nothing() -> None:
    done = replace(BACKUP, state=StepState.DONE, by="U1", at=T - SECOND)
    skipped = replace(BACKUP, state=StepState.SKIPPED, by="U1", at=T, reason="no")
    for step in (done, skipped):
        assert due_nudges(step, START, T + timedelta(days=1)) == []
        assert plan(step, START, T + timedelta(days=1), {}) is None


def test_close_waits_while_verify_is_still_to_do() -> None:
    verify, close = STEPS[StepKey.VERIFY], STEPS[StepKey.CLOSE]
    assert close.deadline == verify.deadline
    at = verify.deadline
    due = [DueStep("T1", 7, START, s, {}) for s in (verify, close)]
    assert [(d.step.key, p.send) for d, p in plans(due, at)] == [(StepKey.VERIFY, Nudge.REMINDER)]
    # Verify handled (so no longer due): close, still to do, is reminded on its own.
    assert [(d.step.key, p.send) for d, p in plans(due[1:], at)] == [
        (StepKey.CLOSE, Nudge.REMINDER)
    ]
    # Another drill's verify does not hold this one's close back.
    other = [DueStep("T1", 8, START, verify, {}), DueStep("T1", 7, START, close, {})]
    assert len(plans(other, at)) == 2


def test_a_nudge_too_late_after_a_long_downtime_is_not_sent() -> None:
    escalation = nudge_times(BACKUP, START)[Nudge.ESCALATION]
    # The reminder (due half an hour before) is past it first; the escalation at its edge.
    assert due_nudges(BACKUP, START, escalation + STALE_AFTER) == [Nudge.ESCALATION]
    assert due_nudges(BACKUP, START, escalation + STALE_AFTER + SECOND) == []


def test_a_refused_send_is_retried_within_the_window_then_given_up() -> None:
    assert not give_up(T, T + RETRY_WINDOW - SECOND)
    assert give_up(T, T + RETRY_WINDOW)


def test_redraws_are_taken_when_untried_or_refused_not_while_in_flight() -> None:
    assert redraw_due(Unrendered("T1", 1, 2, None), T)
    assert redraw_due(Unrendered("T1", 1, 2, Claimed(T, error="ratelimited")), T)
    assert not redraw_due(Unrendered("T1", 1, 2, Claimed(T)), T + claims.LEASE)
    # Taken and never drawn: its taker died; drawn again once the lease has run out.
    abandoned = T + claims.LEASE + timedelta(seconds=1)
    assert redraw_due(Unrendered("T1", 1, 2, Claimed(T)), abandoned)
    assert not redraw_due(Unrendered("T1", 1, 2, Claimed(T, taken=abandoned)), abandoned)
    assert not redraw_due(Unrendered("T1", 1, 2, Claimed(T, done=True)), abandoned)


def test_claims_name_the_step_and_its_deadline_in_utc() -> None:
    assert claim_key(12, StepKey.COMMS) == "12:comms"
    shanghai = T.astimezone(ZoneInfo("Asia/Shanghai"))
    assert slot_of(shanghai) == slot_of(T) == "2026-11-22T10:00:00+00:00"
