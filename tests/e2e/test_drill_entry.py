"""Where failover drills start, end to end on both engines: the Start button on a core
partner's drop (none on a standard one's), on a red `/health NAME`, on a digest's red alert
and on a channel alert, each pressed as Slack sends the click; auto-start on a drop (admins
set it, audited), once however the drop and a start race; a stale Start answered."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from bot.access import Actor
from bot.alerts import service as alerts
from bot.failover import service as failover
from handlers.failover.start import NO_CHANNEL
from handlers.ids import FailoverAction
from tests.support.fake_slack import TEAM
from tests.support.harness import ADMIN, CHANNEL, USER, Harness

OTHER = "U0OTHER01"
ALERTS = "C0ALERTS"


def buttons(message: dict[str, Any], action_id: str) -> list[dict[str, Any]]:
    return [
        e
        for block in message.get("blocks", [])
        if block["type"] == "actions"
        for e in block["elements"]
        if e["action_id"] == action_id
    ]


def press(
    slack: Harness,
    value: str,
    *,
    channel: str = CHANNEL,
    user: str = USER,
    ephemeral: bool = True,
    message: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Start failover drill clicked, as Slack sends block_actions: an ephemeral message has
    is_ephemeral true and no message; a channel message carries itself."""
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": {"id": user, "username": "someone", "name": "someone", "team_id": TEAM},
        "api_app_id": "A123456",
        "token": "gIkuvaNzQIHg97ATvDxqgjtO",
        "container": {
            "type": "message",
            "message_ts": "1730000000.000200",
            "channel_id": channel,
            "is_ephemeral": ephemeral,
        },
        "trigger_id": "13345224609.738474920.8088930838d88f008e0",
        "team": {"id": TEAM, "domain": "example"},
        "enterprise": None,
        "is_enterprise_install": False,
        "channel": {"id": channel, "name": "partners"},
        "state": {"values": {}},
        "response_url": slack.fake.response_url("action"),
        "actions": [
            {
                "action_id": FailoverAction.START.value,
                "block_id": "failover-start",
                "text": {"type": "plain_text", "text": "Start failover drill", "emoji": True},
                "value": value,
                "type": "button",
                "action_ts": "1730000123.456789",
            }
        ],
    }
    if message is not None:
        payload["message"] = {"type": "message", "ts": "1730000000.000200", **message}
    return payload


def posts(slack: Harness, channel: str | None = None) -> list[dict[str, Any]]:
    found = [c.body for c in slack.fake.named("chat.postMessage")]
    return [p for p in found if channel is None or p["channel"] == channel]


def roots(slack: Harness, channel: str | None = None) -> list[dict[str, Any]]:
    return [p for p in posts(slack, channel) if "Failover drill:" in p["text"]]


def responses(slack: Harness) -> list[str]:
    return [json.dumps(c.body, ensure_ascii=False) for c in slack.fake.named("respond")]


async def audit(slack: Harness) -> list[tuple[str, str, str, str]]:
    async with slack.store.read() as tx:
        entries = await tx.settings_history(TEAM, 50)
    return [(e.actor, e.field, e.before, e.after) for e in reversed(entries)]


async def red(slack: Harness, name: str = "Acme", tier: str = "standard") -> None:
    """An active partner whose sentiment fell from 70 to 49: red."""
    await slack.command(f"add {name} status=active tier={tier}")
    await slack.command(f"metrics {name} sentiment=70 period=2026-W46")
    await slack.command(f"metrics {name} sentiment=49 period=2026-W47")


