"""Digest schedules: parsing, and next runs across DST, month ends and Feb 29."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.digest.rules import (
    Rule,
    describe,
    next_runs,
    parse_rule,
    parse_zone,
    slots_until,
    trigger_of,
)
from bot.errors import RuleError

NEW_YORK = ZoneInfo("America/New_York")


def runs(rule: str, zone: ZoneInfo, after: datetime, n: int = 3) -> list[str]:
    trigger = trigger_of(parse_rule(rule.split(), None), zone)
    return [r.isoformat() for r in next_runs(trigger, zone, after, n)]


def test_nine_oclock_in_new_york_stays_nine_oclock_when_the_clocks_go_forward() -> None:
    assert runs("daily 09:00", NEW_YORK, datetime(2026, 3, 7, 12, tzinfo=UTC)) == [
        "2026-03-07T09:00:00-05:00",
        "2026-03-08T09:00:00-04:00",
        "2026-03-09T09:00:00-04:00",
    ]


def test_nine_oclock_in_new_york_stays_nine_oclock_when_the_clocks_go_back() -> None:
    assert runs("daily 09:00", NEW_YORK, datetime(2026, 10, 31, 12, tzinfo=UTC)) == [
        "2026-10-31T09:00:00-04:00",
        "2026-11-01T09:00:00-05:00",
        "2026-11-02T09:00:00-05:00",
    ]


def test_a_repeated_hour_runs_once_and_a_missing_one_is_not_skipped() -> None:
    # 01:30 happens twice on 2026-11-01 in New York: one run, at the first.
    assert runs("daily 01:30", NEW_YORK, datetime(2026, 10, 31, 12, tzinfo=UTC)) == [
        "2026-11-01T01:30:00-04:00",
        "2026-11-02T01:30:00-05:00",
        "2026-11-03T01:30:00-05:00",
    ]
    # 02:30 does not exist on 2026-03-08: it still runs that day (an hour on, 03:30 EDT).
    first = runs("daily 02:30", NEW_YORK, datetime(2026, 3, 7, 12, tzinfo=UTC), 1)[0]
    assert datetime.fromisoformat(first).astimezone(UTC) == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)


def test_monthly_on_the_31st_skips_short_months_and_feb_29_comes_in_leap_years() -> None:
    assert runs("monthly 31 09:00", ZoneInfo("UTC"), datetime(2026, 1, 31, 10, tzinfo=UTC)) == [
        "2026-03-31T09:00:00+00:00",
        "2026-05-31T09:00:00+00:00",
        "2026-07-31T09:00:00+00:00",
    ]
    assert runs("monthly 29 09:00", ZoneInfo("UTC"), datetime(2027, 12, 30, tzinfo=UTC)) == [
        "2028-01-29T09:00:00+00:00",
        "2028-02-29T09:00:00+00:00",
        "2028-03-29T09:00:00+00:00",
    ]
    feb29 = parse_rule([], "0 9 29 2 *")
    trigger = trigger_of(feb29, ZoneInfo("UTC"))
    found = next_runs(trigger, ZoneInfo("UTC"), datetime(2026, 11, 22, tzinfo=UTC), 2)
    assert [r.date().isoformat() for r in found] == ["2028-02-29", "2032-02-29"]


def test_cron_weekdays_count_from_sunday_as_cron_does() -> None:
    rule = parse_rule([], "0 9 * * 1-5")
    found = runs_of(rule, datetime(2026, 11, 21, tzinfo=UTC), 6)  # Saturday
    assert [r.strftime("%a") for r in found] == ["Mon", "Tue", "Wed", "Thu", "Fri", "Mon"]
    sunday = runs_of(parse_rule([], "0 9 * * 0"), datetime(2026, 11, 21, tzinfo=UTC), 1)
    assert sunday[0].strftime("%a") == "Sun"
    assert runs_of(parse_rule([], "0 9 * * 7"), datetime(2026, 11, 21, tzinfo=UTC), 1) == sunday


def runs_of(rule: Rule, after: datetime, n: int) -> list[datetime]:
    return next_runs(trigger_of(rule, ZoneInfo("UTC")), ZoneInfo("UTC"), after, n)


def test_weekly_and_weekdays_and_their_words() -> None:
    assert runs("weekly mon 09:00", ZoneInfo("UTC"), datetime(2026, 11, 22, tzinfo=UTC), 2) == [
        "2026-11-23T09:00:00+00:00",
        "2026-11-30T09:00:00+00:00",
    ]
    assert describe(parse_rule(["weekly", "Monday", "9:05"], None)) == "every Monday at 09:05"
    assert describe(parse_rule(["weekdays", "09:00"], None)).startswith("every weekday")
    assert describe(parse_rule([], "0 9 * * 1-5")) == "cron `0 9 * * 1-5`"


@pytest.mark.parametrize(
    ("words", "cron", "expected"),
    [
        (["weekly", "funday", "25:00"], None, "is not a day of the week"),
        (["daily", "25:00"], None, "is not a time of day"),
        (["daily", "9"], None, "is not a time of day"),
        (["monthly", "32", "09:00"], None, "is not a day of the month"),
        (["hourly"], None, "accepted"),
        ([], "0 9 * * 1-5 2026", "has 6 fields, not five"),
        ([], "0 25 * * *", "refused"),
        ([], "0 9 * * 8", "is not a weekday field"),
        (["daily", "09:00"], "0 9 * * *", "not both"),
    ],
)
def test_bad_rules_say_what_is_accepted(words: list[str], cron: str | None, expected: str) -> None:
    with pytest.raises(RuleError, match=expected):
        parse_rule(words, cron)


def test_an_unknown_zone_is_refused() -> None:
    with pytest.raises(RuleError, match="not a time zone"):
        parse_zone("Mars/Olympus")
    with pytest.raises(RuleError, match="not a time zone"):
        parse_zone("../etc/passwd")
    assert parse_zone("Asia/Shanghai").key == "Asia/Shanghai"


def test_slots_until_lists_every_run_a_restart_missed() -> None:
    zone = ZoneInfo("UTC")
    trigger = trigger_of(parse_rule(["daily", "09:00"], None), zone)
    first = datetime(2026, 11, 20, 9, tzinfo=UTC)
    found = list(slots_until(trigger, zone, first, datetime(2026, 11, 22, 9, tzinfo=UTC)))
    assert [s.day for s in found] == [20, 21, 22]


def test_every_quarter_hour_through_the_repeated_hour_runs_each_wall_time_once() -> None:
    rule = parse_rule([], "*/15 1 * * *")
    trigger = trigger_of(rule, NEW_YORK)
    found = next_runs(trigger, NEW_YORK, datetime(2026, 11, 1, 4, tzinfo=UTC), 5)
    assert [r.isoformat() for r in found] == [
        "2026-11-01T01:00:00-04:00",
        "2026-11-01T01:15:00-04:00",
        "2026-11-01T01:30:00-04:00",
        "2026-11-01T01:45:00-04:00",
        "2026-11-02T01:00:00-05:00",
    ]


def test_between_the_two_occurrences_of_a_repeated_time_the_second_is_not_a_run() -> None:
    # 06:00 UTC on 2026-11-01 is 01:00 EST, after 01:30 EDT ran and before 01:30 EST comes.
    after = datetime(2026, 11, 1, 6, 0, tzinfo=UTC)
    assert runs("daily 01:30", NEW_YORK, after, 1) == ["2026-11-02T01:30:00-05:00"]
