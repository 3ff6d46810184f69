"""Start-up against Slack, end to end through `serve`: the bot token checked once, a refused
token stopping start-up, an unreachable Slack retried while /healthz says why, and a stop at
any point of it."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest
from slack_sdk.signature import SignatureVerifier

from bot.app import serve
from bot.settings import Settings, load_settings
from handlers.connection import TokenRefused
from storage.store import SQLiteStore
from tests.support.fake_slack import FakeSlack
from tests.support.harness import SIGNING_SECRET, START


class Announcements:
    """The lines serve() announces, and a way to wait for one."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self._changed = asyncio.Event()

    def __call__(self, line: str) -> None:
        self.lines.append(line)
        self._changed.set()

    async def wait_for(self, prefix: str, within: float = 10) -> int:
        """Wait for a line starting with prefix; return the port it names."""
        async with asyncio.timeout(within):
            while True:
                for line in self.lines:
                    if line.startswith(prefix):
                        return int(line.split(" on port ", 1)[1].split(":", 1)[0])
                self._changed.clear()
                await self._changed.wait()


class GatedSleep:
    """serve()'s wait between attempts: recorded, and over only when the test says so."""

    def __init__(self) -> None:
        self.delays: list[float] = []
        self._go = asyncio.Event()

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)
        await self._go.wait()
        self._go.clear()

    def release(self) -> None:
        self._go.set()


def settings_for(fake: FakeSlack, tmp_path: Path, *, socket: bool = False) -> Settings:
    return load_settings(
        slack_bot_token="xoxb-test",
        slack_signing_secret=SIGNING_SECRET,
        slack_app_token="xapp-test" if socket else None,
        slack_api_url=fake.api_url,
        database_url=f"sqlite:///{tmp_path / 'startup.db'}",
        port=0,
    )


def signed_command(text: str, fake: FakeSlack) -> tuple[bytes, dict[str, str]]:
    body = urlencode(
        {
            "team_id": "T0001",
            "channel_id": "C1",
            "user_id": "U1",
            "command": "/partner",
            "text": text,
            "response_url": fake.response_url(),
            "trigger_id": "1.2.3",
        }
    )
    ts = str(int(time.time()))
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": SignatureVerifier(SIGNING_SECRET).generate_signature(
            timestamp=ts, body=body
        ),
    }
    return body.encode(), headers


async def health(port: int) -> tuple[int, dict[str, Any]]:
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"http://127.0.0.1:{port}/healthz") as resp,
    ):
        return resp.status, await resp.json()


async def stopped(stop: asyncio.Event, running: asyncio.Task[None]) -> None:
    stop.set()
    async with asyncio.timeout(30):
        await asyncio.gather(running, return_exceptions=True)


