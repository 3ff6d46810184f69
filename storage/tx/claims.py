"""Claims: "this slot was handled already", one mechanism for events, digests and reminders."""

from __future__ import annotations

from datetime import datetime

from bot.claims import HeldPost, Unfinished
from storage.tx.base import Queries


class ClaimsQueries(Queries):
    """A claim is one row per (team, kind, key, slot); the first insert wins, on any engine."""

    async def claim(
        self, team_id: str, kind: str, key: str, slot: str, at: datetime, body: str | None = None
    ) -> bool:
        """True for the first claimer of this slot; False when it was claimed before. body,
        when given, is what the claimed work is to post (HeldPost's JSON)."""
        stamp = self._d.stamp(at)
        if body is None:
            row = await self._q.claim(
                self._conn, team_id=team_id, kind=kind, key=key, slot=slot, at=stamp
            )
        else:
            row = await self._q.claim_post(
                self._conn, team_id=team_id, kind=kind, key=key, slot=slot, at=stamp, body=body
            )
        return row is not None

    async def set_claim_body(self, team_id: str, kind: str, key: str, slot: str, body: str) -> None:
        """Replace what unfinished claimed work still has to post."""
        await self._q.set_claim_body(
            self._conn, team_id=team_id, kind=kind, key=key, slot=slot, body=body
        )

    async def unfinished_posts(self, kind: str, abandoned_before: datetime) -> list[Unfinished]:
        """Claims of kind holding a post, deferred or in flight since before abandoned_before,
        oldest first."""
        rows = await self._rows(
            "unfinished_posts", kind=kind, abandoned_before=self._d.stamp(abandoned_before)
        )
        return [
            Unfinished(
                row["team_id"],
                kind,
                row["key"],
                row["slot"],
                self._d.moment(row["claimed_at"]),
                HeldPost.load(row["body"]),
            )
            for row in rows
        ]

    async def finish_claim(
        self, team_id: str, kind: str, key: str, slot: str, at: datetime, error: str | None
    ) -> None:
        """Record that the claimed work finished, with its error if it failed."""
        await self._q.finish_claim(
            self._conn,
            team_id=team_id,
            kind=kind,
            key=key,
            slot=slot,
            at=self._d.stamp(at),
            error=error,
        )

    async def claim_state(
        self, team_id: str, kind: str, key: str, slot: str
    ) -> tuple[bool, str | None] | None:
        """(done, error) of a claim, or None when the slot was never claimed."""
        row = await self._q.claim_state(self._conn, team_id=team_id, kind=kind, key=key, slot=slot)
        return None if row is None else (row["done_at"] is not None, row["error"])

    async def defer_claim(self, team_id: str, kind: str, key: str, slot: str, error: str) -> None:
        """Leave claimed work unfinished with the passing error it is to be retried for."""
        await self._q.defer_claim(
            self._conn, team_id=team_id, kind=kind, key=key, slot=slot, error=error
        )

    async def retake_claim(
        self, team_id: str, kind: str, key: str, slot: str, at: datetime, abandoned_before: datetime
    ) -> bool:
        """True for the one claimer that takes unfinished work again at `at`: a deferred
        claim, or one in flight since before abandoned_before."""
        row = await self._q.retake_claim(
            self._conn,
            team_id=team_id,
            kind=kind,
            key=key,
            slot=slot,
            at=self._d.stamp(at),
            abandoned_before=self._d.stamp(abandoned_before),
        )
        return row is not None

    async def prune_claims(self, before: datetime) -> int:
        """Forget claims made before a moment; returns how many went."""
        result = await self._q.prune_claims(self._conn, before=self._d.stamp(before))
        return self._d.affected(result)

    async def ping(self) -> bool:
        return int(await self._q.ping(self._conn)) > 0
