"""Digest schedules (domain.md §3): a rule as typed, its APScheduler trigger in a zone, its
next runs and the slots a restart missed. Pure: no clock, no database, no Slack."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger

from bot.errors import RuleError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_NAMES = {
    "mon": "Monday",
    "tue": "Tuesday",
    "wed": "Wednesday",
    "thu": "Thursday",
    "fri": "Friday",
    "sat": "Saturday",
    "sun": "Sunday",
}
_TIME = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")
ACCEPTED = (
    "`daily 09:00`, `weekdays 09:00`, `weekly mon 09:00`, `monthly 1 09:00` "
    'or `cron="0 9 * * 1-5"` (five fields: minute hour day month weekday)'
)
GRACE = timedelta(hours=1)  # a slot missed by at most this much is still posted


@dataclass(frozen=True)
class Rule:
    """A schedule's rule, normalised: `daily 09:00`, `weekly mon 09:00`, `cron 0 9 * * 1-5`."""

    text: str

    @property
    def is_cron(self) -> bool:
        return self.text.startswith("cron ")


def _time(raw: str) -> tuple[int, int]:
    m = _TIME.fullmatch(raw)
    if m is None:
        raise RuleError(f"`{raw}` is not a time of day; write it as HH:MM, 00:00 to 23:59.")
    return int(m[1]), int(m[2])


def parse_rule(words: list[str], cron: str | None) -> Rule:
    """The rule from the words after `schedule` (or a cron= option); RuleError says what is
    accepted."""
    if cron is not None:
        if words:
            raise RuleError(f"Give either a cron= or words, not both: {ACCEPTED}.")
        fields = cron.split()
        if len(fields) != 5:
            raise RuleError(f"`{cron}` has {len(fields)} fields, not five; accepted: {ACCEPTED}.")
        rule = Rule("cron " + " ".join(fields))
        trigger_of(rule, ZoneInfo("UTC"))  # refuses a field APScheduler cannot read
        return rule
    lowered = [w.casefold() for w in words]
    match lowered:
        case ["daily", at]:
            h, m = _time(at)
            return Rule(f"daily {h:02d}:{m:02d}")
        case ["weekdays", at]:
            h, m = _time(at)
            return Rule(f"weekdays {h:02d}:{m:02d}")
        case ["weekly", day, at]:
            if day[:3] not in DAYS or not _DAY_NAMES[day[:3]].casefold().startswith(day):
                raise RuleError(f"`{day}` is not a day of the week; use mon, tue … sun.")
            h, m = _time(at)
            return Rule(f"weekly {day[:3]} {h:02d}:{m:02d}")
        case ["monthly", day, at]:
            if not day.isdigit() or not 1 <= int(day) <= 31:
                raise RuleError(f"`{day}` is not a day of the month; use 1 to 31.")
            h, m = _time(at)
            return Rule(f"monthly {int(day)} {h:02d}:{m:02d}")
    raise RuleError(f"That is not a schedule I know; accepted: {ACCEPTED}.")


def _cron_weekdays(field: str) -> str:
    """Cron's weekday numbers (0 or 7 Sunday) as names: APScheduler counts from Monday."""
    parts = []
    for part in field.split(","):
        m = re.fullmatch(r"(\d)(?:-(\d))?(?:/(\d+))?", part)
        if m is None:
            parts.append(part)
            continue
        low, high = int(m[1]), int(m[2] if m[2] is not None else m[1])
        step = int(m[3] or 1)
        if low > 7 or high > 7 or low > high or step == 0:
            raise RuleError(f"`{field}` is not a weekday field (0-7, 0 and 7 are Sunday).")
        if m[2] is None and m[3] is not None:
            high = 6  # `n/step`: from n to the end of the week
        parts.extend(DAYS[(n - 1) % 7] for n in range(low, high + 1, step))
    return ",".join(dict.fromkeys(parts))


def trigger_of(rule: Rule, zone: ZoneInfo) -> CronTrigger:
    """The rule as an APScheduler CronTrigger in zone."""
    words = rule.text.split()
    if rule.is_cron:
        minute, hour, day, month, weekday = words[1:]
        try:
            return CronTrigger(
                minute=minute,
                hour=hour,
                day=day,
                month=month,
                day_of_week=_cron_weekdays(weekday),
                timezone=zone,
            )
        except ValueError as err:
            raise RuleError(
                f"That cron expression is refused ({err}); accepted: {ACCEPTED}."
            ) from None
    at_hour, at_minute = (int(x) for x in words[-1].split(":"))
    match words[0]:
        case "daily":
            return CronTrigger(hour=at_hour, minute=at_minute, timezone=zone)
        case "weekdays":
            days = "mon-fri"
            return CronTrigger(day_of_week=days, hour=at_hour, minute=at_minute, timezone=zone)
        case "weekly":
            days = words[1]
            return CronTrigger(day_of_week=days, hour=at_hour, minute=at_minute, timezone=zone)
        case _:
            return CronTrigger(day=words[1], hour=at_hour, minute=at_minute, timezone=zone)


def describe(rule: Rule) -> str:
    """The rule in words: `every weekday at 09:00`."""
    words = rule.text.split()
    if rule.is_cron:
        return f"cron `{' '.join(words[1:])}`"
    at = words[-1]
    match words[0]:
        case "daily":
            return f"every day at {at}"
        case "weekdays":
            return f"every weekday (Monday to Friday) at {at}"
        case "weekly":
            return f"every {_DAY_NAMES[words[1]]} at {at}"
        case _:
            return f"on day {words[1]} of every month at {at} (months without it are skipped)"


def parse_zone(name: str) -> ZoneInfo:
    """An IANA zone by name; RuleError for one that does not exist."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise RuleError(
            f"`{name}` is not a time zone I know; give an IANA name such as "
            "`Asia/Shanghai`, `Europe/London` or `UTC`."
        ) from None


def following(trigger: CronTrigger, zone: ZoneInfo, after: datetime) -> datetime | None:
    """The first run strictly after `after`; a wall-clock time repeated when clocks go back
    runs once, at its first occurrence."""
    previous = after
    while True:
        run: datetime | None = trigger.get_next_fire_time(previous, previous + _TICK)
        if run is None:
            return None
        if run <= previous:  # APScheduler loses a repeated hour's fold and answers it again
            previous += timedelta(minutes=1)
            continue
        if run.astimezone(zone).fold == 0:
            return run
        previous = run


_TICK = timedelta(microseconds=1)


def next_runs(trigger: CronTrigger, zone: ZoneInfo, after: datetime, n: int = 3) -> list[datetime]:
    """The next n runs after `after`, in zone."""
    runs: list[datetime] = []
    at = after
    while len(runs) < n and (run := following(trigger, zone, at)) is not None:
        runs.append(run.astimezone(zone))
        at = run
    return runs


def slots_until(
    trigger: CronTrigger, zone: ZoneInfo, first: datetime, now: datetime
) -> Iterator[datetime]:
    """Every run from first (itself a run) up to now, oldest first."""
    slot: datetime | None = first
    while slot is not None and slot <= now:
        yield slot
        slot = following(trigger, zone, slot)
