"""The registry's listeners called directly with fakes: `/partner` answers in the ack, a
bare `add` opens the form after it, Edit refuses a non-owner, a forged form stores nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.registry.rules import Category, name_key
from handlers.buttons import on_button
from handlers.ids import PartnerAction, PartnerView
from handlers.payloads import EditPartner
from handlers.registry.listeners import edit_partner, handle_partner, partner_form_submit
from storage.store import SQLiteStore
from tests.support.fakes import (
    OTHER,
    TEAM,
    TRIGGER,
    USER,
    Bot,
    add_partner,
    click_body,
    command_body,
    fake_bot,
    submission,
)


@pytest.fixture
async def bot(store: SQLiteStore) -> AsyncIterator[Bot]:
    async with fake_bot(store) as made:
        yield made


async def partner_command(bot: Bot, text: str, user: str = USER) -> None:
    body = command_body(text, user=user)
    await handle_partner(bot.ack, bot.respond, body, bot.client, bot.services, text)


async def test_add_with_a_name_answers_in_the_ack_and_registers_the_partner(bot: Bot) -> None:
    await partner_command(bot, 'add "Acme Media" category=KOL')
    await bot.settle()

    answer = bot.ack.once
    assert answer["response_type"] == "ephemeral"
    assert "Added Acme Media" in answer["text"]
    assert "*Acme Media*" in bot.ack.shown()
    assert bot.respond.calls == []
    async with bot.store.read() as tx:
        partner = await tx.partner_by_key(TEAM, name_key("Acme Media"))
    assert partner is not None
    assert (partner.name, partner.category, partner.owner) == ("Acme Media", Category.KOL, USER)


async def test_a_parse_error_is_acked_and_points_at_the_help(bot: Bot) -> None:
    await partner_command(bot, "shwo Acme")

    answer = bot.ack.once
    assert answer["response_type"] == "ephemeral"
    assert "`shwo` is not a `/partner` subcommand" in answer["text"]
    assert "Try `/partner help`." in answer["text"]
    assert bot.client.calls == []


async def test_add_without_arguments_acks_empty_and_opens_the_form(bot: Bot) -> None:
    await partner_command(bot, "add")
    await bot.settle()

    assert bot.ack.once == {}
    [opened] = bot.client.named("views_open")
    assert opened["trigger_id"] == TRIGGER
    assert opened["view"]["callback_id"] == PartnerView.ADD_SUBMIT
    assert bot.respond.calls == []


async def test_edit_by_someone_else_is_refused_and_opens_no_form(bot: Bot) -> None:
    partner_id = await add_partner(bot, "Acme Media", owner=USER)
    listener = on_button(EditPartner, edit_partner)
    body = click_body(PartnerAction.EDIT, EditPartner(partner_id=partner_id).pack(), user=OTHER)

    await listener(bot.ack, body, bot.respond, bot.client, bot.services)
    await bot.settle()

    assert bot.ack.once == {}
    refusal = bot.respond.once
    assert refusal["response_type"] == "ephemeral"
    assert "Only the owner of *Acme Media* or a partnerbot admin" in refusal["text"]
    assert f"Its owner is <@{USER}>." in refusal["text"]
    assert "replace_original" not in refusal
    assert bot.client.calls == []


def filled_form(**overrides: Any) -> dict[str, Any]:
    """A valid add form's state, as Slack sends it."""

    def text(value: str | None) -> dict[str, Any]:
        return {"value": {"type": "plain_text_input", "value": value}}

    def select(value: str) -> dict[str, Any]:
        return {"value": {"type": "static_select", "selected_option": {"value": value}}}

    values = {
        "name": text("Forged Co"),
        "category": select("MCN"),
        "tier": select("core"),
        "status": select("active"),
        "owner": {"value": {"type": "users_select", "selected_user": USER}},
        "backups": text(None),
        "tags": text(None),
        "contacts": text(None),
        "notes": text(None),
        "cases": text("0"),
    }
    values.update(overrides)
    return values


@pytest.mark.parametrize("metadata", ["not json at all", '{"partner_id": "x"}', ""])
async def test_a_form_with_garbage_metadata_is_refused_and_stores_nothing(
    bot: Bot, metadata: str
) -> None:
    body, view = submission(PartnerView.ADD_SUBMIT, metadata, filled_form())

    await partner_form_submit(bot.ack, body, view, bot.services)

    answer = bot.ack.once
    assert answer["response_action"] == "errors"
    assert answer["errors"] == {"name": "This form is out of date."}
    async with bot.store.read() as tx:
        assert await tx.partner_by_key(TEAM, name_key("Forged Co")) is None
        assert await tx.partner_names(TEAM) == []


async def test_the_same_form_with_good_metadata_is_saved(bot: Bot) -> None:
    """The refusal above is about the metadata, not the rest of the form."""
    body, view = submission(PartnerView.ADD_SUBMIT, "{}", filled_form())

    await partner_form_submit(bot.ack, body, view, bot.services)

    assert bot.ack.once["response_action"] == "update"
    async with bot.store.read() as tx:
        assert await tx.partner_by_key(TEAM, name_key("Forged Co")) is not None
