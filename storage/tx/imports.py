"""The metric import's queries: a chunk of values staged in a temporary table of the
connection, then applied in a few set-based statements that compare and set as the per-row
ones do; the audit rows and health summaries of many partners at a time."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from bot.health.rules import MetricPoint
from bot.health.summary import kept_counts
from bot.metrics import Period
from bot.registry.ports import AuditEntry, MetricRow
from storage.tx.base import Dialect
from storage.tx.bulk import BulkQueries, stamper
from storage.tx.health import _points, period_kinds

MetricKey = tuple[int, str, str]  # partner id, period label, metric
_AUDIT_COLUMNS = ("team_id", "partner_id", "actor", "at", "action", "field", "before", "after")
_STAGE_COLUMNS = (
    "idx",
    "team_id",
    "partner_id",
    "period",
    "period_kind",
    "period_start",
    "period_end",
    "metric",
    "value",
)


class ImportsQueries(BulkQueries):
    """Metric values, audit rows and health summaries written many at a time."""

    async def stage_metrics(self, rows: Sequence[MetricRow]) -> dict[int, float | None]:
        """Stage a chunk's values (by position in rows) and return each one's current value
        (None: not recorded yet)."""
        self.reports_changed(*{row.team_id for row in rows})  # written in this transaction
        await getattr(self._q, f"create_metric_stage_{self._d.name}")(self._conn)
        await self._q.clear_metric_stage(self._conn)
        # A chunk's thousands of records: built off the event loop.
        await self._records(
            "stage_metric_rows_sqlite",
            "import_metric_stage",
            _STAGE_COLUMNS,
            lambda: _stage_records(rows, self._d),
        )
        if self._d.name == "postgresql":
            await self._q.analyze_metric_stage(self._conn)
        await self._q.note_metric_olds(self._conn)
        olds: dict[int, float | None] = dict.fromkeys(range(len(rows)))
        for idx, value in await self._fetch_tuples("staged_metric_olds"):
            olds[int(idx)] = float(value)
        return olds

    async def staged_partner_statuses(self, team_id: str) -> list[tuple[int, str, str]]:
        """The staged partners' id, name and status as they are now."""
        rows = await self._fetch_tuples("staged_partner_statuses", team_id=team_id)
        return [(int(pid), str(name), str(status)) for pid, name, status in rows]

    async def write_staged_metrics(self, actor: str, at: datetime) -> set[MetricKey]:
        """Insert the staged values not recorded yet and replace those whose value differs,
        each over the value read; the keys written (a key missing lost a race)."""
        params = {"actor": actor, "at": self._d.stamp(at)}
        written = await self._fetch_tuples("insert_staged_metrics", **params)
        written += await self._fetch_tuples(f"replace_staged_metrics_{self._d.name}", **params)
        if self._d.name == "sqlite":  # PostgreSQL's statement sets the moved ones too
            written += await self._fetch_tuples("replace_staged_moved_metrics", **params)
        return {(int(pid), str(period), str(metric)) for pid, period, metric in written}

    async def add_audits(self, entries: Iterable[tuple[int, AuditEntry]]) -> None:
        """Audit rows (partner id, entry), many in one statement, in the order given."""
        stamps: dict[datetime, Any] = {}  # an import's entries share a few moments
        params = await asyncio.to_thread(
            lambda: [self._audit_params(entry, pid, stamps) for pid, entry in entries]
        )
        await self._many("insert_audit_each", "audit_log", params)

    async def add_audits_of(
        self,
        team_id: str,
        actor: str,
        action: str,
        rows: Sequence[tuple[int, datetime, str, str, str]],
    ) -> None:
        """add_audits for entries of one workspace, actor and action (an import's chunk):
        (partner id, at, field, before, after) each, in the order given."""
        stamp = stamper(self._d)  # an import's entries share a few moments

        def records() -> list[tuple[Any, ...]]:
            # 100,000 audit rows an import: tuples, no AuditEntry or dict a row.
            return [
                (team_id, pid, actor, stamp(at), action, field, before, after)
                for pid, at, field, before, after in rows
            ]

        await self._records("insert_audit_rows_sqlite", "audit_log", _AUDIT_COLUMNS, records)

    def _audit_params(
        self, entry: AuditEntry, partner_id: int, stamps: dict[datetime, Any]
    ) -> dict[str, Any]:
        at = stamps.get(entry.at)
        if at is None:
            at = stamps[entry.at] = self._d.stamp(entry.at)
        return {
            "team_id": entry.team_id,
            "partner_id": partner_id,
            "actor": entry.actor,
            "at": at,
            "action": entry.action,
            "field": entry.field,
            "before": entry.before,
            "after": entry.after,
        }

    # summaries of many partners
    def _ids(self, ids: Iterable[int]) -> Any:
        """A list of ids as the engine's id-list queries take it."""
        listed = [int(pid) for pid in ids]
        return json.dumps(listed) if self._d.name == "sqlite" else listed

    async def rule_points_of(
        self, team_id: str, ids: Iterable[int]
    ) -> dict[int, list[MetricPoint]]:
        """Every rue, roi and sentiment value of the partners, by partner."""
        rows = await self._fetch_tuples(
            f"rule_points_of_{self._d.name}", team_id=team_id, ids=self._ids(ids)
        )
        # Hundreds of thousands of values for a chunk of partners: parsed off the event loop.
        return await asyncio.to_thread(lambda: _by_partner(_points(rows, self._d)))

    async def summary_inputs_of(
        self, team_id: str, ids: Iterable[int]
    ) -> dict[int, tuple[int, str | None]]:
        """The partners' summary versions, each with its summary as stored (`from_json`
        reads it; None: stale); a partner without a summary row is missing."""
        rows = await self._fetch_tuples(
            f"summary_inputs_of_{self._d.name}", team_id=team_id, ids=self._ids(ids)
        )
        return {
            int(pid): (int(version), None if stale else str(inputs))
            for pid, version, stale, inputs in rows
        }

    async def metric_values_at(
        self, team_id: str, keys: Sequence[tuple[int, str]]
    ) -> list[MetricPoint]:
        """The rue, roi and sentiment values recorded at the keys (partner id, period label)."""
        if not keys:
            return []
        if self._d.name == "sqlite":
            params: dict[str, Any] = {"keys": json.dumps(keys)}
        else:
            params = {"ids": [k[0] for k in keys], "periods": [k[1] for k in keys]}
        rows = await self._fetch_tuples(
            f"metric_values_at_{self._d.name}", team_id=team_id, **params
        )
        return await asyncio.to_thread(_recorded, rows, self._d)

    async def roi_values_between(
        self, team_id: str, spans: Sequence[tuple[int, date, date]]
    ) -> list[MetricPoint]:
        """Every ROI value of each partner whose period starts within its span (partner id,
        first day, last day; one span a partner)."""
        if not spans:
            return []
        if self._d.name == "sqlite":
            listed = [[pid, first.isoformat(), last.isoformat()] for pid, first, last in spans]
            params: dict[str, Any] = {"spans": json.dumps(listed)}
        else:
            params = {
                "ids": [s[0] for s in spans],
                "firsts": [s[1] for s in spans],
                "lasts": [s[2] for s in spans],
            }
        rows = await self._fetch_tuples(
            f"roi_values_between_{self._d.name}", team_id=team_id, **params
        )
        return await asyncio.to_thread(_recorded, rows, self._d)

    async def summary_points_of(
        self, team_id: str, ids: Iterable[int]
    ) -> dict[int, list[MetricPoint]]:
        """Of rule_points_of, only the values `summarise` keeps, by partner."""
        rows = await self._fetch_tuples(
            f"summary_points_of_{self._d.name}",
            team_id=team_id,
            ids=self._ids(ids),
            period_kinds=period_kinds(self._d),
            **kept_counts(),
        )
        return await asyncio.to_thread(lambda: _by_partner(_points(rows, self._d)))

    async def lock_summaries(self, team_id: str, ids: Iterable[int]) -> dict[int, int]:
        """Lock the partners' summary rows until commit (making a stale one, version 0,
        where there is none) and return their versions."""
        self.reports_changed(team_id)  # the placeholders are rows the portfolio reads
        await getattr(self._q, f"create_id_stage_{self._d.name}")(self._conn)
        await self._q.clear_id_stage(self._conn)
        await self._records(
            "stage_id_rows_sqlite", "import_id_stage", ("partner_id",), lambda: [(p,) for p in ids]
        )
        await self._fetch_tuples("hold_staged_summaries", team_id=team_id)
        locked = await self._fetch_tuples("lock_staged_summaries", team_id=team_id)
        return {int(pid): int(version) for pid, version in locked}

    async def write_held_summaries(
        self, team_id: str, summaries: dict[int, tuple[dict[str, Any], int]]
    ) -> None:
        """Rewrite summaries locked by lock_summaries, each over its version: by partner id,
        the row as `stored_summary` makes it (its JSON and the columns pool_states decides
        from) and the version locked."""
        self.reports_changed(team_id)
        params = [
            {"team_id": team_id, "partner_id": pid, "stale": 0, "old": version, **stored}
            for pid, (stored, version) in summaries.items()
        ]
        if params:
            await self._q.replace_summary_each(self._conn, params)


