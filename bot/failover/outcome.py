"""Use cases of a drill's outcome: its GMV impact (from metrics or entered), what the close
does after its transition (the partner dropped, the summary), and reopening. Each change
of the drill is one versioned transition (service._transition)."""

from __future__ import annotations

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.access import Actor
from bot.errors import Forbidden, RuleError, StaleEdit
from bot.failover import impact, rules
from bot.failover.rules import Drill, Event, GmvImpact, OpenDrillExists, check_open
from bot.failover.service import _transition, drill
from bot.failover.summary import CloseSummary, Dependency, PartnerOutcome, close_summary
from bot.health.portfolio import names_of
from bot.health.service import portfolio_health
from bot.ports import Store
from bot.registry.rules import PartnerFields, Status
from bot.registry.service import change_partner

log = logging.getLogger(__name__)

DROP_ACTION = "failover"  # how the close's status change reads in the partner's history


async def compute_gmv(
    store: Store, at: datetime, zone: ZoneInfo, team_id: str, actor: Actor, drill_id: int
) -> tuple[Drill, Event]:
    """The GMV impact from the partner's and the engaged backup's recorded GMV, recorded;
    a RuleError says what is missing."""
    current = await drill(store, team_id, drill_id)
    backup = current.backup
    check_open(current)
    if backup is None:
        raise RuleError(
            "No backup is engaged yet, so there is nothing to compare with: engage one on "
            "the Backup list, or enter the GMV impact by hand."
        )
    start_day = current.started_at.astimezone(zone).date()
    since = impact.lookback(start_day)
    async with store.read() as tx:
        ours = await tx.health_points(team_id, since, current.partner_id)
        theirs = await tx.health_points(team_id, since, backup.partner_id)
    found = impact.from_metrics(
        current.partner_name, ours, backup.name, theirs, start_day, at.astimezone(zone).date()
    )

    def move(now: Drill) -> tuple[Drill, Event]:
        if now.backup is None or now.backup.partner_id != backup.partner_id:
            raise StaleEdit("The backup changed meanwhile; compute again.")
        return impact.record(now, found, actor.user_id, at)

    return await _transition(store, team_id, drill_id, move)


async def enter_gmv(
    store: Store,
    at: datetime,
    team_id: str,
    actor: Actor,
    drill_id: int,
    entered: GmvImpact,
    shown: float | None,
) -> tuple[Drill, Event]:
    """Record an impact typed in the form; shown is the impact the form was opened over, so a
    newer one recorded meanwhile is not silently replaced."""

    def move(now: Drill) -> tuple[Drill, Event]:
        if (None if now.gmv is None else now.gmv.change) != shown:
            figure = "removed" if now.gmv is None else impact.format_change(now.gmv.change)
            raise StaleEdit(
                f"The GMV impact was recorded as {figure} since this form was opened; "
                "nothing was changed. Open the form again to replace it."
            )
        return impact.record(now, entered, actor.user_id, at)

    return await _transition(store, team_id, drill_id, move)


async def drop_partner_of(
    store: Store, at: datetime, actor: Actor, closed: Drill
) -> tuple[PartnerOutcome, str]:
    """Set the drill's partner to dropped, through the registry's own change (audited, and
    refused to a closer who is neither its owner nor an admin; archived stays archived);
    what became of it, and its owner."""
    async with store.read() as tx:
        partner = await tx.partner_by_id(closed.team_id, closed.partner_id, full=False)
    if partner is None:
        return PartnerOutcome.FAILED, ""
    if partner.status in (Status.DROPPED, Status.ARCHIVED):
        done = partner.status is Status.DROPPED
        return (PartnerOutcome.ALREADY if done else PartnerOutcome.ARCHIVED), partner.owner
    reason = closed.reason or "failover drill closed"
    fields = PartnerFields(status=Status.DROPPED, drop_reason=reason)
    try:
        change = await change_partner(
            store, at, closed.team_id, actor, "", fields, DROP_ACTION, partner_id=partner.id
        )
    except Forbidden:
        return PartnerOutcome.FORBIDDEN, partner.owner
    except RuleError:
        log.warning("a closed drill's partner could not be dropped", exc_info=True)
        return PartnerOutcome.FAILED, partner.owner
    return (PartnerOutcome.DROPPED if change.diff else PartnerOutcome.ALREADY), partner.owner


async def dependency_now(store: Store, at: datetime, zone: ZoneInfo, team_id: str) -> Dependency:
    """The pool's GMV concentration and its strategic and core partners without backup, from
    the portfolio (read and assessed in a worker thread: it is pool-sized)."""
    report, _ = await portfolio_health(store, at, zone, team_id)
    first, last = report.window
    unbacked = names_of(report.unbacked)  # no Partner made for each
    return Dependency(report.gmv, (first.label, last.label), report.population.label, unbacked)


async def close_outcome(
    store: Store, at: datetime, zone: ZoneInfo, actor: Actor, closed: Drill
) -> CloseSummary:
    """After the close transition (its winner only): the partner dropped, then the summary
    from the drill as stored, its timeline and the pool as it is now."""
    partner, owner = await drop_partner_of(store, at, actor, closed)
    async with store.read() as tx:
        events = await tx.failover_timeline(closed.team_id, closed.id)
    try:
        dependency: Dependency | None = await dependency_now(store, at, zone, closed.team_id)
    except Exception:
        log.exception("the pool's dependency could not be read for a drill's summary")
        dependency = None
    return close_summary(closed, events, partner, owner, dependency)


async def reopen_drill(
    store: Store, at: datetime, team_id: str, actor: Actor, drill_id: int, version: int
) -> tuple[Drill, Event]:
    """Open a closed drill again (its starter, a step owner or an admin), from the summary of
    the close at version; refused while the partner has another drill open."""

    def move(now: Drill) -> tuple[Drill, Event]:
        if now.status is rules.DrillStatus.CLOSED and now.version != version:
            raise StaleEdit(
                "This summary is of an earlier close of the drill; use Reopen on the latest "
                "summary. Nothing was changed."
            )
        return rules.reopen(now, actor.user_id, at, actor.is_admin)

    try:
        return await _transition(store, team_id, drill_id, move)
    except OpenDrillExists:
        current = await drill(store, team_id, drill_id)
        async with store.read() as tx:
            other = await tx.open_failover_drill(team_id, current.partner_id)
        raise OtherDrillOpen(current, other) from None


class OtherDrillOpen(RuleError):
    """A reopen refused: the partner has another drill open (other, when still found)."""

    def __init__(self, closed: Drill, other: Drill | None) -> None:
        self.closed = closed
        self.other = other
        super().__init__(
            f"{closed.partner_name} has another failover drill open; finish or close that one "
            "first. Nothing was changed."
        )
