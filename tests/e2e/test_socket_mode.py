"""Socket Mode end to end: `serve` connects to the fake Slack's socket and answers envelopes."""

from __future__ import annotations

import asyncio
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
import pytest

from bot.app import serve
from bot.settings import Settings, load_settings
from storage.store import SQLiteStore
from tests.support.fake_slack import FakeSlack
from tests.support.harness import START


def socket_settings(fake: FakeSlack, tmp_path: Path) -> Settings:
    """Socket Mode against the fake Slack, the health check on a port the OS picks."""
    return load_settings(
        slack_bot_token="xoxb-test",
        slack_app_token="xapp-test",
        slack_api_url=fake.api_url,
        database_url=f"sqlite:///{tmp_path / 'socket.db'}",
        port=0,
    )


async def test_socket_mode_answers_commands_and_stops_cleanly(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    settings = socket_settings(fake_slack, tmp_path)
    stop = asyncio.Event()
    running = asyncio.create_task(serve(settings, stop))
    try:
        command = {
            "team_id": "T0001",
            "channel_id": "C1",
            "user_id": "U1",
            "command": "/partner",
            "text": 'add "Socket Co" tier=core',
            "response_url": fake_slack.response_url(),
            "trigger_id": "1.2.3",
        }
        added = await fake_slack.send_envelope("slash_commands", command)
        assert "Added" in added["text"]
        shown = await fake_slack.send_envelope(
            "slash_commands", {**command, "text": 'show "socket co"'}
        )
        assert "*Socket Co*" in str(shown["blocks"]) and "core" in str(shown["blocks"])
        opened = fake_slack.named("apps.connections.open")
        assert opened and opened[0].headers["Authorization"] == "Bearer xapp-test"
    finally:
        stop.set()
        async with asyncio.timeout(30):
            await running
    assert running.exception() is None


async def test_socket_mode_serves_no_request_url_only_the_health_check(
    fake_slack: FakeSlack, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = socket_settings(fake_slack, tmp_path)
    stop = asyncio.Event()
    running = asyncio.create_task(serve(settings, stop))
    try:
        async with asyncio.timeout(30):
            await fake_slack.send_envelope(
                "slash_commands",
                {
                    "team_id": "T0001",
                    "channel_id": "C1",
                    "user_id": "U1",
                    "command": "/partner",
                    "text": "help",
                    "response_url": fake_slack.response_url(),
                    "trigger_id": "1",
                },
            )
        ready = [line for line in capsys.readouterr().out.splitlines() if "ready on port" in line]
        port = int(ready[0].rsplit(" ", 1)[1])
        forged = urlencode(
            {
                "team_id": "T0001",
                "user_id": "UADMIN01",
                "command": "/partner",
                "text": 'add "Forged Co"',
                "trigger_id": "1",
            }
        )
        async with aiohttp.ClientSession() as session:
            async with session.post(f"http://127.0.0.1:{port}/slack/events", data=forged) as resp:
                assert resp.status in (404, 405)
            async with session.get(f"http://127.0.0.1:{port}/healthz") as resp:
                assert resp.status == 200
    finally:
        stop.set()
        async with asyncio.timeout(30):
            await running
    store = SQLiteStore(settings.sqlite_path)
    await store.open(START)
    try:
        async with store.read() as tx:
            assert await tx.partner_names("T0001") == []
    finally:
        await store.close()
