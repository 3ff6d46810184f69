"""The real app over HTTP, and requests built and signed the way Slack builds and signs them."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import aiohttp
from aiohttp import web
from slack_sdk.signature import SignatureVerifier

from bot.app import Partnerbot, create_app, web_app
from bot.clock import FixedClock
from bot.settings import Settings, load_settings
from storage.store import PostgresStore, SQLiteStore
from tests.support.databases import store_for
from tests.support.fake_slack import TEAM, FakeSlack
from tests.support.slack_checks import check_ack

SIGNING_SECRET = "test-signing-secret"
USER = "U2147483697"
ADMIN = "UADMIN01"
CHANNEL = "C2147483705"
START = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)


@dataclass
class Reply:
    status: int
    body: dict[str, Any]
    text: str

    @property
    def shown(self) -> str:
        """Everything a person would read in the answer, as one string."""
        return json.dumps(self.body, ensure_ascii=False)


@dataclass
class Harness:
    """A running app, its fake Slack, and helpers that send it signed Slack requests."""

    fake: FakeSlack
    bot: Partnerbot
    clock: FixedClock
    url: str
    session: aiohttp.ClientSession
    sleeps: list[float] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def store(self) -> SQLiteStore | PostgresStore:
        return self.bot.services.store  # type: ignore[return-value]

    async def post(
        self,
        body: str | bytes,
        content_type: str,
        *,
        timestamp: int | str | None = None,
        secret: str = SIGNING_SECRET,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        """POST a body signed as Slack signs it, at the app's clock's time unless told;
        a bytes body is sent as it is (it need not be UTF-8)."""
        ts = str(int(self.clock.now().timestamp()) if timestamp is None else timestamp)
        all_headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": sign(secret, ts, body),
            **(headers or {}),
        }
        raw = body if isinstance(body, bytes) else body.encode()
        async with self.session.post(self.url, data=raw, headers=all_headers) as resp:
            text = await resp.text()
        parsed = json.loads(text) if text.startswith("{") else {}
        if resp.status == 200 and parsed:
            self.problems.extend(check_ack(parsed))
        return Reply(resp.status, parsed, text)

    def command_body(
        self, text: str, *, user: str = USER, team: str = TEAM, command: str = "/partner"
    ) -> str:
        return urlencode(
            {
                "token": "gIkuvaNzQIHg97ATvDxqgjtO",
                "team_id": team,
                "team_domain": "example",
                "enterprise_id": "",
                "enterprise_name": "",
                "channel_id": CHANNEL,
                "channel_name": "partners",
                "user_id": user,
                "user_name": "someone",
                "command": command,
                "text": text,
                "api_app_id": "A123456",
                "is_enterprise_install": "false",
                "response_url": self.fake.response_url("cmd"),
                "trigger_id": "13345224609.738474920.8088930838d88f008e0",
            }
        )

    async def command(
        self, text: str, *, user: str = USER, team: str = TEAM, command: str = "/partner"
    ) -> Reply:
        """Send a slash command and wait for every piece of work it started."""
        body = self.command_body(text, user=user, team=team, command=command)
        reply = await self.post(body, "application/x-www-form-urlencoded")
        await self.settle()
        return reply

    async def interactive(self, payload: dict[str, Any]) -> Reply:
        body = urlencode({"payload": json.dumps(payload)})
        reply = await self.post(body, "application/x-www-form-urlencoded")
        await self.settle()
        return reply

    async def click(
        self,
        action_id: str,
        value: str,
        *,
        user: str = USER,
        team: str = TEAM,
        ephemeral: bool = True,
    ) -> Reply:
        """Click a button the app sent, as Slack's block_actions payload."""
        container: dict[str, Any] = {
            "type": "message",
            "message_ts": "1730000000.000200",
            "channel_id": CHANNEL,
            "is_ephemeral": ephemeral,
        }
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": {"id": user, "username": "someone", "name": "someone", "team_id": team},
            "api_app_id": "A123456",
            "token": "gIkuvaNzQIHg97ATvDxqgjtO",
            "container": container,
            "trigger_id": "13345224609.738474920.8088930838d88f008e0",
            "team": {"id": team, "domain": "example"},
            "enterprise": None,
            "is_enterprise_install": False,
            "channel": {"id": CHANNEL, "name": "partners"},
            "state": {"values": {}},
            "response_url": self.fake.response_url("action"),
            "actions": [
                {
                    "action_id": action_id,
                    "block_id": "b1",
                    "value": value,
                    "type": "button",
                    "action_ts": "1730000123.456789",
                    "text": {"type": "plain_text", "text": "x", "emoji": True},
                }
            ],
        }
        return await self.interactive(payload)

    async def submit(
        self,
        view: dict[str, Any],
        values: dict[str, Any],
        *,
        user: str = USER,
        team: str = TEAM,
    ) -> Reply:
        """Submit a modal the app opened, with the state Slack would send."""
        payload = {
            "type": "view_submission",
            "team": {"id": team, "domain": "example"},
            "user": {"id": user, "username": "someone", "name": "someone", "team_id": team},
            "api_app_id": "A123456",
            "token": "gIkuvaNzQIHg97ATvDxqgjtO",
            "trigger_id": "1234.5678.abcd",
            "view": {
                "id": "V0123456",
                "team_id": team,
                "type": "modal",
                "callback_id": view["callback_id"],
                "private_metadata": view.get("private_metadata", ""),
                "hash": "1730000000.abcdef",
                "title": view["title"],
                "blocks": view["blocks"],
                "state": {"values": values},
            },
            "response_urls": [],
            "is_enterprise_install": False,
        }
        return await self.interactive(payload)

    async def event(
        self,
        event: dict[str, Any],
        *,
        event_id: str,
        team: str = TEAM,
        retry: int | None = None,
    ) -> Reply:
        body = json.dumps(
            {
                "token": "gIkuvaNzQIHg97ATvDxqgjtO",
                "team_id": team,
                "api_app_id": "A123456",
                "event": event,
                "type": "event_callback",
                "event_id": event_id,
                "event_time": 1730000000,
                "authorizations": [{"team_id": team, "user_id": "UBOT", "is_bot": True}],
            }
        )
        headers = {}
        if retry is not None:
            headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
        reply = await self.post(body, "application/json", headers=headers)
        await self.settle()
        return reply

    async def settle(self) -> None:
        """Wait until the work the app started after its acks has finished."""
        await self.bot.services.tasks.drain(grace=10)


