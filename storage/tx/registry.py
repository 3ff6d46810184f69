"""The registry's queries: partners, their tags and backups, the audit trail, metrics."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from bot.errors import NameTaken
from bot.metrics import Period
from bot.registry.ports import (
    AuditEntry,
    ListedPage,
    ListedPartner,
    ListFilters,
    MetricRow,
    RecordedMetric,
)
from bot.registry.rules import Category, FieldChange, Partner, Status, Tier
from storage.tx.base import Dialect, Queries
from storage.tx.registry_list import (
    FIRST_PAGE_ROWS,
    count_name,
    first_name,
    given_filters,
    known_name,
    list_queries,
    query_name,
)

_TICK = timedelta(microseconds=1)


def _name_clash(err: Exception) -> bool:
    """The unique (team_id, name_key) constraint refused a row, on either engine."""
    if isinstance(err, sqlite3.IntegrityError):
        return "partners.name_key" in str(err)
    return "name_key" in (getattr(err, "constraint_name", None) or "")


# The enums by stored value: a dict lookup is a fifth of Enum(value)'s cost, paid per row.
_CATEGORIES = {c.value: c for c in Category}
_TIERS = {t.value: t for t in Tier}
_STATUSES = {s.value: s for s in Status}


def _partner(
    d: Dialect, row: Mapping[str, Any], tags: tuple[str, ...] = (), backups: tuple[str, ...] = ()
) -> Partner:
    return Partner(
        id=int(row["id"]),
        team_id=row["team_id"],
        name=row["name"],
        category=_CATEGORIES[row["category"]],
        tier=_TIERS[row["tier"]],
        status=_STATUSES[row["status"]],
        owner=row["owner"],
        contacts=row["contacts"],
        notes=row["notes"],
        drop_reason=row["drop_reason"],
        success_cases=int(row["success_cases"]),
        tags=tags,
        backups=backups,
        created_at=d.moment(row["created_at"]),
        updated_at=d.moment(row["updated_at"]),
    )


def _partners(
    dialect: Dialect,
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
        _partner(dialect, r, tuple(tags.get(r["id"], ())), tuple(backups.get(r["id"], ())))
        for r in rows
    ]


def metric_params(row: MetricRow, dialect: Dialect) -> dict[str, Any]:
    """A metric value's columns as the metric queries bind them."""
    return {
        "team_id": row.team_id,
        "partner_id": row.partner_id,
        "period": row.period.label,
        "period_kind": row.period.kind,
        "period_start": dialect.day(row.period.start),
        "period_end": dialect.day(row.period.end),
        "metric": row.metric,
        "value": float(row.value),
    }


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
            return _partner(self._d, row)
        team_id, pid = row["team_id"], row["id"]
        extras = await self._rows("partner_extras", team_id=team_id, partner_id=pid)
        tags = tuple(r["value"] for r in extras if r["kind"] == "tag")
        backups = tuple(r["value"] for r in extras if r["kind"] == "backup")
        return _partner(self._d, row, tags, backups)

    async def backup_statuses(self, team_id: str, partner_id: int) -> list[tuple[str, Status]]:
        rows = await self._rows("backup_statuses", team_id=team_id, partner_id=partner_id)
        return [(r["name"], Status(r["status"])) for r in rows]

    async def partner_names(self, team_id: str) -> list[str]:
        return [r["name"] for r in await self._rows("partner_names", team_id=team_id)]

    async def insert_partner(self, partner: Partner, key: str, at: datetime) -> int:
        """The new partner's id; NameTaken when the workspace has the name already."""
        self.reports_changed(partner.team_id)
        params = self._partner_params(partner, key)
        try:
            row = await self._q.insert_partner(self._conn, **params, at=self._d.stamp(at))
        except self._d.integrity_error() as err:
            if _name_clash(err):
                raise NameTaken(partner.name) from None
            raise
        return int(row[0])

    async def update_partner(self, partner: Partner, key: str, at: datetime) -> datetime | None:
        """Write a partner over the version it was read at (partner.updated_at); return the
        new version, or None when another change landed in between. The new version is
        later than the old even when the clocks say otherwise, so it always differs."""
        if partner.updated_at is None:
            raise ValueError("update_partner needs the partner as read, with its updated_at")
        self.reports_changed(partner.team_id)
        stamp = max(at, partner.updated_at + _TICK)
        try:
            row = await self._q.update_partner(
                self._conn,
                **self._partner_params(partner, key),
                id=partner.id,
                at=self._d.stamp(stamp),
                version=self._d.stamp(partner.updated_at),
            )
        except self._d.integrity_error() as err:
            if _name_clash(err):
                raise NameTaken(partner.name) from None
            raise
        return None if row is None else stamp

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
        self.reports_changed(team_id)
        await self._q.delete_tags(self._conn, team_id=team_id, partner_id=partner_id)
        for position, tag in enumerate(tags):
            await self._q.insert_tag(
                self._conn, team_id=team_id, partner_id=partner_id, tag=tag, position=position
            )

    async def replace_backups(self, team_id: str, partner_id: int, backup_ids: list[int]) -> None:
        self.reports_changed(team_id)
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
    ) -> tuple[list[ListedPartner], int]:
        page = await self.list_page(team_id, filters, limit, offset)
        assert page.total is not None  # counted: no version was given as known
        return page.items, page.total

    async def list_page(
        self,
        team_id: str,
        filters: ListFilters,
        limit: int,
        offset: int,
        known: int | None = None,
    ) -> ListedPage:
        """A page with the report version it was read at and the total, counted in the same
        statement unless that version is known (storage/tx/registry_list.py)."""
        given_params = filters.as_params()
        given = given_filters(given_params)
        params: dict[str, Any] = {"team_id": team_id, **{f: given_params[f] for f in given}}
        listed = list_queries(self._d.adapter)
        window: dict[str, Any] = {"limit": limit, "offset": offset}
        if known is None:
            page = getattr(listed, query_name(given))
        elif (limit, offset) == (FIRST_PAGE_ROWS, 0):  # its LIMIT written in: a kept plan
            page, params["known"], window = getattr(listed, first_name(given)), known, {}
        else:
            page, params["known"] = getattr(listed, known_name(given)), known
        rows = await self._rows_of(page, **params, **window)
        if rows:
            total = rows[0]["total"]
            return ListedPage(
                [
                    ListedPartner(
                        int(r[0]), r[1], _CATEGORIES[r[2]], _TIERS[r[3]], _STATUSES[r[4]], r[5]
                    )
                    for r in rows
                ],
                None if total is None else int(total),
                int(rows[0]["report_version"]),
            )
        # Past the end (or nothing matches): no row carries the total, so count alone.
        params.pop("known", None)
        total = int(await getattr(listed, count_name(given))(self._conn, **params))
        return ListedPage([], total, None)

    async def all_partners(self, team_id: str) -> list[Partner]:
        rows = await self._fetchall("all_partners", team_id=team_id)
        tags = await self._fetchall("team_tags", team_id=team_id)
        backups = await self._fetchall("team_backups", team_id=team_id)
        # Thousands of partners with their dates parsed: CPU kept off the event loop.
        return await asyncio.to_thread(_partners, self._d, rows, tags, backups)

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
            at=self._d.stamp(entry.at),
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
                at=self._d.moment(r["at"]),
                action=r["action"],
                field=r["field"],
                before=r["before"],
                after=r["after"],
            )
            for r in rows
        ]
        return entries, int(total)

    async def changes_at(
        self, team_id: str, partner_id: int, at: datetime, action: str
    ) -> list[FieldChange]:
        rows = await self._rows(
            "changes_at",
            team_id=team_id,
            partner_id=partner_id,
            at=self._d.stamp(at),
            action=action,
        )
        return [FieldChange(r["field"], r["before"], r["after"]) for r in rows]

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

    async def record_metric(
        self, row: MetricRow, actor: str, at: datetime, old: float | None
    ) -> bool:
        """Write a metric's value over the one that was read (old; None: no value yet).
        False when another transaction wrote it in between: read again and decide again."""
        params = {**metric_params(row, self._d), "actor": actor, "at": self._d.stamp(at)}
        self.reports_changed(row.team_id)
        if old is None:
            written = await self._q.insert_metric(self._conn, **params)
        else:
            written = await self._q.replace_metric(self._conn, **params, old=float(old))
        return written is not None

    async def partner_metrics(
        self, team_id: str, partner_id: int, limit: int
    ) -> list[tuple[str, str, float]]:
        rows = await self._rows(
            "partner_metrics", team_id=team_id, partner_id=partner_id, limit=limit
        )
        return [(r["period"], r["metric"], float(r["value"])) for r in rows]

    async def team_metrics(self, team_id: str, since: date | None) -> list[RecordedMetric]:
        """A workspace's metrics by partner and period; since: periods ending then or later."""
        rows = await self._rows(
            "team_metrics", team_id=team_id, since=self._d.day(since or date(1, 1, 1))
        )
        periods: dict[tuple[str, str], Period] = {}  # many rows share a few periods
        found = []
        for name, label, kind, start, end, metric, value in rows:
            period = periods.get((label, kind))
            if period is None:
                period = Period(self._d.date(start), self._d.date(end), kind, label)
                periods[(label, kind)] = period
            found.append(RecordedMetric(name, period, metric, float(value)))
        return found
