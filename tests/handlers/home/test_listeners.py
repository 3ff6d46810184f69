"""The App Home listener called directly with fakes: only the home tab is published, and it
counts what the user owns."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest

from handlers.home.listeners import home_opened
from storage.store import SQLiteStore
from tests.support.fakes import OTHER, TEAM, USER, Bot, add_partner, fake_bot


@pytest.fixture
async def bot(store: SQLiteStore) -> AsyncIterator[Bot]:
    async with fake_bot(store) as made:
        yield made


def opened(tab: str, user: str = USER) -> tuple[dict[str, object], dict[str, object]]:
    """An app_home_opened event and the body it came in."""
    event = {"type": "app_home_opened", "user": user, "channel": "D0123", "tab": tab}
    return event, {"type": "event_callback", "team_id": TEAM, "event": event}


async def test_another_tab_publishes_nothing(bot: Bot) -> None:
    await add_partner(bot, "Acme")
    event, body = opened("messages")

    await home_opened(event, body, bot.client, bot.services)
    await bot.settle()

    assert bot.client.calls == []


async def test_the_home_tab_is_published_with_what_the_user_owns(bot: Bot) -> None:
    await add_partner(bot, "Acme", owner=USER)
    await add_partner(bot, "Beta", owner=USER)
    await add_partner(bot, "Gamma", owner=OTHER)
    event, body = opened("home")

    await home_opened(event, body, bot.client, bot.services)
    await bot.settle()

    [published] = bot.client.calls
    assert published[0] == "views_publish"
    assert published[1]["user_id"] == USER
    view = published[1]["view"]
    assert view["type"] == "home"
    shown = json.dumps(view["blocks"], ensure_ascii=False)
    assert "*3 partners* in the registry; you own *2*." in shown
