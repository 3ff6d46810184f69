"""Where drills show outside their thread, end to end on both engines: the partner's card and
its score card ("1 drill", the last one open then closed, its thread), digests listing the
drills opened and then closed since the channel's previous digest, and the Home tab listing
the open steps a user owns with their deadlines, overdue ones marked."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from handlers.ids import FailoverAction
from tests.support.harness import CHANNEL, USER, Harness

OTHER = "U0OTHER01"
HOME_OPENED = {
    "type": "app_home_opened",
    "user": USER,
    "channel": "D0123",
    "tab": "home",
    "event_ts": "1730000000.000300",
}


def checklist(slack: Harness) -> dict[str, Any]:
    """The checklist last posted or re-rendered (of the latest drill touched)."""
    drawn = [
        c.body
        for c in slack.fake.calls
        if c.method in ("chat.postMessage", "chat.update")
        and "Checklist" in json.dumps(c.body.get("blocks", []))
    ]
    return drawn[-1]


def done_value(message: dict[str, Any]) -> str:
    return next(
        e["value"]
        for b in message["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == FailoverAction.STEP_DONE
    )


async def close_drill(slack: Harness) -> None:
    """Done on each step still to do, from the latest render, until the drill closes."""
    for _ in range(5):
        await slack.click(FailoverAction.STEP_DONE, done_value(checklist(slack)), ephemeral=False)


def digests(slack: Harness) -> list[str]:
    return [
        json.dumps(c.body["blocks"], ensure_ascii=False)
        for c in slack.fake.named("chat.postMessage")
        if "Partner health digest" in c.body["text"]
    ]


async def test_the_cards_show_the_partners_drills(slack: Harness) -> None:
    await slack.command("add Acme status=active tier=core")
    card = await slack.command("show Acme")
    assert "Failover drills" not in card.shown
    await slack.command("Acme walked out", command="/failover")

    for shown in (
        (await slack.command("show Acme")).shown,
        (await slack.command("Acme", command="/score")).shown,
    ):
        assert "*Failover drills*: 1 drill; the last started <!date^" in shown
        assert f"by <@{USER}>, *open*" in shown
        assert f"<#{CHANNEL}>" in shown and "open the thread" in shown

    slack.clock.advance(timedelta(hours=3))
    await close_drill(slack)
    await slack.command("failover Acme again", user=OTHER)

    for shown in (
        (await slack.command("show Acme")).shown,
        (await slack.command("Acme", command="/score")).shown,
    ):
        assert "*Failover drills*: 2 drills" in shown and f"by <@{OTHER}>, *open*" in shown
    slack.clock.advance(timedelta(hours=1))
    await close_drill(slack)
    shown = (await slack.command("show Acme")).shown
    assert "2 drills" in shown and f"by <@{OTHER}>, closed <!date^" in shown


async def test_digests_list_drills_opened_then_closed_since_the_previous(slack: Harness) -> None:
    await slack.command("add Acme status=active tier=core")
    await slack.command("now", command="/digest")  # the channel's first digest: its snapshot
    slack.clock.advance(timedelta(hours=1))
    await slack.command("Acme walked out", command="/failover")
    slack.clock.advance(timedelta(hours=1))

    await slack.command("now", command="/digest")
    opened = digests(slack)[-1]
    assert "Failover drills since the previous digest" in opened
    assert "Opened: *Acme* <!date^" in opened and "still open" in opened
    assert "open the thread" in opened and "Closed:" not in opened

    slack.clock.advance(timedelta(hours=1))
    await close_drill(slack)
    slack.clock.advance(timedelta(hours=1))
    await slack.command("now", command="/digest")
    closed = digests(slack)[-1]
    assert "Closed: *Acme* <!date^" in closed and "Opened:" not in closed
    assert "no backup or GMV impact recorded" in closed

    slack.clock.advance(timedelta(hours=1))
    await slack.command("now", command="/digest")
    assert "Failover drills since" not in digests(slack)[-1]
    assert "Failover drills since" not in digests(slack)[0]


async def test_home_shows_the_open_steps_the_user_owns(slack: Harness) -> None:
    await slack.command("add Acme status=active tier=core")
    await slack.command("add <Beta> status=active tier=core")
    await slack.command("Acme walked out", command="/failover")
    await slack.click(FailoverAction.STEP_DONE, done_value(checklist(slack)), ephemeral=False)
    await slack.command('"<Beta>" gone', command="/failover", user=OTHER)
    slack.clock.advance(timedelta(hours=2, minutes=1))

    await slack.event(HOME_OPENED, event_id="Ev0HOME0001")

    published = slack.fake.named("views.publish")
    assert len(published) == 2
    blocks = published[-1].body["view"]["blocks"]
    first = next(i for i, b in enumerate(blocks) if "Your failover steps" in json.dumps(b))
    end = next(i for i, b in enumerate(blocks) if i > first and b["type"] == "divider")
    view = json.dumps(blocks[first:end], ensure_ascii=False)
    assert "*Your failover steps* in open drills" in view and view.count("• ") == 4
    assert "*Acme*" in view and "&lt;Beta&gt;" not in view  # OTHER's drill
    assert "Backup list, due" not in view  # done
    assert "Transitional traffic takeover, due <!date^" in view
    assert "User communication, due <!date^" in view
    assert view.count(":warning: *overdue*") == 1  # takeover, due 2 hours after the start
    assert f"<#{CHANNEL}>" in view and "open the thread" in view
