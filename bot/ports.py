"""What the use cases need from storage: the store, and a transaction's queries composed of
each feature's (`bot/<feature>/ports.py`) and the shared settings and claims."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar, overload

from bot.alerts.ports import AlertsTx
from bot.claims import Unfinished
from bot.digest.ports import DigestTx
from bot.failover.ports import FailoverTx
from bot.health.ports import HealthTx
from bot.home.ports import HomeTx
from bot.registry.bulk_ports import BulkTx
from bot.registry.ports import AuditEntry, RegistryTx
from bot.scoring.ports import ScoringTx

A = TypeVar("A")
B = TypeVar("B")
C = TypeVar("C")


class SettingsTx(Protocol):
    """Workspace settings by scope, and the audit of their changes."""

    async def settings(self, team_id: str, scope: str) -> dict[str, float]: ...
    async def setting(self, team_id: str, scope: str, key: str) -> float | None: ...
    async def write_setting(
        self,
        team_id: str,
        scope: str,
        key: str,
        value: float,
        actor: str,
        at: datetime,
        old: float | None,
    ) -> bool: ...
    async def add_settings_audit(
        self, team_id: str, actor: str, at: datetime, setting: str, before: str, after: str
    ) -> None: ...
    async def settings_history(self, team_id: str, limit: int) -> list[AuditEntry]: ...


class ClaimsTx(Protocol):
    """One claim per (team, kind, key, slot): the first insert wins, on any engine."""

    async def claim(
        self, team_id: str, kind: str, key: str, slot: str, at: datetime, body: str | None = None
    ) -> bool: ...
    async def set_claim_body(
        self, team_id: str, kind: str, key: str, slot: str, body: str
    ) -> None: ...
    async def unfinished_posts(self, kind: str, abandoned_before: datetime) -> list[Unfinished]: ...
    async def finish_claim(
        self, team_id: str, kind: str, key: str, slot: str, at: datetime, error: str | None
    ) -> None: ...
    async def claim_state(
        self, team_id: str, kind: str, key: str, slot: str
    ) -> tuple[bool, str | None] | None: ...
    async def defer_claim(
        self, team_id: str, kind: str, key: str, slot: str, error: str
    ) -> None: ...
    async def retake_claim(
        self, team_id: str, kind: str, key: str, slot: str, at: datetime, abandoned_before: datetime
    ) -> bool: ...
    async def prune_claims(self, before: datetime) -> int: ...
    async def ping(self) -> bool: ...


class VersionsTx(Protocol):
    """Each workspace's report version, bumped once by every write transaction that changes
    what the slow reports show (the ranking, the portfolio, digests)."""

    async def report_version(self, team_id: str) -> int: ...

    def reports_changed(self, *team_ids: str) -> None: ...


class Tx(
    RegistryTx,
    HealthTx,
    ScoringTx,
    SettingsTx,
    ClaimsTx,
    AlertsTx,
    HomeTx,
    DigestTx,
    FailoverTx,
    BulkTx,
    VersionsTx,
    Protocol,
):
    """Queries on one connection; inside `Store.write()` one transaction."""

    @overload
    async def at_once(
        self, a: Callable[[Tx], Awaitable[A]], b: Callable[[Tx], Awaitable[B]], /
    ) -> tuple[A, B]: ...
    @overload
    async def at_once(
        self,
        a: Callable[[Tx], Awaitable[A]],
        b: Callable[[Tx], Awaitable[B]],
        c: Callable[[Tx], Awaitable[C]],
        /,
    ) -> tuple[A, B, C]:
        """Each call's result, given a Tx for its statements: run at the same time, each on a
        connection of its own on this read's snapshot where the store has one to spare, else
        one after the other on this one."""
        ...


Report = Callable[[str], Awaitable[None]]  # tells a person, in one sentence, what failed


@dataclass(frozen=True)
class Delivery:
    """How one send went, as data: callers decide on `error`, and tell people `sentence`."""

    ok: bool
    ts: str | None = None  # the message's ts, when Slack gave one
    error: str | None = None  # Slack's error code if Slack refused; None if sent or the call failed
    sentence: str = ""  # what failed, in one sentence for a person; empty when sent


class Outbound(Protocol):
    """Messages and files sent with no request waiting: paced per channel, never raising;
    each send returns its Delivery, and a failure is also told through report (see
    handlers.outbox)."""

    async def post(
        self,
        channel: str,
        message: dict[str, Any],
        *,
        thread_ts: str | None = None,
        report: Report | None = None,
    ) -> Delivery: ...
    async def update(
        self, channel: str, ts: str, message: dict[str, Any], *, report: Report | None = None
    ) -> Delivery: ...
    async def upload(
        self,
        channel: str,
        content: bytes,
        *,
        filename: str,
        title: str,
        comment: str,
        alt_text: str | None = None,
        thread_ts: str | None = None,
        report: Report | None = None,
    ) -> Delivery: ...


class Store(Protocol):
    def read(self, *, snapshot: bool = True) -> AbstractAsyncContextManager[Tx]:
        """Queries that change nothing; on PostgreSQL all on one snapshot unless snapshot is
        False (for a read of one statement: no transaction to begin and end)."""
        ...

    def write(self) -> AbstractAsyncContextManager[Tx]: ...
    async def ping(self) -> bool: ...
    async def close(self) -> None: ...
