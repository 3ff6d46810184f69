"""Fakes for calling listeners directly, with no HTTP and no Bolt app: Bolt's ack and
respond, the Web API client and the outbox record what they were given; the services are
the real ones (store, clock, background tasks, scheduler) over a test's store."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bot.clock import FixedClock
from bot.ports import Delivery, Report
from bot.registry import service as partners
from bot.registry.rules import Category, PartnerFields, Status, Tier
from bot.scheduler import Scheduler
from bot.services import Services
from bot.settings import load_settings
from bot.tasks import BackgroundTasks
from storage.postgres import PostgresStore
from storage.store import SQLiteStore
from tests.support.databases import url_of

TEAM = "T0001"
USER = "U2147483697"
OTHER = "U0OTHER1"
ADMIN = "UADMIN01"
CHANNEL = "C2147483705"
TRIGGER = "13345224609.738474920.8088930838d88f008e0"
START = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)


class Recorder:
    """Bolt's ack or respond: an async callable that keeps the keyword arguments of each call."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    async def __call__(self, **kwargs: Any) -> None:
        self.calls.append(kwargs)

    @property
    def once(self) -> dict[str, Any]:
        """The one call made; fails when there were none or several."""
        assert len(self.calls) == 1, f"expected one call, got {self.calls!r}"
        return self.calls[0]

    def shown(self, index: int = -1) -> str:
        """Everything a person would read in a call's message, as one string."""
        return json.dumps(self.calls[index], ensure_ascii=False)


@dataclass
class FakeClient:
    """The Web API calls a listener makes while answering a request, kept as (method, kwargs)."""

    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def named(self, method: str) -> list[dict[str, Any]]:
        return [kwargs for name, kwargs in self.calls if name == method]

    async def views_open(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("views_open", kwargs))
        return {"ok": True, "view": {"id": "V0MODAL", **kwargs.get("view", {})}}

    async def views_update(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("views_update", kwargs))
        return {"ok": True}

    async def views_publish(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("views_publish", kwargs))
        return {"ok": True}

    async def files_upload_v2(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("files_upload_v2", kwargs))
        return {"ok": True}


@dataclass
class FakeOutbox:
    """The outbox: keeps each send; with refuse set, tells report that sentence instead and
    returns a failed Delivery carrying refuse_code, as the real outbox does when Slack
    refuses."""

    refuse: str | None = None
    refuse_code: str | None = "fatal_error"  # Slack's code for the refusal; None: the call failed
    posts: list[dict[str, Any]] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    uploads: list[dict[str, Any]] = field(default_factory=list)

    async def _outcome(self, report: Report | None, ts: str | None = None) -> Delivery:
        if self.refuse is None:
            return Delivery(ok=True, ts=ts)
        if report is not None:
            await report(self.refuse)
        return Delivery(ok=False, error=self.refuse_code, sentence=self.refuse)

    async def post(
        self,
        channel: str,
        message: dict[str, Any],
        *,
        thread_ts: str | None = None,
        report: Report | None = None,
    ) -> Delivery:
        self.posts.append({"channel": channel, "message": message, "thread_ts": thread_ts})
        return await self._outcome(report, "1730000000.000100")

    async def update(
        self, channel: str, ts: str, message: dict[str, Any], *, report: Report | None = None
    ) -> Delivery:
        self.updates.append({"channel": channel, "ts": ts, "message": message})
        return await self._outcome(report, ts)

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
    ) -> Delivery:
        self.uploads.append(
            {
                "channel": channel,
                "content": content,
                "filename": filename,
                "title": title,
                "comment": comment,
                "alt_text": alt_text,
                "thread_ts": thread_ts,
            }
        )
        return await self._outcome(report)


@dataclass
class Bot:
    """Real services over a test's store, and the fakes a listener is called with."""

    services: Services
    clock: FixedClock
    client: FakeClient
    outbox: FakeOutbox
    ack: Recorder = field(default_factory=Recorder)
    respond: Recorder = field(default_factory=Recorder)

    @property
    def store(self) -> SQLiteStore:
        return self.services.store  # type: ignore[return-value]

    async def settle(self) -> None:
        """Wait until the work started after the ack has finished."""
        await self.services.tasks.drain(grace=10)


