"""`/score`'s listeners called directly with fakes: rating by command, Retire's permission,
a Rate form saved over a newer rating, and the radar through the outbox."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.registry.rules import Status
from bot.scoring import service as score_service
from bot.scoring.rules import Rating
from handlers.buttons import on_button
from handlers.ids import ScoreAction, ScoreView
from handlers.payloads import RadarChart, RateMeta, RetirePartner
from handlers.scoring.listeners import handle_score, radar_chart, rate_submit, retire_partner
from storage.store import SQLiteStore
from tests.support.fakes import (
    CHANNEL,
    OTHER,
    TEAM,
    USER,
    Bot,
    add_partner,
    click_body,
    command_body,
    fake_bot,
    submission,
)

FULL = "brand=80 users=70 channel=65 audience=72 traffic=60 tone=75"
FULL_VALUES = {
    "brand": 80.0,
    "users": 70.0,
    "channel": 65.0,
    "audience": 72.0,
    "traffic": 60.0,
    "tone": 75.0,
}


@pytest.fixture
async def bot(store: SQLiteStore) -> AsyncIterator[Bot]:
    async with fake_bot(store) as made:
        yield made


async def ratings(bot: Bot, partner_id: int) -> list[Rating]:
    async with bot.store.read() as tx:
        return await tx.recent_ratings(TEAM, partner_id, 100)


async def status_of(bot: Bot, partner_id: int) -> Status:
    async with bot.store.read() as tx:
        partner = await tx.partner_by_id(TEAM, partner_id)
    assert partner is not None
    return partner.status


async def rate(bot: Bot, partner_id: int, **values: float) -> RateMeta:
    """Rate as the owner; the RateMeta a form opened now would carry."""
    card = await score_service.rate(
        bot.store,
        bot.clock.now(),
        TEAM,
        bot.services.actor(USER),
        values,
        None,
        partner_id=partner_id,
    )
    return RateMeta(
        partner_id=partner_id,
        rating_id=card.version.rating_id,
        changed_at=card.version.changed_at,
    )


async def test_rating_by_command_stores_it_and_acks_the_composite(bot: Bot) -> None:
    partner_id = await add_partner(bot, "Acme")
    text = f'"Acme" {FULL}'

    await handle_score(
        bot.ack, bot.respond, command_body(text, command="/score"), bot.client, bot.services, text
    )
    await bot.settle()

    # (80 + 70 + 65 + 72 + 60 + 75) / 6 = 70.33
    assert "*Acme*: *70.3* (recommended, threshold 70)" in bot.ack.shown()
    assert bot.ack.once["response_type"] == "ephemeral"
    assert bot.respond.calls == []
    [rating] = await ratings(bot, partner_id)
    assert rating.values == FULL_VALUES
    assert rating.actor == USER


async def test_retire_by_someone_else_is_refused_and_the_partner_stays_active(bot: Bot) -> None:
    partner_id = await add_partner(bot, "Acme", owner=USER)
    listener = on_button(RetirePartner, retire_partner)
    value = RetirePartner(partner_id=partner_id).pack()
    body = click_body(ScoreAction.RETIRE, value, user=OTHER)

    await listener(bot.ack, body, bot.respond, bot.client, bot.services)
    await bot.settle()

    assert bot.ack.once == {}
    refusal = bot.respond.once
    assert "Only the owner of *Acme* or a partnerbot admin" in refusal["text"]
    assert "replace_original" not in refusal
    assert await status_of(bot, partner_id) == Status.ACTIVE


async def test_retire_by_the_owner_archives(bot: Bot) -> None:
    """The refusal above is about who clicked, not the click."""
    partner_id = await add_partner(bot, "Acme", owner=USER)
    listener = on_button(RetirePartner, retire_partner)
    value = RetirePartner(partner_id=partner_id).pack()
    body = click_body(ScoreAction.RETIRE, value)

    await listener(bot.ack, body, bot.respond, bot.client, bot.services)
    await bot.settle()

    assert "Retired *Acme*" in bot.respond.once["text"]
    assert await status_of(bot, partner_id) == Status.ARCHIVED


def rate_form(**values: str) -> dict[str, dict[str, dict[str, str]]]:
    return {key: {"value": {"type": "number_input", "value": v}} for key, v in values.items()}


async def test_a_rate_form_opened_before_a_newer_rating_is_refused(bot: Bot) -> None:
    partner_id = await add_partner(bot, "Acme")
    opened = await rate(bot, partner_id, **FULL_VALUES)  # the form is opened on this rating
    await rate(bot, partner_id, brand=90)  # someone rates again meanwhile
    body, view = submission(ScoreView.RATE_SUBMIT, opened.pack(), rate_form(brand="10"))

    await rate_submit(bot.ack, body, view, bot.services)

    answer = bot.ack.once
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {"brand"}
    assert "changed since this form was opened" in answer["errors"]["brand"]
    latest, previous = await ratings(bot, partner_id)
    assert latest.values["brand"] == 90.0
    assert previous.values == FULL_VALUES


async def test_a_rate_form_opened_on_the_latest_rating_is_saved(bot: Bot) -> None:
    """The refusal above is about the version, not the form."""
    partner_id = await add_partner(bot, "Acme")
    opened = await rate(bot, partner_id, **FULL_VALUES)
    body, view = submission(ScoreView.RATE_SUBMIT, opened.pack(), rate_form(brand="10"))

    await rate_submit(bot.ack, body, view, bot.services)

    assert bot.ack.once["response_action"] == "update"
    assert (await ratings(bot, partner_id))[0].values["brand"] == 10.0


async def click_radar(bot: Bot, partner_id: int) -> None:
    listener = on_button(RadarChart, radar_chart)
    body = click_body(ScoreAction.CHART, RadarChart(partner_id=partner_id).pack())
    await listener(bot.ack, body, bot.respond, bot.client, bot.services)
    await bot.settle()


async def test_the_radar_of_an_unrated_partner_is_refused_without_uploading(bot: Bot) -> None:
    partner_id = await add_partner(bot, "Quiet Co")

    await click_radar(bot, partner_id)

    assert bot.ack.once == {}
    told = bot.respond.once
    assert "*Quiet Co* has not been rated yet" in told["text"]
    assert told["response_type"] == "ephemeral"
    assert bot.outbox.uploads == []


async def test_the_radar_of_a_rated_partner_is_uploaded_with_alt_text(bot: Bot) -> None:
    partner_id = await add_partner(bot, "Acme")
    await rate(bot, partner_id, **FULL_VALUES)

    await click_radar(bot, partner_id)

    assert bot.ack.once == {}
    [upload] = bot.outbox.uploads
    assert upload["channel"] == CHANNEL
    assert upload["content"].startswith(b"\x89PNG")
    assert upload["alt_text"] and "Radar chart" in upload["alt_text"]
    assert upload["comment"] == "Fit dimensions of *Acme*"
    assert bot.respond.calls == []
    assert bot.client.calls == []  # uploads go through the outbox, not the client


async def test_a_refused_radar_upload_is_told_to_the_clicker(bot: Bot) -> None:
    partner_id = await add_partner(bot, "Acme")
    await rate(bot, partner_id, **FULL_VALUES)
    sentence = "I could not upload “Fit dimensions” to <#C2147483705>: it is archived."
    bot.outbox.refuse = sentence

    await click_radar(bot, partner_id)

    assert len(bot.outbox.uploads) == 1
    told = bot.respond.once
    assert told["response_type"] == "ephemeral"
    assert told["text"] == sentence
    assert sentence in bot.respond.shown()
    assert "replace_original" not in told


async def test_an_unexpected_failure_behind_the_radar_button_reaches_the_clicker(
    bot: Bot, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    partner_id = await add_partner(bot, "Acme")

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(score_service, "score_card", broken)
    await click_radar(bot, partner_id)

    told = bot.respond.once
    assert "nothing was changed" in told["text"] and "disk on fire" not in told["text"]
    assert bot.outbox.uploads == []
    assert any("score radar failed" in r.getMessage() for r in caplog.records)
