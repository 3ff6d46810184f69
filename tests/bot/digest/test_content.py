"""A digest's content from the portfolio now and the channel's previous snapshot."""

from __future__ import annotations

from datetime import date

from bot.digest.command import Scope
from bot.digest.content import Digest, Snapshot, assess_scoped, compose
from bot.health.rules import HealthStatus, MetricPoint, Thresholds
from bot.metrics import parse_period
from bot.registry.rules import Category, Partner, Status, Tier

TODAY = date(2026, 11, 22)  # Sunday of 2026-W47; the latest complete week is W46


def partner(
    pid: int, name: str, tier: Tier = Tier.STANDARD, status: Status = Status.ACTIVE, **kw: object
) -> Partner:
    category = kw.get("category", Category.KOL)
    assert isinstance(category, Category)
    return Partner(pid, "T1", name, category, tier, status, str(kw.get("owner", "U1")))


def point(pid: int, period: str, metric: str, value: float) -> MetricPoint:
    return MetricPoint(pid, parse_period(period), metric, value)


def healthy(pid: int) -> list[MetricPoint]:
    return [
        point(pid, "2026-W46", "rue", 60.0),
        point(pid, "2026-W47", "rue", 70.0),
        point(pid, "2026-W46", "sentiment", 70.0),
        point(pid, "2026-W47", "sentiment", 71.0),
        point(pid, "2026-W46", "gmv", 100.0 * pid),
    ]


def low_rue(pid: int) -> list[MetricPoint]:
    return [point(pid, "2026-W46", "rue", 20.0), point(pid, "2026-W47", "rue", 20.0)]


def sentiment_fall(pid: int) -> list[MetricPoint]:
    return [point(pid, "2026-W46", "sentiment", 70.0), point(pid, "2026-W47", "sentiment", 20.0)]


def digest_of(
    partners: list[Partner], points: list[MetricPoint], previous: Snapshot | None
) -> Digest:
    report, members, overdue = assess_scoped(partners, points, {}, Thresholds(), TODAY, Scope())
    return compose(report, members, overdue, previous)


def test_changes_since_the_previous_snapshot() -> None:
    before_partners = [
        partner(1, "Acme"),
        partner(2, "Beta"),
        partner(3, "Gone"),
        partner(4, "Dim"),
    ]
    before_points = healthy(1) + low_rue(2) + healthy(3) + sentiment_fall(4)
    first = digest_of(before_partners, before_points, None)
    assert first.previous_counts is None and first.changed
    assert first.snapshot.statuses == {1: "ok", 2: "amber", 3: "ok", 4: "red"}

    # Acme turns red, Beta recovers, Gone is dropped, Dim stays red, Newco arrives.
    now_partners = [
        partner(1, "Acme"),
        partner(2, "Beta"),
        partner(3, "Gone", status=Status.DROPPED),
        partner(4, "Dim"),
        partner(5, "Newco"),
    ]
    now_points = sentiment_fall(1) + healthy(2) + sentiment_fall(4) + low_rue(5)
    previous = Snapshot.load(first.snapshot.dump())
    second = digest_of(now_partners, now_points, previous)
    assert second.newly_red == ["Acme"]
    assert second.newly_amber == []  # Newco is new, so it is added, not newly amber
    assert second.recovered == ["Beta"]
    assert second.dropped == ["Gone"]
    assert second.added == ["Newco"]
    assert second.previous_counts is not None
    assert second.previous_counts[HealthStatus.RED] == 1
    assert second.report.counts[HealthStatus.RED] == 2
    assert [r.partner.name for r in second.top_alerts][:2] == ["Acme", "Dim"]
    assert "gmv" in second.hhi_change
    assert second.changed


def test_nothing_changed_is_not_changed() -> None:
    partners = [partner(1, "Acme"), partner(2, "Beta")]
    points = healthy(1) + healthy(2)
    first = digest_of(partners, points, None)
    again = digest_of(partners, points, Snapshot.load(first.snapshot.dump()))
    assert not again.changed
    assert again.newly_red == again.recovered == again.added == again.dropped == []


def test_overdue_and_unbacked_and_scope() -> None:
    partners = [
        partner(1, "Acme", Tier.CORE, owner="U7"),
        partner(2, "Beta", category=Category.MCN),
        partner(3, "Prospect", status=Status.PROSPECT),
    ]
    report, members, overdue = assess_scoped(partners, healthy(1), {}, Thresholds(), TODAY, Scope())
    assert [p.name for p in overdue] == ["Beta"]  # nothing for 2026-W46
    assert [p.name for p in report.unbacked] == ["Acme"]
    assert [p.name for p in members] == ["Acme", "Beta"]
    kol, kol_members, _ = assess_scoped(
        partners, healthy(1), {}, Thresholds(), TODAY, Scope("category", "KOL")
    )
    assert [p.name for p in kol_members] == ["Acme"] and kol.watched == 1
    owned = assess_scoped(partners, [], {}, Thresholds(), TODAY, Scope("owner", "U7"))[1]
    assert [p.name for p in owned] == ["Acme"]


def test_a_snapshot_that_cannot_be_read_counts_as_none() -> None:
    assert Snapshot.load("not json") is None
    assert Snapshot.load('{"statuses": 3}') is None
    assert Snapshot.load(None) is None
