"""The Home tab's digests: the schedules with Pause/Resume where the user may change them,
and the preview modal. Pure builders."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.access import Actor, can_change
from bot.digest.command import Scope
from bot.digest.content import Digest
from bot.digest.ports import Schedule
from bot.digest.rules import Rule, describe
from bot.wording import count
from handlers.blocks import MAX_VIEW_BLOCKS, Block, context, esc, modal, section, slack_date
from handlers.digest.views import build_digest
from handlers.payloads import PauseDigestFromHome, ResumeDigestFromHome

DIGESTS_SHOWN = 10  # rows of two blocks at most: the tab stays inside Slack's 100 blocks


@dataclass(frozen=True)
class ScheduledDigests:
    """The workspace's digest schedules, and the next run of each shown one (None: never)."""

    schedules: list[Schedule]
    next_run: dict[int, datetime | None] = field(default_factory=dict)


def digest_blocks(digests: ScheduledDigests | None, actor: Actor) -> list[Block]:
    """The "Digests scheduled" section: one row per schedule, with Pause or Resume only for
    those the actor may change (its creator or an admin); the rest counted."""
    if digests is None:
        return []
    schedules = digests.schedules
    if not schedules:
        return [
            section(
                "*Digests scheduled*\nNone yet: start one with `/digest schedule daily 09:00` "
                "in the channel it should go to."
            )
        ]
    blocks = [section(f"*Digests scheduled* ({len(schedules):,})")]
    for schedule in schedules[:DIGESTS_SHOWN]:
        row = section(_row(schedule, digests.next_run.get(schedule.id)))
        if can_change(schedule.creator, actor):
            ref = {"schedule_id": schedule.id}
            row["accessory"] = (
                ResumeDigestFromHome(**ref).button("Resume", style="primary")
                if schedule.paused
                else PauseDigestFromHome(**ref).button("Pause")
            )
        blocks.append(row)
    rest = len(schedules) - DIGESTS_SHOWN
    if rest > 0:
        blocks.append(context(f"…and {count(rest, 'more schedule')}: `/digest list` shows all."))
    return blocks


def _row(schedule: Schedule, next_run: datetime | None) -> str:
    zone = ZoneInfo(schedule.timezone)
    if schedule.paused:
        reason = f": {esc(schedule.paused_reason)}" if schedule.paused_reason else ""
        state = f":pause_button: *paused*{reason}"
    elif next_run is not None:
        state = f"next {slack_date(next_run, zone)}"
    else:
        state = "never runs again"
    if schedule.last_slot is None or schedule.last_outcome is None:
        last = "not run yet"
    else:
        error = f": {esc(schedule.last_error)}" if schedule.last_error else ""
        last = f"{slack_date(schedule.last_slot, zone)} {esc(schedule.last_outcome)}{error}"
    return (
        f"*{schedule.id}* · <#{schedule.channel_id}> · {describe(Rule(schedule.rule))} · "
        f"{zone.key}{' · quiet' if schedule.quiet else ''}\n{state} · last: {last}"
    )


PREVIEW_TITLE = "Digest preview"


def build_preview_working() -> dict[str, Any]:
    """The preview modal while the digest is composed (a trigger_id lasts 3 seconds)."""
    return modal(
        PREVIEW_TITLE,
        [context(":hourglass_flowing_sand: Composing the digest…")],
        submit=None,
        close="Close",
    )


def build_preview_failed() -> dict[str, Any]:
    """The preview modal when the digest could not be composed."""
    text = ":warning: The digest could not be composed just now; try `/digest preview`."
    return modal(PREVIEW_TITLE, [section(text)], submit=None, close="Close")


def build_preview(digest: Digest, scope: Scope) -> dict[str, Any]:
    """The digest as it would be posted (its thread reply below it), read-only, inside a
    modal's 100 blocks; what does not fit is cut with a pointer to `/digest preview`."""
    posted, detail = build_digest(digest, scope, startable=False)
    blocks: list[Block] = [
        context("Only you see this preview; no channel was posted to."),
        *posted["blocks"],
    ]
    if detail is not None:
        blocks += [context(":thread: In the thread reply:"), *detail["blocks"]]
    if len(blocks) > MAX_VIEW_BLOCKS:
        blocks = [
            *blocks[: MAX_VIEW_BLOCKS - 1],
            context("…cut here to fit; `/digest preview` in a channel shows the rest."),
        ]
    return modal(PREVIEW_TITLE, blocks, submit=None, close="Close")
