"""The backup candidates' ranking (registered backups first in their order, then active peers
of the category that are not red, by fit score, the unscored last) and Engage as a pure
transition: the backup set, Backup list done, a replacement, and what is refused."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.errors import RuleError
from bot.failover import rules
from bot.failover.candidates import (
    AlreadyEngaged,
    EngagedSince,
    candidate_health,
    could_take_over,
    engage,
    rank_candidates,
)
from bot.failover.content import Candidate
from bot.failover.rules import SLA_DEFAULTS, Drill, DrillStatus, EventKind, StepKey, StepState
from bot.health.rules import HealthStatus, MetricPoint, Thresholds
from bot.metrics import parse_period
from bot.registry.rules import Category, Partner, Status, Tier

AT = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
GREEN, RED, AMBER = HealthStatus.GREEN, HealthStatus.RED, HealthStatus.AMBER


def partner(
    pid: int,
    name: str,
    category: Category = Category.KOL,
    status: Status = Status.ACTIVE,
    backups: tuple[str, ...] = (),
) -> Partner:
    return Partner(pid, "T1", name, category, Tier.STANDARD, status, f"U0OWN{pid}", backups=backups)


DROPPING = partner(1, "Acme", backups=("Zed", "acme", "gone", "Media Co", "Archived"))
POOL = [
    DROPPING,
    partner(2, "Zed"),  # a registered backup
    partner(3, "Gone", status=Status.DROPPED),  # registered, but dropped
    partner(4, "Media Co", category=Category.MEDIA, status=Status.PAUSED),  # registered
    partner(5, "Archived", status=Status.ARCHIVED),
    partner(6, "Best"),
    partner(7, "Good"),
    partner(8, "Red one"),
    partner(9, "Unscored B"),
    partner(10, "Unscored A"),
    partner(11, "Other category", category=Category.MCN),
    partner(12, "Paused peer", status=Status.PAUSED),
]
SCORES: dict[int, float | None] = {6: 90.0, 7: 75.0, 8: 95.0, 2: 40.0, 11: 99.0, 12: 99.0}
ORDER = {pid: i for i, pid in enumerate(sorted(SCORES, key=lambda p: -(SCORES[p] or 0)))}
HEALTH = {8: RED, 7: AMBER}


def ranked(limit: int = 20) -> list[Candidate]:
    return rank_candidates(DROPPING, POOL, ORDER, SCORES, HEALTH, limit)


def test_registered_backups_come_first_in_their_order_then_peers_by_score() -> None:
    names = [c.name for c in ranked()]
    assert names == ["Zed", "Media Co", "Best", "Good", "Unscored A", "Unscored B"]
    first = ranked()[0]
    assert first.registered and first.score == 40.0 and first.owner == "U0OWN2"
    assert not ranked()[2].registered


def test_dropped_archived_red_other_categories_and_the_partner_itself_are_left_out() -> None:
    ids = {c.partner_id for c in ranked()}
    assert not ids & {1, 3, 5, 8, 11, 12}


def test_a_registered_backup_keeps_its_place_whatever_its_health_and_category() -> None:
    health = {**HEALTH, 2: RED}
    names = [c.name for c in rank_candidates(DROPPING, POOL, ORDER, SCORES, health)]
    assert names[:2] == ["Zed", "Media Co"]
    assert rank_candidates(DROPPING, POOL, ORDER, SCORES, health)[0].health is RED


def test_unscored_partners_say_so_and_come_last_and_the_list_is_cut() -> None:
    candidates = ranked()
    assert [c.score for c in candidates[-2:]] == [None, None]
    assert [c.name for c in ranked(limit=3)] == ["Zed", "Media Co", "Best"]
    assert len(rank_candidates(DROPPING, POOL, ORDER, SCORES, HEALTH)) == 5


def test_no_backups_and_no_peers_make_an_empty_list() -> None:
    alone = partner(1, "Acme")
    assert rank_candidates(alone, [alone, partner(2, "x", Category.MCN)], {}, {}, {}) == []


def test_health_comes_from_the_health_rules_and_only_candidates_are_weighed() -> None:
    week = [parse_period(label) for label in ("2026-W45", "2026-W46")]
    points = [
        MetricPoint(6, week[0], "sentiment", 80.0),
        MetricPoint(6, week[1], "sentiment", 40.0),  # down 50%: red
        MetricPoint(7, week[0], "rue", 90.0),
        MetricPoint(7, week[1], "rue", 90.0),
    ]
    members = could_take_over(DROPPING, POOL)
    assert {p.id for p in members} == {2, 3, 4, 5, 6, 7, 8, 9, 10}
    health = candidate_health(members, POOL, points, {}, Thresholds())
    assert health[6] is RED and health[7] is GREEN and health[9] is HealthStatus.GREY
    assert 11 not in health


def drill() -> Drill:
    steps = rules.new_steps("U0STARTER", AT, SLA_DEFAULTS)
    candidates = tuple(ranked())
    return Drill(1, "T1", 1, "Acme", "C1", "", "U0STARTER", AT, steps, candidates=candidates)


def test_engage_sets_the_backup_marks_backup_list_done_and_records_the_name() -> None:
    after, event = engage(drill(), POOL[5], None, "U0ME", AT)
    assert after.backup is not None and (after.backup.partner_id, after.backup.by) == (6, "U0ME")
    assert after.step(StepKey.BACKUP).state is StepState.DONE
    assert (event.kind, event.step, event.detail) == (EventKind.ENGAGED, StepKey.BACKUP, "Best")


def test_engaging_another_later_replaces_the_backup_and_keeps_the_step_as_done() -> None:
    first, _ = engage(drill(), POOL[5], None, "U0ME", AT)
    later = AT + timedelta(minutes=5)
    second, event = engage(first, POOL[1], 6, "U0YOU", later)
    assert second.backup is not None and second.backup.name == "Zed"
    assert second.step(StepKey.BACKUP).by == "U0ME"  # done when the first was engaged
    assert event.detail == "Zed"


def test_engaging_the_same_again_says_who_engaged_it() -> None:
    first, _ = engage(drill(), POOL[5], None, "U0ME", AT)
    with pytest.raises(AlreadyEngaged) as refused:
        engage(first, POOL[5], 6, "U0YOU", AT)
    assert refused.value.backup.by == "U0ME"


def test_an_engage_drawn_before_another_backup_was_engaged_is_refused() -> None:
    first, _ = engage(drill(), POOL[5], None, "U0ME", AT)
    with pytest.raises(EngagedSince) as refused:
        engage(first, POOL[1], None, "U0YOU", AT)
    assert refused.value.backup.name == "Best"


def test_a_candidate_that_left_or_was_never_ranked_or_a_closed_drill_is_refused() -> None:
    archived = replace(POOL[5], status=Status.ARCHIVED)
    with pytest.raises(RuleError, match="Best was archived since the candidates were ranked"):
        engage(drill(), archived, None, "U0ME", AT)
    dropped = replace(POOL[5], status=Status.DROPPED, drop_reason="fraud")
    with pytest.raises(RuleError, match=r"dropped \(fraud\)"):
        engage(drill(), dropped, None, "U0ME", AT)
    with pytest.raises(RuleError, match="not among this drill's backup candidates"):
        engage(drill(), POOL[10], None, "U0ME", AT)
    with pytest.raises(RuleError, match="closed"):
        engage(replace(drill(), status=DrillStatus.CLOSED), POOL[5], None, "U0ME", AT)
