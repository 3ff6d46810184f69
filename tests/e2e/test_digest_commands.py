"""`/digest` end to end: schedule, list, pause, resume, remove, now, preview, Details."""

from __future__ import annotations

import json

from bot.alerts.service import alert_channels
from handlers.ids import DigestAction
from tests.support.fake_slack import TEAM
from tests.support.harness import ADMIN, CHANNEL, USER, Harness

OTHER = "U0OTHER01"


async def digest(slack: Harness, text: str, user: str = USER) -> str:
    reply = await slack.command(text, command="/digest", user=user)
    assert reply.status == 200
    return reply.shown


async def audit(slack: Harness) -> list[tuple[str, str, str, str]]:
    async with slack.store.read() as tx:
        entries = await tx.settings_history(TEAM, 50)
    return [(e.actor, e.field, e.before, e.after) for e in reversed(entries)]


async def test_schedule_answers_the_next_three_runs_in_the_users_slack_zone(
    slack: Harness,
) -> None:
    shown = await digest(slack, "schedule weekdays 09:00")
    # The clock is Sunday 2026-11-22 09:30 UTC; users.info says America/New_York.
    assert "Digest schedule *1*" in shown
    assert "every weekday (Monday to Friday) at 09:00, America/New_York" in shown
    assert "Mon 2026-11-23 09:00 America/New_York" in shown
    assert "Tue 2026-11-24 09:00 America/New_York" in shown
    assert "Wed 2026-11-25 09:00 America/New_York" in shown
    assert [c.body["channel"] for c in slack.fake.named("conversations.join")] == [CHANNEL]
    assert [c.body["user"] for c in slack.fake.named("users.info")] == [USER]


async def test_tz_option_wins_and_a_user_without_a_zone_gets_the_workspace_one(
    slack: Harness,
) -> None:
    assert "Mon 2026-11-23 09:00 Asia/Tokyo" in await digest(
        slack, "schedule daily 09:00 tz=Asia/Tokyo"
    )
    slack.fake.user_tz[OTHER] = None
    # PARTNERBOT_TIMEZONE is Asia/Shanghai in the harness; 17:30 there has passed today.
    assert "Mon 2026-11-23 09:00 Asia/Shanghai" in await digest(
        slack, "schedule daily 09:00", user=OTHER
    )


async def test_bad_input_says_what_is_accepted_and_saves_nothing(slack: Harness) -> None:
    refusals = {
        "schedule weekly funday 25:00": "is not a day of the week",
        "schedule weekly mon 25:00": "is not a time of day",
        "schedule daily 09:00 tz=Mars/Olympus": "is not a time zone I know",
        'schedule cron="0 9 * * 1-5 2026"': "has 6 fields, not five",
        "schedule fortnightly 09:00": "`daily 09:00`, `weekdays 09:00`",
        "schedule daily 09:00 quiet=maybe": "`quiet=` takes `yes` or `no`",
        "schedule daily 09:00 scope=colour:red": "`scope=` takes `category:KOL`",
        "pause x": "Say which schedule",
        "frobnicate": "`/digest` takes",
    }
    for text, expected in refusals.items():
        assert expected in await digest(slack, text), text
    slack.fake.refuse_next("conversations.info", "channel_not_found")
    assert "invite partnerbot to it" in await digest(slack, "schedule <#C0GONE|gone> daily 09:00")
    slack.fake.channel("C0ARCH")["is_archived"] = True
    assert "is archived" in await digest(slack, "schedule <#C0ARCH|old> daily 09:00")
    assert "No digests are scheduled" in await digest(slack, "list")
    assert await audit(slack) == []


async def test_a_private_channel_is_not_joined_and_the_answer_says_how_to_invite(
    slack: Harness,
) -> None:
    slack.fake.channels["G0PRIV"] = {"id": "G0PRIV", "is_private": True, "is_member": False}
    shown = await digest(slack, "schedule <#G0PRIV|secret> daily 09:00")
    assert "Digest schedule *1*" in shown and "/invite @partnerbot" in shown
    assert slack.fake.named("conversations.join") == []


