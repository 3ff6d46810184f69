"""What the drill's first three steps hold, as plain data: the backup candidates ranked when
the drill started, the stop-gap measures ticked off, and where the users' message was sent.
No rules here, so the drill itself (rules.Drill) can carry them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.health.rules import HealthStatus
from bot.registry.rules import Status


class Language(StrEnum):
    """The language of the users' message draft (PARTNERBOT_LANGUAGE)."""

    EN = "en"
    ZH = "zh"


@dataclass(frozen=True)
class Candidate:
    """A partner that could take over, as ranked when the drill started: its fit score
    (None: not scored), health and owner then; status is the partner's as read now."""

    partner_id: int
    name: str
    score: float | None
    health: HealthStatus
    owner: str
    registered: bool  # one of the dropping partner's registered backups
    status: Status = Status.ACTIVE


class Measure(StrEnum):
    """The transitional traffic takeover's stop-gap measures (domain.md §4, step 2)."""

    FEED_ADS = "feed_ads"
    KOC_MATRIX = "koc_matrix"
    OTHER = "other"


MEASURE_TITLES = {
    Measure.FEED_ADS: "Information-feed ads",
    Measure.KOC_MATRIX: "KOC matrix",
    Measure.OTHER: "Other",
}


@dataclass(frozen=True)
class MeasureTick:
    """A measure ticked off, with its note (may be empty), by whom and when."""

    measure: Measure
    note: str
    by: str
    at: datetime


@dataclass(frozen=True)
class Sending:
    """The users' message recorded as sent: where (as typed), by whom and when."""

    where: str
    by: str
    at: datetime
