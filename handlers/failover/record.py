"""How drills show outside their thread: a partner's record on its cards (`/partner show`,
`/score NAME`), the drills a digest reports since the channel's previous one, and the steps
a person owns on their Home tab. Pure builders; every user-typed text escaped."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.failover.impact import BENCHMARK_TEXT, format_change
from bot.failover.record import DrillRecord, DrillSummary, OwnedStep, OwnedSteps
from bot.failover.rules import TITLES, DrillStatus, GmvImpact
from bot.wording import count
from handlers.blocks import Block, context, esc, section, slack_date
from handlers.failover.views import thread_link

SECTION_BUDGET = 2800  # characters of lines per section, inside Slack's 3,000
HOME_DRILLS = 5  # drills shown on Home; the rest are counted


def gmv_text(gmv: GmvImpact) -> str:
    """A GMV impact as `GMV impact -6.2% (benchmark -8% in 24 hours)`, as the thread says it."""
    return f"GMV impact {format_change(gmv.change)} (benchmark {BENCHMARK_TEXT})"


def outcome(drill: DrillSummary) -> str:
    """What a drill came to so far: the backup engaged and the GMV impact, when recorded."""
    parts = []
    if drill.backup is not None:
        parts.append(f"backup *{esc(drill.backup.name)}* engaged")
    if drill.gmv is not None:
        parts.append(gmv_text(drill.gmv))
    return " · ".join(parts)


def _state(drill: DrillSummary, zone: ZoneInfo) -> str:
    if drill.status is DrillStatus.CLOSED and drill.closed_at is not None:
        return f"closed {slack_date(drill.closed_at, zone)}"
    return "*open*"


def record_section(record: DrillRecord, zone: ZoneInfo) -> Block | None:
    """A partner's drills on its cards: how many, and the last one (when it started, open or
    closed, its outcome, its thread); None when it never had one."""
    latest = record.latest
    if record.count == 0 or latest is None:
        return None
    done = outcome(latest)
    text = (
        f":rotating_light: *Failover drills*: {count(record.count, 'drill')}; the last "
        f"started {slack_date(latest.started_at, zone)} by <@{latest.starter}>, "
        f"{_state(latest, zone)}{' · ' + done if done else ''}\n{thread_link(latest)}"
    )
    return section(text)


def _fitted(lines: Iterable[str], total: int) -> str:
    """Lines one under another while they fit a section, the rest counted."""
    shown: list[str] = []
    used = 0
    for line in lines:
        if used + len(line) > SECTION_BUDGET:
            break
        shown.append(line)
        used += len(line) + 1
    rest = total - len(shown)
    return "\n".join(shown) + (f"\n…and {rest} more: `/failover history`" if rest else "")


def digest_drills_section(
    opened: list[DrillSummary], closed: list[DrillSummary], zone: ZoneInfo
) -> Block | None:
    """A digest's drills opened and closed since the channel's previous digest."""
    if not opened and not closed:
        return None
    lines = [
        f":rotating_light: Opened: *{esc(d.partner_name)}* "
        f"{slack_date(d.started_at, zone)} by <@{d.starter}>, "
        f"{'still open' if d.status is DrillStatus.OPEN else 'closed since'} · {thread_link(d)}"
        for d in opened
    ]
    for d in closed:
        done = outcome(d) or "no backup or GMV impact recorded"
        when = slack_date(d.closed_at, zone) if d.closed_at else ""
        lines.append(
            f":checkered_flag: Closed: *{esc(d.partner_name)}* {when} · {done} · {thread_link(d)}"
        )
    title = "*Failover drills since the previous digest*\n"
    return section(title + _fitted(lines, len(lines)))


def home_drills_blocks(owned_steps: OwnedSteps, zone: ZoneInfo, now: datetime) -> list[Block]:
    """The Home tab's open drills in which the user owns a step still to do: per drill its
    thread and those steps, each with its deadline, overdue ones marked; the drills beyond
    HOME_DRILLS counted."""
    steps = owned_steps.steps
    if not steps:
        return []
    by_drill: dict[int, list[OwnedStep]] = {}
    for one in steps:
        by_drill.setdefault(one.drill.id, []).append(one)
    blocks: list[Block] = [section("*Your failover steps* in open drills, soonest due first")]
    for owned in list(by_drill.values())[:HOME_DRILLS]:
        drill = owned[0].drill
        lines = [f"*{esc(drill.partner_name)}* · {thread_link(drill)}"]
        for o in owned:
            late = " :warning: *overdue*" if o.step.overdue(now) else ""
            lines.append(f"• {TITLES[o.step.key]}, due {slack_date(o.step.deadline, zone)}{late}")
        blocks.append(section("\n".join(lines)))
    rest = max(owned_steps.drills, len(by_drill)) - HOME_DRILLS
    if rest > 0:
        blocks.append(context(f"…and {count(rest, 'more drill')}: `/failover status` lists all."))
    return blocks