async def test_list_pause_resume_remove_by_the_creator_or_an_admin_audited(
    slack: Harness,
) -> None:
    await digest(slack, 'schedule cron="30 8 * * 1-5" tz=UTC quiet=yes scope=category:KOL')
    listed = await digest(slack, "list")
    assert "*1*" in listed and "cron `30 8 * * 1-5`" in listed and "UTC · quiet" in listed
    assert "next Mon 2026-11-23 08:30 UTC" in listed and "not run yet" in listed

    assert "Only whoever made digest schedule 1" in await digest(slack, "pause 1", user=OTHER)
    assert "is paused" in await digest(slack, "pause 1")
    assert "is paused" in await digest(slack, "pause 1")  # a second click: already so
    assert "*paused*" in await digest(slack, "list")
    assert "is resumed" in await digest(slack, "resume 1", user=ADMIN)
    assert "There is no digest schedule 7" in await digest(slack, "remove 7")
    assert "is removed" in await digest(slack, "remove 1", user=ADMIN)
    assert "No digests are scheduled" in await digest(slack, "list")
    assert [(a, b, c) for a, _, b, c in await audit(slack)] == [
        (USER, "", "<#C2147483705> cron `30 8 * * 1-5` (UTC)"),
        (USER, "active", "paused"),
        (ADMIN, "paused", "active"),
        (ADMIN, "active", "removed"),
    ]


async def test_partner_digest_is_the_same_command_and_alerts_reach_the_alerts_feature(
    slack: Harness,
) -> None:
    routed = await slack.command("digest help", command="/partner")
    assert "/digest schedule" in routed.shown
    assert await alert_channels(slack.store, TEAM) == []
    await digest(slack, "alerts <#C0ALERTS1|launch> on")
    await slack.command("digest alerts on", command="/partner")  # the current channel
    assert sorted(c.channel_id for c in await alert_channels(slack.store, TEAM)) == sorted(
        ["C0ALERTS1", CHANNEL]
    )
    listed = await digest(slack, "alerts")
    assert "C0ALERTS1" in listed and CHANNEL in listed


async def test_now_posts_to_the_channel_preview_only_to_the_asker_details_to_the_clicker(
    slack: Harness,
) -> None:
    await slack.command('add "<!channel> Acme" category=KOL tier=core status=active')
    preview = await digest(slack, "preview")
    assert "Partner health digest" in preview and "&lt;!channel&gt; Acme" in preview
    assert slack.fake.named("chat.postMessage") == []

    assert "Posting a digest" in await digest(slack, "now")
    posted = slack.fake.named("chat.postMessage")
    assert [c.body["channel"] for c in posted] == [CHANNEL]
    blocks = json.dumps(posted[0].body["blocks"])
    assert "<!channel>" not in blocks and "&lt;!channel&gt; Acme" in blocks
    assert "No backup" in blocks or "no backup" in blocks
    details = [
        b["accessory"]
        for b in posted[0].body["blocks"]
        if b.get("accessory", {}).get("action_id") == DigestAction.DETAILS
    ]
    assert details, "a red or amber partner has a Details button"
    click = await slack.click(DigestAction.DETAILS, details[0]["value"], user=OTHER)
    assert click.status == 200
    answer = slack.fake.named("respond")[-1].body
    assert answer["response_type"] == "ephemeral"
    assert "Acme* is *amber*" in json.dumps(answer)


async def test_an_old_installation_without_the_scopes_is_told_to_reinstall(
    slack: Harness,
) -> None:
    slack.fake.refuse_next("conversations.info", "missing_scope")
    assert "reinstall it from manifest.yml" in await digest(slack, "schedule daily 09:00")
    assert "No digests are scheduled" in await digest(slack, "list")


async def test_digest_help_lists_alerts_too(slack: Harness) -> None:
    shown = await digest(slack, "help")
    assert "/digest alerts [#channel] on|off" in shown
