"""The App Home dashboard end to end: app_home_opened publishes it, and its buttons work as a
click on the Home tab arrives (its container the view, no response_url)."""

from __future__ import annotations

import json
from typing import Any

from handlers.ids import HomeAction, HomeView, PartnerView
from tests.support.harness import USER, Harness

HOME_OPENED = {
    "type": "app_home_opened",
    "user": USER,
    "channel": "D0123",
    "tab": "home",
    "event_ts": "1730000000.000300",
}


async def open_home(slack: Harness) -> dict[str, Any]:
    """Open the Home tab; the view of its last publish."""
    reply = await slack.event(HOME_OPENED, event_id="Ev0HOME0001")
    assert reply.status == 200
    published = await slack.fake.wait_for("views.publish", count=2)
    view: dict[str, Any] = published[-1].body["view"]
    return view


def button_value(view: dict[str, Any], action_id: str) -> str:
    for block in view["blocks"]:
        for element in block.get("elements", []):
            if element.get("action_id") == action_id:
                return str(element["value"])
    raise AssertionError(f"no {action_id} button on Home")


async def click_on_home(slack: Harness, action_id: str, value: str) -> None:
    payload = {
        "type": "block_actions",
        "user": {"id": USER, "username": "someone", "name": "someone", "team_id": "T0001"},
        "api_app_id": "A123456",
        "token": "gIkuvaNzQIHg97ATvDxqgjtO",
        "container": {"type": "view", "view_id": "V0HOME"},
        "trigger_id": "13345224609.738474920.8088930838d88f008e0",
        "team": {"id": "T0001", "domain": "example"},
        "enterprise": None,
        "is_enterprise_install": False,
        "view": {"id": "V0HOME", "type": "home", "blocks": []},
        "actions": [
            {
                "action_id": action_id,
                "block_id": "home_actions",
                "value": value,
                "type": "button",
                "action_ts": "1730000123.456789",
                "text": {"type": "plain_text", "text": "x", "emoji": True},
            }
        ],
    }
    reply = await slack.interactive(payload)
    assert reply.status == 200


def texts(**values: str | None) -> dict[str, Any]:
    return {k: {"value": {"type": "plain_text_input", "value": v}} for k, v in values.items()}


async def test_opening_home_publishes_the_dashboard(slack: Harness) -> None:
    await slack.command('add "Acme <!here>" status=active tier=core')
    await slack.command("add Other status=active owner=<@U0OTHER1>")

    view = await open_home(slack)

    first = json.dumps(slack.fake.named("views.publish")[0].body["view"], ensure_ascii=False)
    assert "Working out the portfolio" in first and "Acme &lt;!here&gt;" in first
    shown = json.dumps(view, ensure_ascii=False)
    assert "*Portfolio*: 2 partners (active and paused partners)" in shown
    assert "*Your partners* (1)" in shown and "*Acme &lt;!here&gt;* is *amber*" in shown
    assert "Register a backup partner" in shown and "*Other*" not in shown
    assert button_value(view, HomeAction.ADD_PARTNER) == "{}"


async def test_add_a_partner_on_home_opens_the_add_form(slack: Harness) -> None:
    view = await open_home(slack)

    await click_on_home(slack, HomeAction.ADD_PARTNER, button_value(view, HomeAction.ADD_PARTNER))

    [opened] = await slack.fake.wait_for("views.open")
    assert opened.body["view"]["callback_id"] == PartnerView.ADD_SUBMIT
    assert opened.body["trigger_id"].startswith("13345224609")


async def test_record_metrics_on_home_records_them_or_refuses_under_the_inputs(
    slack: Harness,
) -> None:
    await slack.command('add "Acme Media" status=active')
    view = await open_home(slack)
    value = button_value(view, HomeAction.RECORD_METRICS)

    await click_on_home(slack, HomeAction.RECORD_METRICS, value)
    [opened] = await slack.fake.wait_for("views.open")
    form = opened.body["view"]
    assert form["callback_id"] == HomeView.METRICS_SUBMIT

    refused = await slack.submit(form, texts(name="Acme Media", rue="35", roi="abc"))
    assert refused.body["response_action"] == "errors"
    assert set(refused.body["errors"]) == {"roi"}
    card = await slack.command('show "Acme Media"')
    assert "None recorded yet" in card.shown

    saved = await slack.submit(form, texts(name="Acme Media", period="2026-W46", rue="35"))
    assert saved.body["response_action"] == "update"
    assert "Recorded for" in saved.shown and "2026-W46" in saved.shown
    history = await slack.command('history "Acme Media"')
    assert "2026-W46" in history.shown
    card = await slack.command('show "Acme Media"')
    assert "`2026-W46`  rue 35" in card.shown
    # The Home tab is published again, with the new figures behind its health.
    assert len(slack.fake.named("views.publish")) == 4


async def test_a_form_slack_will_not_open_from_home_is_told_by_direct_message(
    slack: Harness,
) -> None:
    view = await open_home(slack)
    slack.fake.refuse_next("views.open", "expired_trigger_id")

    await click_on_home(slack, HomeAction.ADD_PARTNER, button_value(view, HomeAction.ADD_PARTNER))

    [told] = await slack.fake.wait_for("chat.postMessage")
    assert told.body["channel"] == USER
    assert "could not be opened (expired_trigger_id)" in json.dumps(told.body)


async def test_a_refused_first_publish_still_leaves_the_full_tab(slack: Harness) -> None:
    await slack.command('add "Acme Media" status=active')
    slack.fake.refuse_next("views.publish", "not_enabled")

    view = await open_home(slack)

    assert "*Portfolio*: 1 partner" in json.dumps(view) and "*Acme Media*" in json.dumps(view)
