"""A metric chunk's staged records are metric_params of each row with its position, on
both engines' dialects, whether rows share a period object or only its label."""

import pytest

from bot.metrics import Period, parse_period
from bot.registry.ports import MetricRow
from storage.tx.base import POSTGRES, SQLITE, Dialect
from storage.tx.imports import _STAGE_COLUMNS, _stage_records
from storage.tx.registry import metric_params


@pytest.mark.parametrize("dialect", [SQLITE, POSTGRES], ids=["sqlite", "postgresql"])
def test_staged_parameters_are_metric_params_with_the_position(dialect: Dialect) -> None:
    week = parse_period("2026-W40")
    moved = Period(parse_period("2026-W39").start, parse_period("2026-W39").end, "week", week.label)
    rows = [
        MetricRow("T1", 7, week, "rue", 40),  # an int value: staged as a float
        MetricRow("T1", 7, week, "gmv", 1234.5),
        MetricRow("T1", 8, parse_period("2026-W40"), "roi", 2.1),  # an equal period, not the same
        MetricRow("T1", 8, moved, "sentiment", 70.0),  # the label with other days
        MetricRow("T1", 9, parse_period("2026-11"), "traffic", 9000.0),
        MetricRow("T1", 9, parse_period("2026-11-02"), "roi", 0.5),
    ]
    staged = [dict(zip(_STAGE_COLUMNS, r, strict=True)) for r in _stage_records(rows, dialect)]
    assert staged == [{"idx": idx, **metric_params(row, dialect)} for idx, row in enumerate(rows)]
    assert [type(p["value"]) for p in staged] == [float] * len(rows)
    assert staged[3]["period_start"] != staged[0]["period_start"]
