"""The Home tab's digests, built from plain values: 0, 3 and 15 schedules seen by their
creator, an admin and someone else (Pause/Resume only where allowed, inside Slack's limits),
and the preview modal, cut to 100 blocks when long."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.access import Actor
from bot.digest.command import Scope
from bot.digest.content import Digest, assess_scoped, compose
from bot.digest.ports import Schedule
from bot.health.rules import Thresholds
from bot.registry.rules import Category, Partner, Status, Tier
from handlers.blocks import section
from handlers.home import digests as home_digests
from handlers.home.digests import DIGESTS_SHOWN, ScheduledDigests, build_preview
from handlers.home.views import build_home
from handlers.ids import HomeAction
from handlers.payloads import PauseDigestFromHome, ResumeDigestFromHome
from tests.support.slack_checks import check_view

CREATOR, ADMIN, SOMEONE = Actor("UMAKER"), Actor("UADMIN", is_admin=True), Actor("UELSE")
AT = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
COUNTS = {"active": 3}


def schedule(sid: int, **more: Any) -> Schedule:
    return Schedule(
        sid,
        "T1",
        f"C{sid:04d}",
        more.pop("rule", "daily 09:00"),
        more.pop("timezone", "America/New_York"),
        False,
        "",
        "UMAKER",
        AT,
        **more,
    )


def digests(n: int) -> ScheduledDigests:
    """n schedules, every third one paused, the second with a failed last run."""
    made = [
        schedule(
            i,
            paused=i % 3 == 0,
            last_slot=AT if i == 2 else None,
            last_outcome="failed" if i == 2 else None,
            last_error="channel_not_found <!here>" if i == 2 else None,
        )
        for i in range(1, n + 1)
    ]
    return ScheduledDigests(made, {s.id: AT + timedelta(hours=s.id) for s in made})


def buttons(view: dict[str, Any], action_id: str) -> list[dict[str, Any]]:
    return [
        b["accessory"]
        for b in view["blocks"]
        if b.get("accessory", {}).get("action_id") == action_id
    ]


def shown(view: dict[str, Any] | list[Any]) -> str:
    return json.dumps(view["blocks"] if isinstance(view, dict) else view, ensure_ascii=False)


@pytest.mark.parametrize("n", [0, 3, 15])
@pytest.mark.parametrize("actor", [CREATOR, ADMIN, SOMEONE], ids=["creator", "admin", "else"])
def test_the_schedules_with_buttons_only_where_the_user_may_change_them(
    n: int, actor: Actor
) -> None:
    view = build_home(COUNTS, [], actor, digests=digests(n))

    assert check_view(view) == []
    text = shown(view)
    rows = min(n, DIGESTS_SHOWN)
    pauses = buttons(view, HomeAction.PAUSE_DIGEST)
    resumes = buttons(view, HomeAction.RESUME_DIGEST)
    if n == 0:
        assert "None yet: start one with `/digest schedule daily 09:00`" in text
    else:
        assert f"*Digests scheduled* ({n})" in text
    allowed = actor in (CREATOR, ADMIN)
    paused = [i for i in range(1, rows + 1) if i % 3 == 0]
    active = [i for i in range(1, rows + 1) if i % 3 != 0]
    expected_pause = [PauseDigestFromHome(schedule_id=i).pack() for i in active]
    expected_resume = [ResumeDigestFromHome(schedule_id=i).pack() for i in paused]
    assert [b["value"] for b in pauses] == (expected_pause if allowed else [])
    assert [b["value"] for b in resumes] == (expected_resume if allowed else [])
    assert ("…and 5 more schedules: `/digest list` shows all." in text) is (n == 15)
    assert "*11* ·" not in text  # past the tenth, schedules are counted, not shown


def test_a_row_says_channel_rule_zone_next_run_and_last_outcome_escaped() -> None:
    view = build_home(COUNTS, [], SOMEONE, digests=digests(3))
    text = shown(view)

    next_run = int((AT + timedelta(hours=1)).timestamp())
    assert "*1* · <#C0001> · every day at 09:00 · America/New_York" in text
    assert f"next <!date^{next_run}^{{date_short_pretty}} {{time}}|" in text
    assert "not run yet" in text
    assert "failed: channel_not_found &lt;!here&gt;" in text and "<!here>" not in text
    assert "*3* · <#C0003>" in text and ":pause_button: *paused*" in text


def test_without_digests_the_tab_has_no_digest_section() -> None:
    assert "Digests scheduled" not in shown(build_home(COUNTS, [], CREATOR))


def digest_of(partners: list[Partner]) -> Digest:
    """The digest of partners with no metrics: every one overdue, as a first post shows it."""
    report, members, overdue = assess_scoped(partners, [], {}, Thresholds(), AT.date(), Scope())
    return compose(report, members, overdue, None)


def partners(n: int) -> list[Partner]:
    return [
        Partner(i, "T1", f"P{i} <!channel>", Category.KOL, Tier.CORE, Status.ACTIVE, "UOWNER")
        for i in range(1, n + 1)
    ]


def test_the_preview_is_the_digest_as_posted_with_its_thread_reply_in_a_modal() -> None:
    view = build_preview(digest_of(partners(30)), Scope())

    assert view["type"] == "modal" and "callback_id" not in view and "submit" not in view
    assert check_view(view) == []
    text = shown(view)
    assert "Partner health digest" in text and "Only you see this preview" in text
    # 30 core partners with no backup and overdue: the thread reply's lists follow.
    assert "In the thread reply" in text and "*P30 &lt;!channel&gt;*" in text
    assert "<!channel>" not in text


def test_a_preview_too_long_for_a_modal_is_cut_with_a_pointer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    many = [section(f"block {i}") for i in range(60)]

    def long_digest(*args: Any, **kwargs: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        return {"blocks": many}, {"blocks": many}

    monkeypatch.setattr(home_digests, "build_digest", long_digest)
    view = build_preview(digest_of(partners(1)), Scope())

    assert len(view["blocks"]) == 100 and check_view(view) == []
    assert "`/digest preview` in a channel shows the rest" in shown(view["blocks"][-1:])
