"""The Home tab's digests end to end: a schedule made with `/digest schedule` shows on Home
with Pause; Pause pauses it (as `/digest list` shows) and Home comes back with Resume; and
Preview a digest opens a modal that fills with the digest."""

from __future__ import annotations

import json
from typing import Any

from handlers.ids import HomeAction
from tests.e2e.test_home import button_value, click_on_home, open_home
from tests.support.harness import CHANNEL, Harness


def row_button(view: dict[str, Any], action_id: str) -> str:
    """The value of the button at the side of a digest row."""
    for block in view["blocks"]:
        if block.get("accessory", {}).get("action_id") == action_id:
            return str(block["accessory"]["value"])
    raise AssertionError(f"no {action_id} button on Home")


def rows(view: dict[str, Any]) -> str:
    return json.dumps(view["blocks"], ensure_ascii=False)


async def test_pause_on_home_pauses_the_schedule_and_home_comes_back_with_resume(
    slack: Harness,
) -> None:
    saved = await slack.command("schedule daily 09:00 tz=UTC", command="/digest")
    assert "Digest schedule *1*" in saved.shown

    view = await open_home(slack)
    shown = rows(view)
    assert f"*1* · <#{CHANNEL}> · every day at 09:00 · UTC" in shown
    assert "next <!date^" in shown and "not run yet" in shown
    pause = row_button(view, HomeAction.PAUSE_DIGEST)

    await click_on_home(slack, HomeAction.PAUSE_DIGEST, pause)

    listed = await slack.command("list", command="/digest")
    assert "*paused*" in listed.shown
    published = await slack.fake.wait_for("views.publish", count=4)
    again = published[-1].body["view"]
    assert ":pause_button: *paused*" in rows(again)
    assert json.loads(row_button(again, HomeAction.RESUME_DIGEST)) == {"schedule_id": 1}
    assert HomeAction.PAUSE_DIGEST.value not in rows(again)
    assert slack.fake.named("chat.postMessage") == []


async def test_preview_on_home_opens_a_modal_with_the_digest(slack: Harness) -> None:
    await slack.command('add "Acme <!here>" status=active tier=core')
    view = await open_home(slack)

    await click_on_home(
        slack, HomeAction.PREVIEW_DIGEST, button_value(view, HomeAction.PREVIEW_DIGEST)
    )

    [opened] = await slack.fake.wait_for("views.open")
    assert opened.body["trigger_id"].startswith("13345224609")
    [updated] = await slack.fake.wait_for("views.update")
    # The modal opened at once (a trigger_id lasts 3 seconds) is the one filled in.
    assert str(updated.body["view_id"]).startswith("V") and "Composing" in rows(opened.body["view"])
    shown = rows(updated.body["view"])
    assert "Partner health digest" in shown and "Acme &lt;!here&gt;" in shown
    # Shown to the clicker alone: nothing is posted to any channel.
    assert slack.fake.named("chat.postMessage") == []
