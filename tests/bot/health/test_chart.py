"""Trend charts as PNG bytes: blocking work that runs in a worker thread."""

from __future__ import annotations

import asyncio
import itertools
import struct
import warnings
from datetime import date

import pytest

from bot.health.chart import (
    ALT_TEXT_MAX,
    render_trend_png,
    trend_alt_text,
    trend_figure,
    trend_panels,
)
from bot.health.rules import MetricPoint
from bot.metrics import parse_period

PNG = b"\x89PNG\r\n\x1a\n"


def point(period: str, metric: str, value: float) -> MetricPoint:
    return MetricPoint(1, parse_period(period), metric, value)


def weekly(metric: str, *values: float) -> list[MetricPoint]:
    return [point(f"2026-W{44 + i}", metric, v) for i, v in enumerate(values)]


def size(png: bytes) -> tuple[int, int]:
    """Width and height from the PNG's IHDR chunk."""
    assert png[12:16] == b"IHDR"
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def test_renders_png_bytes() -> None:
    png = render_trend_png(weekly("rue", 30, 45, 50, 38))
    assert isinstance(png, bytes)
    assert png.startswith(PNG)
    assert len(png) > 1000


async def test_renders_from_a_worker_thread() -> None:
    points = weekly("rue", 30, 45) + weekly("sentiment", 70, 49)
    png = await asyncio.to_thread(render_trend_png, points, {"rue": 40.0})
    assert png.startswith(PNG)


async def test_renders_in_several_threads_at_once() -> None:
    jobs = [asyncio.to_thread(render_trend_png, weekly("gmv", i, i + 1)) for i in range(4)]
    for png in await asyncio.gather(*jobs):
        assert png.startswith(PNG)


def test_one_panel_per_metric_present() -> None:
    one = render_trend_png(weekly("rue", 30, 45))
    three = render_trend_png(weekly("rue", 30, 45) + weekly("roi", 2, 3) + weekly("gmv", 1, 2))
    five = render_trend_png(
        weekly("rue", 1, 2)
        + weekly("roi", 1, 2)
        + weekly("sentiment", 1, 2)
        + weekly("gmv", 1, 2)
        + weekly("traffic", 1, 2)
    )
    # 8 inches wide at 100 dpi; 1.9 inches a panel plus 0.6 for the title.
    assert size(one) == (800, 250)
    assert size(three) == (800, 630)
    assert size(five) == (800, 1010)


def test_metrics_outside_the_chart_are_left_out() -> None:
    with_extra = render_trend_png(
        weekly("rue", 30, 45) + weekly("conversion", 1, 2) + weekly("aov", 3, 4)
    )
    assert size(with_extra) == (800, 250)


@pytest.mark.parametrize(
    "points",
    [[], weekly("conversion", 1, 2), weekly("redemption", 5) + weekly("aov", 7)],
)
def test_no_chart_metrics_raises(points: list[MetricPoint]) -> None:
    with pytest.raises(ValueError, match="no metrics to chart"):
        render_trend_png(points)


def test_guides_are_accepted() -> None:
    points = weekly("rue", 30, 45) + weekly("roi", 1.5, 2.0)
    png = render_trend_png(points, {"rue": 40.0, "roi": 1.75, "sentiment": 50.0})
    assert png.startswith(PNG)
    assert png != render_trend_png(points)


def test_a_single_value_and_mixed_periods_render() -> None:
    points = [
        point("2026-W47", "sentiment", 70.0),
        point("2026-11", "roi", 2.0),
        point("2026-10", "roi", 2.5),
        point("2026-11-20", "gmv", 100.0),
    ]
    png = render_trend_png(points)
    assert size(png) == (800, 630)


# --- periods of different kinds, names and alt text -------------------------------


def test_a_month_and_a_week_ending_on_the_same_day_are_not_merged() -> None:
    # 2026-W22 runs to Sunday 31 May, the last day of 2026-05.
    points = [point("2026-W22", "rue", 40.0), point("2026-05", "rue", 60.0)]
    figure = trend_figure(points)
    weekly, monthly = figure.axes
    assert weekly.get_title(loc="left") == "resource utilisation %, weekly"
    assert monthly.get_title(loc="left") == "resource utilisation %, monthly"
    end = date(2026, 5, 31).toordinal()
    for ax, value in ((weekly, 40.0), (monthly, 60.0)):
        [line] = ax.lines[:1]
        assert list(line.get_xdata()) == [end]
        assert list(line.get_ydata()) == [value]


def test_values_sit_at_their_period_end_dates_in_separate_panels_per_kind() -> None:
    points = [
        point("2026-W44", "gmv", 100.0),
        point("2026-W46", "gmv", 120.0),  # two weeks later: twice the gap, not one step
        point("2026-W47", "gmv", 130.0),
        point("2026-10", "gmv", 400.0),
        point("2026-11-20", "gmv", 15.0),
    ]
    assert [(m, k, [p.period.label for p in ps]) for m, k, ps in trend_panels(points)] == [
        ("gmv", "week", ["2026-W44", "2026-W46", "2026-W47"]),
        ("gmv", "month", ["2026-10"]),
        ("gmv", "day", ["2026-11-20"]),
    ]
    weekly = trend_figure(points).axes[0]
    xs = list(weekly.lines[0].get_xdata())
    assert [b - a for a, b in itertools.pairwise(xs)] == [14, 7]
    assert [t.get_text() for t in weekly.get_xticklabels()] == ["2026-W44", "2026-W46", "2026-W47"]


def test_large_amounts_are_plain_on_the_axis() -> None:
    ax = trend_figure([point("2026-10", "gmv", 4_000_000.0), point("2026-11", "gmv", 4.2e6)]).axes[
        0
    ]
    ax.figure.canvas.draw()
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert "4,200,000" in labels
    assert not any("e" in label for label in labels)


def test_a_chinese_name_is_in_the_chart_with_no_missing_glyph() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph ... missing from font(s)"
        figure = trend_figure(weekly("rue", 30, 45), partner="李佳琦直播间")
        assert figure.get_suptitle() == "李佳琦直播间: metrics by period"
        png = render_trend_png(weekly("rue", 30, 45), partner="李佳琦直播间")
    assert png.startswith(PNG)


def test_alt_text_names_the_partner_metrics_periods_values_and_guides() -> None:
    points = [
        *weekly("rue", 55, 45, 35, 30),
        point("2026-10", "roi", 1.6),
        point("2026-11", "roi", 1.4),
        point("2026-11", "gmv", 4_200_000.0),
    ]
    text = trend_alt_text("李佳琦直播间", points, {"rue": 40.0, "roi": 1.75, "sentiment": 50.0})
    assert text.startswith("Line charts of 李佳琦直播间's metrics by period end date")
    assert "resource utilisation %, weekly, 2026-W44 to 2026-W47: 55, 45, 35, 30." in text
    assert "ROI (output per unit of input), monthly, 2026-10 to 2026-11: 1.6, 1.4." in text
    assert "GMV, monthly, 2026-11: 4,200,000." in text
    assert text.endswith("Dashed lines: rue 40, roi 1.75.")  # no panel, no sentiment line


def test_alt_text_is_cut_to_what_slack_keeps() -> None:
    many = [
        point(f"2026-{m:02d}-{d:02d}", "gmv", 1e6 + d) for m in (8, 9, 10, 11) for d in range(1, 29)
    ]
    text = trend_alt_text("x" * 80, many)
    assert len(text) == ALT_TEXT_MAX and text.endswith("…")
