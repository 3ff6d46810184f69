"""Importing metrics: a CSV file checked whole (every partner registered and taking
metrics), then written in chunks of about CHUNK_VALUES values, a partner's rows and its
summary in one chunk, the summaries drafted before each chunk takes the write lock."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

from bot.collector import full_collections_held
from bot.health.upkeep import SummaryDrafts, draft_summaries
from bot.ports import Store
from bot.registry.csv_io import MetricsRow, read_metrics_rows
from bot.registry.import_runs import (
    ImportResult,
    bulk_writes,
    check_metric_rows,
    chunk_transaction,
    let_go,
    partners_by_key,
    progress_of,
    write_chunks,
    write_lanes,
)
from bot.registry.import_writes import (
    CHUNK_VALUES,
    chunk_points,
    metric_chunks,
    write_metric_chunk,
)


async def import_metrics(
    store: Store,
    at: datetime,
    team_id: str,
    text: str,
    *,
    today: date | None = None,
    chunk_size: int = CHUNK_VALUES,
) -> ImportResult:
    """Record every metric of a CSV file, or reject the whole file.

    Counts are of metric values: first recorded, replaced with a new value, or the same;
    an archived partner's rows are refused, as `/partner metrics` refuses them. Periods are
    held to the window around today, the workspace's date at `at` (None: the date in UTC,
    the default PARTNERBOT_TIMEZONE). Written in chunks of about chunk_size values, each
    partner's rows in one chunk with its summary.
    """
    with full_collections_held():  # its objects stay to the end: no full pass over them
        return await _import_metrics(store, at, team_id, text, today, chunk_size)


async def _import_metrics(
    store: Store, at: datetime, team_id: str, text: str, today: date | None, chunk_size: int
) -> ImportResult:
    rows, problems, named = await asyncio.to_thread(
        read_metrics_rows, text, today or at.astimezone(UTC).date()
    )
    by_key = await partners_by_key(store, team_id)
    # Every problem in one answer: the file's cells and the partners it names.
    await asyncio.to_thread(check_metric_rows, rows, by_key, problems, named)
    chunks = await asyncio.to_thread(
        lambda: metric_chunks(rows, {key: p.id for key, p in by_key.items()}, chunk_size)
    )
    progress = progress_of(store)

    def so_far() -> ImportResult:
        done = sum(len(chunks[at_chunk]) for at_chunk in progress.written)
        created, updated, unchanged = progress.values
        return ImportResult(created, updated, unchanged, rows=done)

    async def drafted(chunk: list[MetricsRow]) -> SummaryDrafts:
        # Read and worked out before the write lock is taken: other writers get in here.
        points = await asyncio.to_thread(chunk_points, by_key, chunk)  # off the event loop
        async with store.read() as tx:
            return await draft_summaries(tx, team_id, points)

    lanes = write_lanes(store)  # chunks of disjoint partners: several may be written at once
    drafts: dict[int, asyncio.Task[SummaryDrafts]] = {}
    asked: set[int] = set()  # the chunks whose drafts were begun (each once)

    def drafts_of(at_chunk: int) -> asyncio.Task[SummaryDrafts]:
        """The chunk's drafts, begun now unless they were begun ahead."""
        task = drafts.get(at_chunk)
        if task is None:
            asked.add(at_chunk)
            task = drafts[at_chunk] = asyncio.create_task(drafted(chunks[at_chunk]))
        return task

    async def write(at_chunk: int, chunk: list[MetricsRow]) -> None:
        made = await drafts_of(at_chunk)
        del drafts[at_chunk]
        # The drafts of the chunk that begins when this one ends are read and worked out
        # while this one writes (its partners are others, and a draft is written only over
        # the version it was read at); not again if that chunk began and took its own.
        ahead = at_chunk + lanes
        if ahead < len(chunks) and ahead not in asked:
            drafts_of(ahead)
        await progress.pause()
        async with chunk_transaction(store, team_id, progress) as tx:
            counts = await write_metric_chunk(tx, at, by_key, chunk, made)
        progress.values = [a + b for a, b in zip(progress.values, counts, strict=True)]

    try:
        async with bulk_writes(store):
            await write_chunks(chunks, write, progress, so_far, lanes)
    finally:
        for task in drafts.values():  # a chunk failed: the next ones' drafts are not wanted
            task.cancel()
        await asyncio.gather(*drafts.values(), return_exceptions=True)
    created, updated, unchanged = progress.values
    done = ImportResult(created, updated, unchanged, rows=len(rows))
    await asyncio.to_thread(let_go, rows, by_key, chunks)
    return done
