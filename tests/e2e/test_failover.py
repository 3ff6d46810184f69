"""Failover drills end to end on both engines, driven by slash commands and by block_actions
and view_submission payloads shaped as Slack sends them: a start (root message, checklist in
its thread), Done, Skip with its form, Assign with a user picker, a concurrent Done, stale
buttons, and /failover status, history and sla."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

from bot.failover import service as failover
from handlers.buttons import STALE
from handlers.ids import FailoverAction, FailoverView
from tests.support.fake_slack import TEAM
from tests.support.harness import ADMIN, CHANNEL, USER, Harness

OTHER = "U0OTHER01"


def posts(slack: Harness) -> list[dict[str, Any]]:
    return [c.body for c in slack.fake.named("chat.postMessage")]


def responses(slack: Harness) -> str:
    return json.dumps([c.body for c in slack.fake.named("respond")], ensure_ascii=False)


def checklist(slack: Harness) -> dict[str, Any]:
    """The checklist as last rendered: the latest update, else the thread's first post."""
    updates = [c.body for c in slack.fake.named("chat.update")]
    shown = [u for u in updates if "Checklist" in json.dumps(u["blocks"])]
    return shown[-1] if shown else posts(slack)[1]


def element(message: dict[str, Any], action_id: str, nth: int = 0) -> tuple[str, dict[str, Any]]:
    """The nth element with action_id in a message, and its block's id."""
    found = [
        (block.get("block_id", ""), e)
        for block in message["blocks"]
        if block["type"] == "actions"
        for e in block["elements"]
        if e["action_id"] == action_id
    ]
    return found[nth]


def value(message: dict[str, Any], action_id: str, nth: int = 0) -> str:
    return str(element(message, action_id, nth)[1]["value"])


async def start(slack: Harness, text: str = "Acme walked out") -> Any:
    await slack.command("add Acme status=active tier=core")
    return await slack.command(text, command="/failover")


def pick(slack: Harness, block_id: str, user: str, picker: str = USER) -> dict[str, Any]:
    """A block_actions payload for a users_select, as Slack sends it."""
    return {
        "type": "block_actions",
        "user": {"id": picker, "username": "someone", "name": "someone", "team_id": TEAM},
        "api_app_id": "A123456",
        "token": "gIkuvaNzQIHg97ATvDxqgjtO",
        "container": {
            "type": "message",
            "message_ts": "1730000000.000002",
            "channel_id": CHANNEL,
            "is_ephemeral": False,
        },
        "trigger_id": "13345224609.738474920.8088930838d88f008e0",
        "team": {"id": TEAM, "domain": "example"},
        "channel": {"id": CHANNEL, "name": "partners"},
        "state": {"values": {block_id: {FailoverAction.STEP_ASSIGN: {"type": "users_select"}}}},
        "response_url": slack.fake.response_url("action"),
        "actions": [
            {
                "type": "users_select",
                "action_id": FailoverAction.STEP_ASSIGN.value,
                "block_id": block_id,
                "selected_user": user,
                "action_ts": "1730000123.456789",
            }
        ],
    }


async def test_start_posts_the_root_and_the_checklist_and_a_second_start_points_to_it(
    slack: Harness,
) -> None:
    reply = await start(slack, "Acme <!channel> walked out")
    root, thread = posts(slack)
    assert root["channel"] == CHANNEL and "thread_ts" not in root
    shown = json.dumps(root["blocks"])
    assert "Failover drill: Acme" in shown and "&lt;!channel&gt; walked out" in shown
    assert f"<@{USER}>" in shown and "<!date^" in shown and "Backup list" in shown
    assert thread["thread_ts"].startswith("1730000000.")
    elements = [e for b in thread["blocks"] if b["type"] == "actions" for e in b["elements"]]
    step_buttons = [e for e in elements if e["action_id"].startswith("failover.step_")]
    assert len(step_buttons) == 14  # Done, Skip (not on close) and Assign on each step
    assert "Failover drill started for *Acme*" in reply.shown

    again = await slack.command("failover acme", user=OTHER)
    assert "has a failover drill open already" in again.shown
    assert f"<#{CHANNEL}>" in again.shown and "/archives/" in again.shown
    assert len(posts(slack)) == 2


