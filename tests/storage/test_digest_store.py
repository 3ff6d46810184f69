"""Digest schedules in storage (both engines): two processes claiming the same due slot,
one retry taken once, and the channel-gone pause that only one process makes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.digest import service
from bot.digest.ports import NewSchedule
from bot.ports import Store
from tests.support.databases import store_for, url_of

CREATED = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
SLOT = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
GRACE = timedelta(hours=1)


@pytest.fixture
async def other(store: Store) -> AsyncIterator[Store]:
    """A second store on the same database: another process's connections."""
    second = store_for(url_of(store))
    await second.open(CREATED)
    yield second
    await second.close()


async def schedule(store: Store) -> int:
    new = NewSchedule("T1", "C1", "daily 09:00", "UTC", False, "", "U1")
    async with store.write() as tx:
        return await tx.insert_digest_schedule(new, CREATED, SLOT)


async def test_two_concurrent_claimers_of_a_due_slot_fire_it_once(
    store: Store, other: Store
) -> None:
    await schedule(store)
    for day in range(5):
        now = SLOT + timedelta(days=day, seconds=5)
        found = await asyncio.gather(
            *(service.due_firings(s, now, GRACE) for s in (store, other, store, other))
        )
        assert sum(len(f) for f in found) == 1, f"day {day}: {found}"
    async with store.read() as tx:
        (saved,) = await tx.digest_schedules("T1")
    assert saved.next_slot == SLOT + timedelta(days=5)


async def test_a_retry_is_taken_by_one_process(store: Store, other: Store) -> None:
    await schedule(store)
    (firing,) = await service.due_firings(store, SLOT, GRACE)
    assert await service.record_failure(store, SLOT, firing, "fatal_error") is True
    retry_at = SLOT + service.BACKOFF
    found = await asyncio.gather(
        service.due_firings(store, retry_at, GRACE), service.due_firings(other, retry_at, GRACE)
    )
    taken = [f for batch in found for f in batch]
    assert [(f.slot, f.attempts) for f in taken] == [(SLOT, 1)]


async def test_a_gone_channel_pauses_once_and_names_the_creator_once(
    store: Store, other: Store
) -> None:
    await schedule(store)
    (firing,) = await service.due_firings(store, SLOT, GRACE)
    creators = await asyncio.gather(
        service.pause_for_channel(store, SLOT, firing, "the channel is archived"),
        service.pause_for_channel(other, SLOT, firing, "the channel is archived"),
    )
    assert sorted(c or "" for c in creators) == ["", "U1"]
    assert await service.due_firings(store, SLOT + timedelta(days=1), GRACE) == []
