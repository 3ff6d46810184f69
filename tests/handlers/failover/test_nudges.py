"""The nudges' Block Kit: who is mentioned, user text escaped, and Slack's limits kept in the
worst case (a long partner name, many admins)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.failover.rules import SLA_DEFAULTS, Drill, StepKey, new_steps
from handlers.failover.nudges import NO_ADMINS, build_escalation, build_reminder
from tests.support.slack_checks import check_message

START = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
ZONE = ZoneInfo("Asia/Shanghai")


def drill(name: str = "Acme <!channel>") -> Drill:
    steps = new_steps("U0OWNER", START, SLA_DEFAULTS)
    return Drill(1, "T1", 2, name, "C1", "", "U0STARTER", START, steps, root_ts="1.1")


def test_the_reminder_mentions_the_owner_and_escapes_the_partner() -> None:
    d = drill()
    shown = build_reminder(d, d.step(StepKey.BACKUP), ZONE)
    text = json.dumps(shown["blocks"])
    assert "<@U0OWNER> *Backup list* was due <!date^" in text
    assert "Acme &lt;!channel&gt;" in text and "<!channel>" not in text
    assert shown["text"].startswith("<@U0OWNER> reminder:")
    assert check_message(shown) == []


def test_the_escalation_mentions_the_admins_or_else_the_starter_with_how_to_set_them() -> None:
    d = drill()
    step = d.step(StepKey.TAKEOVER)
    to_admins = build_escalation(d, step, ZONE, {"U0B", "U0A"})
    assert to_admins["text"].startswith("<@U0A> <@U0B> escalation:")
    assert "2 h 0 min after the start" in json.dumps(to_admins["blocks"])
    assert NO_ADMINS not in json.dumps(to_admins["blocks"])
    alone = build_escalation(d, step, ZONE, set())
    assert alone["text"].startswith("<@U0STARTER> escalation:")
    assert NO_ADMINS in json.dumps(alone["blocks"]) and "PARTNERBOT_ADMINS" in NO_ADMINS


def test_the_worst_case_stays_within_slacks_limits() -> None:
    d = drill("<" * 200)
    admins = {f"U{n:010d}" for n in range(300)}
    for shown in (
        build_reminder(d, d.step(StepKey.VERIFY), ZONE),
        build_escalation(d, d.step(StepKey.VERIFY), ZONE, admins),
        build_escalation(d, d.step(StepKey.VERIFY), ZONE, set()),
    ):
        assert check_message(shown) == []
        assert "checklist above." in json.dumps(shown["blocks"])  # nothing was cut
    many = build_escalation(d, d.step(StepKey.VERIFY), ZONE, admins)
    assert "(and 270 more admins)" in many["text"]


def test_a_close_reminder_offers_only_what_close_takes() -> None:
    d = drill()
    close = json.dumps(build_reminder(d, d.step(StepKey.CLOSE), ZONE)["blocks"])
    verify = json.dumps(build_reminder(d, d.step(StepKey.VERIFY), ZONE)["blocks"])
    assert "Press Done or Assign" in close and "Skip" not in close
    assert "Press Done, Skip or Assign" in verify
