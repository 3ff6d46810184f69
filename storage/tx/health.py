"""Health's queries: ROI benchmarks by category and the metrics window the rules read."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

from bot.health.pool import PoolMembers
from bot.health.rules import MetricPoint, Thresholds
from bot.health.summary import EDGE, HealthSummary, kept_counts, to_json
from bot.health.summary_columns import StateRow, needs_inputs, status_of_codes, summary_columns
from bot.metrics import PERIOD_KINDS, Period
from bot.registry.rules import Partner
from storage.tx.base import Dialect, Queries
from storage.tx.registry import _partner

# Rows a PostgreSQL read decodes at a time: asyncpg decodes on the event loop's thread, and
# 10,000 rows of pool_states at once held it 100 ms.
CHUNK = 2_000


class HealthQueries(Queries):
    """Benchmarks and the metric points of a window, for one partner or the pool."""

    async def benchmarks(self, team_id: str) -> dict[str, float]:
        rows = await self._rows("benchmarks", team_id=team_id)
        return {r["category"]: float(r["roi"]) for r in rows}

    async def benchmark(self, team_id: str, category: str) -> float | None:
        roi = await self._q.benchmark(self._conn, team_id=team_id, category=category)
        return None if roi is None else float(roi)

    async def write_benchmark(
        self, team_id: str, category: str, roi: float, actor: str, at: datetime, old: float | None
    ) -> bool:
        """Write a benchmark over the one that was read (old; None: none set yet).
        False when another transaction wrote it in between: read again and decide again."""
        self.reports_changed(team_id)
        params = {
            "team_id": team_id,
            "category": category,
            "roi": float(roi),
            "actor": actor,
            "at": self._d.stamp(at),
        }
        if old is None:
            written = await self._q.insert_benchmark(self._conn, **params)
        else:
            written = await self._q.replace_benchmark(self._conn, **params, old=float(old))
        return written is not None

    async def health_points(
        self, team_id: str, since: date, partner_id: int | None = None
    ) -> list[MetricPoint]:
        if partner_id is None:
            rows = await self._fetch_tuples(
                "pool_window", team_id=team_id, since=self._d.day(since)
            )
            # A pool's window is hundreds of thousands of rows: seconds of CPU off the loop.
            return await asyncio.to_thread(_points, rows, self._d)
        rows = await self._rows(
            "partner_window", team_id=team_id, since=self._d.day(since), partner_id=partner_id
        )
        return _points(rows, self._d)

    # summaries
    async def summary_version(self, team_id: str, partner_id: int) -> int | None:
        version = await self._q.summary_version(self._conn, team_id=team_id, partner_id=partner_id)
        return None if version is None else int(version)

    async def rule_points(self, team_id: str, partner_id: int) -> list[MetricPoint]:
        rows = await self._fetch_tuples(
            "partner_rule_points", team_id=team_id, partner_id=partner_id
        )
        return _points(rows, self._d)

    async def summary_points(self, team_id: str, partner_id: int) -> list[MetricPoint]:
        """Of rule_points, only the values `summarise` keeps (its result is the same)."""
        rows = await self._fetch_tuples(
            f"summary_points_{self._d.name}",
            team_id=team_id,
            partner_id=partner_id,
            period_kinds=period_kinds(self._d),
            **kept_counts(),
        )
        return _points(rows, self._d)

    async def write_summary(
        self, team_id: str, partner_id: int, summary: HealthSummary, old: int | None
    ) -> bool:
        """Write a partner's summary over the version read (None: none yet). False when
        another transaction wrote it in between: read its metrics again."""
        self.reports_changed(team_id)
        params = {
            "team_id": team_id,
            "partner_id": partner_id,
            "inputs": to_json(summary),
            "stale": 0,
            **summary_columns(summary),
        }
        if old is None:
            written = await self._q.insert_summary(self._conn, **params)
        else:
            written = await self._q.replace_summary(self._conn, **params, old=old)
        return written is not None

    async def summary_inputs(self, team_id: str, partner_id: int) -> str | None:
        inputs = await self._q.summary_inputs(self._conn, team_id=team_id, partner_id=partner_id)
        return None if inputs is None else str(inputs)

    async def stale_summaries(self, limit: int) -> list[tuple[str, int]]:
        rows = await self._fetch_tuples("stale_summaries", stale=1, limit=limit)
        return [(str(team), int(pid)) for team, pid in rows]

    async def pool_summaries(self, team_id: str) -> dict[int, str]:
        """Every partner's summary but archived partners', as stored (`from_json` reads one):
        a pool's parsed summaries would be hundreds of thousands of objects at once."""
        rows = await self._fetch_tuples("pool_summaries", team_id=team_id)
        return {int(pid): inputs for pid, inputs in rows}

    async def pool_states(
        self, team_id: str, limits: Thresholds, since: date
    ) -> dict[int, StateRow]:
        """Every PORTFOLIO partner's rule states and status as SQL decides them from the
        summaries' columns (None where it cannot), with the JSON of the flagged and the
        undecided."""
        rows, inputs = await self._pool_state_rows(team_id, limits, since)
        return await asyncio.to_thread(_state_rows, rows, inputs)

    async def pool_members(self, team_id: str, limits: Thresholds, since: date) -> PoolMembers:
        """`pool_states`' rows with each member's partner columns, the JSON of the flagged and
        the undecided, and the team's tags, backups and retired names, as read (a Partner is
        made only of a row asked for)."""
        rows, inputs = await self._pool_state_rows(team_id, limits, since)
        tags = await self._fetch_tuples("team_tags", team_id=team_id)
        backups = await self._fetch_tuples("team_backups", team_id=team_id)
        retired = frozenset(
            str(n) for (n,) in await self._fetch_tuples("retired_names", team_id=team_id)
        )
        member = partial(_member, self._d, team_id)
        return PoolMembers(rows, inputs, tags, backups, retired, member)

    async def _pool_state_rows(
        self, team_id: str, limits: Thresholds, since: date
    ) -> tuple[list[Any], dict[int, str]]:
        """pool_states' rows, and the summaries' JSON of the members that need it, read by id
        in a second statement: in pool_states' sort, 6,400 JSON texts at 10,000 partners
        cost SQLite 20 ms more than reading them by id, and PostgreSQL a sort on disk."""
        line = float(limits.sentiment_drop)
        rows = await self._fetch_chunked(
            "pool_states",
            team_id=team_id,
            since_day=since.toordinal(),
            since_month=since.year * 12 + since.month - 1,
            rue_weeks=int(limits.rue_weeks),
            rue=float(limits.rue),
            roi_months=int(limits.roi_months),
            roi_ratio=float(limits.roi_ratio),
            edge=EDGE,
            sentiment_drop=line,
            sentiment_margin=EDGE * (line if line > 1.0 else 1.0),
        )
        wanted = await asyncio.to_thread(_wanting_inputs, rows, self._d)
        if not wanted:
            return rows, {}
        found = await self._fetch_chunked(
            f"member_inputs_{self._d.name}", team_id=team_id, partners=wanted
        )
        return rows, await asyncio.to_thread(dict, found)

    async def _fetch_chunked(self, name: str, **params: Any) -> list[Any]:
        """`_fetch_tuples`, on PostgreSQL through a cursor CHUNK rows at a time, so the loop
        runs between chunks instead of waiting for every row's decoding at once; each chunk's
        records made plain tuples at once, which the garbage collector stops tracking (records
        it tracks for ever: 100,000 of them kept made a full collection, 50-160 ms on the
        loop, every few chunks)."""
        if self._d.name == "sqlite":
            return await self._fetch_tuples(name, **params)
        rows: list[Any] = []
        async with getattr(self._q, f"{name}_cursor")(self._conn, **params) as factory:
            cursor = await factory
            while chunk := await cursor.fetch(CHUNK):
                rows += map(tuple, chunk)
        return rows

    async def window_sums(
        self, team_id: str, first: date, last: date
    ) -> tuple[dict[str, dict[int, float]], list[MetricPoint]]:
        """Weekly GMV and traffic summed per partner over the window's days, and the window's
        points of the partners that also have daily values there (summed by the rules)."""
        window = {"team_id": team_id, "first": self._d.day(first), "last": self._d.day(last)}
        sums = await self._fetch_chunked("window_sums", **window)
        with_days = [
            int(pid) for (pid,) in await self._fetch_tuples("window_day_partners", **window)
        ]
        days: list[Any] = []
        if with_days:
            listed = json.dumps(with_days) if self._d.name == "sqlite" else with_days
            days = await self._fetch_tuples(
                f"window_days_{self._d.name}", **window, partners=listed
            )
        return await asyncio.to_thread(_window_sums, sums, days, self._d)

    async def reported_in_week(self, team_id: str, week: Period, since: date) -> set[int]:
        """Partners with a metric for a period overlapping the week that starts on since or
        later (as the window read from since holds them)."""
        rows = await self._fetch_chunked(
            "reported_in_week",
            team_id=team_id,
            first=self._d.day(max(since, week.start)),
            last=self._d.day(week.end),
            week_start=self._d.day(week.start),
            month_floor=self._d.day(max(since, week.start - timedelta(days=30))),
        )
        return await asyncio.to_thread(_ids, rows)


