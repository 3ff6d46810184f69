"""Claims: one row per (team, kind, key, slot), the first claimer wins, old ones are pruned."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiosqlite

from bot import claims
from storage.migrate import load_migrations, migrate_sqlite
from storage.store import SQLiteStore

AT = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)


async def test_a_slot_is_claimed_once_and_other_slots_keys_kinds_and_teams_are_free(
    store: SQLiteStore,
) -> None:
    assert await claims.claim(store, AT, "T1", "digest", "7", "2026-11-23T09:00") is True
    assert await claims.claim(store, AT, "T1", "digest", "7", "2026-11-23T09:00") is False
    assert await claims.claim(store, AT, "T1", "digest", "7", "2026-11-24T09:00") is True
    assert await claims.claim(store, AT, "T1", "digest", "8", "2026-11-23T09:00") is True
    assert await claims.claim(store, AT, "T1", "reminder", "7", "2026-11-23T09:00") is True
    assert await claims.claim(store, AT, "T2", "digest", "7", "2026-11-23T09:00") is True


async def test_finishing_records_done_and_the_error(store: SQLiteStore) -> None:
    await claims.claim(store, AT, "T1", "digest", "7", "s1")
    await claims.claim(store, AT, "T1", "digest", "7", "s2")
    async with store.read() as tx:
        assert await tx.claim_state("T1", "digest", "7", "s1") == (False, None)
        assert await tx.claim_state("T1", "digest", "7", "s3") is None
    await claims.finish(store, AT, "T1", "digest", "7", "s1")
    await claims.finish(store, AT, "T1", "digest", "7", "s2", error="channel_not_found")
    async with store.read() as tx:
        assert await tx.claim_state("T1", "digest", "7", "s1") == (True, None)
        assert await tx.claim_state("T1", "digest", "7", "s2") == (True, "channel_not_found")


async def test_prune_forgets_only_claims_older_than_the_window(store: SQLiteStore) -> None:
    old, recent = AT - claims.KEEP - timedelta(seconds=1), AT - claims.KEEP + timedelta(hours=1)
    await claims.claim(store, old, "T1", "event", "Ev-old", "")
    await claims.claim(store, recent, "T1", "event", "Ev-new", "")
    assert await claims.prune(store, AT) == 1
    # The pruned slot can be claimed again; the kept one cannot.
    assert await claims.claim(store, AT, "T1", "event", "Ev-old", "") is True
    assert await claims.claim(store, AT, "T1", "event", "Ev-new", "") is False
    assert await claims.prune(store, AT) == 0


async def test_event_receipts_of_an_older_database_become_event_claims(tmp_path: Path) -> None:
    shipped = load_migrations()
    before_claims = [m for m in shipped if m.name < "0004"]
    async with aiosqlite.connect(tmp_path / "old.db", isolation_level=None) as conn:
        await migrate_sqlite(conn, "2026-11-01T00:00:00.000000Z", before_claims)
        await conn.execute(
            "INSERT INTO event_receipts VALUES ('T1', 'Ev1', '2026-11-01T00:00:00.000000Z')"
        )
        up_to_claims = [m for m in shipped if m.name < "0005"]
        assert await migrate_sqlite(conn, "2026-11-22T00:00:00.000000Z", up_to_claims) == [
            "0004_claims.sql"
        ]
        async with conn.execute("SELECT team_id, kind, key, slot, done_at FROM claims") as cur:
            rows = [tuple(r) for r in await cur.fetchall()]
    assert rows == [("T1", "event", "Ev1", "", "2026-11-01T00:00:00.000000Z")]
    store = SQLiteStore(str(tmp_path / "old.db"))
    await store.open(AT)
    try:  # the delivery seen before the upgrade is still not handled twice
        assert await claims.claim(store, AT, "T1", claims.EVENT, "Ev1", "") is False
    finally:
        await store.close()


async def test_work_in_flight_is_retaken_only_past_its_lease_and_a_retake_starts_a_new_one(
    store: SQLiteStore,
) -> None:
    await claims.claim(store, AT, "T1", "digest", "7", "s1")
    assert await claims.retake(store, AT + claims.LEASE, "T1", "digest", "7", "s1") is False
    later = AT + claims.LEASE + timedelta(seconds=1)
    assert await claims.retake(store, later, "T1", "digest", "7", "s1") is True
    assert await claims.retake(store, later, "T1", "digest", "7", "s1") is False  # taken now
    again = later + claims.LEASE + timedelta(seconds=1)
    assert await claims.retake(store, again, "T1", "digest", "7", "s1", claims.LEASE) is True
    # A shorter lease is the caller's to give; over work is never taken again.
    await claims.finish(store, again, "T1", "digest", "7", "s1")
    assert await claims.retake(store, again + claims.KEEP, "T1", "digest", "7", "s1") is False
    assert await claims.retake(store, again, "T1", "digest", "7", "never") is False


async def test_deferred_work_is_retaken_at_once_and_then_held_for_a_lease(
    store: SQLiteStore,
) -> None:
    await claims.claim(store, AT, "T1", "event", "Ev1", "")
    await claims.defer(store, "T1", "event", "Ev1", "", "ratelimited")
    assert await claims.retake(store, AT, "T1", "event", "Ev1", "", claims.EVENT_LEASE) is True
    async with store.read() as tx:
        assert await tx.claim_state("T1", "event", "Ev1", "") == (False, None)
    soon = AT + claims.EVENT_LEASE
    assert await claims.retake(store, soon, "T1", "event", "Ev1", "", claims.EVENT_LEASE) is False
    assert (
        await claims.retake(
            store, soon + timedelta(seconds=1), "T1", "event", "Ev1", "", claims.EVENT_LEASE
        )
        is True
    )