async def test_the_bot_token_is_checked_once_for_start_up_and_every_request(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    announced = Announcements()
    stop = asyncio.Event()
    running = asyncio.create_task(
        serve(settings_for(fake_slack, tmp_path), stop, announce=announced)
    )
    try:
        port = await announced.wait_for("partnerbot ready on port ")
        assert await health(port) == (200, {"status": "ok"})
        url = f"http://127.0.0.1:{port}/slack/events"
        async with aiohttp.ClientSession() as session:

            async def command() -> int:
                body, headers = signed_command("help", fake_slack)
                async with session.post(url, data=body, headers=headers) as resp:
                    assert "/partner add" in await resp.text()
                    return resp.status

            statuses = await asyncio.gather(*(command() for _ in range(16)))
        assert statuses == [200] * 16
        assert len(fake_slack.named("auth.test")) == 1
    finally:
        await stopped(stop, running)
    assert running.exception() is None


async def test_a_refused_bot_token_stops_start_up_with_the_setting_named(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    fake_slack.refuse("auth.test", "invalid_auth")
    announced = Announcements()
    with pytest.raises(TokenRefused) as refused:
        async with asyncio.timeout(30):
            await serve(settings_for(fake_slack, tmp_path), announce=announced)
    message = str(refused.value)
    assert message.startswith("SLACK_BOT_TOKEN was refused by Slack (invalid_auth): ")
    assert "OAuth & Permissions" in message and "\n" not in message
    assert announced.lines == []
    assert len(fake_slack.named("auth.test")) == 1


async def test_slack_out_of_reach_is_retried_while_the_health_check_says_why(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    fake_slack.fail_next("auth.test", status=503)
    announced = Announcements()
    gate = GatedSleep()
    stop = asyncio.Event()
    running = asyncio.create_task(
        serve(settings_for(fake_slack, tmp_path), stop, sleep=gate, announce=announced)
    )
    try:
        port = await announced.wait_for("partnerbot not ready on port ")
        status, body = await health(port)
        assert status == 503 and body["status"] == "not ready"
        assert "checking the bot token" in body["reason"] and "retrying" in body["reason"]
        assert gate.delays == [1.0]
        gate.release()
        assert await announced.wait_for("partnerbot ready on port ") == port
        assert await health(port) == (200, {"status": "ok"})
        assert len(fake_slack.named("auth.test")) == 2
    finally:
        await stopped(stop, running)
    assert running.exception() is None


async def test_a_request_while_slack_is_out_of_reach_is_told_so_and_changes_nothing(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    fake_slack.refuse("auth.test", "fatal_error")
    announced = Announcements()
    gate = GatedSleep()
    stop = asyncio.Event()
    settings = settings_for(fake_slack, tmp_path)
    running = asyncio.create_task(serve(settings, stop, sleep=gate, announce=announced))
    try:
        port = await announced.wait_for("partnerbot not ready on port ")
        body, headers = signed_command('add "Offline Co"', fake_slack)
        async with (
            aiohttp.ClientSession() as session,
            session.post(f"http://127.0.0.1:{port}/slack/events", data=body, headers=headers) as r,
        ):
            assert r.status == 200
            assert "cannot reach Slack right now" in await r.text()
    finally:
        await stopped(stop, running)
    assert running.exception() is None
    store = SQLiteStore(settings.sqlite_path)
    await store.open(START)
    try:
        async with store.read() as tx:
            assert await tx.partner_names("T0001") == []
    finally:
        await store.close()


async def test_a_refused_app_token_stops_socket_mode_start_up(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    fake_slack.refuse("apps.connections.open", "invalid_auth")
    with pytest.raises(TokenRefused) as refused:
        async with asyncio.timeout(30):
            await serve(settings_for(fake_slack, tmp_path, socket=True), announce=Announcements())
    assert str(refused.value).startswith("SLACK_APP_TOKEN was refused by Slack (invalid_auth): ")
    assert "connections:write" in str(refused.value)
    assert fake_slack.sockets == []


async def test_socket_mode_is_not_ready_until_connected_and_stops_while_waiting(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    fake_slack.refuse("apps.connections.open", "internal_error")
    announced = Announcements()
    gate = GatedSleep()  # never released: the stop must come while start-up waits
    stop = asyncio.Event()
    running = asyncio.create_task(
        serve(settings_for(fake_slack, tmp_path, socket=True), stop, sleep=gate, announce=announced)
    )
    try:
        port = await announced.wait_for("partnerbot not ready on port ")
        status, body = await health(port)
        assert status == 503
        assert "Socket Mode" in body["reason"] and "internal_error" in body["reason"]
    finally:
        await stopped(stop, running)
    assert running.exception() is None
    assert fake_slack.sockets == []
    assert not any(line.startswith("partnerbot ready") for line in announced.lines)


async def test_socket_mode_becomes_ready_once_the_connection_opens(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    fake_slack.fail_next("apps.connections.open", status=503)
    announced = Announcements()
    gate = GatedSleep()
    stop = asyncio.Event()
    running = asyncio.create_task(
        serve(settings_for(fake_slack, tmp_path, socket=True), stop, sleep=gate, announce=announced)
    )
    try:
        port = await announced.wait_for("partnerbot not ready on port ")
        assert (await health(port))[0] == 503
        gate.release()
        await announced.wait_for("partnerbot ready on port ")
        assert await health(port) == (200, {"status": "ok"})
        assert len(fake_slack.sockets) == 1
    finally:
        await stopped(stop, running)
    assert running.exception() is None
