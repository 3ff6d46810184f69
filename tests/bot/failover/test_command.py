"""`/failover`'s grammar: each subcommand as a typed request; slips refused with the form."""

from __future__ import annotations

import pytest

from bot.errors import CommandError, RuleError
from bot.failover.command import (
    AutoRequest,
    FailoverHelpRequest,
    HistoryRequest,
    SlaRequest,
    StartRequest,
    StatusRequest,
    parse_failover_command,
)


@pytest.mark.parametrize(
    ("text", "request_made"),
    [
        ("", FailoverHelpRequest()),
        ("HELP", FailoverHelpRequest()),
        ("status", StatusRequest()),
        ("history", HistoryRequest(None)),
        ('history "Acme Media"', HistoryRequest("Acme Media")),
        ("sla", SlaRequest(None)),
        ("sla backup=15m verify=2d", SlaRequest({"backup": 15, "verify": 2880})),
        ("Acme Media walked out", StartRequest(("Acme", "Media", "walked", "out"))),
        ("start status", StartRequest(("status",))),
        ("auto", AutoRequest(None)),
        ("AUTO On", AutoRequest(True)),
        ("auto off", AutoRequest(False)),
        ("start auto", StartRequest(("auto",))),
    ],
)
def test_requests(text: str, request_made: object) -> None:
    assert parse_failover_command(text) == request_made


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("status now", "takes nothing"),
        ("history Acme Media", "in quotes"),
        ("history <@U123|maria>", "plain text"),
        ("sla backup 15m", "backup=30m"),
        ("sla lunch=1h", "not a deadline"),
        ("sla backup=soon", "not a duration"),
        ("Acme tier=core", "takes no options"),
        ("start", "Name the partner"),
        ("<@U123|maria> left", "plain text"),
        ("auto yes", "auto on"),
        ("auto on off", "auto on"),
        ("auto on when=drop", "auto on"),
    ],
)
def test_slips_are_refused_with_what_to_write(text: str, says: str) -> None:
    with pytest.raises((CommandError, RuleError), match=says):
        parse_failover_command(text)
