"""Claims: the one way to say "this slot was handled already" for events, digests and reminders.

A claim is taken before the work and finished after it, so with several processes on one
database each slot's work happens once. Work refused for a passing reason is deferred: the
claim stays unfinished with the error, and one process retakes it on a later pass (clearing
the error). So a claim is in flight (no done_at, no error), deferred (no done_at, an error),
or over (done_at, with the error when it was given up). Old claims are pruned by a job.

A process can die holding a claim in flight (killed, its machine lost). So every take has a
lease: work in flight for longer than its lease was abandoned, and retake() takes it again,
as it takes deferred work. A lease is far longer than the work it covers ever takes.

Work whose message cannot be made again later (an alert as it was when the partner turned
red, a drill's close summary as made at its close) keeps it on its claim, a HeldPost: a
retake posts it from there (handlers/held_posts.py), to the channels still owed it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.ports import Store

EVENT = "event"  # an Events API delivery: key is the event id, slot is empty
KEEP = timedelta(days=30)  # longer than any retry, missed slot or reminder looks back
# Posting a digest, a nudge or a checklist takes seconds, with Slack's rate-limit waits a
# minute or two: in flight for longer than this, its taker died.
LEASE = timedelta(minutes=10)
# Handling an event is quick (its listeners ack, then spawn their work), and Slack retries a
# delivery after about 1 and 5 minutes: a retry after this long is taken again.
EVENT_LEASE = timedelta(seconds=30)


@dataclass(frozen=True)
class HeldPost:
    """A message a claim is to post, once to each of channels (in thread_ts's thread when
    given); stored as JSON on the claim."""

    message: dict[str, Any]
    channels: tuple[str, ...]
    thread_ts: str | None = None

    def dump(self) -> str:
        return json.dumps(
            {"message": self.message, "channels": list(self.channels), "thread_ts": self.thread_ts}
        )

    @classmethod
    def load(cls, text: str) -> HeldPost:
        data = json.loads(text)
        return cls(data["message"], tuple(data["channels"]), data.get("thread_ts"))

    def without(self, channel: str) -> HeldPost:
        """The post still owed once channel has had it (or refused it for good)."""
        return replace(self, channels=tuple(c for c in self.channels if c != channel))


@dataclass(frozen=True)
class Unfinished:
    """A claim holding a post, deferred or abandoned, as the job that retakes it sees it."""

    team_id: str
    kind: str
    key: str
    slot: str
    claimed_at: datetime
    post: HeldPost


def abandoned(taken_at: datetime, now: datetime, lease: timedelta = LEASE) -> bool:
    """Whether work taken at taken_at and still in flight at now has outlived its lease."""
    return now - taken_at > lease


async def claim(
    store: Store,
    at: datetime,
    team_id: str,
    kind: str,
    key: str,
    slot: str,
    post: HeldPost | None = None,
) -> bool:
    """True for the first to claim this slot, False for everyone after; post is kept on the
    claim for a retake to post."""
    async with store.write() as tx:
        return await tx.claim(team_id, kind, key, slot, at, None if post is None else post.dump())


async def owe(store: Store, team_id: str, kind: str, key: str, slot: str, post: HeldPost) -> None:
    """Record what a claim still has to post, once part of it went out."""
    async with store.write() as tx:
        await tx.set_claim_body(team_id, kind, key, slot, post.dump())


async def unfinished_posts(
    store: Store, now: datetime, kind: str, lease: timedelta = LEASE
) -> list[Unfinished]:
    """Claims of kind holding a post that are deferred, or in flight for longer than lease."""
    async with store.read(snapshot=False) as tx:  # one statement
        return await tx.unfinished_posts(kind, now - lease)


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


async def retake(
    store: Store,
    now: datetime,
    team_id: str,
    kind: str,
    key: str,
    slot: str,
    lease: timedelta = LEASE,
) -> bool:
    """True for the one process that takes unfinished work again (in flight again, its lease
    starting at now): a deferred claim, or one in flight for longer than lease. False when
    the work is over, still within its lease, or someone took it first."""
    async with store.write() as tx:
        return await tx.retake_claim(team_id, kind, key, slot, now, now - lease)


async def prune(store: Store, now: datetime, keep: timedelta = KEEP) -> int:
    """Forget claims older than keep; returns how many were removed."""
    async with store.write() as tx:
        return await tx.prune_claims(now - keep)
