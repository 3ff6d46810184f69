"""The CJK font shipped for charts: present, licensed, and what makes Chinese render."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from bot.fonts import CJK_FAMILY, CJK_FONT_FILE, chart_font

NAME = "李佳琦直播间"


def draw_title(families: tuple[str, ...] | None = None) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(3, 1))
    FigureCanvasAgg(figure)
    font = chart_font(12) if families is None else chart_font(12, families)
    figure.suptitle(NAME, fontproperties=font)
    figure.canvas.draw()


def test_the_font_and_its_licence_ship_in_the_package() -> None:
    assert CJK_FONT_FILE.is_file()
    assert 1_000_000 < CJK_FONT_FILE.stat().st_size < 8_000_000  # a subset, not all of CJK
    licence = (Path(CJK_FONT_FILE).parent / "OFL.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in licence and "Adobe" in licence


def test_the_font_covers_common_and_less_common_hanzi() -> None:
    from matplotlib.ft2font import FT2Font

    font = FT2Font(str(CJK_FONT_FILE))
    assert font.family_name == CJK_FAMILY
    charmap = font.get_charmap()
    for ch in NAME + "星河传媒抖音小红书喆堃犇“”—…":
        assert ord(ch) in charmap, ch


def test_a_chinese_name_draws_with_no_missing_glyph() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        draw_title()


def test_without_the_cjk_font_the_same_name_warns_of_missing_glyphs() -> None:
    # The check above would catch a missing font: matplotlib's own font has no hanzi.
    with pytest.warns(UserWarning, match="missing from font"):
        draw_title(("DejaVu Sans",))
