"""Typed text as Slack sends it, and the console's clock arithmetic."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

from console import payloads
from console.session import parse_time
from console.standin import Directory, Message

PEOPLE = Directory(users={"U0TOM": "tom"}, channels={"C0OPS": "ops"})
NOW = datetime(2026, 11, 30, 1, 30, tzinfo=UTC)


def test_typed_text_is_escaped_and_mentions_are_sent_as_slack_sends_them() -> None:
    typed = 'add "<Beta> & co" owner=@tom #ops @nobody'
    assert payloads.escape_typed(typed, PEOPLE) == (
        'add "&lt;Beta&gt; &amp; co" owner=<@U0TOM|tom> <#C0OPS|ops> @nobody'
    )


def test_a_click_on_a_channel_message_carries_the_message() -> None:
    message = Message("C0OPS", "1.000002", "hi", [], thread_ts="1.000001")
    action = {"action_id": "failover.step_done", "block_id": "b", "type": "button", "value": "7"}
    body = payloads.block_action(
        action,
        user="U0TOM",
        directory=PEOPLE,
        action_ts="1.5",
        message=message,
        response_url="http://127.0.0.1/respond/r1",
    )
    payload = json.loads(parse_qs(body)["payload"][0])
    assert payload["type"] == "block_actions"
    assert payload["container"] == {
        "type": "message",
        "message_ts": "1.000002",
        "channel_id": "C0OPS",
        "is_ephemeral": False,
        "thread_ts": "1.000001",
    }
    assert payload["message"]["ts"] == "1.000002"
    assert payload["actions"][0]["value"] == "7"


def test_the_clock_moves_by_steps_or_to_a_local_time() -> None:
    zone = ZoneInfo("Asia/Shanghai")
    assert parse_time("+1h30m", NOW, zone) == datetime(2026, 11, 30, 3, 0, tzinfo=UTC)
    assert parse_time("+2d", NOW, zone) == datetime(2026, 12, 2, 1, 30, tzinfo=UTC)
    assert parse_time("2026-12-01 09:00", NOW, zone) == datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
    assert parse_time("+30x", NOW, zone) is None
    assert parse_time("tomorrow", NOW, zone) is None
