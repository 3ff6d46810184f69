"""Changes that are hard to take back, end to end: Undo on drop, archive and Retire, a new
owner told by direct message, Retire shown only to who may, and metrics on retired partners."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from bot.registry.rules import Partner, Status, name_key
from handlers.ids import PartnerAction, PartnerView, ScoreAction
from tests.support.harness import ADMIN, USER, Harness

TEAM = "T0001"
OTHER = "U0OTHER1"
NEWBIE = "U0NEW001"


async def stored(slack: Harness, name: str) -> Partner:
    async with slack.store.read() as tx:
        partner = await tx.partner_by_key(TEAM, name_key(name))
    assert partner is not None, name
    return partner


async def audit(slack: Harness, name: str) -> list[tuple[str, str, str, str, str]]:
    """(actor, action, field, before, after), newest first."""
    partner = await stored(slack, name)
    async with slack.store.read() as tx:
        entries, _ = await tx.history(TEAM, partner.id, 100, 0)
    return [(e.actor, e.action, e.field, e.before, e.after) for e in entries]


def buttons(body: dict[str, Any], action_id: str) -> list[dict[str, Any]]:
    """The buttons with this action_id, in actions blocks or as section accessories."""
    found: list[dict[str, Any]] = []
    for block in body.get("blocks", []):
        found += block.get("elements", []) if block["type"] == "actions" else []
        found += [block["accessory"]] if "accessory" in block else []
    return [e for e in found if e.get("action_id") == action_id]


def last_respond(slack: Harness) -> dict[str, Any]:
    calls = slack.fake.named("respond")
    assert calls, "nothing was sent to the response_url"
    return calls[-1].body


def later(slack: Harness) -> None:
    """Move the clock on, as time passes between one person's clicks."""
    slack.clock.advance(timedelta(minutes=1))


# --- Undo --------------------------------------------------------------------------------


async def test_undo_works_when_the_clock_stands_still_or_runs_behind(slack: Harness) -> None:
    """A replica whose clock is behind, or two changes in one microsecond: the stored version
    moves past the clock, and Undo still finds the change it undoes."""
    await slack.command('add "Acme Media"')
    dropped = await slack.command('drop "Acme Media" went quiet')  # the clock has not moved
    [undo] = buttons(dropped.body, PartnerAction.UNDO)
    await slack.click(undo["action_id"], undo["value"])
    assert (await stored(slack, "Acme Media")).status == Status.PROSPECT

    slack.clock.advance(timedelta(seconds=2))
    await slack.command('set "Acme Media" tier=core')
    slack.clock.advance(timedelta(seconds=-2))  # a replica two seconds behind drops it
    dropped = await slack.command('drop "Acme Media" gone again')
    [undo] = buttons(dropped.body, PartnerAction.UNDO)
    await slack.click(undo["action_id"], undo["value"])
    restored = await stored(slack, "Acme Media")
    assert (restored.status, restored.drop_reason, restored.tier.value) == (
        Status.PROSPECT,
        "",
        "core",
    )


async def test_drop_answers_with_undo_which_restores_status_and_reason(slack: Harness) -> None:
    await slack.command('add "Acme Media" status=paused')
    await slack.command('drop "Acme Media" old reason')
    await slack.command('restore "Acme Media"')
    later(slack)
    dropped = await slack.command('drop "Acme Media" contract ended')
    [undo] = buttons(dropped.body, PartnerAction.UNDO)
    assert undo["text"]["text"] == "Undo"
    assert (await stored(slack, "Acme Media")).status == Status.DROPPED

    later(slack)
    await slack.click(undo["action_id"], undo["value"])
    undone = last_respond(slack)
    assert undone["replace_original"] is True  # the Undo button goes with the message
    assert "Undone" in undone["text"] and "paused again" in undone["text"]
    partner = await stored(slack, "Acme Media")
    assert (partner.status, partner.drop_reason) == (Status.PAUSED, "")
    assert [a for a in await audit(slack, "Acme Media") if a[1] == "undo"] == [
        (USER, "undo", "drop_reason", "contract ended", ""),
        (USER, "undo", "status", "dropped", "paused"),
    ]

    # A second click (or an old copy of the message) finds the partner changed since.
    await slack.click(undo["action_id"], undo["value"])
    again = last_respond(slack)
    assert "has changed since it was dropped" in again["text"]
    assert "replace_original" not in again
    assert (await stored(slack, "Acme Media")).status == Status.PAUSED