def _stage_records(rows: Sequence[MetricRow], dialect: Dialect) -> list[tuple[Any, ...]]:
    """metric_params of each row with its position (idx) first, as records in the order of
    _STAGE_COLUMNS, each period's days written once: a file's rows share a few periods."""
    days: dict[int, tuple[Any, Any]] = {}  # by id: every period stays alive in rows meanwhile
    staged = []
    for idx, row in enumerate(rows):
        period = row.period
        written = days.get(id(period))
        if written is None:
            written = days[id(period)] = (dialect.day(period.start), dialect.day(period.end))
        staged.append(
            (
                idx,
                row.team_id,
                row.partner_id,
                period.label,
                period.kind,
                written[0],
                written[1],
                row.metric,
                float(row.value),
            )
        )
    return staged


def _recorded(rows: Sequence[Any], dialect: Dialect) -> list[MetricPoint]:
    """Values as recorded, each with its own period: unlike `_points` (one period a label
    and kind), a row stored with other dates under its label keeps them, as the drafts
    compare them with the file's."""
    periods: dict[tuple[str, str, Any, Any], Period] = {}
    points = []
    for pid, label, kind, start, end, metric, value in rows:
        period = periods.get((label, kind, start, end))
        if period is None:
            period = Period(dialect.date(start), dialect.date(end), kind, label)
            periods[(label, kind, start, end)] = period
        points.append(MetricPoint(int(pid), period, metric, float(value)))
    return points


def _by_partner(points: list[MetricPoint]) -> dict[int, list[MetricPoint]]:
    grouped: dict[int, list[MetricPoint]] = {}
    for point in points:
        grouped.setdefault(point.partner_id, []).append(point)
    return grouped
