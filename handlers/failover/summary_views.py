"""Block Kit for a drill's close summary, posted in its thread, with Reopen. Pure; every
user-typed text escaped and clipped, so the worst case (four long skip reasons, a long
note, a large pool) stays inside Slack's limits."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from bot.failover.impact import BENCHMARK_TEXT
from bot.failover.rules import TITLES, StepState
from bot.failover.summary import (
    UNBACKED_SHOWN,
    CloseSummary,
    Dependency,
    PartnerOutcome,
    StepOutcome,
    handled,
)
from bot.numbers import format_amount, format_ratio
from bot.wording import count
from handlers.blocks import Block, actions, channel_message, context, esc, header, section
from handlers.blocks import slack_date as date
from handlers.failover.verify_views import describe_gmv
from handlers.failover.views import age
from handlers.payloads import ReopenDrill

REASON_SHOWN = 300  # characters of a skip reason shown in the summary
NAMES_BUDGET = 1500  # characters of unbacked partners' names, escaped, in the advice
_MARK = {StepState.DONE: ":white_check_mark:", StepState.SKIPPED: ":fast_forward:"}


def _clipped(text: str, limit: int) -> str:
    return esc(text if len(text) <= limit else text[: limit - 1] + "…")


def step_line(position: int, outcome: StepOutcome, zone: ZoneInfo) -> str:
    """One step: done or skipped, by whom, when, how long after the start, and its deadline
    met or missed."""
    step = outcome.step
    title = f"*{position}. {TITLES[step.key]}*"
    due = f"due {age(outcome.allowed)} after the start"
    if step.at is None or outcome.elapsed is None or step.state is StepState.TODO:
        return f":white_large_square: {title}: not handled; {due}"
    verb = "done" if step.state is StepState.DONE else "skipped"
    met = "*met*" if outcome.met else "*missed*"
    line = (
        f"{_MARK[step.state]} {title}: {verb} by <@{step.by}> {date(step.at, zone)}, "
        f"{age(outcome.elapsed)} after the start; {due}: {met}"
    )
    if step.state is StepState.SKIPPED and step.reason:
        line += f"\n_{_clipped(step.reason, REASON_SHOWN)}_"
    return line


def _partner_line(summary: CloseSummary) -> str:
    name = esc(summary.drill.partner_name)
    match summary.partner:
        case PartnerOutcome.DROPPED:
            return f"*Partner:* {name} is now dropped (in its history)."
        case PartnerOutcome.ALREADY:
            return f"*Partner:* {name} was dropped already."
        case PartnerOutcome.ARCHIVED:
            return f"*Partner:* {name} is archived; its status was left as it is."
        case PartnerOutcome.FORBIDDEN:
            return (
                f"*Partner:* {name}'s status was not changed: only its owner "
                f'<@{summary.owner}> or an admin can drop it (`/partner drop "{name}"`).'
            )
    return f"*Partner:* {name}'s status could not be changed; drop it with `/partner drop`."


def _dependency_lines(dependency: Dependency | None) -> str:
    if dependency is None:
        return "*Dependency on a single partner now:* the pool could not be read."
    first, last = dependency.window
    where = f"({esc(dependency.population)}, {first} to {last})"
    gmv = dependency.gmv
    if gmv is None:
        return f"*Dependency on a single partner now* {where}: no GMV recorded."
    top = gmv.largest
    return (
        f"*Dependency on a single partner now* {where}: the largest GMV share is "
        f"*{esc(top.name)}* with {format_ratio(top.percent, 1)}%; HHI "
        f"{format_amount(gmv.hhi, 0)} ({gmv.band})."
    )


def _names_within(names: tuple[str, ...], budget: int) -> list[str]:
    """Names in bold, escaped, as many as fit in budget characters (at least one)."""
    shown: list[str] = []
    for name in names:
        bold = f"*{esc(name)}*"
        if shown and sum(len(s) + 2 for s in shown) + len(bold) > budget:
            break
        shown.append(bold)
    return shown


def _advice(summary: CloseSummary) -> str:
    """How to avoid a single point of dependency next time."""
    dependency, lines = summary.dependency, []
    backup = summary.backup
    if backup is not None and summary.backup_dominates:
        lines.append(
            f"*{esc(backup.name)}*, the backup engaged, now carries the largest GMV share "
            "of a highly concentrated pool: spread its traffic before it is the next one."
        )
    if backup is not None and summary.backup_unbacked:
        lines.append(f"*{esc(backup.name)}* has no backup of its own: register one.")
    named = "" if backup is None else backup.name  # said already, just above
    others = tuple(n for n in (dependency.unbacked if dependency else ()) if n != named)
    if others:
        shown = _names_within(others[:UNBACKED_SHOWN], NAMES_BUDGET)
        names = ", ".join(shown)
        more = len(others) - len(shown)
        extra = f" and {more} more" if more > 0 else ""
        noun = "other strategic or core partner" if summary.backup_unbacked else None
        partners = count(len(others), noun or "strategic or core partner")
        verb = "has" if len(others) == 1 else "have"
        lines.append(
            f"{partners} still {verb} no backup: {names}{extra}. Register backups with "
            '`/partner set NAME backups="A, B"`.'
        )
    if dependency is not None and not lines:
        lines.append("Every strategic and core partner has a backup.")
    if not lines:
        lines.append("Register a backup for every strategic and core partner.")
    return "*Next time:* " + "\n".join(lines)


def build_summary(summary: CloseSummary, zone: ZoneInfo) -> dict[str, Any]:
    """The close summary in the drill's thread, with Reopen."""
    drill = summary.drill
    name = esc(drill.partner_name)
    done, skipped, late = handled(summary)
    again = f" Reopened {count(summary.reopened, 'time')} before." if summary.reopened else ""
    opening = (
        f"Started by <@{drill.starter}> {date(drill.started_at, zone)}; closed by "
        f"<@{summary.closed_by}> {age(summary.duration)} after the start: {done} done, "
        f"{skipped} skipped, {late} past their deadline.{again}"
    )
    if drill.reason:
        opening += f"\nReason: {_clipped(drill.reason, REASON_SHOWN)}"
    blocks: list[Block] = [header(f"Drill summary: {drill.partner_name}"), section(opening)]
    blocks.extend(
        section(step_line(position, outcome, zone))
        for position, outcome in enumerate(summary.steps, start=1)
    )
    backup = summary.backup
    if backup is None:
        engaged = "*Backup engaged:* none."
    else:
        after = age(backup.at - drill.started_at)
        engaged = (
            f"*Backup engaged:* *{esc(backup.name)}*, by <@{backup.by}> "
            f"{date(backup.at, zone)} ({after} after the start)."
        )
    if summary.gmv is None:
        gmv = f"*GMV impact:* not recorded (benchmark {BENCHMARK_TEXT})."
    else:
        gmv = f"*GMV impact:* {describe_gmv(summary.gmv)}"
    blocks.append(section("\n".join((engaged, gmv, _partner_line(summary)))))
    blocks.append(section(_dependency_lines(summary.dependency)))
    blocks.append(section(_advice(summary)))
    reopen = ReopenDrill(drill_id=drill.id, version=drill.version)
    blocks.append(actions([reopen.button("Reopen")]))
    who = "Reopen: the drill's starter, a step owner or an admin; the partner's status stays."
    blocks.append(context(who))
    return channel_message(blocks, f"Drill summary: {name}", escaped=True)
