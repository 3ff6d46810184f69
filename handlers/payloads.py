"""Typed payloads carried in button values and in a modal's private_metadata.

A button's payload class owns its action id (`action_id`), builds its button (`button()`)
and is unpacked once, before the listener runs (`handlers.buttons.on_button`): a value that
does not unpack never reaches a listener.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from bot.failover.content import Measure
from bot.failover.rules import StepKey
from handlers.blocks import Block, actions, button
from handlers.ids import (
    AlertsAction,
    DigestAction,
    FailoverAction,
    HealthAction,
    HomeAction,
    PartnerAction,
    ScoreAction,
)

M = TypeVar("M", bound="Payload")
# Every id, version, offset and count a payload carries fits the databases' 64-bit integers,
# so a forged one is refused when unpacked instead of overflowing a query.
Count = Annotated[int, Field(ge=0, le=2**63 - 1)]


class Payload(BaseModel):
    """A small JSON payload; unpack() refuses anything that is not one of ours."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    action_id: ClassVar[str] = ""  # set by a payload that a button carries

    def pack(self) -> str:
        return self.model_dump_json(exclude_none=True)

    @classmethod
    def unpack(cls: type[M], raw: str | None) -> M | None:
        if not raw:
            return None
        try:
            return cls.model_validate_json(raw)
        except ValidationError:
            return None

    def button(self, text: str, style: str | None = None) -> dict[str, Any]:
        """The button that carries this payload to its listener."""
        if not self.action_id:
            raise TypeError(f"{type(self).__name__} is not carried by a button")
        return button(text, self.action_id, self.pack(), style=style)


def pager(
    previous: Payload | None,
    following: Payload | None,
    block_id: str,
    labels: tuple[str, str] = ("Previous", "Next"),
) -> list[Block]:
    """The Previous/Next row of a paged answer: no block when there is one page."""
    nav = [p.button(label) for p, label in zip((previous, following), labels, strict=True) if p]
    return [actions(nav, block_id=block_id)] if nav else []


# The registry


class ListPage(Payload):
    """A page of `/partner list`, with the filters it was asked with."""

    action_id: ClassVar[str] = PartnerAction.LIST_PAGE
    offset: Count
    category: str | None = None
    tier: str | None = None
    status: str | None = None
    owner: str | None = None
    tag: str | None = None


class HistoryPage(Payload):
    action_id: ClassVar[str] = PartnerAction.HISTORY_PAGE
    partner_id: Count
    offset: Count = 0


class PartnerRef(Payload):
    """A partner, by id, in the workspace of the click."""

    partner_id: Count


class EditPartner(PartnerRef):
    action_id: ClassVar[str] = PartnerAction.EDIT


class ShowHistory(PartnerRef):
    action_id: ClassVar[str] = PartnerAction.HISTORY


Undoable = Literal["drop", "archive", "retire"]


class UndoChange(PartnerRef):
    """Undo on the answer to a drop, an archive or a retirement: which change, and the
    partner's updated_at right after it, so a change made since refuses the Undo."""

    action_id: ClassVar[str] = PartnerAction.UNDO
    change: Undoable
    version: AwareDatetime


class ModalMeta(Payload):
    """What a partner modal needs to know when it is submitted."""

    partner_id: Count | None = None  # None: a new partner
    version: datetime | None = None  # the partner's updated_at when the form opened


# Health


class PortfolioPage(Payload):
    """A page of the flagged partners in `/health`."""

    action_id: ClassVar[str] = HealthAction.PORTFOLIO_PAGE
    offset: Count


# Alerts


class AlertHealth(PartnerRef):
    """ "Open health" on a channel alert: the partner's health, for the clicker alone."""

    action_id: ClassVar[str] = AlertsAction.HEALTH


# Scoring


class RatePartner(PartnerRef):
    action_id: ClassVar[str] = ScoreAction.RATE


class RadarChart(PartnerRef):
    action_id: ClassVar[str] = ScoreAction.CHART


class RetirePartner(PartnerRef):
    action_id: ClassVar[str] = ScoreAction.RETIRE


class RateMeta(Payload):
    """What the Rate modal was opened on, so a save over a newer rating is refused."""

    partner_id: Count
    rating_id: Count
    changed_at: datetime | None = None


class TopPage(Payload):
    """A page of `/score top`."""

    action_id: ClassVar[str] = ScoreAction.TOP_PAGE
    offset: Count
    limit: Count
    category: str | None = None


class ReviewPage(Payload):
    """A page of `/score review`, with the share it was asked with."""

    action_id: ClassVar[str] = ScoreAction.REVIEW_PAGE
    share: float
    offset: Count


# Home


