"""Claims: the one way to say "this slot was handled already" for events, digests and reminders.

A claim is taken before the work and finished after it, so with several processes on one
database each slot's work happens once. Work refused for a passing reason is deferred: the
claim stays unfinished with the error, and one process retakes it on a later pass (clearing
the error). So a claim is in flight (no done_at, no error), deferred (no done_at, an error),
or over (done_at, with the error when it was given up). Old claims are pruned by a job.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.ports import Store

EVENT = "event"  # an Events API delivery: key is the event id, slot is empty
KEEP = timedelta(days=30)  # longer than any retry, missed slot or reminder looks back


async def claim(store: Store, at: datetime, team_id: str, kind: str, key: str, slot: str) -> bool:
    """True for the first to claim this slot, False for everyone after."""
    async with store.write() as tx:
        return await tx.claim(team_id, kind, key, slot, at)


async def finish(
    store: Store,
    at: datetime,
    team_id: str,
    kind: str,
    key: str,
    slot: str,
    error: str | None = None,
) -> None:
    """Record how claimed work ended: done, or failed with its error."""
    async with store.write() as tx:
        await tx.finish_claim(team_id, kind, key, slot, at, error)


async def defer(store: Store, team_id: str, kind: str, key: str, slot: str, error: str) -> None:
    """Leave claimed work unfinished, refused for a passing reason: retake() takes it again."""
    async with store.write() as tx:
        await tx.defer_claim(team_id, kind, key, slot, error)


async def retake(store: Store, team_id: str, kind: str, key: str, slot: str) -> bool:
    """True for the one process that takes a deferred claim's retry (its error cleared, so
    it is in flight again); False when it was not deferred, or someone took it first."""
    async with store.write() as tx:
        return await tx.retake_claim(team_id, kind, key, slot)


async def prune(store: Store, now: datetime, keep: timedelta = KEEP) -> int:
    """Forget claims older than keep; returns how many were removed."""
    async with store.write() as tx:
        return await tx.prune_claims(now - keep)