async def test_done_replies_in_the_thread_and_rerenders_the_checklist(slack: Harness) -> None:
    await start(slack)
    root_ts = posts(slack)[1]["thread_ts"]
    done = value(checklist(slack), FailoverAction.STEP_DONE)

    await slack.click(FailoverAction.STEP_DONE, done, ephemeral=False)

    reply = posts(slack)[2]
    assert reply["thread_ts"] == root_ts
    assert f"<@{USER}> marked *Backup list* done" in reply["text"]
    updated = checklist(slack)
    assert f"done by <@{USER}>" in json.dumps(updated["blocks"])
    assert json.loads(value(updated, FailoverAction.STEP_DONE))["step"] == "takeover"
    roots = [c.body for c in slack.fake.named("chat.update") if c.body["ts"] == root_ts]
    assert "Transitional traffic takeover" in json.dumps(roots[-1]["blocks"])

    # The same button again (an older render): answered with who did it, nothing changed.
    await slack.click(FailoverAction.STEP_DONE, done, user=OTHER, ephemeral=False)
    assert f"*Backup list* was already done by <@{USER}>" in responses(slack)
    assert len(posts(slack)) == 3


async def test_two_done_clicks_at_once_make_one_transition(slack: Harness) -> None:
    await start(slack)
    done = value(checklist(slack), FailoverAction.STEP_DONE)

    await asyncio.gather(
        slack.click(FailoverAction.STEP_DONE, done, ephemeral=False),
        slack.click(FailoverAction.STEP_DONE, done, user=OTHER, ephemeral=False),
    )
    await slack.settle()

    replies = [p for p in posts(slack)[2:] if "marked *Backup list* done" in p["text"]]
    assert len(replies) == 1
    assert "was already done by" in responses(slack)
    [drill] = await failover.open_drills(slack.store, TEAM)
    assert drill.version == 2
    assert len(await failover.timeline(slack.store, TEAM, drill.id)) == 2


async def test_skip_asks_why_in_a_form_and_records_the_reason(slack: Harness) -> None:
    await start(slack)
    skip = value(checklist(slack), FailoverAction.STEP_SKIP, nth=1)  # takeover

    await slack.click(FailoverAction.STEP_SKIP, skip, ephemeral=False)
    [opened] = slack.fake.named("views.open")
    view = opened.body["view"]
    assert view["callback_id"] == FailoverView.SKIP_SUBMIT

    empty = await slack.submit(view, {"reason": {"value": {"type": "plain_text_input"}}})
    assert empty.body["response_action"] == "errors" and "reason" in empty.body["errors"]
    assert len(posts(slack)) == 2

    said = {"reason": {"value": {"type": "plain_text_input", "value": "ads <b>ran</b> anyway"}}}
    saved = await slack.submit(view, said)
    assert saved.status == 200 and saved.body.get("response_action") is None
    reply = posts(slack)[2]
    assert (
        "skipped *Transitional traffic takeover*: ads &lt;b&gt;ran&lt;/b&gt; anyway"
        in (reply["text"])
    )
    assert "skipped by" in json.dumps(checklist(slack)["blocks"])

    # The form submitted again, or Skip clicked again: the step is skipped already.
    again = await slack.submit(view, said, user=OTHER)
    assert again.body["response_action"] == "update"
    assert "already skipped by" in json.dumps(again.body["view"])
    await slack.click(FailoverAction.STEP_SKIP, skip, user=OTHER, ephemeral=False)
    assert len(slack.fake.named("views.open")) == 1
    assert len(posts(slack)) == 3


async def test_assign_gives_the_step_to_the_person_picked(slack: Harness) -> None:
    await start(slack)
    block_id, picker = element(checklist(slack), FailoverAction.STEP_ASSIGN, nth=2)  # comms
    assert picker["type"] == "users_select"

    await slack.interactive(pick(slack, block_id, OTHER))

    assert f"gave *User communication* to <@{OTHER}>" in posts(slack)[2]["text"]
    assert f"owner <@{OTHER}>" in json.dumps(checklist(slack)["blocks"])
    [drill] = await failover.open_drills(slack.store, TEAM)
    assert drill.steps[2].owner == OTHER

    # The same pick from an older render: the step is OTHER's already; nothing changes.
    await slack.interactive(pick(slack, block_id, OTHER))
    assert "owns User communication already" in responses(slack)
    assert len(posts(slack)) == 3


