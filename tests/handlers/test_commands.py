"""`/partner WORD ...` routes another feature's word to that feature; the rest is the
registry's."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest

from bot.registry.rules import name_key
from handlers.commands import partner_command
from storage.store import SQLiteStore
from tests.support.fakes import TEAM, Bot, command_body, fake_bot

SCORE_HELP = "partnerbot: fit scores"
HEALTH_HELP = "partnerbot: partner health"
REGISTRY_HELP = "partnerbot: the partner registry"


@pytest.fixture
async def bot(store: SQLiteStore) -> AsyncIterator[Bot]:
    async with fake_bot(store) as made:
        yield made


async def partner(bot: Bot, text: str) -> str:
    """Send `/partner text`; the one ack's title."""
    await partner_command(bot.ack, bot.respond, command_body(text), bot.client, bot.services)
    await bot.settle()
    assert bot.respond.calls == []
    title: str = bot.ack.once["blocks"][0]["text"]["text"]
    return title


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("score help", SCORE_HELP),
        ("  SCORE   help", SCORE_HELP),
        ("health help", HEALTH_HELP),
        ("Health help", HEALTH_HELP),
        ("help", REGISTRY_HELP),
        ("", REGISTRY_HELP),
        ("scores help", None),  # not a feature's word: the registry's, which does not know it
    ],
)
async def test_each_word_goes_to_its_feature(bot: Bot, text: str, title: str | None) -> None:
    shown = await partner(bot, text)
    if title is None:
        assert "`scores` is not a `/partner` subcommand" in json.dumps(bot.ack.once)
        assert "Try `/partner help`." in bot.ack.once["text"]
    else:
        assert shown == title


@pytest.mark.parametrize(
    ("text", "slip", "help_command"),
    [
        ("score top 999", "`top` takes a count from 1 to", "/score help"),
        ("health brand=1", "Give a partner name, or `benchmark`", "/health help"),
    ],
)
async def test_a_routed_words_slip_points_at_that_features_help(
    bot: Bot, text: str, slip: str, help_command: str
) -> None:
    await partner(bot, text)
    assert slip in bot.ack.once["text"]
    assert bot.ack.once["text"].endswith(f"Try `{help_command}`.")


async def test_the_rest_of_the_text_reaches_the_registry_whole(bot: Bot) -> None:
    await partner(bot, 'add "Score Board" category=KOL')
    assert "Added Score Board" in bot.ack.once["text"]
    async with bot.store.read() as tx:
        assert await tx.partner_by_key(TEAM, name_key("Score Board")) is not None
