"""Digest schedules in storage (both engines): two processes claiming the same due slot,
one retry taken once, the channel-gone pause that only one process makes, and a slot whose
poster died taken again once its lease is over."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot import claims
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


async def test_a_slot_whose_poster_died_is_posted_by_one_process_after_the_lease(
    store: Store, other: Store
) -> None:
    await schedule(store)
    (firing,) = await service.due_firings(store, SLOT, GRACE)  # and then this process dies
    within = SLOT + claims.LEASE
    assert await service.due_firings(other, within, GRACE) == []  # it may still be posting
    after = within + timedelta(seconds=1)
    found = await asyncio.gather(
        service.due_firings(store, after, GRACE), service.due_firings(other, after, GRACE)
    )
    assert [(f.slot, f.attempts) for batch in found for f in batch] == [(SLOT, 0)]
    # The one that took it again holds it for a new lease; once posted, it is over.
    assert await service.due_firings(store, after + claims.LEASE, GRACE) == []
    await service.record_posted(store, after, firing, "posted")
    assert await service.due_firings(other, after + 3 * claims.LEASE, GRACE) == []


async def test_a_slot_abandoned_for_longer_than_the_grace_is_recorded_skipped(
    store: Store, other: Store
) -> None:
    await schedule(store)
    await service.due_firings(store, SLOT, GRACE)  # taken, never posted
    late = SLOT + GRACE + claims.LEASE - timedelta(minutes=1)
    assert await service.due_firings(other, late, GRACE) == []
    async with store.read() as tx:
        (saved,) = await tx.digest_schedules("T1")
        state = await tx.claim_state("T1", service.CLAIM_KIND, "1", service.slot_key(SLOT))
    assert (saved.last_slot, saved.last_outcome) == (SLOT, "skipped")
    assert saved.last_error is not None and "interrupted" in saved.last_error
    assert state is not None and state[0] is True  # over: never taken again
    assert await service.due_firings(store, late + claims.LEASE, GRACE) == []


async def test_a_failed_post_is_retried_once_and_a_retry_whose_poster_died_is_taken_again(
    store: Store, other: Store
) -> None:
    await schedule(store)
    (firing,) = await service.due_firings(store, SLOT, GRACE)
    assert await service.record_failure(store, SLOT, firing, "fatal_error") is True
    # Long after the first take: the retry fires once, not also as an abandoned post.
    late = SLOT + claims.LEASE + timedelta(seconds=1)
    found = await asyncio.gather(
        service.due_firings(store, late, GRACE), service.due_firings(other, late, GRACE)
    )
    assert [(f.slot, f.attempts) for batch in found for f in batch] == [(SLOT, 1)]
    # Taking the retry started a new lease; its poster dies, and after that lease it is
    # taken again, still counted as the slot's second attempt.
    assert await service.due_firings(other, late + claims.LEASE, GRACE) == []
    again = await service.due_firings(other, late + claims.LEASE + timedelta(seconds=1), GRACE)
    assert [(f.slot, f.attempts) for f in again] == [(SLOT, 1)]
