"""The metrics export: one row per partner and period, in plain numbers that
`parse_metrics_rows` reads back to the same values."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.metrics import METRICS, parse_period
from bot.registry.csv_io import format_metrics, parse_metrics_rows, plain_number
from bot.registry.ports import RecordedMetric


def recorded(name: str, period: str, metric: str, value: float) -> RecordedMetric:
    return RecordedMetric(name, parse_period(period), metric, value)


def test_format_metrics_writes_one_row_per_partner_and_period_in_plain_numbers() -> None:
    text = format_metrics(
        [
            recorded("李佳琦直播间", "2026-W47", "gmv", 1234567.89),
            recorded("李佳琦直播间", "2026-W47", "rue", 35.0),
            recorded("李佳琦直播间", "2026-11", "roi", 3.1),
            recorded("Acme, Inc", "2026-11-20", "traffic", 1e16),
        ]
    )
    assert text.splitlines() == [
        "name,period,rue,roi,sentiment,gmv,traffic,conversion,redemption,aov",
        "李佳琦直播间,2026-W47,35,,,1234567.89,,,,",
        "李佳琦直播间,2026-11,,3.1,,,,,,",
        '"Acme, Inc",2026-11-20,,,,,10000000000000000,,,',
    ]


@pytest.mark.parametrize(
    ("value", "text"),
    [(120000.0, "120000"), (1e-05, "0.00001"), (-0.0, "0"), (0.1, "0.1"), (1e15, "1" + "0" * 15)],
)
def test_plain_number(value: float, text: str) -> None:
    assert plain_number(value) == text


@st.composite
def metric_values(draw: st.DrawFn) -> dict[str, float]:
    keys = draw(st.lists(st.sampled_from(list(METRICS)), min_size=1, unique=True))
    values: dict[str, float] = {}
    for key in keys:
        spec = METRICS[key]
        high = spec.high if spec.high is not None else 1e15
        if spec.whole:
            values[key] = float(draw(st.integers(0, int(high))))
        else:
            values[key] = draw(st.floats(spec.low, high, allow_nan=False, allow_infinity=False))
    return values


@settings(max_examples=150, deadline=None)
@given(st.lists(metric_values(), min_size=1, max_size=4))
def test_format_metrics_then_parse_gives_the_same_values(rows: list[dict[str, float]]) -> None:
    periods = [f"2026-W{week:02d}" for week in range(1, len(rows) + 1)]
    records = [
        recorded("小红书", period, key, value)
        for period, values in zip(periods, rows, strict=True)
        for key, value in values.items()
    ]
    parsed = parse_metrics_rows(format_metrics(records), date(2026, 11, 22))
    assert [(r.period.label, r.values) for r in parsed] == list(zip(periods, rows, strict=True))
