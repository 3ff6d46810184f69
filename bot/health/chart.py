"""The health trend chart as PNG bytes, drawn with matplotlib's object API (safe off the
main thread), and the alt text that says what it shows."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from bot.fonts import chart_font
from bot.health.rules import MetricPoint
from bot.metrics import METRICS
from bot.numbers import format_amount, format_ratio

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# The metrics a health chart shows, in this order.
CHART_METRICS = ("rue", "roi", "sentiment", "gmv", "traffic")
# Kinds of period, each in its own panel: a month's GMV is not on a week's scale.
PERIOD_KINDS = {"week": "weekly", "month": "monthly", "day": "daily"}
ALT_TEXT_MAX = 1000  # characters Slack keeps of an image's alt text

Panel = tuple[str, str, list[MetricPoint]]  # metric, kind of period, points by period end


def trend_panels(points: list[MetricPoint]) -> list[Panel]:
    """One panel per metric and kind of period with data, in CHART_METRICS then
    PERIOD_KINDS order, each panel's points sorted by the end of their period."""
    panels: list[Panel] = []
    for metric in CHART_METRICS:
        for kind in PERIOD_KINDS:
            shown = [p for p in points if p.metric == metric and p.period.kind == kind]
            if shown:
                panels.append((metric, kind, sorted(shown, key=lambda p: p.period.end)))
    return panels


def trend_figure(
    points: list[MetricPoint], guides: dict[str, float] | None = None, partner: str = ""
) -> Figure:
    """One panel per metric and kind of period, each value placed at its period's end date.

    guides draws a dashed line per metric, such as the utilisation threshold or the ROI
    floor. partner names the chart, in a font that has Chinese.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    panels = trend_panels(points)
    if not panels:
        raise ValueError("no metrics to chart")
    figure = Figure(figsize=(8, 1.9 * len(panels) + 0.6), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.subplots(len(panels), 1, squeeze=False)[:, 0]
    for ax, (metric, kind, shown) in zip(axes, panels, strict=True):
        ends = [p.period.end.toordinal() for p in shown]  # days, so weeks space out evenly
        ax.plot(ends, [p.value for p in shown], marker="o", color="#1f4e79")
        ax.set_ylabel(metric, rotation=0, ha="right", va="center")
        ax.set_title(f"{METRICS[metric].label}, {PERIOD_KINDS[kind]}", fontsize=9, loc="left")
        labels = [p.period.label for p in shown]
        ax.set_xticks(ends, labels, fontsize=7, rotation=30, ha="right")
        if guides and metric in guides:
            ax.axhline(guides[metric], color="#c0392b", linestyle="--", linewidth=1)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: chart_number(value)))
        ax.grid(alpha=0.3)
    title = f"{partner}: metrics by period" if partner else "Metrics by period"
    figure.suptitle(title, fontproperties=chart_font(12))
    figure.tight_layout()
    return figure


def render_trend_png(
    points: list[MetricPoint], guides: dict[str, float] | None = None, partner: str = ""
) -> bytes:
    """The trend chart as PNG bytes. Blocking: run in a thread."""
    buffer = io.BytesIO()
    trend_figure(points, guides, partner).savefig(buffer, format="png")
    return buffer.getvalue()


def trend_alt_text(
    partner: str, points: list[MetricPoint], guides: dict[str, float] | None = None
) -> str:
    """What the trend chart shows, for a screen reader: each panel's periods and values."""
    panels = trend_panels(points)
    parts = []
    for metric, kind, shown in panels:
        first, last = shown[0].period.label, shown[-1].period.label
        span = first if first == last else f"{first} to {last}"
        values = ", ".join(chart_number(p.value) for p in shown)
        parts.append(f"{METRICS[metric].label}, {PERIOD_KINDS[kind]}, {span}: {values}.")
    shown_metrics = {metric for metric, _, _ in panels}
    lines = [f"{m} {chart_number(v)}" for m, v in (guides or {}).items() if m in shown_metrics]
    if lines:
        parts.append(f"Dashed lines: {', '.join(lines)}.")
    head = f"Line charts of {partner}'s metrics by period end date, one per metric and kind "
    return _clip(head + "of period. " + " ".join(parts), ALT_TEXT_MAX)


def chart_number(value: float) -> str:
    """A value as the chart's axes and alt text show it: plain, with thousands separators
    from 1,000 up (4,200,000, not 4.2e+06)."""
    return format_amount(value) if abs(value) >= 1000 else format_ratio(value)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