async def test_a_core_partners_drop_offers_the_button_which_starts_the_drill_there(
    slack: Harness,
) -> None:
    await slack.command("add Acme status=active tier=core")
    dropped = await slack.command("drop Acme walked out")
    [start] = buttons(dropped.body, FailoverAction.START)
    assert start["text"]["text"] == "Start failover drill"
    assert json.loads(start["value"]) == {"partner_id": 1}
    assert roots(slack) == []  # auto-start is off: nothing starts by itself

    await slack.interactive(press(slack, start["value"]))

    root, checklist = posts(slack)
    assert root["channel"] == CHANNEL and "thread_ts" not in root
    assert "Failover drill: Acme" in root["text"] and "walked out" in json.dumps(root["blocks"])
    assert checklist["channel"] == CHANNEL and checklist["thread_ts"] == "1730000000.000001"
    assert "Checklist: Acme" in json.dumps(checklist["blocks"])
    [answer] = responses(slack)
    assert "Failover drill started for *Acme*" in answer and f"<#{CHANNEL}>" in answer
    assert '"response_type": "ephemeral"' in answer
    [drill] = await failover.open_drills(slack.store, TEAM)
    assert (drill.channel_id, drill.starter, drill.reason) == (CHANNEL, USER, "walked out")

    # Pressed again, by someone else: the open drill is pointed to, nothing new is posted.
    await slack.interactive(press(slack, start["value"], user=OTHER))
    assert "has a failover drill open already" in responses(slack)[1]
    assert len(posts(slack)) == 2


async def test_a_standard_partners_drop_has_no_button_and_starts_nothing(
    slack: Harness,
) -> None:
    await slack.command("failover auto on", user=ADMIN)
    await slack.command("add Acme status=active tier=standard")
    dropped = await slack.command("drop Acme walked out")
    assert "Dropped" in dropped.shown
    assert buttons(dropped.body, FailoverAction.START) == []
    assert "failover drill" not in dropped.shown
    assert posts(slack) == [] and await failover.open_drills(slack.store, TEAM) == []


async def test_auto_on_a_drop_starts_the_drill_by_itself_once(slack: Harness) -> None:
    await slack.command("add Acme status=active tier=strategic")
    assert "Auto-start is *off*" in (await slack.command("auto", command="/failover")).shown
    refused = await slack.command("auto on", command="/failover")
    assert "Only a partnerbot admin" in refused.shown and await audit(slack) == []
    turned = await slack.command("auto on", command="/failover", user=ADMIN)
    assert "auto_start off → on" in turned.shown and "Auto-start is *on*" in turned.shown
    assert await audit(slack) == [(ADMIN, "failover auto_start", "off", "on")]
    again = await slack.command("failover auto on", user=ADMIN)
    assert "Nothing changed" in again.shown and len(await audit(slack)) == 1

    dropped = await slack.command("drop Acme walked out")

    assert "starting a failover drill for *Acme* in <#" in dropped.shown
    assert buttons(dropped.body, FailoverAction.START) == []
    [root] = roots(slack, CHANNEL)
    assert "walked out" in json.dumps(root["blocks"])
    [told] = responses(slack)
    assert "Failover drill started for *Acme*" in told and "open the thread" in told

    # The same request once more, the same drop again, a new reason: nothing more starts.
    await slack.post(
        slack.command_body("drop Acme walked out"), "application/x-www-form-urlencoded"
    )
    await slack.settle()
    await slack.command("drop Acme walked out", user=ADMIN)
    await slack.command("drop Acme contract ended", user=ADMIN)
    assert len(roots(slack)) == 1 and len(await failover.open_drills(slack.store, TEAM)) == 1


async def test_a_drop_and_a_start_at_once_open_one_drill(slack: Harness) -> None:
    """The auto-start and `/failover NAME` race: the open-drill unique index lets one in,
    and the other is pointed to it."""
    await slack.command("failover auto on", user=ADMIN)
    await slack.command("add Acme status=active tier=core")

    drop, start = await asyncio.gather(
        slack.command("drop Acme walked out"),
        slack.command("Acme walked out", command="/failover", user=OTHER),
    )
    await slack.settle()

    assert "starting a failover drill" in drop.shown
    assert len(await failover.open_drills(slack.store, TEAM)) == 1
    assert len(roots(slack)) == 1
    said = [start.body["text"]] + [c.body["text"] for c in slack.fake.named("respond")]
    assert len([t for t in said if "Failover drill started for *Acme*" in t]) == 1
    assert len([t for t in said if "has a failover drill open already" in t]) == 1


