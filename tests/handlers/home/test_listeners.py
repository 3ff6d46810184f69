"""The App Home listeners called directly with fakes: only the home tab is published, first
with the user's partners and then with the portfolio; its buttons open their forms; the
metrics form records, or refuses under its inputs and stores nothing."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.health import service as health_service
from bot.registry import service as partners
from handlers.home import listeners
from handlers.home.listeners import add_partner as add_clicked
from handlers.home.listeners import home_opened, metrics_submit, record_metrics
from handlers.ids import HomeAction, HomeView, PartnerView
from storage.store import SQLiteStore
from tests.support.fakes import (
    OTHER,
    TEAM,
    USER,
    Bot,
    add_partner,
    click_body,
    fake_bot,
    submission,
)
from tests.support.slack_checks import check_ack, check_message, check_view


@pytest.fixture
async def bot(store: SQLiteStore) -> AsyncIterator[Bot]:
    async with fake_bot(store) as made:
        yield made


def opened(tab: str, user: str = USER) -> tuple[dict[str, object], dict[str, object]]:
    """An app_home_opened event and the body it came in."""
    event = {"type": "app_home_opened", "user": user, "channel": "D0123", "tab": tab}
    return event, {"type": "event_callback", "team_id": TEAM, "event": event}


def home_click(action_id: str, value: str = "{}") -> dict[str, Any]:
    """A click on the Home tab: its container is the view, and there is no response_url."""
    body = click_body(action_id, value)
    body["container"] = {"type": "view", "view_id": "V0HOME"}
    del body["channel"], body["response_url"]
    return body


def texts(values: dict[str, str | None]) -> dict[str, Any]:
    """A submitted form's state: each input's text (None: left empty)."""
    return {
        key: {"value": {"type": "plain_text_input", "value": value}}
        for key, value in values.items()
    }


def shown(view: dict[str, Any]) -> str:
    return json.dumps(view["blocks"], ensure_ascii=False)


async def test_another_tab_publishes_nothing(bot: Bot) -> None:
    await add_partner(bot, "Acme")
    event, body = opened("messages")

    await home_opened(event, body, bot.client, bot.services)
    await bot.settle()

    assert bot.client.calls == []


async def test_the_home_tab_is_published_with_what_the_user_owns_then_the_portfolio(
    bot: Bot,
) -> None:
    await add_partner(bot, "Acme", owner=USER)
    await add_partner(bot, "Beta", owner=USER)
    await add_partner(bot, "Gamma", owner=OTHER)
    event, body = opened("home")

    await home_opened(event, body, bot.client, bot.services)
    await bot.settle()

    # Behaviour changed by issue 10: two publishes, the user's partners first.
    first, second = bot.client.calls
    for name, kwargs in (first, second):
        assert name == "views_publish" and kwargs["user_id"] == USER
        assert kwargs["view"]["type"] == "home" and check_view(kwargs["view"]) == []
        assert "*3 partners* in the registry; you own *2*." in shown(kwargs["view"])
        assert "*Acme*" in shown(kwargs["view"]) and "*Gamma*" not in shown(kwargs["view"])
    assert "Working out the portfolio" in shown(first[1]["view"])
    assert "*Portfolio*: 3 partners" in shown(second[1]["view"])
    assert "Working out" not in shown(second[1]["view"])


async def test_the_users_partners_are_published_before_the_portfolio_is_done(
    bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    await add_partner(bot, "Acme", owner=USER)
    release = asyncio.Event()

    async def slow_portfolio(*args: Any) -> Any:
        await release.wait()
        return await health_service.portfolio_health(*args)

    monkeypatch.setattr(listeners, "portfolio_health", slow_portfolio)
    published = asyncio.Event()
    publish = bot.client.views_publish

    async def publish_and_tell(**kwargs: Any) -> dict[str, Any]:
        answer = await publish(**kwargs)
        published.set()
        return answer

    monkeypatch.setattr(bot.client, "views_publish", publish_and_tell)
    event, body = opened("home")

    await home_opened(event, body, bot.client, bot.services)
    await asyncio.wait_for(published.wait(), 10)  # the first publish needs no portfolio
    [(_, first)] = bot.client.calls
    assert "*Acme*" in shown(first["view"]) and "Working out" in shown(first["view"])
    release.set()
    await bot.settle()
    assert "*Portfolio*: 1 partner" in shown(bot.client.calls[-1][1]["view"])


async def test_a_portfolio_that_fails_still_leaves_the_tab(
    bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    await add_partner(bot, "Acme", owner=USER)

    async def broken(*args: Any) -> Any:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(listeners, "portfolio_health", broken)
    event, body = opened("home")

    await home_opened(event, body, bot.client, bot.services)
    await bot.settle()

    last = shown(bot.client.calls[-1][1]["view"])
    assert "could not be worked out" in last and "*Acme*" in last


async def test_add_a_partner_opens_the_add_form(bot: Bot) -> None:
    await add_clicked(bot.ack, home_click(HomeAction.ADD_PARTNER), bot.client, bot.services)
    await bot.settle()

    assert bot.ack.calls == [{}]
    [opened_form] = bot.client.named("views_open")
    assert opened_form["trigger_id"] == click_body("x", "")["trigger_id"]
    assert opened_form["view"]["callback_id"] == PartnerView.ADD_SUBMIT


async def test_a_stale_home_button_is_told_by_direct_message(bot: Bot) -> None:
    body = home_click(HomeAction.RECORD_METRICS, "not ours")
    await record_metrics(bot.ack, body, bot.client, bot.services)
    await bot.settle()

    assert bot.client.named("views_open") == []
    [post] = bot.outbox.posts
    assert post["channel"] == USER and "out of date" in post["message"]["text"]
    assert check_message(post["message"]) == []


async def test_record_metrics_opens_its_form(bot: Bot) -> None:
    await record_metrics(bot.ack, home_click(HomeAction.RECORD_METRICS), bot.client, bot.services)
    await bot.settle()

    [opened_form] = bot.client.named("views_open")
    view = opened_form["view"]
    assert view["callback_id"] == HomeView.METRICS_SUBMIT and check_view(view) == []
    inputs = [b["block_id"] for b in view["blocks"] if b["type"] == "input"]
    assert inputs[:4] == ["name", "period", "rue", "roi"] and "aov" in inputs
    assert "this week, 2026-W47" in shown(view)


async def metrics(bot: Bot, name: str) -> dict[str, float]:
    """The metrics stored for a partner, by metric."""
    _, rows = await partners.show_partner(bot.store, TEAM, name)
    return {metric: value for _, metric, value in rows}


async def test_a_submitted_metrics_form_records_them_and_refreshes_home(bot: Bot) -> None:
    await add_partner(bot, "Acme Media", owner=USER)
    state = texts({"name": " acme media ", "period": "2026-W46", "rue": "35%", "gmv": "1,200"})
    body, view = submission(HomeView.METRICS_SUBMIT, "", state)

    await metrics_submit(bot.ack, body, view, bot.client, bot.services)
    await bot.settle()

    ack = bot.ack.once
    assert ack["response_action"] == "update" and check_ack(ack) == []
    assert "2026-W46" in shown(ack["view"])
    assert await metrics(bot, "Acme Media") == {"rue": 35.0, "gmv": 1200.0}
    history = await partners.partner_history(bot.store, TEAM, "Acme Media")
    assert {e.action for e in history[1].items} == {"add", "metrics"}
    assert [name for name, _ in bot.client.calls] == ["views_publish", "views_publish"]


@pytest.mark.parametrize(
    ("values", "errors"),
    [
        ({"name": "Acme Media", "rue": "35", "roi": "1e3"}, {"roi"}),
        ({"name": "Acme Media", "rue": "135"}, {"rue"}),
        ({"name": "Acme Media", "gmv": "5%", "period": "2026-W99"}, {"gmv", "period"}),
        ({"name": "Acme Media", "period": "1999-12"}, {"period", "rue"}),
        ({"name": "Acme Media"}, {"rue"}),
        ({"name": None, "rue": "35"}, {"name"}),
        ({"name": "Acme\x07", "rue": "35"}, {"name"}),
        ({"name": "Acme Medai", "rue": "35"}, {"name"}),  # not found: the closest names
    ],
)
async def test_a_bad_metrics_form_is_refused_under_its_inputs_and_stores_nothing(
    bot: Bot, values: dict[str, str | None], errors: set[str]
) -> None:
    await add_partner(bot, "Acme Media", owner=USER)
    body, view = submission(HomeView.METRICS_SUBMIT, "", texts(values))

    await metrics_submit(bot.ack, body, view, bot.client, bot.services)
    await bot.settle()

    ack = bot.ack.once
    assert ack["response_action"] == "errors" and set(ack["errors"]) == errors
    assert all(0 < len(text) <= 150 for text in ack["errors"].values())
    assert await metrics(bot, "Acme Media") == {}
    assert bot.client.calls == []


async def test_someone_elses_partner_is_refused_under_the_name(bot: Bot) -> None:
    await add_partner(bot, "Acme Media", owner=OTHER)
    body, view = submission(HomeView.METRICS_SUBMIT, "", texts({"name": "Acme Media", "rue": "3"}))

    await metrics_submit(bot.ack, body, view, bot.client, bot.services)

    assert set(bot.ack.once["errors"]) == {"name"}
    assert await metrics(bot, "Acme Media") == {}
