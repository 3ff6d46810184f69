"""How drills show outside their thread, from plain values: a card's record with its outcome
(backup engaged, GMV impact), a digest's drills, the Home tab's steps; names escaped, and the
worst cases (long hostile names, many drills, many steps) inside Slack's limits."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.access import Actor
from bot.digest.command import Scope
from bot.digest.content import Digest, with_drills
from bot.failover.record import NO_DRILLS, DrillRecord, DrillSummary, OwnedStep, OwnedSteps
from bot.failover.rules import Backup, DrillStatus, GmvImpact, GmvSource, Step, StepKey
from bot.health.portfolio import assess_portfolio
from bot.health.rules import Thresholds, assess
from bot.registry.rules import MAX_NAME, Category, Partner, Status, Tier
from handlers.blocks import MAX_SECTION_TEXT
from handlers.digest.views import build_digest
from handlers.failover.record import (
    HOME_DRILLS,
    digest_drills_section,
    home_drills_blocks,
    record_section,
)
from handlers.home.digests import ScheduledDigests
from handlers.home.views import build_home
from tests.handlers.home.test_digests import schedule
from tests.support.slack_checks import check_message, check_view

AT = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
ZONE = ZoneInfo("Asia/Shanghai")
HOSTILE = ("<!channel>&" * 10)[:MAX_NAME]  # escapes to about five times its length


BASE = DrillSummary(1, 1, "Acme", "C1", "1730000000.000100", "U1", AT, DrillStatus.OPEN)


def summary(pid: int = 1, name: str = "Acme", **more: Any) -> DrillSummary:
    return replace(BASE, id=pid, partner_id=pid, partner_name=name, **more)


def text(block: object) -> str:
    return json.dumps(block, ensure_ascii=False)


def test_a_partner_without_drills_shows_nothing() -> None:
    assert record_section(NO_DRILLS, ZONE) is None


def test_the_record_shows_the_count_the_last_drill_and_its_outcome() -> None:
    engaged = Backup(2, "Beta <b>", "U2", AT + timedelta(minutes=20))
    gmv = GmvImpact(-0.062, GmvSource.METRICS, 1000.0, 938.0)
    closed = summary(
        status=DrillStatus.CLOSED, closed_at=AT + timedelta(days=1), backup=engaged, gmv=gmv
    )
    shown = text(record_section(DrillRecord(3, closed), ZONE))
    assert "*Failover drills*: 3 drills; the last started <!date^" in shown
    assert "by <@U1>, closed <!date^" in shown
    assert "backup *Beta &lt;b&gt;* engaged" in shown
    assert "GMV impact -6.2% (benchmark -8% in 24 hours)" in shown
    assert "<https://slack.com/archives/C1/p1730000000000100|open the thread>" in shown

    open_one = text(record_section(DrillRecord(1, summary()), ZONE))
    assert "1 drill;" in open_one and "*open*" in open_one and "engaged" not in open_one


def test_a_hostile_name_is_escaped_and_the_record_fits() -> None:
    engaged = Backup(2, HOSTILE, "U2", AT)
    block = record_section(DrillRecord(1, summary(name=HOSTILE, backup=engaged)), ZONE)
    assert block is not None and "<!channel>" not in text(block)
    assert len(block["text"]["text"]) <= MAX_SECTION_TEXT


def test_a_digest_lists_drills_opened_and_closed_and_counts_what_does_not_fit() -> None:
    closed = summary(
        2,
        "Beta",
        status=DrillStatus.CLOSED,
        closed_at=AT + timedelta(hours=3),
        gmv=GmvImpact(0.01, GmvSource.ENTERED, note="held up"),
    )
    shown = text(digest_drills_section([summary()], [closed], ZONE))
    assert "Opened: *Acme* <!date^" in shown and "still open" in shown
    assert (
        "Closed: *Beta* <!date^" in shown and "GMV impact +1% (benchmark -8% in 24 hours)" in shown
    )
    assert digest_drills_section([], [], ZONE) is None

    many = [summary(i, HOSTILE) for i in range(60)]
    block = digest_drills_section(many, many, ZONE)
    assert block is not None
    body = block["text"]["text"]
    assert len(body) <= MAX_SECTION_TEXT and "more: `/failover history`" in body
    assert "<!channel>" not in body


def test_drills_in_a_digest_follow_its_scope_and_make_a_quiet_one_post() -> None:
    kol = Partner(1, "T1", "Acme", Category.KOL, Tier.CORE, Status.DROPPED, "U1")
    mcn = Partner(2, "T1", "Beta", Category.MCN, Tier.CORE, Status.ACTIVE, "U1")
    report = assess_portfolio([kol, mcn], [], {}, Thresholds(), AT.date())
    quiet = Digest(report, [], None, changed=False)
    since, until = AT - timedelta(hours=1), AT + timedelta(hours=1)
    drills = [summary(1, "Acme"), summary(2, "Beta", started_at=since - timedelta(days=1))]

    scoped = with_drills(quiet, drills, [kol, mcn], Scope("category", "KOL"), since, until)
    assert [d.partner_name for d in scoped.drills_opened] == ["Acme"] and scoped.changed
    others = with_drills(quiet, drills, [kol, mcn], Scope("category", "MCN"), since, until)
    assert others.drills_opened == [] and others.drills_closed == [] and not others.changed

    main, _ = build_digest(scoped, Scope("category", "KOL"), zone=ZONE)
    assert check_message(main) == [] and "Opened: *Acme*" in text(main)


def test_home_groups_the_steps_per_drill_marks_overdue_and_keeps_to_its_drills() -> None:
    def owned(drill: DrillSummary, key: StepKey, minutes: int) -> OwnedStep:
        return OwnedStep(drill, Step(key, "U1", AT + timedelta(minutes=minutes)))

    acme, beta = summary(1, "Acme"), summary(2, "Beta")
    steps = [
        owned(acme, StepKey.BACKUP, 30),
        owned(beta, StepKey.BACKUP, 40),
        owned(acme, StepKey.TAKEOVER, 120),
    ]
    blocks = home_drills_blocks(OwnedSteps(steps, 2), ZONE, AT + timedelta(minutes=35))
    assert "*Your failover steps* in open drills" in text(blocks[0])
    acme_text, beta_text = text(blocks[1]), text(blocks[2])
    assert "*Acme*" in acme_text and "Backup list, due <!date^" in acme_text
    assert acme_text.count("overdue") == 1 and "Transitional traffic takeover" in acme_text
    assert "*Beta*" in beta_text and "overdue" not in beta_text
    assert home_drills_blocks(OwnedSteps([], 0), ZONE, AT) == []
    # The drills beyond those shown are counted from the whole count, not the steps read.
    many = home_drills_blocks(OwnedSteps(steps, 12), ZONE, AT)
    assert "…and 7 more drills: `/failover status` lists all." in text(many[-1])


def test_the_worst_home_tab_stays_inside_slacks_limits() -> None:
    drills = [summary(i, HOSTILE) for i in range(8)]
    steps = [OwnedStep(d, Step(k, "U1", AT)) for d in drills for k in StepKey]
    failover = home_drills_blocks(OwnedSteps(steps[:30], 8), ZONE, AT + timedelta(days=1))
    assert len(failover) == 1 + HOME_DRILLS + 1 and "3 more drills:" in text(failover[-1])

    partners = [
        Partner(i, "T1", HOSTILE, Category.KOL, Tier.CORE, Status.ACTIVE, "U1") for i in range(40)
    ]
    yours = [assess(p, [], None, Thresholds(), 0) for p in partners]
    report = assess_portfolio(partners, [], {}, Thresholds(), AT.date())
    made = [schedule(i) for i in range(1, 30)]
    digests = ScheduledDigests(made, {s.id: AT for s in made})
    admin = Actor("UADMIN", is_admin=True)
    view = build_home({"active": 40}, yours, admin, report, digests, failover)
    assert check_view(view) == [] and len(view["blocks"]) <= 100
