"""Block Kit for digests: the digest itself (with its thread reply when long), the answers
to `/digest schedule` and `/digest list`, and help. Pure builders."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.digest.command import Scope
from bot.digest.content import Digest
from bot.digest.ports import Schedule
from bot.digest.rules import Rule, describe
from bot.health.concentration import Concentration
from bot.health.rules import HealthStatus
from bot.numbers import format_amount, format_ratio
from bot.registry.rules import Partner
from bot.wording import count
from handlers.blocks import (
    Block,
    actions,
    channel_message,
    context,
    divider,
    esc,
    header,
    help_message,
    message,
    section,
)
from handlers.failover.record import digest_drills_section
from handlers.health.views import STATUS_ICON
from handlers.payloads import DigestDetails, StartDrill

UTC_ZONE = ZoneInfo("UTC")
NAMES_SHOWN = 20  # names listed in one line before "and N more"
LONG = 8  # owners to act on past which their lists go in a thread reply

DIGEST_HELP = [
    (
        "/digest schedule [#channel] daily 09:00 | weekdays 09:00 | weekly mon 09:00 | "
        'monthly 1 09:00 | cron="0 9 * * 1-5" [tz=Asia/Shanghai] [quiet=yes] '
        "[scope=category:KOL|owner:@user|tag:x]",
        "post a health digest to a channel on a schedule (default: this channel, your "
        "Slack time zone)",
    ),
    ("/digest list", "every schedule: id, channel, rule, zone, next run, last run"),
    ("/digest pause ID · /digest resume ID · /digest remove ID", "change a schedule"),
    ("/digest now [#channel] [scope=…]", "post a digest to a channel now"),
    ("/digest preview [scope=…]", "see the digest here, only you"),
    (
        "/digest alerts [#channel] on|off",
        "post an alert to a channel when recorded metrics turn a partner red; "
        "`/digest alerts` lists the channels that have them",
    ),
]


def build_digest_help() -> dict[str, Any]:
    return help_message(
        "Digests",
        DIGEST_HELP,
        "Schedules are changed by whoever made them or a partnerbot admin. "
        "Also reachable as `/partner digest ...`.",
    )


def scope_words(scope: Scope) -> str:
    match scope.kind:
        case "category":
            return f"{esc(scope.value)} partners"
        case "owner":
            return f"partners of <@{scope.value}>"
        case "tag":
            return f"partners tagged {esc(scope.value)}"
    return "all active and paused partners"


def when(moment: datetime, zone: ZoneInfo) -> str:
    """A run time in its schedule's zone, named."""
    return moment.astimezone(zone).strftime("%a %Y-%m-%d %H:%M ") + zone.key


def _names(names: list[str]) -> str:
    shown = ", ".join(f"*{esc(n)}*" for n in names[:NAMES_SHOWN])
    more = len(names) - NAMES_SHOWN
    return shown + (f" and {more} more" if more > 0 else "")


def _change(value: int) -> str:
    return f" ({value:+d})" if value else ""


def _headline(digest: Digest) -> str:
    counts = digest.report.counts
    before = digest.previous_counts
    parts = []
    for status in HealthStatus:
        delta = counts[status] - before[status] if before is not None else 0
        parts.append(f"{STATUS_ICON[status]} {counts[status]} {status.value}{_change(delta)}")
    since = "since this channel's previous digest" if before is not None else "first digest here"
    return " · ".join(parts) + f"\n_{since}_"


def _changes(digest: Digest) -> str:
    if digest.previous_counts is None:
        return ""
    lines = [
        (":red_circle: Newly red", digest.newly_red),
        (":large_orange_circle: Newly amber", digest.newly_amber),
        (":white_check_mark: Recovered", digest.recovered),
        (":heavy_minus_sign: Left the portfolio", digest.dropped),
        (":heavy_plus_sign: Added", digest.added),
    ]
    shown = [f"{label}: {_names(names)}" for label, names in lines if names]
    return "*What changed*\n" + ("\n".join(shown) if shown else "Nothing since the previous one.")


def _concentration(label: str, found: Concentration | None, change: float | None) -> str:
    if found is None:
        return f"*{label}*: nothing recorded in the window."
    delta = f", {'+' if change >= 0 else '−'}{format_amount(abs(change), 0)}" if change else ""
    return (
        f"*{label}*: largest share {format_ratio(found.largest.percent, 1)}% "
        f"(*{esc(found.largest.name)}*) · HHI {format_amount(found.hhi, 0)}{delta}, {found.band}"
    )


def _to_act(title: str, partners: Sequence[Partner], what: str) -> str:
    # Owners are mentioned here because the digest asks them to act.
    lines = [f"• *{esc(p.name)}* ({p.tier.value}): <@{p.owner}> {what}" for p in partners]
    return f"*{title}* ({len(partners)})\n" + "\n".join(lines)


def _chunks(title: str, partners: Sequence[Partner], what: str) -> list[Block]:
    """A list of partners to act on, in sections that stay inside Slack's limit (the first
    ten sections only are made: the rest would be cut)."""
    return [
        section(_to_act(title if i == 0 else f"{title}, continued", partners[i : i + 20], what))
        for i in range(0, min(len(partners), 200), 20)
    ]