async def test_a_button_from_an_older_render_acts_on_the_current_state(slack: Harness) -> None:
    await start(slack)
    first = checklist(slack)
    await slack.click(FailoverAction.STEP_DONE, value(first, FailoverAction.STEP_DONE))
    # Done on comms from the first render (version 1): the drill is at 2, comms still to do.
    old_comms = value(first, FailoverAction.STEP_DONE, nth=2)
    assert json.loads(old_comms)["version"] == 1

    await slack.click(FailoverAction.STEP_DONE, old_comms, ephemeral=False)

    [drill] = await failover.open_drills(slack.store, TEAM)
    assert drill.version == 3 and drill.steps[2].state == "done"
    assert [s.state for s in drill.steps].count("done") == 2


async def test_a_button_that_does_not_unpack_is_answered(slack: Harness) -> None:
    await start(slack)
    await slack.click(FailoverAction.STEP_DONE, '{"drill_id": 1, "step": "lunch", "version": 1}')
    assert "out of date" in responses(slack) and STALE[:20] in responses(slack)
    await slack.interactive(pick(slack, "b1", OTHER))
    answers = [json.dumps(c.body) for c in slack.fake.named("respond")]
    assert len(answers) == 2 and all("out of date" in a for a in answers)
    [drill] = await failover.open_drills(slack.store, TEAM)
    assert drill.version == 1


async def test_a_root_that_cannot_be_posted_starts_no_drill(slack: Harness) -> None:
    await slack.command("add Acme status=active tier=core")
    slack.fake.refuse_next("chat.postMessage", "not_in_channel")

    reply = await slack.command("Acme", command="/failover")

    assert "not a member of that channel" in reply.shown and "No drill was started" in reply.shown
    assert await failover.open_drills(slack.store, TEAM) == []


async def test_status_history_and_sla(slack: Harness) -> None:
    none = await slack.command("status", command="/failover")
    assert "No failover drill is open" in none.shown
    await start(slack)
    slack.clock.advance(timedelta(minutes=31))

    status = await slack.command("status", command="/failover")
    assert "*Acme*, open 31 min" in status.shown and "overdue: Backup list" in status.shown

    history = await slack.command("history acme", command="/failover")
    assert "Failover drills: Acme" in history.shown and "open: 0 done, 0 skipped" in history.shown
    unknown = await slack.command("history Nobody", command="/failover")
    assert "Nobody" in unknown.shown and "/failover help" in unknown.shown

    shown = await slack.command("sla", command="/failover")
    assert "`backup`): 30m" in shown.shown and "`verify`): 1d" in shown.shown
    refused = await slack.command("sla backup=15m", command="/failover")
    assert "Only a partnerbot admin" in refused.shown
    bad = await slack.command("sla backup=soon", command="/failover", user=ADMIN)
    assert "not a duration" in bad.shown
    changed = await slack.command("sla backup=15m", command="/failover", user=ADMIN)
    assert "backup 30m → 15m" in changed.shown and "`backup`): 15m" in changed.shown
    assert "15m" in (await slack.command("failover sla")).shown

    helped = await slack.command("help", command="/failover")
    assert "/failover status" in helped.shown


async def test_close_waits_for_the_other_steps_then_freezes_the_checklist(
    slack: Harness,
) -> None:
    await start(slack)
    close = value(checklist(slack), FailoverAction.STEP_DONE, nth=4)
    await slack.click(FailoverAction.STEP_DONE, close, ephemeral=False)
    assert "before closing the drill" in responses(slack)
    for _ in range(4):  # Done on the first step still to do, from the latest render
        await slack.click(
            FailoverAction.STEP_DONE, value(checklist(slack), FailoverAction.STEP_DONE)
        )

    await slack.click(FailoverAction.STEP_DONE, close, ephemeral=False)

    assert "closed the drill for *Acme*" in posts(slack)[-2]["text"]
    assert "Drill summary: Acme" in posts(slack)[-1]["text"]
    final = checklist(slack)
    assert not [b for b in final["blocks"] if b["type"] == "actions"]
    assert "Closed <!date^" in json.dumps(final["blocks"])
    assert "No failover drill is open" in (await slack.command("status", command="/failover")).shown
    history = await slack.command("history", command="/failover")
    assert "closed <!date^" in history.shown and "5 done, 0 skipped" in history.shown
