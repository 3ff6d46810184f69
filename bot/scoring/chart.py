"""The fit-score radar as PNG bytes, drawn with matplotlib's object API (safe off the main
thread)."""

from __future__ import annotations

import io


def render_radar_png(series: list[dict[str, float | None]], labels: list[str]) -> bytes:
    """A radar of the six fit dimensions, one outline per partner (up to four), 0 to 100.

    labels name the outlines in the legend; callers pass letters (A, B, ...) and say in the
    message which partner each one is, so the image needs no fonts for partners' names.
    Blocking: run in a thread.
    """
    import math

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from bot.scoring.rules import DIMENSIONS

    if not 1 <= len(series) <= 4 or len(labels) != len(series):
        raise ValueError("a radar shows one to four partners, each with a label")
    angles = [2 * math.pi * i / len(DIMENSIONS) for i in range(len(DIMENSIONS))]
    figure = Figure(figsize=(6, 6), dpi=100)
    FigureCanvasAgg(figure)
    ax = figure.add_subplot(projection="polar")
    colours = ("#1f4e79", "#c0392b", "#27ae60", "#8e44ad")
    for values, label, colour in zip(series, labels, colours, strict=False):
        points = [values.get(d) or 0.0 for d in DIMENSIONS]
        ax.plot([*angles, angles[0]], [*points, points[0]], color=colour, label=label)
        ax.fill([*angles, angles[0]], [*points, points[0]], color=colour, alpha=0.12)
    ax.set_xticks(angles, list(DIMENSIONS))
    ax.set_ylim(0, 100)
    ax.set_yticks([20, 40, 60, 80, 100])
    ax.legend(loc="upper right", bbox_to_anchor=(1.15, 1.1))
    figure.suptitle("Fit dimensions (0-100)")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
