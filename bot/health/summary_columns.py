"""The numbers each warning rule compares, kept as columns beside a partner's summary so the
portfolio's rule states are decided in SQL (`pool_states`); a state SQL cannot decide exactly
(a value within `EDGE` of its threshold, a window that cuts the kept run) comes back unknown
to it (None) and is decided here from the summary, by `summary_states`. Pure."""

from __future__ import annotations

import itertools
from typing import Any

from bot.health.rules import HealthStatus, RuleState
from bot.health.summary import MAX_MONTHS, MAX_WEEKS, HealthSummary, to_json

# utilisation, roi, sentiment, backup (codes, None: undecided), status, the summary's JSON
StateRow = tuple[int | None, int | None, int | None, int, str | None, str | None]

# As `pool_states` returns them.
STATE_OF_CODE = {
    0: RuleState.UNKNOWN,
    1: RuleState.OK,
    2: RuleState.FIRED,
    3: RuleState.NOT_APPLICABLE,
}


_FIRED = 2  # STATE_OF_CODE's for RuleState.FIRED
_UNKNOWN = 0


def status_of_codes(
    utilisation: int | None, roi: int | None, sentiment: int | None, backup: int
) -> HealthStatus | None:
    """`status_of_states` over `pool_states`' codes; None while a rule is undecided."""
    if utilisation is None or roi is None or sentiment is None:
        return None
    if sentiment == _FIRED:
        return HealthStatus.RED
    if _FIRED in (utilisation, roi, backup):
        return HealthStatus.AMBER
    if utilisation == roi == sentiment == _UNKNOWN:
        return HealthStatus.GREY
    return HealthStatus.GREEN


def needs_inputs(
    utilisation: int | None, roi: int | None, sentiment: int | None, backup: int
) -> bool:
    """Whether a member's summary JSON is read with its codes: it is undecided (Python
    decides it from the JSON) or flagged (its report's rules are made from the JSON); as
    `status_of_codes` is None, red or amber, without its calls (100,000 rows a pool)."""
    return (
        utilisation is None
        or roi is None
        or sentiment is None
        or _FIRED in (utilisation, roi, sentiment, backup)
    )


def _prefix_max(values: list[float], size: int) -> list[float | None]:
    """The running maximum of values, padded with None to size."""
    peaks: list[float] = list(itertools.accumulate(values, max))
    return [*peaks, *[None] * (size - len(peaks))]


def _run(starts: list[int], step: int) -> int:
    """How many of starts (latest first) follow each other by step from the first."""
    run = 1 if starts else 0
    for a, b in itertools.pairwise(starts):
        if a - b != step:
            break
        run += 1
    return run


def summary_columns(summary: HealthSummary) -> dict[str, Any]:
    """The columns of `health_summary` that `pool_states` decides from (filled = 1)."""
    columns: dict[str, Any] = {"filled": 1}
    rue = summary.rue  # latest first
    run = _run([start for start, _ in rue], 7)
    columns["rue_start"] = rue[0][0] if rue else None
    columns["rue_count"] = len(rue)
    columns["rue_run"] = run
    peaks = _prefix_max([float(value) for _, value in rue[:run]], MAX_WEEKS)
    columns.update({f"rue_max_{k + 1}": peak for k, peak in enumerate(peaks)})
    roi = [m for m in summary.roi if m[2] + m[4]]  # latest first; a month of values
    run = _run([m[0] for m in roi], 1)
    columns["roi_month"] = roi[0][0] if roi else None
    columns["roi_count"] = len(roi)
    columns["roi_run"] = run
    # The mean `summary_states` compares, made the same way (the spill belongs to the month).
    means = [(float(total) + float(spill)) / (n + s) for _, total, n, spill, s in roi[:run]]
    peaks = _prefix_max(means, MAX_MONTHS)
    columns.update({f"roi_max_{k + 1}": peak for k, peak in enumerate(peaks)})
    kept = summary.sentiment  # period order: the latest is the last
    latest = kept[-1] if kept else None
    before = next((k for k in reversed(kept[:-1]) if latest and k[2] == latest[2]), None)
    columns["sent_start"] = latest[0] if latest else None
    columns["sent_prev"] = before[0] if before else None
    flat = before is not None and before[4] <= 0
    columns["sent_flat"] = int(flat)
    columns["sent_drop"] = (
        None
        if latest is None or before is None or flat
        else (before[4] - latest[4]) * 100 / before[4]
    )
    return columns


COLUMNS = tuple(summary_columns(HealthSummary([], [], [])))


def stored_summary(summary: HealthSummary) -> dict[str, Any]:
    """A summary as its row stores it: the JSON (`inputs`) and the columns above."""
    return {"inputs": to_json(summary), **summary_columns(summary)}
