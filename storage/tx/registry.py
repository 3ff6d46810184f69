"""The registry's queries: partners, their tags and backups, the audit trail, metrics."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot.registry.ports import AuditEntry, ListFilters, MetricRow
from bot.registry.rules import Category, Partner, Status, Tier
from storage.tx.base import Queries, from_utc_text, utc_text


def _partner(
    row: Mapping[str, Any], tags: tuple[str, ...] = (), backups: tuple[str, ...] = ()
) -> Partner:
    return Partner(
        id=int(row["id"]),
        team_id=row["team_id"],
        name=row["name"],
        category=Category(row["category"]),
        tier=Tier(row["tier"]),
        status=Status(row["status"]),
        owner=row["owner"],
        contacts=row["contacts"],
        notes=row["notes"],
        drop_reason=row["drop_reason"],
        success_cases=int(row["success_cases"]),
        tags=tags,
        backups=backups,
        created_at=from_utc_text(row["created_at"]),
        updated_at=from_utc_text(row["updated_at"]),
    )


def _partners(
    rows: list[Mapping[str, Any]],
    tag_rows: list[Mapping[str, Any]],
    backup_rows: list[Mapping[str, Any]],
) -> list[Partner]:
    tags: dict[int, list[str]] = {}
    for r in tag_rows:
        tags.setdefault(int(r["partner_id"]), []).append(r["tag"])
    backups: dict[int, list[str]] = {}
    for r in backup_rows:
        backups.setdefault(int(r["partner_id"]), []).append(r["name"])
    return [
        _partner(r, tuple(tags.get(r["id"], ())), tuple(backups.get(r["id"], ()))) for r in rows
    ]


class RegistryQueries(Queries):
    """Partners, tags, backups, the audit trail and recorded metrics."""

    async def partner_by_key(self, team_id: str, key: str, *, full: bool = True) -> Partner | None:
        row = await self._q.partner_by_key(self._conn, team_id=team_id, name_key=key)
        return None if row is None else await self._complete(row, full)

    async def partner_by_id(
        self, team_id: str, partner_id: int, *, full: bool = True
    ) -> Partner | None:
        row = await self._q.partner_by_id(self._conn, team_id=team_id, id=partner_id)
        return None if row is None else await self._complete(row, full)

    async def _complete(self, row: Mapping[str, Any], full: bool) -> Partner:
        if not full:
            return _partner(row)
        team_id, pid = row["team_id"], row["id"]
        tags = await self._rows("partner_tags", team_id=team_id, partner_id=pid)
        backups = await self._rows("partner_backups", team_id=team_id, partner_id=pid)
        return _partner(row, tuple(r["tag"] for r in tags), tuple(r["name"] for r in backups))

    async def backup_statuses(self, team_id: str, partner_id: int) -> list[tuple[str, Status]]:
        rows = await self._rows("backup_statuses", team_id=team_id, partner_id=partner_id)
        return [(r["name"], Status(r["status"])) for r in rows]

    async def partner_names(self, team_id: str) -> list[str]:
        return [r["name"] for r in await self._rows("partner_names", team_id=team_id)]

    async def insert_partner(self, partner: Partner, key: str, at: datetime) -> int:
        row = await self._q.insert_partner(
            self._conn, **self._partner_params(partner, key), at=utc_text(at)
        )
        return int(row[0])

    async def update_partner(self, partner: Partner, key: str, at: datetime) -> None:
        await self._q.update_partner(
            self._conn, **self._partner_params(partner, key), id=partner.id, at=utc_text(at)
        )

    @staticmethod
    def _partner_params(partner: Partner, key: str) -> dict[str, Any]:
        return {
            "team_id": partner.team_id,
            "name": partner.name,
            "name_key": key,
            "category": partner.category.value,
            "tier": partner.tier.value,
            "status": partner.status.value,
            "owner": partner.owner,
            "contacts": partner.contacts,
            "notes": partner.notes,
            "drop_reason": partner.drop_reason,
            "success_cases": partner.success_cases,
        }

    async def replace_tags(self, team_id: str, partner_id: int, tags: tuple[str, ...]) -> None:
        await self._q.delete_tags(self._conn, team_id=team_id, partner_id=partner_id)
        for position, tag in enumerate(tags):
            await self._q.insert_tag(
                self._conn, team_id=team_id, partner_id=partner_id, tag=tag, position=position
            )

    async def replace_backups(self, team_id: str, partner_id: int, backup_ids: list[int]) -> None:
        await self._q.delete_backups(self._conn, team_id=team_id, partner_id=partner_id)
        for position, backup_id in enumerate(backup_ids):
            await self._q.insert_backup(
                self._conn,
                team_id=team_id,
                partner_id=partner_id,
                backup_id=backup_id,
                position=position,
            )

    async def list_partners(
        self, team_id: str, filters: ListFilters, limit: int, offset: int
    ) -> tuple[list[Partner], int]:
        params = {"team_id": team_id, **filters.as_params()}
        rows = await self._rows("list_partners", **params, limit=limit, offset=offset)
        total = await self._q.count_partners(self._conn, **params)
        return [_partner(r) for r in rows], int(total)

    async def all_partners(self, team_id: str) -> list[Partner]:
        rows = await self._fetchall("all_partners", team_id=team_id)
        tags = await self._fetchall("team_tags", team_id=team_id)
        backups = await self._fetchall("team_backups", team_id=team_id)
        # Thousands of partners with their dates parsed: CPU kept off the event loop.
        return await asyncio.to_thread(_partners, rows, tags, backups)

    async def status_counts(self, team_id: str) -> dict[str, int]:
        rows = await self._rows("status_counts", team_id=team_id)
        return {r["status"]: int(r["n"]) for r in rows}

    async def count_owned(self, team_id: str, owner: str) -> int:
        return int(await self._q.count_owned(self._conn, team_id=team_id, owner=owner))

    async def teams(self) -> list[str]:
        return [r["team_id"] for r in await self._rows("teams")]

    # audit
    async def add_audit(self, entry: AuditEntry, partner_id: int) -> None:
        await self._q.insert_audit(
            self._conn,
            team_id=entry.team_id,
            partner_id=partner_id,
            actor=entry.actor,
            at=utc_text(entry.at),
            action=entry.action,
            field=entry.field,
            before=entry.before,
            after=entry.after,
        )

    async def history(
        self, team_id: str, partner_id: int, limit: int, offset: int
    ) -> tuple[list[AuditEntry], int]:
        rows = await self._rows(
            "history", team_id=team_id, partner_id=partner_id, limit=limit, offset=offset
        )
        total = await self._q.count_history(self._conn, team_id=team_id, partner_id=partner_id)
        entries = [
            AuditEntry(
                team_id=team_id,
                actor=r["actor"],
                at=from_utc_text(r["at"]),
                action=r["action"],
                field=r["field"],
                before=r["before"],
                after=r["after"],
            )
            for r in rows
        ]
        return entries, int(total)

    async def status_before_retirement(self, team_id: str, partner_id: int) -> str | None:
        row = await self._q.status_before_retirement(
            self._conn, team_id=team_id, partner_id=partner_id
        )
        return None if row is None else str(row["before"])

    # metrics
    async def metric_value(
        self, team_id: str, partner_id: int, period: str, metric: str
    ) -> float | None:
        value = await self._q.metric_value(
            self._conn, team_id=team_id, partner_id=partner_id, period=period, metric=metric
        )
        return None if value is None else float(value)

    async def upsert_metric(self, row: MetricRow, actor: str, at: datetime) -> None:
        await self._q.upsert_metric(
            self._conn,
            team_id=row.team_id,
            partner_id=row.partner_id,
            period=row.period.label,
            period_kind=row.period.kind,
            period_start=row.period.start.isoformat(),
            period_end=row.period.end.isoformat(),
            metric=row.metric,
            value=row.value,
            actor=actor,
            at=utc_text(at),
        )

    async def partner_metrics(
        self, team_id: str, partner_id: int, limit: int
    ) -> list[tuple[str, str, float]]:
        rows = await self._rows(
            "partner_metrics", team_id=team_id, partner_id=partner_id, limit=limit
        )
        return [(r["period"], r["metric"], float(r["value"])) for r in rows]
