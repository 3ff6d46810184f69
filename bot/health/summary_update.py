"""A stored health summary brought up to date with a few values recorded, without reading the
partner's metrics again. Pure.

`updated(summary, changes)` is `summarise` over the partner's values with the changes made,
or None where that cannot be known from the summary alone (the caller then reads the metrics
and summarises them, as before). Each change is a value as recorded (None: new) and the one
that replaces it, for the same partner, label and metric. What the summary keeps is the
latest of each kind (bot/health/summary.py), so:
- a value replaced in place (same period) that the summary keeps is changed in it; one that
  it does not keep was older than everything kept, and so is the new one: nothing changes;
- a new value goes in, and what falls past the kept count goes out;
- ROI totals are exact decimals as `summarise` adds them (`sum(values, Decimal(0))`), whose
  text depends on every value of the month: a month a change falls in is summed again from
  its values as recorded (read by the caller, `roi`) with the changes made.
A total past `DIGITS` digits (where the full sum might have rounded, in an order not known
here), a period that moved under its label, a key changed twice, and a summary or ROI values
that contradict the changes' old values give None.
"""

from __future__ import annotations

import decimal
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from bot.health.rules import MetricPoint, month_of
from bot.health.summary import MAX_MONTHS, MAX_WEEKS, SENTIMENTS_KEPT, HealthSummary

Change = tuple[MetricPoint | None, MetricPoint]  # (as recorded or None, the new value)
DIGITS = 20  # a total of more digits may have been rounded by the full sum: not updated


class _Unknown(Exception):
    """The update cannot be decided from the summary alone."""


def updated(
    summary: HealthSummary, changes: Sequence[Change], roi: Sequence[MetricPoint] = ()
) -> HealthSummary | None:
    """`summarise` over the values the summary was made from, with the changes made; None
    when only the values themselves can tell (see the module's docstring). roi: every ROI
    value recorded, before the changes, in the months of the ROI changes."""
    keys = {(new.period.label, new.metric) for _, new in changes}
    if len(keys) != len(changes):
        return None
    rue = [list(k) for k in summary.rue]
    sentiment = [list(k) for k in summary.sentiment]
    months = [list(k) for k in summary.roi]
    roi_changes = []
    try:
        for old, new in changes:
            if old is not None and old.period != new.period:
                return None  # moved under its label: what takes its slot is not known
            if old is not None and old.value == new.value:
                continue
            if new.metric == "rue":
                if new.period.kind == "week":
                    _rue(rue, old, new)
            elif new.metric == "sentiment":
                _sentiment(sentiment, old, new)
            elif new.metric == "roi":
                roi_changes.append((old, new))
        if roi_changes:
            _roi(months, roi_changes, roi)
    except (_Unknown, decimal.DecimalException):
        return None
    return HealthSummary(rue, sentiment, months)


def _rue(kept: list[list[Any]], old: MetricPoint | None, new: MetricPoint) -> None:
    start = new.period.start.toordinal()
    for entry in kept:
        if entry[0] == start:
            if old is None:
                raise _Unknown  # kept, yet not recorded
            entry[1] = new.value
            return
    full = len(kept) >= MAX_WEEKS
    if old is not None:  # recorded, not kept: only right if older than all kept
        if not full or start > kept[-1][0]:
            raise _Unknown
        return
    if full and start < kept[-1][0]:
        return
    kept.append([start, new.value])
    kept.sort(key=lambda entry: entry[0], reverse=True)
    del kept[MAX_WEEKS:]


def _sentiment(kept: list[list[Any]], old: MetricPoint | None, new: MetricPoint) -> None:
    period = new.period
    entry_new = [period.start.toordinal(), period.end.toordinal(), period.kind, period.label]
    for entry in kept:
        if entry[3] == period.label and entry[2] == period.kind:
            if old is None or entry[:4] != entry_new:
                raise _Unknown
            entry[4] = new.value
            return
    same_kind = [entry for entry in kept if entry[2] == period.kind]
    order = (entry_new[0], entry_new[1])
    full = len(same_kind) >= SENTIMENTS_KEPT
    earliest = min(((e[0], e[1]) for e in same_kind), default=None)
    if old is not None:
        if not full or earliest is None or order > earliest:
            raise _Unknown
        return
    if full and earliest is not None and order < earliest:
        return
    kept.append([*entry_new, new.value])
    if full:  # the earliest of its kind goes
        kept.remove(next(e for e in kept if e[2] == period.kind and (e[0], e[1]) == earliest))
    orders = [(e[0], e[1]) for e in kept]
    if len(set(orders)) != len(orders):
        raise _Unknown  # periods of two kinds with one span: summarise's order is the input's
    kept.sort(key=lambda e: (e[0], e[1]))


def _roi(months: list[list[Any]], changes: list[Change], recorded: Sequence[MetricPoint]) -> None:
    """The months the ROI changes fall in, summed again from their values as recorded
    (`recorded`: every ROI value of those months) with the changes made."""
    values: dict[int, dict[str, MetricPoint]] = {}
    for p in recorded:
        values.setdefault(_index(month_of(p.period)), {})[p.period.label] = p
    for old, new in changes:
        index = _index(month_of(new.period))
        known = values.setdefault(index, {})
        if (old is None) != (new.period.label not in known):
            raise _Unknown  # the values read are not the ones the changes were read with
        known[new.period.label] = new
    for index in sorted({_index(month_of(new.period)) for _, new in changes}):
        at = next((i for i, entry in enumerate(months) if entry[0] == index), None)
        if at is None and len(months) >= MAX_MONTHS and index < months[-1][0]:
            continue  # older than every month kept
        own: list[Decimal] = []
        spill: list[Decimal] = []
        for p in values[index].values():
            (spill if p.period.start < month_of(p.period) else own).append(Decimal(str(p.value)))
        total, spilled = _exact_sum(own), _exact_sum(spill)
        entry = [index, str(total), len(own), str(spilled), len(spill)]
        if at is None:
            months.append(entry)
        else:
            months[at] = entry
    months.sort(key=lambda e: e[0], reverse=True)
    del months[MAX_MONTHS:]


def _index(month: date) -> int:
    return month.year * 12 + month.month - 1


def _exact_sum(values: list[Decimal]) -> Decimal:
    """sum(values, Decimal(0)) as `summarise` adds them, refused past DIGITS digits."""
    total = sum(values, Decimal(0))
    if len(total.as_tuple().digits) > DIGITS:
        raise _Unknown
    return total
