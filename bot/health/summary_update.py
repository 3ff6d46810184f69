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
- ROI totals are exact decimals as `summarise` adds them (`sum(values, Decimal(0))`): the new
  total is the old one minus the replaced value plus the new one, exact by construction; its
  text is the full sum's text when its exponent is the one that sum would have (the least of
  its values' and 0), which is known unless the replaced value held that least exponent and
  the new one has a larger one. That case, a total past `DIGITS` digits (where the full sum
  might have rounded), a period that moved under its label, a key changed twice, and a
  summary that contradicts the values (stale, or kept counts it would not keep) give None.
"""

from __future__ import annotations

import decimal
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from bot.health.rules import MetricPoint, month_of
from bot.health.summary import MAX_MONTHS, MAX_WEEKS, SENTIMENTS_KEPT, HealthSummary

Change = tuple[MetricPoint | None, MetricPoint]  # (as recorded or None, the new value)
DIGITS = 20  # a total of more digits may have been rounded by the full sum: not updated
_EXACT = decimal.Context(prec=28, traps=[decimal.Inexact, decimal.InvalidOperation])


class _Unknown(Exception):
    """The update cannot be decided from the summary alone."""


def updated(summary: HealthSummary, changes: Sequence[Change]) -> HealthSummary | None:
    """`summarise` over the values the summary was made from, with the changes made; None
    when only the values themselves can tell (see the module's docstring)."""
    keys = {(new.period.label, new.metric) for _, new in changes}
    if len(keys) != len(changes):
        return None
    rue = [list(k) for k in summary.rue]
    sentiment = [list(k) for k in summary.sentiment]
    roi = [list(k) for k in summary.roi]
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
                _roi(roi, old, new)
    except (_Unknown, decimal.DecimalException):
        return None
    return HealthSummary(rue, sentiment, roi)


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


def _roi(months: list[list[Any]], old: MetricPoint | None, new: MetricPoint) -> None:
    month = month_of(new.period)
    index = month.year * 12 + month.month - 1
    spill = new.period.start < month  # a week starting in the month before
    value = Decimal(str(new.value))
    for entry in months:
        if entry[0] == index:
            total_at, count_at = (3, 4) if spill else (1, 2)
            total = Decimal(entry[total_at])
            if old is None:
                result = _EXACT.add(total, value)
                entry[count_at] += 1
            else:
                before = Decimal(str(old.value))
                if entry[count_at] < 1:
                    raise _Unknown
                exp_before = int(before.as_tuple().exponent)
                exp_total = int(total.as_tuple().exponent)
                if exp_before <= exp_total and int(value.as_tuple().exponent) > exp_before:
                    raise _Unknown  # the replaced value may have set the total's exponent
                result = _EXACT.add(_EXACT.subtract(total, before), value)
            if len(result.as_tuple().digits) > DIGITS or len(total.as_tuple().digits) > DIGITS:
                raise _Unknown
            entry[total_at] = str(result)
            return
    full = len(months) >= MAX_MONTHS
    if old is not None:  # recorded, not kept: only right if older than every kept month
        if not full or index > months[-1][0]:
            raise _Unknown
        return
    if full and index < months[-1][0]:
        return
    own = _EXACT.add(Decimal(0), value)
    entry = [index, "0", 0, str(own), 1] if spill else [index, str(own), 1, "0", 0]
    months.append(entry)
    months.sort(key=lambda e: e[0], reverse=True)
    del months[MAX_MONTHS:]
