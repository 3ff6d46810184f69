"""The close summary and the verify step's blocks as Slack would parse them, in the worst
case: four long skip reasons of characters that grow when escaped, the longest names, a
long note and a pool of unbacked partners; every user text escaped."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.failover import impact, rules
from bot.failover.rules import Backup, Drill, DrillStatus, GmvImpact, GmvSource, StepKey
from bot.failover.summary import Dependency, PartnerOutcome, close_summary
from bot.health.concentration import Concentration, Share
from bot.registry.rules import MAX_NAME
from handlers.failover import summary_views, verify_views, views
from handlers.payloads import GmvMeta
from tests.support.slack_checks import check_message, check_view

AT = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
ZONE = ZoneInfo("Asia/Shanghai")
LONG = "<&>" * (MAX_NAME // 3)
REASON = "&" * rules.MAX_REASON


def worst_drill() -> Drill:
    steps = rules.new_steps("U1", AT, rules.SLA_DEFAULTS)
    drill = Drill(7, "T1", 3, LONG, "C1", REASON, "U1", AT, steps)
    for key in (StepKey.BACKUP, StepKey.TAKEOVER, StepKey.COMMS, StepKey.VERIFY):
        drill, _ = rules.skip(drill, key, "U2", AT + timedelta(hours=30), REASON)
    note = "<" * impact.MAX_NOTE
    gmv = GmvImpact(-0.5, GmvSource.METRICS, 1e14, 5e13, note)
    backup = Backup(9, LONG, "U3", AT + timedelta(minutes=5))
    return replace(drill, gmv=gmv, backup=backup)


def test_the_summary_stays_inside_slacks_limits_in_the_worst_case() -> None:
    drill, _ = rules.complete(worst_drill(), StepKey.CLOSE, "U1", AT + timedelta(days=3))
    names = tuple(f"{LONG[:-3]}{i:03d}" for i in range(500))
    shares = tuple(Share(i, n, 1.0, 0.2) for i, n in enumerate(names))
    pool = Concentration("gmv", 500.0, shares, 20.0, "unconcentrated")
    dependency = Dependency(pool, ("2026-W44", "2026-W47"), "active and paused partners", names)
    summary = close_summary(drill, [], PartnerOutcome.FORBIDDEN, "U9", dependency)

    message = summary_views.build_summary(summary, ZONE)

    assert check_message(message) == []
    text = json.dumps(message["blocks"])
    mrkdwn = json.dumps([b for b in message["blocks"] if b["type"] != "header"])
    assert "<&>" not in mrkdwn and "&lt;&amp;&gt;" in mrkdwn  # a header is plain text
    assert "more. Register backups" in text and "and 496 more" in text
    assert "only its owner <@U9> or an admin can drop it" in text
    assert "*missed*" in text and "*met*" not in text.replace("*missed*", "")


def test_the_checklist_with_the_verify_and_close_details_stays_inside_the_limits() -> None:
    for drill in (worst_drill(), replace(worst_drill(), gmv=None)):
        checklist = views.build_checklist(drill, ZONE, AT)
        assert check_message(checklist) == []
        assert len(checklist["blocks"]) <= 20  # room for the other steps' details
    closed, _ = rules.complete(worst_drill(), StepKey.CLOSE, "U1", AT)
    frozen = views.build_checklist(closed, ZONE, AT)
    assert not [b for b in frozen["blocks"] if b["type"] == "actions"]


def test_the_verify_step_shows_the_benchmark_and_its_buttons_while_open() -> None:
    drill = replace(worst_drill(), gmv=None)
    blocks = verify_views.verify_detail(drill, drill.step(StepKey.VERIFY), ZONE, AT)
    text = json.dumps(blocks)
    assert "not recorded yet" in text and "-8% in 24 hours" in text
    assert [e["text"]["text"] for e in blocks[-1]["elements"]] == [
        "Compute from metrics",
        "Enter GMV impact",
    ]
    recorded = replace(drill, gmv=GmvImpact(-0.065, GmvSource.ENTERED, note="from <BI>"))
    text = json.dumps(verify_views.verify_detail(recorded, drill.steps[3], ZONE, AT))
    assert "*-6.5%* (entered), within the benchmark of -8% in 24 hours" in text
    assert "from &lt;BI&gt;" in text
    closed = replace(recorded, status=DrillStatus.CLOSED)
    shown = verify_views.verify_detail(closed, drill.steps[3], ZONE, AT)
    assert not [b for b in shown if b["type"] == "actions"]


def test_the_gmv_form_is_prefilled_with_the_impact_recorded() -> None:
    drill = replace(worst_drill(), gmv=GmvImpact(0.025, GmvSource.ENTERED, note="ok"))
    view = verify_views.build_gmv_modal(GmvMeta(drill_id=7, version=3, shown=0.025), drill)
    assert check_view(view) == []
    inputs = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    assert inputs["impact"]["initial_value"] == "2.5%"  # no "+": the parser refuses it
    assert inputs["note"]["initial_value"] == "ok"
    assert impact.parse_entered(inputs["impact"]["initial_value"], "").change == 0.025


def test_the_advice_names_the_backup_once_and_the_other_unbacked_partners() -> None:
    drill, _ = rules.complete(worst_drill(), StepKey.CLOSE, "U1", AT)
    drill = replace(drill, backup=Backup(9, "Beta", "U3", AT))
    shares = (Share(9, "Beta", 90.0, 90.0), Share(4, "Gamma", 10.0, 10.0))
    pool = Concentration("gmv", 100.0, shares, 8200.0, "highly concentrated")
    dependency = Dependency(pool, ("2026-W44", "2026-W47"), "active", ("Beta", "Gamma"))
    summary = close_summary(drill, [], PartnerOutcome.DROPPED, "U1", dependency)
    text = json.dumps(summary_views.build_summary(summary, ZONE)["blocks"])
    assert "*Beta*, the backup engaged, now carries the largest GMV share" in text
    assert "*Beta* has no backup of its own" in text
    assert "1 other strategic or core partner still has no backup: *Gamma*." in text
    alone = replace(summary, dependency=replace(dependency, unbacked=()))
    text = json.dumps(summary_views.build_summary(alone, ZONE)["blocks"])
    assert "Every strategic and core partner has a backup" not in text  # Beta dominates
    calm = replace(alone, dependency=replace(dependency, gmv=None, unbacked=()))
    text = json.dumps(summary_views.build_summary(calm, ZONE)["blocks"])
    assert "Every strategic and core partner has a backup." in text
    assert "no GMV recorded" in text
