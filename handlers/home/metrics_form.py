"""The Record metrics form opened from Home: a partner's name, a period and the metrics,
read with the same parsers as `/partner metrics`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.errors import RuleError
from bot.metrics import METRICS, Period, parse_metric, read_period, week_of
from bot.text_checks import text_refusal
from handlers.blocks import Block, context, field_error, modal
from handlers.forms import state_value, text_input
from handlers.ids import HomeView

NAME, PERIOD = "name", "period"
HINTS = {
    "percent": "A percentage, 0-100 (35 or 35%).",
    "ratio": "A ratio: 2.1 means 1:2.1.",
    "amount": "An amount: 120000 or 120,000.",
}


def build_metrics_modal(today: date) -> dict[str, Any]:
    """The empty form; the period defaults to the current ISO week."""
    week = week_of(today).label
    blocks: list[Block] = [
        text_input(
            NAME, "Partner", optional=False, max_length=200, hint="Its name, as registered."
        ),
        text_input(
            PERIOD,
            "Period",
            hint=f"An ISO week (2026-W47), a month (2026-11) or a date. Empty: this week, {week}.",
            max_length=20,
        ),
        *(
            text_input(key, f"{key}: {spec.label}", hint=HINTS[spec.kind], max_length=40)
            for key, spec in METRICS.items()
        ),
        context("Fill in the metrics you have; a value recorded again replaces the old one."),
    ]
    return modal("Record metrics", blocks, callback_id=HomeView.METRICS_SUBMIT, submit="Record")


@dataclass(frozen=True)
class MetricsForm:
    """What a submitted form asks to record."""

    name: str
    values: dict[str, float]
    period: Period


def read_metrics_form(values: dict[str, Any], today: date) -> MetricsForm | dict[str, str]:
    """The request the form makes, or an error for each input that is wrong."""
    errors: dict[str, str] = {}
    name = (state_value(values, NAME) or "").strip()
    if not name:
        errors[NAME] = "Give the partner's name."
    elif refusal := text_refusal("The name", name):
        errors[NAME] = field_error(refusal)
    period = week_of(today)
    raw_period = (state_value(values, PERIOD) or "").strip()
    if raw_period:
        try:
            period = read_period(raw_period, today)
        except RuleError as err:
            errors[PERIOD] = field_error(err)
    metrics: dict[str, float] = {}
    for key in METRICS:
        raw = (state_value(values, key) or "").strip()
        if not raw:
            continue
        try:
            metrics[key] = parse_metric(key, raw)
        except RuleError as err:
            errors[key] = field_error(err)
    if not metrics and not any(key in errors for key in METRICS):
        errors[next(iter(METRICS))] = "Give at least one metric."
    return errors or MetricsForm(name, metrics, period)
