"""The drill's own messages at their worst case: the root keeps its status lines whatever the
reason's length, every section inside Slack's 3,000 characters."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.failover.rules import MAX_REASON, SLA_DEFAULTS, Drill, new_steps
from handlers.failover.views import build_root
from tests.support.slack_checks import check_message

START = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
ZONE = ZoneInfo("Asia/Shanghai")


def test_the_root_keeps_its_status_lines_under_the_longest_reason() -> None:
    steps = new_steps("U0OWNER", START, SLA_DEFAULTS)
    drill = Drill(1, "T1", 2, "&" * 80, "C1", "&" * MAX_REASON, "U0STARTER", START, steps)
    root = build_root(replace(drill, root_ts="1.1"), ZONE, START + timedelta(minutes=5))
    sections = [b["text"]["text"] for b in root["blocks"] if b["type"] == "section"]
    assert max(len(t) for t in sections) <= 3000
    shown = json.dumps(root["blocks"])
    assert "*Status:* open" in shown and "*Current step:* Backup list" in shown
    assert "&amp;" * MAX_REASON in shown  # the whole reason, escaped
    assert check_message(root) == []
