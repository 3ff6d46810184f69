"""`/partner` end to end: signed slash commands into the real app, answers read back."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from bot.registry.rules import Status, Tier, name_key
from handlers.ids import PartnerAction
from tests.support.harness import ADMIN, USER, Harness

OTHER = "U0OTHER1"


async def partner(slack: Harness, name: str, team: str = "T0001"):  # type: ignore[no-untyped-def]
    async with slack.store.read() as tx:
        return await tx.partner_by_key(team, name_key(name))


async def audit_count(slack: Harness, name: str) -> int:
    found = await partner(slack, name)
    assert found is not None
    async with slack.store.read() as tx:
        _, total = await tx.history("T0001", found.id, 1, 0)
    return total


async def test_add_with_every_option_then_show(slack: Harness) -> None:
    await slack.command('add "Backup Co"')
    reply = await slack.command(
        "add “Acme Media” category=mcn tier=core status=active owner=<@U0ABC|maria> "
        'backups="backup co" tags=Beauty,live note="Signed in Q3" cases=4'
    )
    assert reply.status == 200
    assert reply.body["response_type"] == "ephemeral"
    assert "Added" in reply.body["text"]
    found = await partner(slack, "acme media")
    assert found is not None
    assert (found.name, found.category.value, found.tier, found.status) == (
        "Acme Media",
        "MCN",
        Tier.CORE,
        Status.ACTIVE,
    )
    assert found.owner == "U0ABC"
    assert found.backups == ("Backup Co",)
    assert found.tags == ("beauty", "live")
    assert (found.notes, found.success_cases) == ("Signed in Q3", 4)

    shown = await slack.command("show ACME media")
    assert "*Acme Media*" in shown.shown
    assert "<@U0ABC>" in shown.shown and "Backup Co" in shown.shown
    actions = next(b for b in shown.body["blocks"] if b["type"] == "actions")
    assert [e["action_id"] for e in actions["elements"]] == ["partner.edit", "partner.history"]


async def test_chinese_names_are_unique_and_found(slack: Harness) -> None:
    reply = await slack.command("add 星河传媒 category=KOL")
    assert "Added" in reply.body["text"]
    again = await slack.command("add “星河传媒”")
    assert "already registered" in again.shown
    shown = await slack.command("show 星河传媒")
    assert "星河传媒" in shown.shown and "KOL" in shown.shown


async def test_add_twice_in_another_case_is_refused_and_names_the_owner(slack: Harness) -> None:
    await slack.command('add "Acme Media"')
    reply = await slack.command('add "ACME MEDIA" tier=core', user=OTHER)
    assert "already registered" in reply.shown
    assert f"<@{USER}>" in reply.shown
    found = await partner(slack, "Acme Media")
    assert found is not None and found.tier == Tier.STANDARD and found.owner == USER


async def test_bad_option_names_the_option_and_its_values_and_writes_nothing(
    slack: Harness,
) -> None:
    reply = await slack.command('add "Acme Media" tier=gold')
    assert "`gold` is not a tier" in reply.shown
    assert "strategic, core, standard, trial" in reply.shown
    assert await partner(slack, "Acme Media") is None

    reply = await slack.command('add "Acme Media" tire=core')
    assert "Did you mean `tier`?" in reply.shown
    assert await partner(slack, "Acme Media") is None


async def test_unknown_backup_is_refused_and_nothing_is_written(slack: Harness) -> None:
    await slack.command('add "Backup Co"')
    reply = await slack.command('add "Acme Media" backups="Backup Co, Nobody Ltd"')
    assert "Nobody Ltd" in reply.shown and "not a registered partner" in reply.shown
    assert await partner(slack, "Acme Media") is None


async def test_name_not_found_answers_with_the_closest_names(slack: Harness) -> None:
    await slack.command('add "Acme Media"')
    await slack.command('add "Acme Studios"')
    reply = await slack.command("show acme meda")
    assert "No partner is named" in reply.shown
    assert "*Acme Media*" in reply.shown


async def test_set_changes_fields_and_audits_each(slack: Harness) -> None:
    await slack.command('add "Acme Media"')
    before = await audit_count(slack, "Acme Media")
    reply = await slack.command('set "Acme Media" tier=strategic tags=a,b name="Acme Group"')
    assert "Updated" in reply.body["text"]
    assert "standard → strategic" in reply.shown
    assert await partner(slack, "Acme Media") is None
    renamed = await partner(slack, "acme group")
    assert renamed is not None and renamed.tier == Tier.STRATEGIC and renamed.tags == ("a", "b")
    assert await audit_count(slack, "Acme Group") == before + 3

    same = await slack.command('set "Acme Group" tier=strategic')
    assert "Nothing changed" in same.shown
    assert await audit_count(slack, "Acme Group") == before + 3


async def test_only_the_owner_or_an_admin_changes_a_partner(slack: Harness) -> None:
    await slack.command('add "Acme Media"')
    refused = await slack.command('set "Acme Media" tier=core', user=OTHER)
    assert "Only the owner" in refused.shown and f"<@{USER}>" in refused.shown
    for text in ('drop "Acme Media"', 'archive "Acme Media"', 'metrics "Acme Media" rue=30'):
        again = await slack.command(text, user=OTHER)
        assert "Only the owner" in again.shown, text
    found = await partner(slack, "Acme Media")
    assert found is not None and found.tier == Tier.STANDARD and found.status == Status.PROSPECT

    allowed = await slack.command('set "Acme Media" tier=core', user=ADMIN)
    assert "Updated" in allowed.body["text"]
    found = await partner(slack, "Acme Media")
    assert found is not None and found.tier == Tier.CORE

    readable = await slack.command('show "Acme Media"', user=OTHER)
    assert "*Acme Media*" in readable.shown


async def test_drop_archive_restore(slack: Harness) -> None:
    await slack.command('add "Acme Media" status=paused')
    dropped = await slack.command('drop "Acme Media" contract ended early')
    assert "Dropped" in dropped.body["text"] and "contract ended early" in dropped.shown
    found = await partner(slack, "Acme Media")
    assert found is not None and found.status == Status.DROPPED
    assert found.drop_reason == "contract ended early"

    restored = await slack.command('restore "Acme Media"')
    assert "Restored" in restored.body["text"]
    found = await partner(slack, "Acme Media")
    assert found is not None and found.status == Status.PAUSED and found.drop_reason == ""

    await slack.command('archive "Acme Media"')
    listed = await slack.command("list")
    assert "Acme Media" not in listed.shown
    archived = await slack.command("list status=archived")
    assert "Acme Media" in archived.shown

    nothing = await slack.command('restore "Acme Media"')
    assert "Restored" in nothing.body["text"]
    found = await partner(slack, "Acme Media")
    assert found is not None and found.status == Status.PAUSED
    again = await slack.command('restore "Acme Media"')
    assert "nothing to restore" in again.shown


async def test_history_is_newest_first_and_pages(slack: Harness) -> None:
    await slack.command('add "Acme Media"')
    for tier in ("core", "strategic", "trial", "standard") * 4:
        await slack.command(f'set "Acme Media" tier={tier}')
    reply = await slack.command('history "Acme Media"')
    sections = [b["text"]["text"] for b in reply.body["blocks"] if b["type"] == "section"]
    assert "1–15 of" in sections[0]
    assert "trial → standard" in sections[1]  # the last change comes first
    nav = next(b for b in reply.body["blocks"] if b["type"] == "actions")
    older = nav["elements"][0]
    assert older["text"]["text"] == "Older"

    await slack.click(older["action_id"], older["value"])
    page2 = slack.fake.named("respond")[-1].body
    assert page2["replace_original"] is True
    assert "16–" in page2["blocks"][0]["text"]["text"]


async def test_list_filters_and_pages_past_the_block_limit(slack: Harness) -> None:
    for i in range(45):
        category = "KOL" if i % 3 == 0 else "MCN"
        await slack.command(f'add "Partner {i:02d}" category={category} tags=t{i % 2}')
    first = await slack.command("list")
    assert len(first.body["blocks"]) <= 50
    assert "1–20 of 45" in first.shown
    nav = next(b for b in first.body["blocks"] if b["type"] == "actions")
    assert [e["text"]["text"] for e in nav["elements"]] == ["Next"]

    await slack.click(PartnerAction.LIST_PAGE, nav["elements"][0]["value"])
    second = slack.fake.named("respond")[-1].body
    assert second["replace_original"] is True
    assert "21–40 of 45" in second["blocks"][0]["text"]["text"]
    buttons = [
        e["text"]["text"] for b in second["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]
    assert buttons == ["Previous", "Next"]

    kols = await slack.command("list category=kol tag=t0")
    expected = sum(1 for i in range(45) if i % 3 == 0 and i % 2 == 0)
    assert f"of {expected}" in kols.shown
    assert "Partner 03" not in kols.shown and "Partner 06" in kols.shown

    mine = await slack.command(f"list owner=<@{OTHER}|x>")
    assert "No partners" in mine.shown

    bad = await slack.command("list colour=red")
    assert "`colour` is not a filter" in bad.shown


async def test_metrics_default_to_this_week_and_replace_when_recorded_again(
    slack: Harness,
) -> None:
    await slack.command('add "Acme Media"')
    # 09:30 UTC on Sunday 2026-11-22 is 17:30 in Asia/Shanghai, still ISO week 47.
    reply = await slack.command(
        'metrics "Acme Media" rue=35 roi=2.1 sentiment=72 gmv=120000 traffic=5400'
    )
    assert "2026-W47" in reply.shown
    found = await partner(slack, "Acme Media")
    assert found is not None
    async with slack.store.read() as tx:
        assert await tx.metric_value("T0001", found.id, "2026-W47", "rue") == 35
        assert await tx.metric_value("T0001", found.id, "2026-W47", "gmv") == 120000

    again = await slack.command('metrics "Acme Media" rue=40 period=2026-W47')
    assert "35 → 40" in again.shown
    async with slack.store.read() as tx:
        assert await tx.metric_value("T0001", found.id, "2026-W47", "rue") == 40
        entries, _ = await tx.history("T0001", found.id, 1, 0)
    assert (entries[0].field, entries[0].before, entries[0].after) == ("rue@2026-W47", "35", "40")

    same = await slack.command('metrics "Acme Media" rue=40')
    assert "Nothing changed" in same.shown

    month = await slack.command('metrics "Acme Media" roi=3.2 period=2026-11')
    assert "2026-11" in month.shown


async def test_bad_metrics_are_refused_and_change_nothing(slack: Harness) -> None:
    await slack.command('add "Acme Media"')
    before = await audit_count(slack, "Acme Media")
    for text, expected in (
        ('metrics "Acme Media" rue=abc', "rue must be a number"),
        ('metrics "Acme Media" rue=140', "between 0 and 100"),
        ('metrics "Acme Media" rue=30 period=2026-W60', "not a real week"),
        ('metrics "Acme Media" clicks=5', "`clicks` is not a metric"),
        ('metrics "Acme Media"', "Give the metrics"),
    ):
        reply = await slack.command(text)
        assert expected in reply.shown, (text, reply.shown)
    assert await audit_count(slack, "Acme Media") == before


async def test_help_and_unknown_subcommands(slack: Harness) -> None:
    helped = await slack.command("help")
    for verb in (
        "add",
        "show",
        "list",
        "set",
        "edit",
        "drop",
        "archive",
        "restore",
        "history",
        "metrics",
    ):
        assert f"/partner {verb}" in helped.shown
    bare = await slack.command("")
    assert bare.body["blocks"] == helped.body["blocks"]
    unknown = await slack.command("shwo Acme")
    assert "`shwo` is not a `/partner` subcommand" in unknown.shown
    assert "Did you mean `show`?" in unknown.shown
    unclosed = await slack.command('show "Acme')
    assert "A quote is not closed" in unclosed.shown


async def test_user_text_is_escaped_and_mentions_nobody(slack: Harness) -> None:
    # A user typed the literal text; Slack escapes it on the way in.
    typed = '"&lt;!channel&gt; &amp; &lt;@U1&gt;" note="hi &lt;!here&gt;" tags=&lt;b&gt;'
    reply = await slack.command(f"add {typed}")
    assert "Added" in reply.body["text"]
    found = await partner(slack, "<!channel> & <@U1>")
    assert found is not None and found.name == "<!channel> & <@U1>"
    outputs = [
        reply,
        await slack.command('show "&lt;!channel&gt; &amp; &lt;@U1&gt;"'),
        await slack.command("list"),
        await slack.command('history "&lt;!channel&gt; &amp; &lt;@U1&gt;"'),
        await slack.command('show "&lt;!channel&gt; &amp; &lt;@U"'),
    ]
    for output in outputs:
        text = json.dumps(output.body)
        assert "<!channel>" not in text and "<@U1>" not in text and "<!here>" not in text
        assert "<b>" not in text
    assert "&lt;!channel&gt; &amp; &lt;@U1&gt;" in outputs[1].shown


async def test_workspaces_never_see_each_other(slack: Harness) -> None:
    await slack.command('add "Acme Media" tier=core', team="T0001")
    other = await slack.command('show "Acme Media"', team="T0002")
    assert "No partner is named" in other.shown
    assert "Did you mean" not in other.shown  # no suggestions from another workspace
    assert "No partners" in (await slack.command("list", team="T0002")).shown
    refused = await slack.command('set "Acme Media" tier=trial', team="T0002")
    assert "No partner is named" in refused.shown

    own = await slack.command('add "Acme Media" tier=trial', team="T0002")
    assert "Added" in own.body["text"]
    ours = await partner(slack, "Acme Media", team="T0001")
    theirs = await partner(slack, "Acme Media", team="T0002")
    assert ours is not None and theirs is not None
    assert (ours.tier, theirs.tier) == (Tier.CORE, Tier.TRIAL)


async def test_a_slow_answer_is_acked_at_once_and_sent_to_the_response_url(
    slack: Harness,
) -> None:
    slack.bot.services.ack_budget = 0
    reply = await slack.command('add "Acme Media"')
    assert "Working on it" in reply.body["text"]
    follow_up = slack.fake.named("respond")[-1].body
    assert "Added" in follow_up["text"]
    assert await partner(slack, "Acme Media") is not None


async def test_a_rename_cannot_make_a_partner_its_own_backup(slack: Harness) -> None:
    await slack.command('add "Zed"')
    reply = await slack.command('set "Zed" name=Newname backups=Zed')
    assert "cannot be its own backup" in reply.shown
    found = await partner(slack, "Zed")
    assert found is not None and found.backups == ()


async def test_a_drop_reason_goes_when_the_partner_comes_back(slack: Harness) -> None:
    await slack.command('add "Acme Media" status=active')
    await slack.command('drop "Acme Media" budget cut')
    await slack.command('set "Acme Media" status=active')
    found = await partner(slack, "Acme Media")
    assert found is not None and found.drop_reason == ""
    dropped = await slack.command('drop "Acme Media"')
    assert "budget cut" not in dropped.shown


async def test_help_for_one_subcommand(slack: Harness) -> None:
    reply = await slack.command("help metrics")
    assert "/partner metrics" in reply.shown and "/partner add" not in reply.shown
    everything = await slack.command("help nosuch")
    assert "/partner add" in everything.shown


async def test_the_default_week_is_the_workspace_zones(slack: Harness) -> None:
    await slack.command('add "Acme Media"')
    # Sunday 2026-11-22 20:00 UTC is already Monday 04:00 in Asia/Shanghai: week 48, not 47.
    slack.clock.set(datetime(2026, 11, 22, 20, 0, tzinfo=UTC))
    reply = await slack.command('metrics "Acme Media" rue=35')
    assert "2026-W48" in reply.shown and "2026-W47" not in reply.shown
