"""Queries on one connection: every named query of storage/queries/*.sql, as methods."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import aiosql
import aiosqlite

from bot.health.rules import MetricPoint
from bot.metrics import Period
from bot.ports import AuditEntry, ListFilters, MetricRow
from bot.registry.rules import Category, Partner, Status, Tier
from bot.scoring.rules import DIMENSIONS, Rating, weights_from

_QUERIES_DIR = Path(str(resources.files("storage").joinpath("queries")))
_queries: Any = None


def queries() -> Any:
    """The named queries, loaded once from the .sql files."""
    global _queries
    if _queries is None:
        _queries = aiosql.from_path(_QUERIES_DIR, "aiosqlite", mandatory_parameters=False)
    return _queries


def utc_text(moment: datetime) -> str:
    """A timestamp as stored: UTC, ISO 8601, sortable as text."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


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
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def _rating(row: Mapping[str, Any]) -> Rating:
    return Rating(
        values={d: None if row[d] is None else float(row[d]) for d in DIMENSIONS},
        weights=weights_from(json.loads(row["weights"])),
        cases=int(row["cases"]),
        actor=row["actor"],
        at=datetime.fromisoformat(row["at"]),
    )


class Tx:
    """Queries on one connection; inside `Store.write()` they form one transaction."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn
        self._q = queries()

    async def _rows(self, name: str, **params: Any) -> list[Any]:
        return [row async for row in getattr(self._q, name)(self._conn, **params)]

    # partners
    async def partner_by_key(self, team_id: str, key: str, *, full: bool = True) -> Partner | None:
        row = await self._q.partner_by_key(self._conn, team_id=team_id, name_key=key)
        return None if row is None else await self._complete(row, full)

    async def partner_by_id(self, team_id: str, partner_id: int) -> Partner | None:
        row = await self._q.partner_by_id(self._conn, team_id=team_id, id=partner_id)
        return None if row is None else await self._complete(row, True)

    async def _complete(self, row: Mapping[str, Any], full: bool) -> Partner:
        if not full:
            return _partner(row)
        team_id, pid = row["team_id"], row["id"]
        tags = await self._rows("partner_tags", team_id=team_id, partner_id=pid)
        backups = await self._rows("partner_backups", team_id=team_id, partner_id=pid)
        return _partner(row, tuple(r["tag"] for r in tags), tuple(r["name"] for r in backups))

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
        rows = await self._rows("all_partners", team_id=team_id)
        tags: dict[int, list[str]] = {}
        for r in await self._rows("team_tags", team_id=team_id):
            tags.setdefault(int(r["partner_id"]), []).append(r["tag"])
        backups: dict[int, list[str]] = {}
        for r in await self._rows("team_backups", team_id=team_id):
            backups.setdefault(int(r["partner_id"]), []).append(r["name"])
        return [
            _partner(r, tuple(tags.get(r["id"], ())), tuple(backups.get(r["id"], ()))) for r in rows
        ]

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
                at=datetime.fromisoformat(r["at"]),
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

    # health settings and the metrics window
    async def settings(self, team_id: str, scope: str) -> dict[str, float]:
        rows = await self._rows("settings", team_id=team_id, scope=scope)
        return {r["key"]: float(r["value"]) for r in rows}

    async def upsert_setting(
        self, team_id: str, scope: str, key: str, value: float, actor: str, at: datetime
    ) -> None:
        await self._q.upsert_setting(
            self._conn,
            team_id=team_id,
            scope=scope,
            key=key,
            value=value,
            actor=actor,
            at=utc_text(at),
        )

    async def benchmarks(self, team_id: str) -> dict[str, float]:
        rows = await self._rows("benchmarks", team_id=team_id)
        return {r["category"]: float(r["roi"]) for r in rows}

    async def upsert_benchmark(
        self, team_id: str, category: str, roi: float, actor: str, at: datetime
    ) -> None:
        await self._q.upsert_benchmark(
            self._conn, team_id=team_id, category=category, roi=roi, actor=actor, at=utc_text(at)
        )

    async def add_settings_audit(
        self, team_id: str, actor: str, at: datetime, setting: str, before: str, after: str
    ) -> None:
        await self._q.insert_settings_audit(
            self._conn,
            team_id=team_id,
            actor=actor,
            at=utc_text(at),
            setting=setting,
            before=before,
            after=after,
        )

    async def settings_history(self, team_id: str, limit: int) -> list[AuditEntry]:
        rows = await self._rows("settings_history", team_id=team_id, limit=limit)
        return [
            AuditEntry(
                team_id,
                r["actor"],
                datetime.fromisoformat(r["at"]),
                "settings",
                r["setting"],
                r["before"],
                r["after"],
            )
            for r in rows
        ]

    async def health_points(
        self, team_id: str, since: date, partner_id: int | None = None
    ) -> list[MetricPoint]:
        if partner_id is None:
            rows = await self._rows("pool_window", team_id=team_id, since=since.isoformat())
        else:
            rows = await self._rows(
                "partner_window", team_id=team_id, since=since.isoformat(), partner_id=partner_id
            )
        periods: dict[tuple[str, str], Period] = {}  # a window holds few periods, many rows
        points = []
        for pid, label, kind, start, end, metric, value in rows:
            period = periods.get((label, kind))
            if period is None:
                period = Period(date.fromisoformat(start), date.fromisoformat(end), kind, label)
                periods[(label, kind)] = period
            points.append(MetricPoint(int(pid), period, metric, float(value)))
        return points

    # ratings
    async def insert_rating(self, team_id: str, partner_id: int, rating: Rating) -> int:
        row = await self._q.insert_rating(
            self._conn,
            team_id=team_id,
            partner_id=partner_id,
            actor=rating.actor,
            at=utc_text(rating.at),
            **{d: rating.values.get(d) for d in DIMENSIONS},
            cases=rating.cases,
            weights=json.dumps(rating.weights.as_dict()),
        )
        return int(row[0])

    async def recent_ratings(self, team_id: str, partner_id: int, limit: int) -> list[Rating]:
        rows = await self._rows(
            "recent_ratings", team_id=team_id, partner_id=partner_id, limit=limit
        )
        return [_rating(r) for r in rows]

    async def rating_count(self, team_id: str, partner_id: int) -> int:
        return int(await self._q.rating_count(self._conn, team_id=team_id, partner_id=partner_id))

    async def latest_ratings(self, team_id: str) -> dict[int, Rating]:
        rows = await self._rows("latest_ratings", team_id=team_id)
        return {int(r["partner_id"]): _rating(r) for r in rows}

    async def latest_roi(self, team_id: str) -> dict[int, tuple[str, float]]:
        rows = await self._rows("latest_roi", team_id=team_id)
        return {int(r["partner_id"]): (r["period"], float(r["value"])) for r in rows}

    async def partner_latest_roi(self, team_id: str, partner_id: int) -> tuple[str, float] | None:
        row = await self._q.partner_latest_roi(self._conn, team_id=team_id, partner_id=partner_id)
        return None if row is None else (row["period"], float(row["value"]))

    async def roi_since(
        self, team_id: str, since: date, until: date
    ) -> dict[int, list[MetricPoint]]:
        found: dict[int, list[MetricPoint]] = {}
        rows = await self._rows(
            "roi_since", team_id=team_id, since=since.isoformat(), until=until.isoformat()
        )
        for r in rows:
            start, end = date.fromisoformat(r["period_start"]), date.fromisoformat(r["period_end"])
            period = Period(start, end, r["period_kind"], r["period"])
            pid = int(r["partner_id"])
            found.setdefault(pid, []).append(MetricPoint(pid, period, "roi", float(r["value"])))
        return found

    # events
    async def claim_event(self, team_id: str, event_id: str, at: datetime) -> bool:
        row = await self._q.claim_event(
            self._conn, team_id=team_id, event_id=event_id, at=utc_text(at)
        )
        return row is not None

    async def ping(self) -> bool:
        return int(await self._q.ping(self._conn)) > 0
