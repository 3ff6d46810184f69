"""The fit-score radar as PNG bytes, drawn with matplotlib's object API (safe off the main
thread), and the alt text that says what it shows."""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from bot.fonts import chart_font
from bot.numbers import format_ratio
from bot.scoring.rules import DIMENSIONS

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from matplotlib.projections.polar import PolarAxes

MAX_PARTNERS = 4
NAME_IN_LEGEND = 30  # characters; the message beside the chart has the whole name
ALT_TEXT_MAX = 1000  # characters Slack keeps of an image's alt text
_COLOURS = ("#1f4e79", "#c0392b", "#27ae60", "#8e44ad")


@dataclass(frozen=True)
class RadarSeries:
    """One partner's outline: its name, and its values by dimension (None: not rated)."""

    name: str
    values: Mapping[str, float | None]

    @property
    def unrated(self) -> tuple[str, ...]:
        """The dimensions with no value, in DIMENSIONS order."""
        return tuple(d for d in DIMENSIONS if self.values.get(d) is None)


def legend_label(series: RadarSeries) -> str:
    """The partner's name, and which dimensions have no value (they are not drawn)."""
    name = _clip(series.name, NAME_IN_LEGEND)
    if len(series.unrated) == len(DIMENSIONS):
        return f"{name}\n(not rated)"
    if series.unrated:
        return f"{name}\n(unrated, not drawn: {', '.join(series.unrated)})"
    return name


def radar_figure(series: Sequence[RadarSeries]) -> Figure:
    """A radar of the six fit dimensions, one outline per partner (up to four), 0 to 100.

    An unrated dimension is a gap in its partner's outline, never a point at 0, and the
    legend names it; only a fully rated outline is filled.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    if not 1 <= len(series) <= MAX_PARTNERS:
        raise ValueError("a radar shows one to four partners")
    angles = [2 * math.pi * i / len(DIMENSIONS) for i in range(len(DIMENSIONS))]
    closed = [*angles, angles[0]]
    figure = Figure(figsize=(6, 6), dpi=100)
    FigureCanvasAgg(figure)
    ax = cast("PolarAxes", figure.add_subplot(projection="polar"))
    for one, colour in zip(series, _COLOURS, strict=False):
        radii = [math.nan if v is None else v for v in (one.values.get(d) for d in DIMENSIONS)]
        ring = [*radii, radii[0]]
        ax.plot(closed, ring, color=colour, marker="o", markersize=4, label=legend_label(one))
        if not one.unrated:
            ax.fill(closed, ring, color=colour, alpha=0.12)
    ax.set_xticks(angles, list(DIMENSIONS))
    ax.set_ylim(0, 100)
    ax.set_yticks([20, 40, 60, 80, 100])
    ax.set_rlabel_position(30)  # between brand and users, off every spoke
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.08), frameon=False, prop=chart_font(10))
    figure.suptitle("Fit dimensions (0-100)")
    return figure


def render_radar_png(series: Sequence[RadarSeries]) -> bytes:
    """The radar as PNG bytes. Blocking: run in a thread."""
    buffer = io.BytesIO()
    # A tight box grows the image to hold the legend, however many names it lists.
    radar_figure(series).savefig(buffer, format="png", bbox_inches="tight", pad_inches=0.2)
    return buffer.getvalue()


def radar_alt_text(series: Sequence[RadarSeries]) -> str:
    """What the radar shows, for a screen reader: each partner's value per dimension."""
    parts = []
    for one in series:
        rated = [
            f"{d} {format_ratio(v)}" for d in DIMENSIONS if (v := one.values.get(d)) is not None
        ]
        text = f"{one.name}: {', '.join(rated)}" if rated else f"{one.name}: not rated"
        if rated and one.unrated:
            text += f" (not rated: {', '.join(one.unrated)}, left out)"
        parts.append(text + ".")
    head = "Radar chart of the six fit dimensions, 0 to 100, one outline per partner. "
    return _clip(head + " ".join(parts), ALT_TEXT_MAX)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
