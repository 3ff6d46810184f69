"""The blocks under steps 1 to 3, as pure builders: the draft's code block cannot be broken
out of, retired candidates and closed drills offer no buttons, the empty list says what to
type, and the forms ask for what each measure needs."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.failover import rules
from bot.failover.content import Candidate, Language, Measure, MeasureTick
from bot.failover.rules import SLA_DEFAULTS, Backup, Drill, DrillStatus
from bot.health.rules import HealthStatus
from bot.registry.rules import Status
from handlers.failover import views
from handlers.failover.kit_views import NOTE, build_measure_modal
from handlers.ids import FailoverAction
from handlers.payloads import MeasureMeta
from tests.support.slack_checks import check_message, check_view

AT = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
ZONE = ZoneInfo("Asia/Shanghai")


def drill(**changes: object) -> Drill:
    steps = rules.new_steps("U0STARTER", AT, SLA_DEFAULTS)
    base = Drill(1, "T1", 1, "Acme ```x", "C1", "", "U0STARTER", AT, steps, ranked_at=AT)
    return replace(base, **changes)  # type: ignore[arg-type]


def drawn(d: Drill) -> tuple[dict[str, object], str]:
    message = views.build_checklist(d, ZONE, AT)
    assert check_message(message) == []
    return message, json.dumps(message["blocks"], ensure_ascii=False)


def actions_of(text: str, action_id: str) -> int:
    return text.count(f'"action_id": "{action_id}"')


CANDIDATES = (
    Candidate(2, "Zed", None, HealthStatus.RED, "U0ZED", True),
    Candidate(3, "Gone", 80.0, HealthStatus.GREEN, "U0GONE", False, Status.ARCHIVED),
)


def test_a_backtick_in_a_name_cannot_end_the_drafts_code_block() -> None:
    message, _ = drawn(drill())
    blocks: list[dict[str, dict[str, str]]] = message["blocks"]  # type: ignore[assignment]
    [draft] = [b["text"]["text"] for b in blocks if "Message to users" in str(b)]
    assert "Acme ˋˋˋx" in draft and draft.count("```") == 2


def test_an_archived_candidate_has_no_engage_and_says_why() -> None:
    _, text = drawn(drill(candidates=CANDIDATES))
    assert actions_of(text, FailoverAction.ENGAGE) == 1
    assert "archived since the ranking: it cannot take over" in text
    assert "not scored · :red_circle: red" in text and "fit score 80.0" in text


def test_a_closed_drill_shows_what_was_done_and_offers_no_button() -> None:
    tick = MeasureTick(Measure.FEED_ADS, "50k", "U0ME", AT)
    closed = drill(
        candidates=CANDIDATES,
        status=DrillStatus.CLOSED,
        closed_at=AT,
        backup=Backup(2, "Zed", "U0ME", AT),
        measures=(tick,),
    )
    _, text = drawn(closed)
    for action in (FailoverAction.ENGAGE, FailoverAction.TICK_MEASURE):
        assert actions_of(text, action) == 0
    assert actions_of(text, FailoverAction.RECORD_SENDING) == 0
    assert "*Information-feed ads*: 50k" in text and "Zed takes over" in text


def test_before_the_ranking_the_checklist_says_it_is_coming() -> None:
    _, text = drawn(drill(ranked_at=None))
    assert "Ranking the backup candidates" in text
    assert actions_of(text, FailoverAction.ENGAGE) == 0


def test_a_chinese_drill_drafts_in_chinese() -> None:
    _, text = drawn(drill(language=Language.ZH))
    assert "【服务升级公告】" in text and "原由Acme ˋˋˋx提供" in text


def test_the_measure_form_requires_a_note_only_for_other() -> None:
    other = build_measure_modal(MeasureMeta(drill_id=1, measure=Measure.OTHER), None)
    ads = build_measure_modal(MeasureMeta(drill_id=1, measure=Measure.FEED_ADS), None)
    assert check_view(other) == [] and check_view(ads) == []
    [note] = [b for b in other["blocks"] if b.get("block_id") == NOTE]
    assert note["optional"] is False and note["element"]["max_length"] == 300
    [note] = [b for b in ads["blocks"] if b.get("block_id") == NOTE]
    assert note["optional"] is True
    done = MeasureTick(Measure.FEED_ADS, "50k <b>", "U0ME", AT)
    prefilled = build_measure_modal(MeasureMeta(drill_id=1, measure=Measure.FEED_ADS), done)
    [note] = [b for b in prefilled["blocks"] if b.get("block_id") == NOTE]
    assert note["element"]["initial_value"] == "50k <b>"
    assert "ticked off by <@U0ME>" in json.dumps(prefilled["blocks"])
