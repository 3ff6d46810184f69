"""The close summary of a drill (domain.md §4, step 5): each step's outcome with its time
from the start and its deadline met or missed, the backup engaged, the GMV impact against
the benchmark, the pool's dependency on a single partner now, and what would avoid the
next scramble. Pure: built from the closed drill, its timeline and a portfolio report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from bot.failover.impact import within_benchmark
from bot.failover.rules import (
    Backup,
    Drill,
    Event,
    EventKind,
    GmvImpact,
    Step,
    StepKey,
    StepState,
)
from bot.health.concentration import Concentration

UNBACKED_SHOWN = 10  # strategic and core partners without backup named, then a count


class PartnerOutcome(StrEnum):
    """What the close did to the dropped partner's status in the registry."""

    DROPPED = "dropped"  # set to dropped now, audited
    ALREADY = "already"  # it was dropped already
    ARCHIVED = "archived"  # archived: left as it is
    FORBIDDEN = "forbidden"  # the closer may not change it (not its owner, not an admin)
    FAILED = "failed"  # the change could not be written


@dataclass(frozen=True)
class StepOutcome:
    """One step as the drill closed: who handled it, when, how long after the start, and
    whether that was by its deadline (exactly at the deadline is in time)."""

    step: Step
    elapsed: timedelta | None  # from the start to when it was handled
    allowed: timedelta  # from the start to its deadline

    @property
    def met(self) -> bool | None:
        if self.step.at is None:
            return None
        return self.step.at <= self.step.deadline


@dataclass(frozen=True)
class Dependency:
    """The pool's dependency on one partner now, from the portfolio report."""

    gmv: Concentration | None  # None when the window has no GMV recorded
    window: tuple[str, str]  # its first and last ISO week
    population: str  # `active and paused partners`
    unbacked: tuple[str, ...]  # strategic and core partners with no backup, strategic first


@dataclass(frozen=True)
class CloseSummary:
    drill: Drill
    closed_by: str
    steps: tuple[StepOutcome, ...]
    duration: timedelta
    reopened: int  # how many times the drill was reopened before this close
    partner: PartnerOutcome
    owner: str  # the partner's owner, named when the closer could not drop it
    dependency: Dependency | None  # None when the pool could not be read

    @property
    def backup(self) -> Backup | None:
        return self.drill.backup

    @property
    def gmv(self) -> GmvImpact | None:
        return self.drill.gmv

    @property
    def gmv_within(self) -> bool | None:
        """Whether the recorded GMV impact is within the benchmark; None when not recorded."""
        return None if self.drill.gmv is None else within_benchmark(self.drill.gmv.change)

    @property
    def backup_unbacked(self) -> bool:
        """The backup now carrying the traffic has no backup of its own (it is strategic or
        core): the next single point of dependency."""
        if self.backup is None or self.dependency is None:
            return False
        return self.backup.name in self.dependency.unbacked

    @property
    def backup_dominates(self) -> bool:
        """The backup engaged holds the largest GMV share of a highly concentrated pool."""
        if self.backup is None or self.dependency is None or self.dependency.gmv is None:
            return False
        gmv = self.dependency.gmv
        return gmv.highly_concentrated and gmv.largest.partner_id == self.backup.partner_id


def close_summary(
    drill: Drill,
    events: list[Event],
    partner: PartnerOutcome,
    owner: str,
    dependency: Dependency | None,
) -> CloseSummary:
    """The summary of a drill just closed (closed_at set), from its stored state."""
    if drill.closed_at is None:
        raise ValueError("a summary is of a closed drill")
    start = drill.started_at
    outcomes = tuple(
        StepOutcome(s, None if s.at is None else s.at - start, s.deadline - start)
        for s in drill.steps
    )
    closed_by = drill.step(StepKey.CLOSE).by or drill.starter
    reopened = sum(e.kind is EventKind.REOPENED for e in events)
    return CloseSummary(
        drill,
        closed_by,
        outcomes,
        drill.closed_at - start,
        reopened,
        partner,
        owner,
        dependency,
    )


def handled(summary: CloseSummary) -> tuple[int, int, int]:
    """Steps done, skipped, and handled past their deadline."""
    done = sum(o.step.state is StepState.DONE for o in summary.steps)
    skipped = sum(o.step.state is StepState.SKIPPED for o in summary.steps)
    late = sum(o.met is False for o in summary.steps)
    return done, skipped, late
