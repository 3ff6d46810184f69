"""`/health`'s listeners called directly with fakes: an unknown partner is named in the ack;
the portfolio's pager replaces the page it was clicked on, and a bad value says so."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest

from bot.registry.rules import Status, Tier
from handlers.buttons import STALE, on_button
from handlers.health.listeners import handle_health, portfolio_page
from handlers.ids import HealthAction
from handlers.payloads import PortfolioPage
from storage.store import SQLiteStore
from tests.support.fakes import Bot, add_partner, click_body, command_body, fake_bot


@pytest.fixture
async def bot(store: SQLiteStore) -> AsyncIterator[Bot]:
    async with fake_bot(store) as made:
        yield made


async def test_an_unknown_partner_is_named_in_the_acked_error(bot: Bot) -> None:
    await add_partner(bot, "Acme Media")
    body = command_body("Acme Mdia", command="/health")

    await handle_health(bot.ack, bot.respond, body, bot.client, bot.services, "Acme Mdia")
    await bot.settle()

    answer = bot.ack.once
    assert answer["response_type"] == "ephemeral"
    assert "No partner is named *Acme Mdia*" in answer["text"]
    assert "Did you mean *Acme Media*?" in answer["text"]
    assert bot.respond.calls == []


async def click_portfolio(bot: Bot, value: str) -> None:
    listener = on_button(PortfolioPage, portfolio_page)
    body = click_body(HealthAction.PORTFOLIO_PAGE, value)
    await listener(bot.ack, body, bot.respond, bot.client, bot.services)


async def test_a_portfolio_page_acks_then_replaces_the_page_it_was_clicked_on(bot: Bot) -> None:
    # Twelve core partners with no backup and no metrics: all flagged, two pages.
    for i in range(12):
        await add_partner(bot, f"Core {i:02d}", tier=Tier.CORE, status=Status.ACTIVE)

    await click_portfolio(bot, PortfolioPage(offset=10).pack())
    assert bot.ack.once == {}
    await bot.settle()

    page = bot.respond.once
    assert page["replace_original"] is True
    assert page["response_type"] == "ephemeral"
    shown = json.dumps(page, ensure_ascii=False)
    assert "Partner health" in shown
    assert "*Needs attention* 11–12 of 12" in shown
    flagged = [
        b["text"]["text"].split("*")[1]
        for b in page["blocks"]
        if b["type"] == "section"
        and b["text"]["text"].startswith((":red_circle: *", ":large_orange_circle: *"))
    ]
    assert len(flagged) == 2  # the rows of this page only, not the first ten


@pytest.mark.parametrize(
    "value", ['{"offset": "lots"}', '{"offset": 0, "evil": 1}', "not json", ""]
)
async def test_a_malformed_portfolio_value_is_answered_as_out_of_date(bot: Bot, value: str) -> None:
    await add_partner(bot, "Acme Media")

    await click_portfolio(bot, value)
    await bot.settle()

    assert bot.ack.once == {}
    told = bot.respond.once
    assert told["text"] == STALE
    assert "out of date" in told["text"]
    assert told["response_type"] == "ephemeral"
    assert "replace_original" not in told
    assert "Acme Media" not in json.dumps(told)