def build_digest(
    digest: Digest,
    scope: Scope,
    *,
    ephemeral: bool = False,
    startable: bool = True,
    zone: ZoneInfo = UTC_ZONE,
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The digest, and its thread reply when the lists to act on are long; startable puts a
    Start failover drill button under each red alert (not in a modal: it has no channel);
    zone is where times fall back to for clients that cannot show Slack's dates."""
    report = digest.report
    blocks: list[Block] = [
        header("Partner health digest"),
        section(_headline(digest)),
        context(f"Covers {scope_words(scope)}."),
    ]
    if changes := _changes(digest):
        blocks.append(section(changes))
    drills = digest_drills_section(digest.drills_opened, digest.drills_closed, zone)
    if drills is not None:
        blocks.append(drills)
    blocks.append(divider())
    if not digest.top_alerts:
        blocks.append(section("*Top alerts*\nNo partner is red or amber."))
    else:
        blocks.append(section(f"*Top alerts* ({len(digest.top_alerts)} of {len(report.flagged)})"))
    for item in digest.top_alerts:
        reasons = "\n".join(f"• {esc(r.detail)}" for r in item.fired)
        blocks.append(
            {
                **section(f"{STATUS_ICON[item.status]} *{esc(item.partner.name)}*\n{reasons}"),
                "accessory": DigestDetails(partner_id=item.partner.id).button("Details"),
            }
        )
        if startable and item.status == HealthStatus.RED:
            start = StartDrill(partner_id=item.partner.id).start_button()
            blocks.append(actions([start], block_id=f"failover-start-{item.partner.id}"))
    change = digest.hhi_change
    blocks.append(
        section(
            "*Concentration*\n"
            + _concentration("GMV", report.gmv, change.get("gmv"))
            + "\n"
            + _concentration("Traffic", report.traffic, change.get("traffic"))
        )
    )
    lists = _chunks("Strategic and core with no backup", report.unbacked, "please name a backup")
    lists += _chunks("Metrics overdue", digest.overdue, "please record last week's metrics")
    detail: dict[str, Any] | None = None
    if len(report.unbacked) + len(digest.overdue) > LONG and not ephemeral:
        blocks.append(
            section(
                f":thread: {count(len(report.unbacked), 'partner')} with no backup and "
                f"{count(len(digest.overdue), 'partner')} with overdue metrics: in the thread."
            )
        )
        detail = channel_message(lists, "Partners to act on", escaped=True)
    else:
        blocks += lists
    summary = ", ".join(f"{report.counts[s]} {s.value}" for s in HealthStatus)
    build = message if ephemeral else channel_message
    return build(blocks[:50], f"Partner health digest: {summary}"), detail


def build_schedule_saved(
    schedule: Schedule, runs: list[datetime], private: bool | None
) -> dict[str, Any]:
    zone = ZoneInfo(schedule.timezone)
    covers = scope_words(Scope.from_text(schedule.scope))
    lines = "\n".join(f"• {when(run, zone)}" for run in runs)
    text = (
        f":white_check_mark: Digest schedule *{schedule.id}*: <#{schedule.channel_id}>, "
        f"{describe(Rule(schedule.rule))}, {zone.key}"
        f"{', quiet' if schedule.quiet else ''}; covers {covers}.\n"
        f"*Next runs*\n{lines}"
    )
    blocks = [section(text)]
    if private:
        blocks.append(
            context(
                "That channel is private: invite partnerbot to it (type `/invite @partnerbot` "
                "there), or the digest cannot be posted."
            )
        )
    return message(blocks, f"Digest schedule {schedule.id} saved")


def _last(schedule: Schedule, zone: ZoneInfo) -> str:
    if schedule.last_slot is None or schedule.last_outcome is None:
        return "not run yet"
    error = f": {esc(schedule.last_error)}" if schedule.last_error else ""
    return f"{when(schedule.last_slot, zone)} {schedule.last_outcome}{error}"


def build_schedule_list(
    schedules: list[Schedule], next_run: dict[int, datetime | None]
) -> dict[str, Any]:
    if not schedules:
        return message(
            [section("No digests are scheduled. Start one with `/digest schedule daily 09:00`.")],
            "No digests are scheduled",
        )
    blocks: list[Block] = [header("Digest schedules")]
    for schedule in schedules[:45]:
        zone = ZoneInfo(schedule.timezone)
        upcoming = next_run.get(schedule.id)
        state = (
            f"*paused*{': ' + esc(schedule.paused_reason) if schedule.paused_reason else ''}"
            if schedule.paused
            else f"next {when(upcoming, zone)}"
            if upcoming
            else "never runs again"
        )
        blocks.append(
            section(
                f"*{schedule.id}* · <#{schedule.channel_id}> · {describe(Rule(schedule.rule))} · "
                f"{zone.key}{' · quiet' if schedule.quiet else ''} · made by "
                f"<@{schedule.creator}>\n{state} · last: {_last(schedule, zone)}"
            )
        )
    if len(schedules) > 45:
        blocks.append(context(f"and {len(schedules) - 45} more"))
    return message(blocks, f"{count(len(schedules), 'digest schedule')}")


def build_changed(schedule: Schedule, verb: str) -> dict[str, Any]:
    done = {"remove": "removed", "pause": "paused", "resume": "resumed"}[verb]
    text = f"Digest schedule *{schedule.id}* (<#{schedule.channel_id}>) is {done}."
    if verb == "pause":
        text += f" Resume it with `/digest resume {schedule.id}`."
    return message([section(text)], f"Digest schedule {schedule.id} {done}")


def build_channel_gone(schedule: Schedule, reason: str) -> dict[str, Any]:
    """The one DM to a schedule's creator when its channel cannot take posts."""
    text = (
        f":pause_button: Your digest schedule *{schedule.id}* for <#{schedule.channel_id}> "
        f"is paused: {reason}. Fix that, then `/digest resume {schedule.id}`."
    )
    return channel_message([section(text)], text, escaped=True)


def build_posted(channel_id: str) -> dict[str, Any]:
    return message([section(f"Posting a digest to <#{channel_id}>.")], "Posting a digest")