async def test_undo_of_an_archive_brings_back_a_dropped_partner_with_its_reason(
    slack: Harness,
) -> None:
    await slack.command('add "Acme Media" status=active')
    await slack.command('drop "Acme Media" budget cut')
    later(slack)
    archived = await slack.command('archive "Acme Media"')
    assert (await stored(slack, "Acme Media")).drop_reason == ""  # a reason goes with a drop
    [undo] = buttons(archived.body, PartnerAction.UNDO)
    later(slack)
    await slack.click(undo["action_id"], undo["value"])
    assert "dropped again" in last_respond(slack)["text"]
    partner = await stored(slack, "Acme Media")
    assert (partner.status, partner.drop_reason) == (Status.DROPPED, "budget cut")


async def test_undo_is_refused_after_another_change_and_for_someone_else(slack: Harness) -> None:
    await slack.command('add "Acme Media" status=active')
    later(slack)
    dropped = await slack.command('drop "Acme Media" went quiet')
    [undo] = buttons(dropped.body, PartnerAction.UNDO)
    later(slack)

    await slack.click(undo["action_id"], undo["value"], user=OTHER)
    assert "Only the owner of *Acme Media*" in last_respond(slack)["text"]
    assert (await stored(slack, "Acme Media")).status == Status.DROPPED

    await slack.command('set "Acme Media" tier=core')
    later(slack)
    await slack.click(undo["action_id"], undo["value"])
    refused = last_respond(slack)["text"]
    assert "has changed since it was dropped, so nothing was undone" in refused
    assert '/partner history "Acme Media"' in refused
    partner = await stored(slack, "Acme Media")
    assert (partner.status, partner.drop_reason) == (Status.DROPPED, "went quiet")
    assert not [a for a in await audit(slack, "Acme Media") if a[1] == "undo"]


async def test_an_admin_may_undo_and_a_forged_undo_is_answered(slack: Harness) -> None:
    await slack.command('add "Acme Media" status=active')
    later(slack)
    archived = await slack.command('archive "Acme Media"')
    [undo] = buttons(archived.body, PartnerAction.UNDO)
    forged = json.loads(undo["value"]) | {"change": "set"}
    await slack.click(PartnerAction.UNDO, json.dumps(forged))
    assert "out of date or was not made by partnerbot" in last_respond(slack)["text"]
    assert (await stored(slack, "Acme Media")).status == Status.ARCHIVED

    later(slack)
    await slack.click(undo["action_id"], undo["value"], user=ADMIN)
    assert (await stored(slack, "Acme Media")).status == Status.ACTIVE
    assert (ADMIN, "undo", "status", "archived", "active") in await audit(slack, "Acme Media")


async def test_nothing_to_undo_offers_no_undo(slack: Harness) -> None:
    await slack.command('add "Acme Media"')
    await slack.command('archive "Acme Media"')
    again = await slack.command('archive "Acme Media"')
    assert "Nothing changed" in again.shown
    assert buttons(again.body, PartnerAction.UNDO) == []


# --- a new owner is told -----------------------------------------------------------------


async def test_a_new_owner_is_told_by_direct_message(slack: Harness) -> None:
    await slack.command('add "Acme Media" category=MCN')
    reply = await slack.command(f'set "Acme Media" owner=<@{NEWBIE}|newbie>')
    assert f"<@{USER}> → <@{NEWBIE}>" in reply.shown  # owners as mentions, not raw IDs
    [dm] = slack.fake.named("chat.postMessage")
    assert dm.body["channel"] == NEWBIE
    shown = json.dumps(dm.body, ensure_ascii=False)
    assert f"<@{USER}> made you the owner of" in shown and "*Acme Media*" in shown
    assert dm.body["text"] == "You now own Acme Media"

    # Setting the same owner again, or making oneself the owner, sends nothing more.
    await slack.command(f'set "Acme Media" owner=<@{NEWBIE}|newbie>', user=ADMIN)
    await slack.command(f'set "Acme Media" owner=<@{ADMIN}|admin>', user=ADMIN)
    assert len(slack.fake.named("chat.postMessage")) == 1

    # Adding a partner for someone else tells them too.
    await slack.command(f'add "Beta Co" owner=<@{NEWBIE}|newbie>')
    assert [c.body["text"] for c in slack.fake.named("chat.postMessage")][1:] == [
        "You now own Beta Co"
    ]


async def test_a_dm_slack_refuses_is_reported_to_whoever_changed_the_owner(
    slack: Harness,
) -> None:
    await slack.command('add "Acme Media"')
    slack.fake.refuse_next("chat.postMessage", "user_disabled")
    await slack.command(f'set "Acme Media" owner=<@{NEWBIE}|newbie>')
    report = last_respond(slack)
    assert report["response_type"] == "ephemeral"
    assert f"<@{NEWBIE}> owns *Acme Media* now, but was not told" in report["text"]
    assert f"I could not send <@{NEWBIE}> a direct message (`user_disabled`)" in report["text"]
    assert "deactivated" in report["text"]
    assert (await stored(slack, "Acme Media")).owner == NEWBIE  # the change itself stands


