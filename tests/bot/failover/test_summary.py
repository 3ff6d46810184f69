"""The close summary: durations from the start, each deadline met or missed at the exact
second, no backup and no GMV, the dependency advice; and the reopen transition."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.errors import RuleError
from bot.failover import rules
from bot.failover.rules import (
    Backup,
    Drill,
    DrillStatus,
    Event,
    EventKind,
    GmvImpact,
    GmvSource,
    StepKey,
    StepState,
)
from bot.failover.summary import Dependency, PartnerOutcome, close_summary, handled
from bot.health.concentration import Concentration, Share

AT = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
STARTER, OTHER = "U0STARTER", "U0OTHER"


def closed(
    backup_at: timedelta = timedelta(minutes=30),
    verify_at: timedelta = timedelta(hours=24),
    **extra: object,
) -> Drill:
    """A drill with backup done at backup_at, takeover skipped, comms done late, verify done
    at verify_at and closed a minute later."""
    steps = rules.new_steps(STARTER, AT, rules.SLA_DEFAULTS)
    drill = Drill(7, "T1", 3, "Acme", "C1", "left", STARTER, AT, steps)
    drill, _ = rules.complete(drill, StepKey.BACKUP, OTHER, AT + backup_at)
    drill, _ = rules.skip(drill, StepKey.TAKEOVER, STARTER, AT + timedelta(hours=1), "no ads")
    drill, _ = rules.complete(drill, StepKey.COMMS, OTHER, AT + timedelta(hours=5))
    drill, _ = rules.complete(drill, StepKey.VERIFY, OTHER, AT + verify_at)
    drill, _ = rules.complete(drill, StepKey.CLOSE, STARTER, AT + verify_at + timedelta(minutes=1))
    return replace(drill, **extra)  # type: ignore[arg-type]


def test_each_step_with_its_time_from_the_start_and_its_deadline_met_at_the_exact_second() -> None:
    summary = close_summary(closed(), [], PartnerOutcome.DROPPED, STARTER, None)
    backup, takeover, comms, verify, close = summary.steps
    assert (backup.elapsed, backup.allowed, backup.met) == (
        timedelta(minutes=30),
        timedelta(minutes=30),
        True,
    )
    assert takeover.step.state is StepState.SKIPPED and takeover.met is True
    assert (comms.elapsed, comms.met) == (timedelta(hours=5), False)
    assert verify.met is True  # at exactly 24 hours
    assert close.met is False  # a minute past the 24 hours it shares with verify
    assert summary.duration == timedelta(hours=24, minutes=1)
    assert summary.closed_by == STARTER
    assert handled(summary) == (4, 1, 2)


def test_a_second_past_the_deadline_is_missed() -> None:
    summary = close_summary(
        closed(backup_at=timedelta(minutes=30, seconds=1)), [], PartnerOutcome.DROPPED, "", None
    )
    assert summary.steps[0].met is False


def test_no_backup_and_no_gmv() -> None:
    summary = close_summary(closed(), [], PartnerOutcome.ALREADY, STARTER, None)
    assert summary.backup is None and summary.gmv is None and summary.gmv_within is None
    assert not summary.backup_unbacked and not summary.backup_dominates


def test_the_gmv_against_the_benchmark_and_the_backup_as_the_next_single_point() -> None:
    backup = Backup(9, "Beta", OTHER, AT + timedelta(minutes=20))
    gmv = GmvImpact(-0.08, GmvSource.ENTERED)
    shares = (Share(9, "Beta", 900.0, 90.0), Share(4, "Gamma", 100.0, 10.0))
    pool = Concentration("gmv", 1000.0, shares, 8200.0, "highly concentrated")
    dependency = Dependency(pool, ("2026-W44", "2026-W47"), "active and paused", ("Beta",))
    drill = closed(backup=backup, gmv=gmv)
    summary = close_summary(drill, [], PartnerOutcome.DROPPED, STARTER, dependency)
    assert summary.gmv_within is True
    assert summary.backup_unbacked and summary.backup_dominates
    worse = close_summary(
        replace(drill, gmv=GmvImpact(-0.0801, GmvSource.ENTERED)),
        [],
        PartnerOutcome.DROPPED,
        STARTER,
        replace(dependency, gmv=replace(pool, band="moderately concentrated"), unbacked=()),
    )
    assert worse.gmv_within is False
    assert not worse.backup_unbacked and not worse.backup_dominates


def test_reopenings_are_counted_from_the_timeline() -> None:
    events = [
        Event(EventKind.CLOSED, STARTER, AT),
        Event(EventKind.REOPENED, STARTER, AT),
        Event(EventKind.CLOSED, STARTER, AT),
    ]
    summary = close_summary(closed(), events, PartnerOutcome.DROPPED, STARTER, None)
    assert summary.reopened == 1


def test_an_open_drill_has_no_summary() -> None:
    drill = Drill(7, "T1", 3, "Acme", "C1", "", STARTER, AT, ())
    with pytest.raises(ValueError, match="closed"):
        close_summary(drill, [], PartnerOutcome.DROPPED, STARTER, None)


@pytest.mark.parametrize(("who", "admin"), [(STARTER, False), (OTHER, False), ("U0ADMIN", True)])
def test_reopen_by_the_starter_a_step_owner_or_an_admin(who: str, admin: bool) -> None:
    before = closed()  # OTHER did steps but owns none until comms is given to them
    comms_to_other = (
        replace(s, owner=OTHER) if s.key is StepKey.COMMS else s for s in before.steps
    )
    drill = replace(before, steps=tuple(comms_to_other))
    later = AT + timedelta(days=2)
    after, event = rules.reopen(drill, who, later, admin)
    assert after.status is DrillStatus.OPEN and after.closed_at is None
    close = after.step(StepKey.CLOSE)
    assert (close.state, close.by, close.at) == (StepState.TODO, None, None)
    # Due as long after the reopening as it was after the start (24 hours by default).
    assert close.deadline == later + (drill.step(StepKey.CLOSE).deadline - drill.started_at)
    assert [s for s in after.steps if s.key is not StepKey.CLOSE] == [
        s for s in drill.steps if s.key is not StepKey.CLOSE
    ]
    assert (event.kind, event.actor, event.at, event.step) == (
        EventKind.REOPENED,
        who,
        later,
        StepKey.CLOSE,
    )


def test_reopen_is_refused_to_others_and_on_an_open_drill() -> None:
    for stranger in ("U0STRANGER", OTHER):  # OTHER did steps, but owns none
        with pytest.raises(RuleError, match="Only the drill's starter, a step owner or a"):
            rules.reopen(closed(), stranger, AT, False)
    with pytest.raises(RuleError, match="open already"):
        rules.reopen(replace(closed(), status=DrillStatus.OPEN), STARTER, AT, True)


def test_a_done_on_close_that_lost_to_the_close_says_who_closed_it() -> None:
    with pytest.raises(rules.StepAlreadyHandled) as lost:
        rules.complete(closed(), StepKey.CLOSE, OTHER, AT)
    assert lost.value.step.by == STARTER and lost.value.step.key is StepKey.CLOSE
