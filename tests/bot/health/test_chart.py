"""Trend charts as PNG bytes: blocking work that runs in a worker thread."""

from __future__ import annotations

import asyncio
import struct

import pytest

from bot.health.chart import render_trend_png
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
