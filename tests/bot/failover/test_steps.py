"""Steps 2 and 3 as pure rules: a measure ticked with its note (required for "other", length
and control characters refused), a second tick replacing the note unless the form is older
than the tick; where the users' message went; the drafts in English and Chinese."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.errors import RuleError
from bot.failover import rules
from bot.failover.content import Language, Measure
from bot.failover.rules import MAX_NOTE, SLA_DEFAULTS, Drill, DrillStatus, EventKind, StepKey
from bot.failover.steps import (
    MeasureChanged,
    draft,
    record_sending,
    tick,
    tick_measure,
)

AT = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
LATER = AT + timedelta(minutes=3)


def drill() -> Drill:
    steps = rules.new_steps("U0STARTER", AT, SLA_DEFAULTS)
    return Drill(1, "T1", 1, "Acme", "C1", "", "U0STARTER", AT, steps)


def test_a_measure_is_ticked_with_its_note_and_a_timeline_detail() -> None:
    after, event = tick_measure(drill(), Measure.KOC_MATRIX, "  20 KOCs  ", None, "U0ME", AT)
    done = tick(after, Measure.KOC_MATRIX)
    assert done is not None and (done.note, done.by, done.at) == ("20 KOCs", "U0ME", AT)
    assert (event.kind, event.step, event.detail) == (
        EventKind.MEASURED,
        StepKey.TAKEOVER,
        "KOC matrix: 20 KOCs",
    )
    assert after.step(StepKey.TAKEOVER).state == "todo"  # Done stays the team's call


def test_the_note_is_optional_except_for_other() -> None:
    after, event = tick_measure(drill(), Measure.FEED_ADS, "", None, "U0ME", AT)
    assert event.detail == "Information-feed ads" and tick(after, Measure.FEED_ADS) is not None
    with pytest.raises(RuleError, match="Say what the other measure is"):
        tick_measure(drill(), Measure.OTHER, "   ", None, "U0ME", AT)


def test_a_long_note_or_a_control_character_is_refused() -> None:
    with pytest.raises(RuleError, match=f"keep it to {MAX_NOTE}"):
        tick_measure(drill(), Measure.OTHER, "x" * (MAX_NOTE + 1), None, "U0ME", AT)
    assert tick_measure(drill(), Measure.OTHER, "x" * MAX_NOTE, None, "U0ME", AT)
    with pytest.raises(RuleError, match="control character"):
        tick_measure(drill(), Measure.OTHER, "a\x07b", None, "U0ME", AT)


def test_a_second_tick_replaces_the_note_from_a_form_opened_on_the_first() -> None:
    first, _ = tick_measure(drill(), Measure.FEED_ADS, "50k budget", None, "U0ME", AT)
    second, event = tick_measure(first, Measure.FEED_ADS, "80k budget", AT, "U0YOU", LATER)
    done = tick(second, Measure.FEED_ADS)
    assert done is not None and (done.note, done.by) == ("80k budget", "U0YOU")
    assert len(second.measures) == 1
    assert event.detail == "Information-feed ads (note changed): 80k budget"


def test_a_form_opened_before_a_tick_is_refused_and_the_same_note_changes_nothing() -> None:
    first, _ = tick_measure(drill(), Measure.FEED_ADS, "50k budget", None, "U0ME", AT)
    with pytest.raises(MeasureChanged) as refused:
        tick_measure(first, Measure.FEED_ADS, "mine", None, "U0YOU", LATER)
    assert refused.value.tick.by == "U0ME"
    with pytest.raises(RuleError, match="has that note already"):
        tick_measure(first, Measure.FEED_ADS, "50k budget", AT, "U0YOU", LATER)


def test_measures_are_kept_in_the_kits_order() -> None:
    d, _ = tick_measure(drill(), Measure.OTHER, "search ads", None, "U0ME", AT)
    d, _ = tick_measure(d, Measure.FEED_ADS, "", None, "U0ME", AT)
    assert [t.measure for t in d.measures] == [Measure.FEED_ADS, Measure.OTHER]


def test_sendings_are_recorded_in_order_with_where_and_refused_when_empty() -> None:
    d, event = record_sending(drill(), " app push ", "U0ME", AT)
    d, _ = record_sending(d, "WeChat account", "U0YOU", LATER)
    assert [(s.where, s.by) for s in d.sendings] == [
        ("app push", "U0ME"),
        ("WeChat account", "U0YOU"),
    ]
    assert (event.kind, event.step, event.detail) == (EventKind.SENT, StepKey.COMMS, "app push")
    with pytest.raises(RuleError, match="Say where"):
        record_sending(drill(), "  ", "U0ME", AT)
    with pytest.raises(RuleError, match="control character"):
        record_sending(drill(), "push\x00", "U0ME", AT)


def test_a_closed_drill_takes_no_measure_or_sending() -> None:
    closed = replace(drill(), status=DrillStatus.CLOSED)
    with pytest.raises(RuleError, match="closed"):
        tick_measure(closed, Measure.FEED_ADS, "", None, "U0ME", AT)
    with pytest.raises(RuleError, match="closed"):
        record_sending(closed, "push", "U0ME", AT)


@pytest.mark.parametrize("language", list(Language))
def test_each_draft_names_the_partner_and_once_engaged_the_backup(language: Language) -> None:
    neutral = draft(language, "Acme", None)
    engaged = draft(language, "Acme", "Zed Media")
    assert "Acme" in neutral and "Zed Media" not in neutral
    assert "Acme" in engaged and "Zed Media" in engaged
    assert neutral != engaged


def test_the_drafts_speak_of_a_service_upgrade_and_blame_no_one() -> None:
    english = draft(Language.EN, "Acme", "Zed") + draft(Language.EN, "Acme", None)
    chinese = draft(Language.ZH, "Acme", "Zed") + draft(Language.ZH, "Acme", None)
    assert english.startswith("Service upgrade") and "服务升级" in chinese
    for word in ("drop", "fail", "terminat", "problem", "sorry", "stopped", "left"):
        assert word not in english.casefold()
    for word in ("终止", "违约", "问题", "抱歉", "停止"):
        assert word not in chinese
    assert "the offers and services you have been getting through Acme" in english
    assert "原由Acme提供的优惠与服务将由Zed承接" in chinese
