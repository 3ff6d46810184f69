"""Typed payloads carried in button values and in a modal's private_metadata."""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

M = TypeVar("M", bound="Payload")


class Payload(BaseModel):
    """A small JSON payload; unpack() refuses anything that is not one of ours."""

    model_config = ConfigDict(frozen=True, extra="forbid")

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


class ListPage(Payload):
    """A page of `/partner list`, with the filters it was asked with."""

    offset: int
    category: str | None = None
    tier: str | None = None
    status: str | None = None
    owner: str | None = None
    tag: str | None = None


class HistoryPage(Payload):
    partner_id: int
    offset: int = 0


class PartnerRef(Payload):
    partner_id: int


class ModalMeta(Payload):
    """What a partner modal needs to know when it is submitted."""

    partner_id: int | None = None  # None: a new partner
    version: datetime | None = None  # the partner's updated_at when the form opened


class RateMeta(Payload):
    """What the Rate modal was opened on, so a save over a newer rating is refused."""

    partner_id: int
    rating_id: int
    changed_at: datetime | None = None


class PortfolioPage(Payload):
    """A page of the flagged partners in `/health`."""

    offset: int


class TopPage(Payload):
    """A page of `/score top`."""

    offset: int
    limit: int
    category: str | None = None


class ReviewPage(Payload):
    """A page of `/score review`, with the share it was asked with."""

    share: float
    offset: int