def sign(secret: str, timestamp: str, body: str | bytes) -> str:
    """Slack's `v0=` signature; SignatureVerifier signs text, so raw bytes are signed here."""
    if isinstance(body, str):
        signature = SignatureVerifier(secret).generate_signature(timestamp=timestamp, body=body)
        assert signature is not None
        return signature
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def make_settings(url: str, fake: FakeSlack, **extra: Any) -> Settings:
    return load_settings(
        slack_bot_token="xoxb-test-token",
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=fake.api_url,
        database_url=url,
        admins=ADMIN,
        timezone="Asia/Shanghai",
        **extra,
    )


async def start_harness(
    url: str, fake: FakeSlack, session: aiohttp.ClientSession, **settings: Any
) -> tuple[Harness, web.AppRunner]:
    """The app over HTTP on a database URL (SQLite or PostgreSQL), with its fake Slack."""
    clock = FixedClock(START)
    config = make_settings(url, fake, **settings)
    store = store_for(config.database_url)
    await store.open(clock.now())
    sleeps: list[float] = []

    async def record_sleep(seconds: float) -> None:
        sleeps.append(seconds)

    bot = create_app(config, store, clock, sleep=record_sleep)
    # Answers go in the ack whatever the machine's load (slow reports too, which production
    # answers after a "Working on it": report_wait 0); one test sets 0 for the slow path.
    bot.services.ack_budget = 60.0
    bot.services.report_wait = 60.0
    runner = web.AppRunner(web_app(bot))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    port = runner.addresses[0][1]
    harness = Harness(fake, bot, clock, f"http://127.0.0.1:{port}/slack/events", session, sleeps)
    return harness, runner