async def test_the_edit_form_tells_the_new_owner_too(slack: Harness) -> None:
    await slack.command('add "Acme Media"')
    await slack.command('edit "Acme Media"')
    [opened] = slack.fake.named("views.open")
    view = opened.body["view"]
    assert view["callback_id"] == PartnerView.EDIT_SUBMIT
    values: dict[str, Any] = {}
    for block in view["blocks"]:
        element = block["element"]
        if element["type"] == "static_select":
            state = {"type": "static_select", "selected_option": element["initial_option"]}
        elif element["type"] == "users_select":
            state = {"type": "users_select", "selected_user": NEWBIE}
        else:
            state = {"type": "plain_text_input", "value": element.get("initial_value")}
        values[block["block_id"]] = {"value": state}
    reply = await slack.submit(view, values)
    assert reply.body["response_action"] == "update"
    [dm] = slack.fake.named("chat.postMessage")
    assert dm.body["channel"] == NEWBIE and "made you the owner" in json.dumps(dm.body)
    assert (await stored(slack, "Acme Media")).owner == NEWBIE


# --- Retire in the review ----------------------------------------------------------------


async def review_of_two(slack: Harness) -> None:
    """Two weak active KOLs against a benchmark: Mine (USER's) and Theirs (OTHER's)."""
    await slack.command("benchmark category=KOL roi=2.5", command="/health", user=ADMIN)
    for name, owner in (("Mine", USER), ("Theirs", OTHER)):
        await slack.command(f'add "{name}" category=KOL status=active', user=owner)
        await slack.command(f'metrics "{name}" roi=0.5 period=2026-W40', user=owner)


async def test_retire_is_offered_only_to_who_may_retire(slack: Harness) -> None:
    await review_of_two(slack)
    mine = await slack.command("review share=100%", command="/score")
    rows = {
        b["text"]["text"].split("*")[1]: b
        for b in mine.body["blocks"]
        if "× benchmark" in b.get("text", {}).get("text", "")
    }
    assert set(rows) == {"Mine", "Theirs"}
    assert rows["Mine"]["accessory"]["action_id"] == ScoreAction.RETIRE
    assert "accessory" not in rows["Theirs"]  # shown, without a button that would be refused
    assert "Only a partner's owner or a partnerbot admin can retire it." in mine.shown

    admin = await slack.command("review share=100%", command="/score", user=ADMIN)
    assert len(buttons(admin.body, ScoreAction.RETIRE)) == 2
    assert "can retire it" not in admin.shown


async def test_retire_answers_with_undo(slack: Harness) -> None:
    await review_of_two(slack)
    shown = await slack.command("review share=100%", command="/score")
    [retire] = buttons(shown.body, ScoreAction.RETIRE)
    later(slack)
    await slack.click(retire["action_id"], retire["value"])
    retired = last_respond(slack)
    assert "Retired *Mine*" in retired["text"]
    assert (await stored(slack, "Mine")).status == Status.ARCHIVED
    [undo] = buttons(retired, PartnerAction.UNDO)
    later(slack)
    await slack.click(undo["action_id"], undo["value"])
    assert "no longer retired" in json.dumps(last_respond(slack))
    assert (await stored(slack, "Mine")).status == Status.ACTIVE


# --- metrics on retired partners ---------------------------------------------------------


async def test_metrics_are_refused_on_an_archived_partner_with_how_to_restore(
    slack: Harness,
) -> None:
    await slack.command('add "Acme Media" status=active')
    await slack.command('archive "Acme Media"')
    before = await audit(slack, "Acme Media")
    reply = await slack.command('metrics "Acme Media" rue=30 gmv=5000')
    assert "*Acme Media* is archived, so it takes no new metrics" in reply.shown
    assert '`/partner restore "Acme Media"`' in reply.body["text"]
    assert await audit(slack, "Acme Media") == before
    async with slack.store.read() as tx:
        assert await tx.partner_metrics(TEAM, (await stored(slack, "Acme Media")).id, 10) == []


async def test_metrics_on_a_dropped_partner_are_kept_and_the_answer_says_it_is_dropped(
    slack: Harness,
) -> None:
    await slack.command('add "Acme Media" status=active')
    await slack.command('drop "Acme Media" walked away')
    reply = await slack.command('metrics "Acme Media" gmv=5000 period=2026-W47')
    assert "Recorded" in reply.shown
    assert "This partner is dropped" in reply.shown
    async with slack.store.read() as tx:
        found = await stored(slack, "Acme Media")
        assert await tx.metric_value(TEAM, found.id, "2026-W47", "gmv") == 5000
