"""The health trend chart as PNG bytes, drawn with matplotlib's object API (safe off the
main thread)."""

from __future__ import annotations

import io

from bot.health.rules import MetricPoint
from bot.metrics import METRICS

# The metrics a health chart shows, one small panel each, in this order.
CHART_METRICS = ("rue", "roi", "sentiment", "gmv", "traffic")


def render_trend_png(points: list[MetricPoint], guides: dict[str, float] | None = None) -> bytes:
    """One panel per metric with data, periods along the bottom. Blocking: run in a thread.

    The image holds no user text (a name in Chinese would need fonts the server may lack);
    the partner's name goes in the Slack message that carries it. guides draws a dashed
    line per metric, such as the utilisation threshold or the ROI floor.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    series = {
        metric: sorted(
            (p for p in points if p.metric == metric), key=lambda p: (p.period.end, p.period.start)
        )
        for metric in CHART_METRICS
    }
    shown = [m for m in CHART_METRICS if series[m]]
    if not shown:
        raise ValueError("no metrics to chart")
    figure = Figure(figsize=(8, 1.9 * len(shown) + 0.6), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.subplots(len(shown), 1, squeeze=False)[:, 0]
    for ax, metric in zip(axes, shown, strict=True):
        values = series[metric]
        labels = [p.period.label for p in values]
        ax.plot(range(len(values)), [p.value for p in values], marker="o", color="#1f4e79")
        ax.set_ylabel(metric, rotation=0, ha="right", va="center")
        ax.set_title(METRICS[metric].label, fontsize=9, loc="left")
        ax.set_xticks(range(len(values)), labels, fontsize=7, rotation=30, ha="right")
        if guides and metric in guides:
            ax.axhline(guides[metric], color="#c0392b", linestyle="--", linewidth=1)
        ax.grid(alpha=0.3)
    figure.suptitle("Metrics by period")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