def period_kinds(dialect: Dialect) -> Any:
    """Every kind of period, as the summary_points queries take a list of them."""
    return json.dumps(PERIOD_KINDS) if dialect.name == "sqlite" else list(PERIOD_KINDS)


def _points(rows: Sequence[Any], dialect: Dialect) -> list[MetricPoint]:
    periods: dict[tuple[str, str], Period] = {}  # a window holds few periods, many rows
    points = []
    for pid, label, kind, start, end, metric, value in rows:
        period = periods.get((label, kind))
        if period is None:
            period = Period(dialect.date(start), dialect.date(end), kind, label)
            periods[(label, kind)] = period
        points.append(MetricPoint(int(pid), period, metric, float(value)))
    return points


def _wanting_inputs(rows: Sequence[Any], dialect: Dialect) -> Any:
    """The ids of the members whose summary JSON is read (`needs_inputs`), as
    member_inputs takes them (a JSON array on SQLite, a list on PostgreSQL)."""
    wanted = [int(row[0]) for row in rows if needs_inputs(*row[1:5])]
    return json.dumps(wanted) if wanted and dialect.name == "sqlite" else wanted


def _state_rows(rows: Sequence[Any], inputs: dict[int, str]) -> dict[int, StateRow]:
    states: dict[int, StateRow] = {}
    for pid, utilisation, roi, sentiment, backup, *_ in rows:
        status = status_of_codes(utilisation, roi, sentiment, backup)
        code = None if status is None else status.value
        states[int(pid)] = (utilisation, roi, sentiment, backup, code, inputs.get(int(pid)))
    return states


def _ids(rows: Sequence[Any]) -> set[int]:
    return {int(pid) for (pid,) in rows}


def _window_sums(
    rows: Sequence[Any], days: Sequence[Any], dialect: Dialect
) -> tuple[dict[str, dict[int, float]], list[MetricPoint]]:
    sums: dict[str, dict[int, float]] = {"gmv": {}, "traffic": {}}
    for pid, metric, total in rows:
        sums[metric][int(pid)] = float(total)
    return sums, _points(days, dialect)


# pool_states' columns from the partner's name on, as registry's partner rows name them
_PARTNER_COLUMNS: tuple[str, ...] = ("name", "category", "tier", "status", "owner", "contacts")
_PARTNER_COLUMNS += ("notes", "drop_reason", "success_cases", "created_at", "updated_at")


def _member(
    dialect: Dialect,
    team_id: str,
    row: Sequence[Any],
    tags: tuple[str, ...],
    backups: tuple[str, ...],
) -> Partner:
    """The Partner of one of pool_states' rows, as `all_partners` makes it."""
    columns = dict(zip(_PARTNER_COLUMNS, row[5:], strict=True))
    return _partner(dialect, {"id": row[0], "team_id": team_id, **columns}, tags, backups)