class AddPartnerFromHome(Payload):
    """The Home tab's "Add a partner": opens the add form."""

    action_id: ClassVar[str] = HomeAction.ADD_PARTNER


class RecordMetricsFromHome(Payload):
    """The Home tab's "Record metrics": opens the metrics form."""

    action_id: ClassVar[str] = HomeAction.RECORD_METRICS


class DigestScheduleRef(Payload):
    """A digest schedule, by id, in the workspace of the click."""

    schedule_id: Count


class PauseDigestFromHome(DigestScheduleRef):
    """Pause on a Home tab's digest row: the same change as `/digest pause ID`."""

    action_id: ClassVar[str] = HomeAction.PAUSE_DIGEST


class ResumeDigestFromHome(DigestScheduleRef):
    """Resume on a Home tab's digest row: the same change as `/digest resume ID`."""

    action_id: ClassVar[str] = HomeAction.RESUME_DIGEST


class PreviewDigestFromHome(Payload):
    """The Home tab's "Preview a digest": the workspace's digest in a modal."""

    action_id: ClassVar[str] = HomeAction.PREVIEW_DIGEST


# Digests


class DigestDetails(PartnerRef):
    """Details on a digest's alert: the partner's health, shown to the clicker alone."""

    action_id: ClassVar[str] = DigestAction.DETAILS


# Failover drills


class DrillStep(Payload):
    """A step of a drill, and the drill's version when the checklist was rendered."""

    drill_id: Count
    step: StepKey
    version: Count


class StepDone(DrillStep):
    action_id: ClassVar[str] = FailoverAction.STEP_DONE


class StepSkip(DrillStep):
    action_id: ClassVar[str] = FailoverAction.STEP_SKIP


class StepAssign(DrillStep):
    """Carried in the block_id of a step's user picker: a select has no value of its own."""

    action_id: ClassVar[str] = FailoverAction.STEP_ASSIGN

    def picker(self) -> dict[str, Any]:
        """The users_select that gives the step to someone else."""
        return {
            "type": "users_select",
            "action_id": self.action_id,
            "placeholder": {"type": "plain_text", "text": "Assign", "emoji": True},
        }


class SkipMeta(DrillStep):
    """What the Skip modal was opened on."""


class StartDrill(PartnerRef):
    """ "Start failover drill" on a drop's answer, a red health report, a digest's red alert
    or a channel alert: a drill on the partner, in the channel the button was pressed in."""

    action_id: ClassVar[str] = FailoverAction.START

    def start_button(self) -> dict[str, Any]:
        return self.button("Start failover drill", style="danger")


class DrillRef(Payload):
    """A drill, and its version when the message carrying the button was drawn."""

    drill_id: Count
    version: Count


class EngageBackup(Payload):
    """Engage on a ranked candidate: the drill, the partner, the drill's version when drawn
    and the backup it showed (seen; none when none was engaged), so an Engage drawn before
    someone else engaged another backup does not silently replace it."""

    action_id: ClassVar[str] = FailoverAction.ENGAGE
    drill_id: Count
    partner_id: Count
    version: Count
    seen: Count | None = None


class TickMeasure(Payload):
    """A stop-gap measure's button: opens the form for its note."""

    action_id: ClassVar[str] = FailoverAction.TICK_MEASURE
    drill_id: Count
    measure: Measure
    version: Count


class MeasureMeta(Payload):
    """What a measure's form was opened on: when the measure was ticked then (None: not)."""

    drill_id: Count
    measure: Measure
    seen: AwareDatetime | None = None


class RecordSending(DrillRef):
    """Record sending under the users' message draft: opens the form asking where."""

    action_id: ClassVar[str] = FailoverAction.RECORD_SENDING


class ComputeGmv(DrillRef):
    """Compute from metrics on the verify step: the GMV impact from recorded GMV."""

    action_id: ClassVar[str] = FailoverAction.GMV_COMPUTE


class EnterGmv(DrillRef):
    """Enter GMV impact on the verify step: the form."""

    action_id: ClassVar[str] = FailoverAction.GMV_ENTER


class GmvMeta(DrillRef):
    """What the GMV form was opened over: the impact recorded then (a fraction), if any."""

    shown: float | None = None


class ReopenDrill(DrillRef):
    """Reopen on a close summary: the version is the close's."""

    action_id: ClassVar[str] = FailoverAction.REOPEN


class SendingMeta(Payload):
    """What the Record sending form was opened on."""

    drill_id: Count


class RankAgain(DrillRef):
    """Rank again, under an empty list of candidates (once backups are registered)."""

    action_id: ClassVar[str] = FailoverAction.RANK_AGAIN
