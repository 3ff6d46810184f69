"""`/digest` text into requests."""

from __future__ import annotations

import pytest

from bot.digest.command import (
    AlertsRequest,
    ChangeRequest,
    DigestHelpRequest,
    ListRequest,
    NowRequest,
    PreviewRequest,
    ScheduleRequest,
    Scope,
    parse_digest_command,
)
from bot.errors import CommandError, RuleError


def test_schedule_with_a_channel_zone_quiet_and_scope() -> None:
    request = parse_digest_command(
        "schedule <#C0OPS|ops> weekly Mon 9:05 tz=Asia/Shanghai quiet=yes "
        "scope=owner:<@U0MARIA|maria>"
    )
    assert isinstance(request, ScheduleRequest)
    assert (request.channel_id, request.zone, request.quiet, request.scope) == (
        "C0OPS",
        "Asia/Shanghai",
        True,
        Scope("owner", "U0MARIA"),
    )
    assert isinstance(request, ScheduleRequest) and request.rule.text == "weekly mon 09:05"


def test_cron_in_curly_quotes_and_the_other_verbs() -> None:
    request = parse_digest_command("schedule cron=“0 9 * * 1-5” scope=tag:Beauty")
    assert isinstance(request, ScheduleRequest)
    assert request.rule.text == "cron 0 9 * * 1-5" and request.scope == Scope("tag", "beauty")
    assert request.channel_id is None and request.zone is None and not request.quiet
    assert parse_digest_command("list") == ListRequest()
    assert parse_digest_command("") == DigestHelpRequest()
    assert parse_digest_command("pause 3") == ChangeRequest("pause", 3)
    assert parse_digest_command("REMOVE 12") == ChangeRequest("remove", 12)
    assert parse_digest_command("now <#C1|x> scope=category:kol") == NowRequest(
        "C1", Scope("category", "KOL")
    )
    assert parse_digest_command("preview") == PreviewRequest(Scope())
    assert parse_digest_command("alerts <#C1|x> on") == AlertsRequest()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("schedule daily 09:00 colour=red", "takes `cron=`"),
        ("schedule daily 09:00 scope=owner:maria", "`scope=` takes"),
        ("schedule daily 09:00 scope=category:nope", "is not a category"),
        ("resume", "Say which schedule"),
        ("remove 1 2", "Say which schedule"),
        ("now extra", "takes a channel"),
        ("preview <#C1|x>", "takes `scope=`"),
        ("list everything", "`/digest` takes"),
        ('schedule "daily 09:00', "quote is not closed"),
    ],
)
def test_bad_commands(text: str, expected: str) -> None:
    with pytest.raises((CommandError, RuleError), match=expected):
        parse_digest_command(text)