def build_services(
    store: SQLiteStore | PostgresStore,
    *,
    clock: FixedClock | None = None,
    client: Any = None,
    outbox: Any = None,
    ack_budget: float = 60.0,
    report_wait: float | None = None,
) -> Services:
    """Services as create_app builds them, over store; ADMIN is the one partnerbot admin.
    The ack budget is generous so that answers go in the ack whatever the machine's load;
    a slow report may use all of it (report_wait, unless given; production's is 0)."""
    settings = load_settings(
        slack_bot_token="xoxb-test-token",
        slack_signing_secret="test-signing-secret",
        database_url=url_of(store),
        admins=ADMIN,
        timezone="Asia/Shanghai",
    )
    clock = clock or FixedClock(START)
    return Services(
        settings,
        store,
        clock,
        BackgroundTasks(),
        Scheduler(clock),
        client if client is not None else FakeClient(),
        outbox if outbox is not None else FakeOutbox(),
        ack_budget=ack_budget,
        report_wait=ack_budget if report_wait is None else report_wait,
    )


@asynccontextmanager
async def fake_bot(store: SQLiteStore | PostgresStore, **options: Any) -> AsyncIterator[Bot]:
    """A Bot over store; on exit, waits for the background work it started."""
    clock = FixedClock(START)
    client, outbox = FakeClient(), FakeOutbox()
    services = build_services(store, clock=clock, client=client, outbox=outbox, **options)
    bot = Bot(services, clock, client, outbox)
    try:
        yield bot
    finally:
        await bot.settle()


# Requests, as Bolt hands their bodies to listeners


def command_body(
    text: str, *, user: str = USER, team: str = TEAM, command: str = "/partner"
) -> dict[str, Any]:
    """A slash command's body, its form fields parsed."""
    return {
        "team_id": team,
        "team_domain": "example",
        "channel_id": CHANNEL,
        "channel_name": "partners",
        "user_id": user,
        "user_name": "someone",
        "command": command,
        "text": text,
        "api_app_id": "A123456",
        "response_url": "https://hooks.slack.test/commands/1",
        "trigger_id": TRIGGER,
    }


def click_body(action_id: str, value: Any, *, user: str = USER, team: str = TEAM) -> dict[str, Any]:
    """A block_actions body for one button click (see tests/support/harness.py click)."""
    return {
        "type": "block_actions",
        "user": {"id": user, "username": "someone", "name": "someone", "team_id": team},
        "api_app_id": "A123456",
        "container": {
            "type": "message",
            "message_ts": "1730000000.000200",
            "channel_id": CHANNEL,
            "is_ephemeral": True,
        },
        "trigger_id": TRIGGER,
        "team": {"id": team, "domain": "example"},
        "enterprise": None,
        "is_enterprise_install": False,
        "channel": {"id": CHANNEL, "name": "partners"},
        "state": {"values": {}},
        "response_url": "https://hooks.slack.test/actions/1",
        "actions": [
            {
                "action_id": action_id,
                "block_id": "b1",
                "value": value,
                "type": "button",
                "action_ts": "1730000123.456789",
            }
        ],
    }


def submission(
    callback_id: str,
    private_metadata: str,
    values: dict[str, Any],
    *,
    user: str = USER,
    team: str = TEAM,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A view_submission's body and its view, as Bolt passes them (body, view)."""
    view = {
        "id": "V0123456",
        "team_id": team,
        "type": "modal",
        "callback_id": callback_id,
        "private_metadata": private_metadata,
        "hash": "1730000000.abcdef",
        "state": {"values": values},
    }
    body = {
        "type": "view_submission",
        "team": {"id": team, "domain": "example"},
        "user": {"id": user, "username": "someone", "name": "someone", "team_id": team},
        "api_app_id": "A123456",
        "trigger_id": "1234.5678.abcd",
        "view": view,
    }
    return body, view


# Data, put straight into the store


async def add_partner(
    bot: Bot,
    name: str,
    *,
    owner: str = USER,
    category: Category = Category.KOL,
    tier: Tier = Tier.CORE,
    status: Status = Status.ACTIVE,
) -> int:
    """Register a partner owned by owner; its id."""
    fields = PartnerFields(name=name, category=category, tier=tier, status=status, owner=owner)
    actor = bot.services.actor(owner)
    change = await partners.add_partner(bot.store, bot.clock.now(), TEAM, actor, fields)
    return change.partner.id
