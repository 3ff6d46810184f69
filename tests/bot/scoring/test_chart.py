"""The fit radar: partners by name, unrated dimensions left out (never drawn at 0)."""

from __future__ import annotations

import math
import warnings

import pytest

from bot.scoring.chart import (
    ALT_TEXT_MAX,
    RadarSeries,
    legend_label,
    radar_alt_text,
    radar_figure,
    render_radar_png,
)
from bot.scoring.rules import DIMENSIONS

FULL = dict(zip(DIMENSIONS, (80.0, 70.0, 65.0, 72.0, 60.0, 75.0), strict=True))
NO_TONE = {d: v for d, v in FULL.items() if d != "tone"}


def test_an_unrated_dimension_is_a_gap_not_a_point_at_zero() -> None:
    figure = radar_figure([RadarSeries("Acme", NO_TONE), RadarSeries("Beta", FULL)])
    ax = figure.axes[0]
    partial, full = ax.lines[:2]
    radii = list(partial.get_ydata())
    tone = DIMENSIONS.index("tone")
    assert math.isnan(radii[tone])
    assert 0.0 not in radii
    assert [r for i, r in enumerate(radii[: len(DIMENSIONS)]) if i != tone] == list(
        NO_TONE.values()
    )
    assert list(full.get_ydata()) == [*FULL.values(), FULL["brand"]]
    # Only the fully rated outline is filled: a fill would close over the gap.
    assert len(ax.patches) == 1


def test_a_partner_with_no_rating_draws_nothing_and_says_so() -> None:
    ax = radar_figure([RadarSeries("Quiet Co", {}), RadarSeries("Beta", FULL)]).axes[0]
    assert all(math.isnan(r) for r in ax.lines[0].get_ydata())
    legend = ax.get_legend()
    assert legend is not None
    assert [t.get_text() for t in legend.get_texts()] == ["Quiet Co\n(not rated)", "Beta"]


def test_the_legend_names_partners_and_their_unrated_dimensions() -> None:
    series = [RadarSeries("李佳琦直播间", NO_TONE), RadarSeries("Acme Media", {"brand": 50.0})]
    legend = radar_figure(series).axes[0].get_legend()
    assert legend is not None
    assert [t.get_text() for t in legend.get_texts()] == [
        "李佳琦直播间\n(unrated, not drawn: tone)",
        "Acme Media\n(unrated, not drawn: users, channel, audience, traffic, tone)",
    ]
    assert legend_label(RadarSeries("x" * 50, FULL)) == "x" * 29 + "…"


def test_chinese_names_render_with_no_missing_glyph() -> None:
    series = [
        RadarSeries(name, FULL) for name in ("李佳琦直播间", "星河传媒", "小红书", "抖音 KOC")
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph ... missing from font(s)"
        png = render_radar_png(series)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")


@pytest.mark.parametrize("count", [0, 5])
def test_one_to_four_partners(count: int) -> None:
    with pytest.raises(ValueError, match="one to four"):
        radar_figure([RadarSeries(f"P{i}", FULL) for i in range(count)])


def test_alt_text_gives_each_partners_values_and_what_is_not_rated() -> None:
    text = radar_alt_text(
        [RadarSeries("李佳琦直播间", NO_TONE), RadarSeries("Acme", FULL), RadarSeries("Q", {})]
    )
    assert text == (
        "Radar chart of the six fit dimensions, 0 to 100, one outline per partner. "
        "李佳琦直播间: brand 80, users 70, channel 65, audience 72, traffic 60 "
        "(not rated: tone, left out). "
        "Acme: brand 80, users 70, channel 65, audience 72, traffic 60, tone 75. "
        "Q: not rated."
    )
    many = radar_alt_text([RadarSeries("名" * 80, FULL)] * 4)
    assert len(many) <= ALT_TEXT_MAX
