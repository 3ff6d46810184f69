"""What imports need from storage beside the registry's queries: many rows a statement."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import date, datetime
from typing import Protocol

from bot.health.rules import MetricPoint
from bot.health.summary import HealthSummary
from bot.registry.ports import AuditEntry, MetricRow
from bot.registry.rules import Partner

AuditRow = tuple[int, datetime, str, str, str]  # partner id, at, field, before, after


class BulkTx(Protocol):
    """Imports' writes, many rows a statement, compare and set as the per-row ones."""

    async def stage_metrics(self, rows: Sequence[MetricRow]) -> dict[int, float | None]: ...
    async def staged_partner_statuses(self, team_id: str) -> list[tuple[int, str, str]]: ...
    async def write_staged_metrics(self, actor: str, at: datetime) -> set[tuple[int, str, str]]: ...
    async def add_audits(self, entries: Iterable[tuple[int, AuditEntry]]) -> None: ...
    async def add_audits_of(
        self, team_id: str, actor: str, action: str, rows: Sequence[AuditRow]
    ) -> None: ...
    async def write_partners(
        self, partners: Sequence[tuple[Partner, str]], at: datetime
    ) -> tuple[dict[str, int], dict[int, datetime]]: ...
    async def replace_tags_of(
        self, team_id: str, tags: dict[int, tuple[str, ...]], new: Collection[int] = ()
    ) -> None: ...
    async def replace_backups_of(
        self, team_id: str, backups: dict[int, list[int]], new: Collection[int] = ()
    ) -> None: ...
    async def partner_ids(self, team_id: str) -> dict[str, int]: ...
    async def rule_points_of(
        self, team_id: str, ids: Iterable[int]
    ) -> dict[int, list[MetricPoint]]: ...
    async def summary_inputs_of(
        self, team_id: str, ids: Iterable[int]
    ) -> dict[int, tuple[int, str | None]]: ...
    async def metric_values_at(
        self, team_id: str, keys: Sequence[tuple[int, str]]
    ) -> list[MetricPoint]: ...
    async def roi_values_between(
        self, team_id: str, spans: Sequence[tuple[int, date, date]]
    ) -> list[MetricPoint]: ...
    async def summary_points_of(
        self, team_id: str, ids: Iterable[int]
    ) -> dict[int, list[MetricPoint]]: ...
    async def lock_summaries(self, team_id: str, ids: Iterable[int]) -> dict[int, int]: ...
    async def write_held_summaries(
        self, team_id: str, summaries: dict[int, tuple[HealthSummary, int]]
    ) -> None: ...
