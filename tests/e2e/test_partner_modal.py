"""The add and edit modals end to end: opened with views.open, submitted as view_submission."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from bot.registry.rules import Category, Status, Tier, name_key
from handlers.ids import PartnerAction, PartnerView
from tests.support.harness import ADMIN, USER, Harness

OTHER = "U0OTHER1"


def text(value: str | None) -> dict[str, Any]:
    return {"value": {"type": "plain_text_input", "value": value}}


def select(value: str) -> dict[str, Any]:
    option = {"text": {"type": "plain_text", "text": value}, "value": value}
    return {"value": {"type": "static_select", "selected_option": option}}


def user(user_id: str) -> dict[str, Any]:
    return {"value": {"type": "users_select", "selected_user": user_id}}


def state(**overrides: dict[str, Any]) -> dict[str, Any]:
    """A filled-in form, as Slack sends its state; empty optional inputs arrive as None."""
    values = {
        "name": text("Acme Media"),
        "category": select("MCN"),
        "tier": select("core"),
        "status": select("active"),
        "owner": user(USER),
        "backups": text(None),
        "tags": text("Beauty, live"),
        "contacts": text("maria@acme.example"),
        "notes": text(None),
        "cases": text("3"),
    }
    values.update(overrides)
    return values


async def open_add_modal(slack: Harness) -> dict[str, Any]:
    reply = await slack.command("add")
    assert reply.status == 200 and reply.text == ""
    calls = await slack.fake.wait_for("views.open")
    view: dict[str, Any] = calls[-1].body["view"]
    return view


async def test_add_opens_a_modal_and_its_submission_registers_the_partner(
    slack: Harness,
) -> None:
    view = await open_add_modal(slack)
    assert view["callback_id"] == PartnerView.ADD_SUBMIT
    assert slack.fake.named("views.open")[-1].body["trigger_id"].startswith("13345224609")
    block_ids = [b["block_id"] for b in view["blocks"]]
    assert block_ids == [
        "name",
        "category",
        "tier",
        "status",
        "owner",
        "backups",
        "tags",
        "contacts",
        "notes",
        "cases",
    ]
    owner = view["blocks"][4]["element"]
    assert owner["type"] == "users_select" and owner["initial_user"] == USER

    reply = await slack.submit(view, state())
    assert reply.body["response_action"] == "update"
    assert "Acme Media" in reply.shown
    async with slack.store.read() as tx:
        partner = await tx.partner_by_key("T0001", name_key("Acme Media"))
    assert partner is not None
    assert (partner.category, partner.tier, partner.status) == (
        Category.MCN,
        Tier.CORE,
        Status.ACTIVE,
    )
    assert partner.tags == ("beauty", "live") and partner.success_cases == 3
    assert partner.contacts == "maria@acme.example" and partner.notes == ""


async def test_a_submission_with_errors_is_answered_in_the_modal_and_writes_nothing(
    slack: Harness,
) -> None:
    await slack.command('add "Taken Name"')
    view = await open_add_modal(slack)
    reply = await slack.submit(
        view, state(name=text("Bad, Name"), cases=text("many"), backups=text("Ghost Co"))
    )
    assert reply.body["response_action"] == "errors"
    assert set(reply.body["errors"]) == {"name", "cases"}
    assert "comma" in reply.body["errors"]["name"]

    unknown_backup = await slack.submit(view, state(backups=text("Ghost Co")))
    assert unknown_backup.body["response_action"] == "errors"
    assert "Ghost Co" in unknown_backup.body["errors"]["backups"]

    taken = await slack.submit(view, state(name=text("taken name")))
    assert "already registered" in taken.body["errors"]["name"]

    async with slack.store.read() as tx:
        assert await tx.partner_names("T0001") == ["Taken Name"]


async def test_edit_opens_the_modal_prefilled_and_saves_changes_audited(slack: Harness) -> None:
    await slack.command('add "Backup Co"')
    await slack.command('add "Acme Media" tier=core tags=x backups="Backup Co" cases=2')
    reply = await slack.command('edit "acme media"')
    assert reply.text == ""
    view = (await slack.fake.wait_for("views.open"))[-1].body["view"]
    assert view["callback_id"] == PartnerView.EDIT_SUBMIT
    initial = {b["block_id"]: b["element"] for b in view["blocks"]}
    assert initial["name"]["initial_value"] == "Acme Media"
    assert initial["tier"]["initial_option"]["value"] == "core"
    assert initial["backups"]["initial_value"] == "Backup Co"
    assert initial["cases"]["initial_value"] == "2"

    changed = state(
        name=text("Acme Media"),
        tier=select("strategic"),
        backups=text(None),
        tags=text("x"),
        category=select("other"),
        status=select("prospect"),
        contacts=text(None),
        cases=text("2"),
    )
    saved = await slack.submit(view, changed)
    assert saved.body["response_action"] == "update"
    async with slack.store.read() as tx:
        partner = await tx.partner_by_key("T0001", name_key("Acme Media"))
        assert partner is not None
        entries, _ = await tx.history("T0001", partner.id, 10, 0)
    assert partner.tier == Tier.STRATEGIC and partner.backups == ()
    edits = {(e.field, e.before, e.after) for e in entries if e.action == "edit"}
    assert edits == {("tier", "core", "strategic"), ("backups", "Backup Co", "")}


async def test_edit_by_someone_else_is_refused_without_a_modal(slack: Harness) -> None:
    await slack.command('add "Acme Media"')
    reply = await slack.command('edit "Acme Media"', user=OTHER)
    assert "Only the owner" in reply.shown
    assert slack.fake.named("views.open") == []


async def test_a_forged_edit_submission_by_someone_else_changes_nothing(slack: Harness) -> None:
    await slack.command('add "Acme Media"')
    await slack.command('edit "Acme Media"')
    view = (await slack.fake.wait_for("views.open"))[-1].body["view"]
    reply = await slack.submit(view, state(tier=select("trial")), user=OTHER)
    assert reply.body["response_action"] == "errors"
    async with slack.store.read() as tx:
        partner = await tx.partner_by_key("T0001", name_key("Acme Media"))
    assert partner is not None and partner.tier == Tier.STANDARD


async def test_the_cards_edit_button_opens_the_modal(slack: Harness) -> None:
    await slack.command('add "Acme Media"')
    card = await slack.command('show "Acme Media"')
    buttons = [e for b in card.body["blocks"] if b["type"] == "actions" for e in b["elements"]]
    edit = next(e for e in buttons if e["action_id"] == PartnerAction.EDIT)
    await slack.click(edit["action_id"], edit["value"])
    view = (await slack.fake.wait_for("views.open"))[-1].body["view"]
    assert view["callback_id"] == PartnerView.EDIT_SUBMIT

    await slack.click(edit["action_id"], edit["value"], user=OTHER)
    refusal = slack.fake.named("respond")[-1].body
    assert "Only the owner" in refusal["text"]
    assert len(slack.fake.named("views.open")) == 1

    history = next(e for e in buttons if e["action_id"] == PartnerAction.HISTORY)
    await slack.click(history["action_id"], history["value"])
    assert "History of" in slack.fake.named("respond")[-1].body["blocks"][0]["text"]["text"]


async def test_a_tampered_button_value_changes_nothing_and_is_answered(slack: Harness) -> None:
    await slack.command('add "Acme Media"')
    reply = await slack.click(PartnerAction.LIST_PAGE, '{"offset": "lots", "evil": 1}')
    assert reply.status == 200
    told = [c.body for c in slack.fake.named("respond")]
    # One new ephemeral saying why nothing happened; the clicked message is not replaced.
    assert len(told) == 1 and "out of date" in told[0]["text"]
    assert told[0]["response_type"] == "ephemeral" and not told[0].get("replace_original")
    assert "Acme Media" not in json.dumps(told[0])


async def test_an_edit_form_opened_before_another_change_cannot_undo_it(slack: Harness) -> None:
    await slack.command('add "Acme Media" tags=x')
    await slack.command('edit "Acme Media"')
    view = (await slack.fake.wait_for("views.open"))[-1].body["view"]
    slack.clock.advance(timedelta(minutes=1))
    await slack.command('set "Acme Media" tier=core tags=y', user=ADMIN)
    stale = await slack.submit(
        view, state(tier=select("standard"), tags=text("x"), notes=text("only the notes"))
    )
    assert stale.body["response_action"] == "errors"
    assert "changed since this form was opened" in stale.body["errors"]["name"]
    async with slack.store.read() as tx:
        partner = await tx.partner_by_key("T0001", name_key("Acme Media"))
    assert partner is not None
    assert (partner.tier, partner.tags, partner.notes) == (Tier.CORE, ("y",), "")


async def test_a_drop_in_the_edit_form_says_how_to_start_the_drill_a_core_partner_calls_for(
    slack: Harness,
) -> None:
    await slack.command('add "Acme Media" category=MCN tier=core status=active tags=x')
    await slack.command('add "Small Co" category=KOL tier=standard status=active')
    for name, tier, hinted in (("Acme Media", "core", True), ("Small Co", "standard", False)):
        await slack.command(f'edit "{name}"')
        view = (await slack.fake.wait_for("views.open"))[-1].body["view"]
        dropped = state(name=text(name), tier=select(tier), status=select("dropped"))
        saved = await slack.submit(view, dropped)
        assert saved.body["response_action"] == "update"
        shown = json.dumps(saved.body["view"])
        assert ("its loss calls for a failover drill" in shown) is hinted, name
        if hinted:
            assert 'run `/failover \\"Acme Media\\"` in the channel' in shown
    # A drill is never started from the form: it has no channel to live in.
    async with slack.store.read() as tx:
        assert await tx.open_failover_drills("T0001") == []
