"""A read of several statements on PostgreSQL sees one snapshot: a write committed from
another connection between its statements is seen by neither; with snapshot=False (a read
of one statement) each statement sees what was committed before it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pytest

from storage.postgres import PostgresStore
from tests.support.databases import opened_store

AT = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
TEAM = "T1"


@pytest.fixture
async def pg(tmp_path: Path) -> AsyncIterator[PostgresStore]:
    async with opened_store("postgresql", tmp_path, AT) as store:
        assert isinstance(store, PostgresStore)
        yield store


async def bump(store: PostgresStore) -> None:
    """A write that changes the workspace's report version, committed on its own connection."""
    async with store.write() as tx:
        tx.reports_changed(TEAM)


async def test_a_write_between_two_statements_of_one_read_is_seen_by_neither(
    pg: PostgresStore,
) -> None:
    await bump(pg)
    async with pg.read() as tx:
        first = await tx.report_version(TEAM)
        await bump(pg)  # committed on another pooled connection, mid-read
        second = await tx.report_version(TEAM)
    assert second == first
    async with pg.read() as tx:
        assert await tx.report_version(TEAM) == first + 1  # the write did land


async def test_without_a_snapshot_each_statement_sees_the_latest_commit(
    pg: PostgresStore,
) -> None:
    # What every read did before: the second statement sees the write the first did not.
    await bump(pg)
    async with pg.read(snapshot=False) as tx:
        first = await tx.report_version(TEAM)
        await bump(pg)
        second = await tx.report_version(TEAM)
    assert second == first + 1


async def test_a_snapshot_read_cannot_write(pg: PostgresStore) -> None:
    with pytest.raises(asyncpg.ReadOnlySQLTransactionError):
        async with pg.read() as tx:
            await tx.claim(TEAM, "test", "k", "", AT)
    async with pg.read() as tx:
        assert await tx.claim_state(TEAM, "test", "k", "") is None
