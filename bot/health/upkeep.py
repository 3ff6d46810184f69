"""Keeping the partners' health summaries in step with their metrics."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection

from bot.errors import WriteConflict
from bot.health.summary import HealthSummary, summarise
from bot.ports import Store, Tx

log = logging.getLogger(__name__)

SUMMARY_ATTEMPTS = 5  # each lost race means another writer committed; it ends quickly
REBUILD_BATCH = 500  # stale summaries rebuilt in one transaction at start


async def refresh_summary(tx: Tx, team_id: str, partner_id: int) -> None:
    """Rewrite a partner's summary from its metrics, inside the transaction that wrote them.

    The version is read before the metrics and the summary written over it (compare and
    set): when another transaction wrote the partner's metrics and summary in between, the
    write finds a newer version and the metrics are read again, now with theirs."""
    for _ in range(SUMMARY_ATTEMPTS):
        version = await tx.summary_version(team_id, partner_id)
        summary = summarise(await tx.rule_points(team_id, partner_id))
        if await tx.write_summary(team_id, partner_id, summary, version):
            return
    raise WriteConflict(f"the health summary of partner {partner_id}")


async def refresh_summaries(tx: Tx, team_id: str, partner_ids: Collection[int]) -> None:
    """refresh_summary for many partners, inside the transaction that wrote their metrics:
    each summary computed once from all its metrics, read in one statement.

    The summary rows are locked first (made where there is none), so no other writer
    rewrites one between this read of the metrics and the write over its version."""
    if not partner_ids:
        return
    versions, points = await tx.hold_summaries(team_id, partner_ids)

    def compute() -> dict[int, tuple[HealthSummary, int]]:
        return {pid: (summarise(points.get(pid, [])), versions[pid]) for pid in partner_ids}

    # Thousands of partners' summaries are CPU seconds: off the event loop.
    await tx.write_held_summaries(team_id, await asyncio.to_thread(compute))


async def rebuild_stale_summaries(store: Store) -> int:
    """Rebuild the summaries marked stale (partners with metrics from before summaries were
    kept); returns how many."""
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
