"""`/digest alerts` called directly with fakes: on and off for this channel or a picked one,
the list, bad channel text and permissions; and the alert's "Open health" button."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.alerts import service as alerts
from handlers.alerts.listeners import alert_health, handle_alerts
from handlers.buttons import on_button
from handlers.payloads import AlertHealth
from storage.store import SQLiteStore
from tests.support.fakes import (
    ADMIN,
    CHANNEL,
    OTHER,
    TEAM,
    USER,
    Bot,
    add_partner,
    click_body,
    command_body,
    fake_bot,
)


@pytest.fixture
async def bot(store: SQLiteStore) -> AsyncIterator[Bot]:
    async with fake_bot(store) as made:
        yield made


async def digest_alerts(bot: Bot, text: str, user: str = USER, channel: str = CHANNEL) -> str:
    """Send `/digest alerts TEXT`; the answer as a person reads it."""
    bot.ack.calls.clear()
    body = {**command_body(f"alerts {text}", user=user, command="/digest"), "channel_id": channel}
    await handle_alerts(bot.ack, bot.respond, body, bot.client, bot.services, text)
    await bot.settle()
    return bot.ack.shown()


async def channels(bot: Bot) -> list[str]:
    return [c.channel_id for c in await alerts.alert_channels(bot.store, TEAM)]


async def test_on_with_no_channel_turns_on_the_current_one(bot: Bot) -> None:
    shown = await digest_alerts(bot, "on")
    assert f"Alerts are on in <#{CHANNEL}>" in shown
    assert "/invite @partnerbot" in shown
    assert await channels(bot) == [CHANNEL]


async def test_a_picked_channel_comes_as_slack_escapes_it(bot: Bot) -> None:
    shown = await digest_alerts(bot, "<#C0ALERTS|partner-alerts> ON")
    assert "Alerts are on in <#C0ALERTS>" in shown
    assert await channels(bot) == ["C0ALERTS"]
    listed = await digest_alerts(bot, "")
    assert f"<#C0ALERTS>, turned on by <@{USER}>" in listed


async def test_on_again_says_they_were_on_already(bot: Bot) -> None:
    await digest_alerts(bot, "on")
    assert "Alerts were already on" in await digest_alerts(bot, "on", user=OTHER)


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("#partners on", "Pick the channel from the list Slack shows"),
        ("<#C0ALERTS|x> maybe", "Say `on` or `off`"),
        ("<#C0ALERTS|x>", "Say `on` or `off`"),
        ("on off", "Say `on` or `off`"),
        ("<@U0ABC|maria> on", "Say `on` or `off`"),
        ("on scope=KOL", "takes no options"),
        ('"unclosed on', "quote"),
    ],
)
async def test_bad_text_is_answered_with_what_is_accepted_and_changes_nothing(
    bot: Bot, text: str, said: str
) -> None:
    shown = await digest_alerts(bot, text)
    assert said in shown
    assert bot.ack.once["response_type"] == "ephemeral"
    assert await channels(bot) == []


async def test_a_direct_message_is_not_a_channel(bot: Bot) -> None:
    shown = await digest_alerts(bot, "on", channel="D0123")
    assert "not a direct message" in shown
    assert await channels(bot) == []


async def test_someone_else_cannot_turn_them_off_and_is_told_who_can(bot: Bot) -> None:
    await digest_alerts(bot, "on")
    shown = await digest_alerts(bot, "off", user=OTHER)
    assert f"turned on by <@{USER}>" in shown and "admin" in shown
    assert await channels(bot) == [CHANNEL]


@pytest.mark.parametrize("by", [USER, ADMIN], ids=["who-turned-them-on", "admin"])
async def test_whoever_turned_them_on_or_an_admin_turns_them_off(bot: Bot, by: str) -> None:
    await digest_alerts(bot, "on")
    assert f"Alerts are off in <#{CHANNEL}>" in await digest_alerts(bot, "off", user=by)
    assert await channels(bot) == []
    assert "No channel has alerts yet" in await digest_alerts(bot, "")


async def test_open_health_shows_the_partner_to_the_clicker_alone(bot: Bot) -> None:
    partner_id = await add_partner(bot, "<!channel> Media")
    listener = on_button(AlertHealth, alert_health)
    value = AlertHealth(partner_id=partner_id).pack()
    await listener(
        bot.ack, click_body(AlertHealth.action_id, value), bot.respond, None, bot.services
    )
    await bot.settle()
    answer = bot.respond.once
    assert answer["response_type"] == "ephemeral"
    assert "*&lt;!channel&gt; Media* is *amber*" in bot.respond.shown()  # core, no backup


async def test_open_health_on_a_forged_or_gone_partner_is_answered(bot: Bot) -> None:
    listener = on_button(AlertHealth, alert_health)
    body = click_body(AlertHealth.action_id, AlertHealth(partner_id=999).pack())
    await listener(bot.ack, body, bot.respond, None, bot.services)
    await bot.settle()
    assert "no longer exists" in bot.respond.shown()
    await listener(
        bot.ack, click_body(AlertHealth.action_id, "{}"), bot.respond, None, bot.services
    )
    await bot.settle()
    assert "out of date" in bot.respond.shown()
