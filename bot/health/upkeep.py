"""Keeping the partners' health summaries in step with their metrics."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from bot.errors import WriteConflict
from bot.health.rules import MetricPoint, month_of
from bot.health.summary import HealthSummary, from_json, summarise
from bot.health.summary_columns import stored_summary
from bot.health.summary_update import updated
from bot.ports import Store, Tx

log = logging.getLogger(__name__)

SUMMARY_ATTEMPTS = 5  # each lost race means another writer committed; it ends quickly
SUMMARISED = frozenset({"rue", "roi", "sentiment"})  # the metrics a summary reads
REBUILD_BATCH = 500  # stale summaries rebuilt in one transaction at start


async def refresh_summary(tx: Tx, team_id: str, partner_id: int) -> None:
    """Rewrite a partner's summary from its metrics, inside the transaction that wrote them.

    The version is read before the metrics and the summary written over it (compare and
    set): when another transaction wrote the partner's metrics and summary in between, the
    write finds a newer version and the metrics are read again, now with theirs."""
    for _ in range(SUMMARY_ATTEMPTS):
        version = await tx.summary_version(team_id, partner_id)
        summary = summarise(await tx.summary_points(team_id, partner_id))
        if await tx.write_summary(team_id, partner_id, summary, version):
            return
    raise WriteConflict(f"the health summary of partner {partner_id}")


@dataclass(frozen=True)
class SummaryDrafts:
    """Partners' summaries worked out before the transaction that writes their metrics, as
    their rows store them (`stored_summary`), and the summary versions they were worked out
    at (0: no summary yet)."""

    versions: dict[int, int]
    summaries: dict[int, dict[str, Any]]


NO_DRAFTS = SummaryDrafts({}, {})


async def draft_summaries(
    tx: Tx, team_id: str, values: dict[int, list[MetricPoint]]
) -> SummaryDrafts:
    """Each partner's summary as it will be once the values given are recorded, read and
    worked out outside the write transaction (a read), so the write lock waits for none of
    it. The version is read before the metrics, as refresh_summary reads it.

    A stored summary is brought up to date with the values it replaces (`updated`: no read of
    the partner's metrics); where that cannot tell, the metrics the summary keeps are read and
    summarised, as refresh_summary does."""
    stored = await tx.summary_inputs_of(team_id, values)
    # A chunk's thousands of values sorted out: off the event loop, as the drafts below.
    versions, changed, keys, spans = await asyncio.to_thread(_to_bring_up, stored, values)
    recorded = await tx.metric_values_at(team_id, keys) if keys else []
    roi = await tx.roi_values_between(team_id, spans) if keys else []

    def bring_up() -> dict[int, HealthSummary]:
        olds = {(p.partner_id, p.period.label, p.metric): p for p in recorded}
        months: dict[int, list[MetricPoint]] = {}
        for p in roi:
            months.setdefault(p.partner_id, []).append(p)
        drafted = {}
        for pid, new in changed.items():
            text = stored[pid][1]
            if text is None:
                continue
            changes = [(olds.get((pid, p.period.label, p.metric)), p) for p in new]
            in_months = {month_of(p.period) for p in new if p.metric == "roi"}
            recorded_roi = [p for p in months.get(pid, ()) if month_of(p.period) in in_months]
            draft = updated(from_json(text), changes, recorded_roi)
            if draft is not None:
                drafted[pid] = draft
        return drafted

    summaries = await asyncio.to_thread(bring_up) if changed else {}
    rest = {pid: new for pid, new in values.items() if pid not in summaries}
    if rest:
        summaries.update(await _drafts_read(tx, team_id, rest))
    # Their JSON and columns too, here rather than while the write transaction holds the lock.
    rows = await asyncio.to_thread(lambda: {p: stored_summary(s) for p, s in summaries.items()})
    return SummaryDrafts(versions, rows)


def _to_bring_up(
    stored: dict[int, tuple[int, str | None]], values: dict[int, list[MetricPoint]]
) -> tuple[
    dict[int, int],
    dict[int, list[MetricPoint]],
    list[tuple[int, str]],
    list[tuple[int, date, date]],
]:
    """The versions drafted at, the summarised values of partners with a stored summary,
    the keys (partner id, period label) whose values they replace and the ROI months' spans."""
    versions = {pid: stored[pid][0] if pid in stored else 0 for pid in values}
    changed = {
        pid: [p for p in new if p.metric in SUMMARISED]
        for pid, new in values.items()
        if pid in stored and stored[pid][1] is not None
    }
    keys = list(dict.fromkeys((pid, p.period.label) for pid, new in changed.items() for p in new))
    return versions, changed, keys, _roi_spans(changed)


def _roi_spans(changed: dict[int, list[MetricPoint]]) -> list[tuple[int, date, date]]:
    """Per partner with ROI changes, the days the periods of their months can start on (a
    week from 3 days before its Thursday's month)."""
    spans = []
    for pid, new in changed.items():
        months = [month_of(p.period) for p in new if p.metric == "roi"]
        if months:
            last = max(months)
            following = date(last.year + last.month // 12, last.month % 12 + 1, 1)
            spans.append((pid, min(months) - timedelta(days=3), following - timedelta(days=1)))
    return spans


async def _drafts_read(
    tx: Tx, team_id: str, values: dict[int, list[MetricPoint]]
) -> dict[int, HealthSummary]:
    """Drafts from the values the summaries keep, read (the moved ones: every value)."""
    points = await tx.summary_points_of(team_id, values)

    def draft(
        new: list[MetricPoint], points: list[MetricPoint], full: bool
    ) -> HealthSummary | None:
        replaced = {(p.period.label, p.metric): p.period for p in new}
        kept = []
        for p in points:
            period = replaced.get((p.period.label, p.metric))
            if period is None:
                kept.append(p)
            elif period != p.period and not full:
                return None  # a kept value moved: the one after those read may be needed
        return summarise(kept + new)

    def compute(
        pids: list[int], points: dict[int, list[MetricPoint]], full: bool
    ) -> dict[int, HealthSummary | None]:
        return {pid: draft(values[pid], points.get(pid, []), full) for pid in pids}

    # Thousands of partners' summaries are CPU seconds: off the event loop.
    drafted = await asyncio.to_thread(compute, list(values), points, False)
    moved = [pid for pid, summary in drafted.items() if summary is None]
    if moved:
        everything = await tx.rule_points_of(team_id, moved)
        drafted.update(await asyncio.to_thread(compute, moved, everything, True))
    return {pid: summary for pid, summary in drafted.items() if summary is not None}


async def write_summaries(
    tx: Tx,
    team_id: str,
    partner_ids: Collection[int],
    drafts: SummaryDrafts = NO_DRAFTS,
    *,
    redo: Collection[int] = (),
) -> None:
    """refresh_summary for many partners, inside the transaction that wrote their metrics:
    their summary rows locked first, so no other writer rewrites one before this commits.

    A partner's draft is written when its version still is the one drafted at (nobody
    recorded its metrics since) and it is not in redo (values the draft foresaw that were
    not written as foreseen); every other summary is worked out again from the metrics."""
    if not partner_ids:
        return
    versions = await tx.lock_summaries(team_id, partner_ids)
    summaries = {
        pid: drafts.summaries[pid]
        for pid in partner_ids
        if pid not in redo and pid in drafts.summaries and versions[pid] == drafts.versions[pid]
    }
    again = [pid for pid in partner_ids if pid not in summaries]
    if again:
        points = await tx.summary_points_of(team_id, again)
        summaries.update(
            await asyncio.to_thread(
                lambda: {pid: stored_summary(summarise(points.get(pid, []))) for pid in again}
            )
        )
    await tx.write_held_summaries(
        team_id, {pid: (summary, versions[pid]) for pid, summary in summaries.items()}
    )


async def rebuild_stale_summaries(store: Store) -> int:
    """Rebuild the summaries marked stale (partners with metrics from before summaries were
    kept); returns how many. Only a migration marks them, so at most starts there are none:
    looked for in a read first, which on SQLite does not wait for another process's write."""
    async with store.read(snapshot=False) as tx:
        if not await tx.stale_summaries(1):
            return 0
    rebuilt = 0
    while True:
        async with store.write() as tx:
            stale = await tx.stale_summaries(REBUILD_BATCH)
            for team_id, partner_id in stale:
                await refresh_summary(tx, team_id, partner_id)
        rebuilt += len(stale)
        if len(stale) < REBUILD_BATCH:
            break
    if rebuilt:
        log.info("rebuilt %d health summaries", rebuilt)
    return rebuilt
