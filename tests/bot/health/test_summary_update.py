"""A stored summary brought up to date with a few values (`updated`) is `summarise` over every
value after them, text for text, or None: on generated partners whose values are replaced and
added in every kind of period, out of order, with ROI values of every exponent."""

import random
from datetime import date, timedelta

from bot.health.rules import MetricPoint, month_of
from bot.health.summary import from_json, summarise, to_json
from bot.health.summary_update import updated
from bot.metrics import parse_period, week_of

TODAY = date(2026, 11, 22)
RUE = (12.5, 40.0, 61.25, 0.5, 88.0)
ROI = (2.1, 2.0999, 0.1, 0.001, 3.3, 999.123456789, 0.30000000000000004, 1.5, 2.0, 1.25)
SENTIMENT = (70.0, 64.5, 12.0, 0.0, 99.9)


def _label(rng: random.Random) -> str:
    kind = rng.choice(("week", "week", "month", "day"))
    if kind == "week":
        return week_of(TODAY - timedelta(weeks=rng.randint(-1, 60))).label
    if kind == "month":
        index = TODAY.year * 12 + TODAY.month - 1 - rng.randint(0, 18)
        return f"{index // 12}-{index % 12 + 1:02d}"
    return (TODAY - timedelta(days=rng.randint(0, 500))).isoformat()


def _value(rng: random.Random, metric: str) -> float:
    return rng.choice({"rue": RUE, "roi": ROI, "sentiment": SENTIMENT}[metric])


def _partner(rng: random.Random) -> dict[tuple[str, str], MetricPoint]:
    values: dict[tuple[str, str], MetricPoint] = {}
    for _ in range(rng.randint(0, 80)):
        label, metric = _label(rng), rng.choice(("rue", "roi", "sentiment"))
        values[(label, metric)] = MetricPoint(1, parse_period(label), metric, _value(rng, metric))
    return values


def test_an_updated_summary_is_the_full_computation_or_none() -> None:
    rng = random.Random(12)
    decided = unknown = 0
    for _ in range(1500):
        values = _partner(rng)
        stored = from_json(to_json(summarise(list(values.values()))))  # as read back
        changes = []
        keys = list(values)
        for _ in range(rng.randint(1, 12)):
            if keys and rng.random() < 0.5:
                label, metric = keys.pop(rng.randrange(len(keys)))
            else:
                label, metric = _label(rng), rng.choice(("rue", "roi", "sentiment"))
                if any(new.period.label == label and new.metric == metric for _, new in changes):
                    continue
            new = MetricPoint(1, parse_period(label), metric, _value(rng, metric))
            changes.append((values.get((label, metric)), new))
        after = dict(values)
        after.update({(new.period.label, new.metric): new for _, new in changes})
        months = {month_of(new.period) for _, new in changes if new.metric == "roi"}
        roi = [p for p in values.values() if p.metric == "roi" and month_of(p.period) in months]
        result = updated(stored, changes, roi)
        if result is None:
            unknown += 1
            continue
        decided += 1
        assert to_json(result) == to_json(summarise(list(after.values())))
    assert decided > 10 * unknown, (decided, unknown)


def test_a_replaced_roi_is_summed_again_from_its_months_values() -> None:
    """The total's text is the full sum's, whose exponent the other values of the month set
    (1.25 replaced by 1.5 gives 1.5 alone, 2.75 beside a 1.25)."""
    month = parse_period("2026-10")
    week = parse_period("2026-W41")
    old, other = MetricPoint(1, month, "roi", 1.25), MetricPoint(1, week, "roi", 1.25)
    new = MetricPoint(1, month, "roi", 1.5)
    alone = updated(summarise([old]), [(old, new)], [old])
    assert alone is not None and alone.roi[0][1] == "1.5" == summarise([new]).roi[0][1]
    both = updated(summarise([old, other]), [(old, new)], [old, other])
    assert both is not None and both.roi == summarise([new, other]).roi
    assert both.roi[0][1] == "2.75"
    assert updated(summarise([old]), [(old, new)], []) is None  # the values contradict it


def test_a_period_that_moved_under_its_label_or_a_key_given_twice_is_not_decided() -> None:
    week = parse_period("2026-W40")
    other = week_of(week.start - timedelta(weeks=1))
    old = MetricPoint(1, week, "rue", 10.0)
    stored = summarise([old])
    moved = MetricPoint(1, type(week)(other.start, other.end, "week", week.label), "rue", 5.0)
    assert updated(stored, [(old, moved)]) is None
    twice = [(None, MetricPoint(1, other, "rue", 1.0)), (None, MetricPoint(1, other, "rue", 2.0))]
    assert updated(stored, twice) is None
    assert updated(stored, twice[:1]) == summarise([old, twice[0][1]])
