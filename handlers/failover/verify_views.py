"""Block Kit for the verify and close steps: the GMV impact under the verify step with its
two buttons, the GMV form, and the timeline replies of a recorded impact and a reopen.
Pure builders; every user-typed text escaped. (No import of views: views reaches these
through handlers.failover.steps.)"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.failover.impact import (
    BENCHMARK_TEXT,
    format_change,
    within_benchmark,
)
from bot.failover.rules import MAX_NOTE, Drill, DrillStatus, Event, GmvImpact, GmvSource, Step
from bot.numbers import format_amount
from handlers.blocks import Block, actions, context, esc, modal, section
from handlers.forms import text_input
from handlers.ids import FailoverView
from handlers.payloads import ComputeGmv, EnterGmv, GmvMeta

GMV_IMPACT = "impact"  # the GMV form's input blocks
GMV_NOTE = "note"
NOTE_SHOWN = 200  # characters of a note shown in the checklist and summary


def verdict(change: float) -> str:
    """The impact against the kit's benchmark, in words."""
    side = "within" if within_benchmark(change) else "worse than"
    return f"{side} the benchmark of {BENCHMARK_TEXT}"


def describe_gmv(gmv: GmvImpact) -> str:
    """An impact as mrkdwn: the figure, how it was found, the amounts compared, the note."""
    how = "from metrics" if gmv.source is GmvSource.METRICS else "entered"
    text = f"*{format_change(gmv.change)}* ({how}), {verdict(gmv.change)}"
    if gmv.before is not None and gmv.after is not None:
        text += f"\nbefore {format_amount(gmv.before)} a period, kept {format_amount(gmv.after)}"
    if gmv.note:
        note = gmv.note if len(gmv.note) <= NOTE_SHOWN else gmv.note[: NOTE_SHOWN - 1] + "…"
        text += f"\n_{esc(note)}_"
    return text


def verify_detail(drill: Drill, step: Step, zone: ZoneInfo, now: datetime) -> list[Block]:
    """Under the verify step: the GMV impact against the benchmark and, while the drill is
    open, Compute from metrics and Enter GMV impact."""
    if drill.gmv is None:
        blocks = [
            context(
                f"GMV impact: not recorded yet. Benchmark: {BENCHMARK_TEXT} (one team moved "
                "all traffic within 24 hours and lost 8% of GMV)."
            )
        ]
    else:
        blocks = [section(f":bar_chart: GMV impact: {describe_gmv(drill.gmv)}")]
    if drill.status is DrillStatus.OPEN:
        ref = {"drill_id": drill.id, "version": drill.version}
        compute = ComputeGmv(**ref).button("Compute from metrics")
        enter = EnterGmv(**ref).button("Enter GMV impact")
        blocks.append(actions([compute, enter]))
    return blocks


def close_detail(drill: Drill, step: Step, zone: ZoneInfo, now: datetime) -> list[Block]:
    """Under the close step while the drill is open: what Done on it does."""
    if drill.status is not DrillStatus.OPEN:
        return [context("The summary is in this thread; Reopen is on it.")]
    return [
        context(
            "Done posts the summary in this thread and sets "
            f"{esc(drill.partner_name)}'s status to dropped."
        )
    ]


def build_gmv_modal(meta: GmvMeta, drill: Drill) -> dict[str, Any]:
    """The GMV form: the change as a percentage, and a note."""
    initial = "" if drill.gmv is None else format_change(drill.gmv.change).lstrip("+")
    blocks = [
        section(
            f"The GMV impact of moving *{esc(drill.partner_name)}*'s traffic, against the "
            f"benchmark of {BENCHMARK_TEXT}."
        ),
        text_input(
            GMV_IMPACT,
            "Change in GMV (%)",
            initial,
            optional=False,
            hint="-8 for an 8% loss, 3 for a 3% gain; -100 to 1,000.",
            max_length=20,
        ),
        text_input(
            GMV_NOTE,
            "Note",
            "" if drill.gmv is None else drill.gmv.note or "",
            multiline=True,
            hint="Where the figure comes from.",
            max_length=MAX_NOTE,
        ),
    ]
    return modal(
        "GMV impact",
        blocks,
        callback_id=FailoverView.GMV_SUBMIT,
        private_metadata=meta.pack(),
        submit="Record",
    )


def gmv_event_text(drill: Drill, event: Event) -> str:
    """The thread reply of a recorded impact."""
    figure = describe_gmv(drill.gmv) if drill.gmv is not None else esc(event.detail or "")
    return f":bar_chart: <@{event.actor}> recorded the GMV impact: {figure}"


def reopened_event_text(drill: Drill, event: Event) -> str:
    """The thread reply of a reopen: the partner's status is not changed back."""
    name = esc(drill.partner_name)
    return (
        f":leftwards_arrow_with_hook: <@{event.actor}> reopened the drill for *{name}*; "
        f"Close is to do again. {name}'s status is not changed back: "
        f'`/partner restore "{name}"` does that.'
    )
