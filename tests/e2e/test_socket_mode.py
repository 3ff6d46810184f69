"""Socket Mode end to end: `serve` connects to the fake Slack's socket and answers envelopes."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.app import serve
from bot.settings import load_settings
from tests.support.fake_slack import FakeSlack


async def test_socket_mode_answers_commands_and_stops_cleanly(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    settings = load_settings(
        slack_bot_token="xoxb-test",
        slack_app_token="xapp-test",
        slack_api_url=fake_slack.api_url,
        database_url=f"sqlite:///{tmp_path / 'socket.db'}",
        port=0,
    )
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