async def test_auto_off_turns_back_to_the_button(slack: Harness) -> None:
    await slack.command("failover auto on", user=ADMIN)
    off = await slack.command("failover auto off", user=ADMIN)
    assert "auto_start on → off" in off.shown and "Auto-start is *off*" in off.shown
    await slack.command("add Acme status=active tier=core")
    dropped = await slack.command("drop Acme")
    assert len(buttons(dropped.body, FailoverAction.START)) == 1 and roots(slack) == []
    bad = await slack.command("auto maybe", command="/failover", user=ADMIN)
    assert "/failover auto on" in bad.shown and len(await audit(slack)) == 2


async def test_a_red_health_report_carries_the_button(slack: Harness) -> None:
    await red(slack)
    green = await slack.command("add Beta status=active")
    assert green.status == 200
    assert buttons((await slack.command("Beta", command="/health")).body, "failover.start") == []
    report = await slack.command("Acme", command="/health")
    assert "is *red*" in report.shown
    [start] = buttons(report.body, FailoverAction.START)

    await slack.interactive(press(slack, start["value"]))

    [root] = roots(slack, CHANNEL)
    assert "Failover drill: Acme" in root["text"]
    assert "Failover drill started for *Acme*" in responses(slack)[-1]


async def test_a_digests_red_alert_carries_the_button(slack: Harness) -> None:
    await red(slack)
    await slack.command("now", command="/digest")
    [digest] = [p for p in posts(slack, CHANNEL) if "Partner health digest" in p["text"]]
    [start] = buttons(digest, FailoverAction.START)

    pressed = {"text": digest["text"], "blocks": digest["blocks"]}
    await slack.interactive(press(slack, start["value"], ephemeral=False, message=pressed))

    [root] = roots(slack, CHANNEL)
    assert "Failover drill: Acme" in root["text"]
    assert "Failover drill started for *Acme*" in responses(slack)[-1]


async def test_a_channel_alert_starts_the_drill_in_the_alerts_channel(slack: Harness) -> None:
    await alerts.set_alerts(slack.store, slack.clock.now(), TEAM, Actor(USER), ALERTS, True)
    await red(slack)
    [alert] = posts(slack, ALERTS)
    [start] = buttons(alert, FailoverAction.START)

    pressed = {"text": alert["text"], "blocks": alert["blocks"]}
    await slack.interactive(
        press(slack, start["value"], channel=ALERTS, ephemeral=False, message=pressed)
    )

    [root] = roots(slack, ALERTS)
    [checklist] = [p for p in posts(slack, ALERTS) if p.get("thread_ts")]
    assert "thread_ts" not in root and roots(slack, CHANNEL) == []
    [drill] = await failover.open_drills(slack.store, TEAM)
    assert drill.channel_id == ALERTS and checklist["thread_ts"] == drill.root_ts


async def test_a_stale_start_is_answered_and_starts_nothing(slack: Harness) -> None:
    await slack.command("add Acme status=active tier=core")
    dropped = await slack.command("drop Acme")
    [start] = buttons(dropped.body, FailoverAction.START)
    await slack.command("archive Acme")

    await slack.interactive(press(slack, start["value"]))
    await slack.interactive(press(slack, '{"partner_id": 999}'))
    await slack.interactive(press(slack, '{"partner_id": "1; drop"}'))

    archived, gone, forged = responses(slack)
    assert "Acme is archived, so no drill was started" in archived
    assert "/partner restore Acme" in archived
    assert "no longer exists, so no drill was started" in gone
    assert "out of date" in forged
    assert posts(slack) == [] and await failover.open_drills(slack.store, TEAM) == []


async def test_a_start_pressed_outside_a_channel_is_told_by_direct_message(
    slack: Harness,
) -> None:
    await slack.command("add Acme status=active tier=core")
    payload = press(slack, '{"partner_id": 1}')
    payload["container"] = {"type": "view", "view_id": "V0123456"}
    del payload["channel"], payload["response_url"]

    await slack.interactive(payload)

    [told] = posts(slack)
    assert told["channel"] == USER and NO_CHANNEL[:40] in json.dumps(told)
    assert await failover.open_drills(slack.store, TEAM) == []
