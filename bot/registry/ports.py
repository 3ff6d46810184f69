"""What the registry needs from storage: the records it exchanges and its queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple, Protocol

from bot.failover.record import DrillRecord
from bot.metrics import Period
from bot.registry.rules import Category, FieldChange, Partner, Status, Tier


@dataclass(frozen=True)
class AuditEntry:
    """One row of a partner's audit trail: who changed which field from what to what."""

    team_id: str
    actor: str
    at: datetime
    action: str
    field: str
    before: str
    after: str


@dataclass(frozen=True)
class ListFilters:
    """Filters of `/partner list`; None matches everything (archived only when asked)."""

    category: Category | None = None
    tier: Tier | None = None
    status: Status | None = None
    owner: str | None = None
    tag: str | None = None

    def as_params(self) -> dict[str, str | None]:
        return {
            "category": None if self.category is None else self.category.value,
            "tier": None if self.tier is None else self.tier.value,
            "status": None if self.status is None else self.status.value,
            "owner": self.owner,
            "tag": self.tag,
        }


class ListedPartner(NamedTuple):
    """A partner as a line of `/partner list` shows it: none of the rest is read."""

    id: int
    name: str
    category: Category
    tier: Tier
    status: Status
    owner: str


@dataclass(frozen=True)
class ListedPage:
    """A page of `/partner list` and the workspace's report version it was read at; total is
    None when that version was the one given as known (the pool was not counted again), and
    version None for a page past the end (its total counted alone)."""

    items: list[ListedPartner]
    total: int | None
    version: int | None


@dataclass(frozen=True)
class MetricRow:
    team_id: str
    partner_id: int
    period: Period
    metric: str
    value: float


@dataclass(frozen=True)
class RecordedMetric:
    """One stored metric value with its partner's name, as the metrics export writes it."""

    name: str
    period: Period
    metric: str
    value: float


class RegistryTx(Protocol):
    """Partners, their tags and backups, the audit trail and recorded metrics."""

    async def partner_by_key(
        self, team_id: str, key: str, *, full: bool = True
    ) -> Partner | None: ...
    async def partner_by_id(
        self, team_id: str, partner_id: int, *, full: bool = True
    ) -> Partner | None: ...
    async def backup_statuses(self, team_id: str, partner_id: int) -> list[tuple[str, Status]]: ...
    async def partner_names(self, team_id: str) -> list[str]: ...
    async def insert_partner(self, partner: Partner, key: str, at: datetime) -> int: ...
    async def update_partner(self, partner: Partner, key: str, at: datetime) -> datetime | None: ...
    async def replace_tags(self, team_id: str, partner_id: int, tags: tuple[str, ...]) -> None: ...
    async def replace_backups(
        self, team_id: str, partner_id: int, backup_ids: list[int]
    ) -> None: ...
    async def list_partners(
        self, team_id: str, filters: ListFilters, limit: int, offset: int
    ) -> tuple[list[ListedPartner], int]: ...
    async def list_page(
        self,
        team_id: str,
        filters: ListFilters,
        limit: int,
        offset: int,
        known: int | None = None,
    ) -> ListedPage: ...
    async def all_partners(self, team_id: str) -> list[Partner]: ...
    async def status_counts(self, team_id: str) -> dict[str, int]: ...
    async def count_owned(self, team_id: str, owner: str) -> int: ...
    async def teams(self) -> list[str]: ...
    async def add_audit(self, entry: AuditEntry, partner_id: int) -> None: ...
    async def history(
        self, team_id: str, partner_id: int, limit: int, offset: int
    ) -> tuple[list[AuditEntry], int]: ...
    async def changes_at(
        self, team_id: str, partner_id: int, at: datetime, action: str
    ) -> list[FieldChange]: ...
    async def status_before_retirement(self, team_id: str, partner_id: int) -> str | None: ...
    async def metric_value(
        self, team_id: str, partner_id: int, period: str, metric: str
    ) -> float | None: ...
    async def record_metric(
        self, row: MetricRow, actor: str, at: datetime, old: float | None
    ) -> bool: ...
    async def partner_metrics(
        self, team_id: str, partner_id: int, limit: int
    ) -> list[tuple[str, str, float]]: ...
    async def partner_card(
        self, team_id: str, key: str, periods: int, limit: int
    ) -> tuple[Partner, list[tuple[str, str, float]], DrillRecord] | None: ...
    async def team_metrics(self, team_id: str, since: date | None) -> list[RecordedMetric]: ...
