"""The Rate modal: the six dimensions and the success cases, prefilled, and its reading."""

from __future__ import annotations

from typing import Any

from bot.errors import RuleError
from bot.scoring.rules import DIMENSION_LABELS, DIMENSIONS, parse_cases, parse_dimension
from bot.scoring.service import ScoreCard
from handlers.blocks import Block, esc, field_error, plain, section
from handlers.ids import ScoreView
from handlers.payloads import RateMeta


def build_rate_modal(card: ScoreCard, meta: RateMeta) -> dict[str, Any]:
    """The Rate modal, prefilled with the latest rating and the success cases."""

    def number(block_id: str, label: str, initial: float | None, hint: str) -> Block:
        element: dict[str, Any] = {
            "type": "number_input",
            "action_id": "value",
            "is_decimal_allowed": True,
            "min_value": "0",
            "max_value": "100",
        }
        if initial is not None:
            element["initial_value"] = (
                f"{initial:.10g}"  # exact, so an untouched Save changes nothing
            )
        return {
            "type": "input",
            "block_id": block_id,
            "label": plain(label),
            "element": element,
            "optional": True,
            "hint": plain(hint),
        }

    values = card.rating.values if card.rating else {}
    blocks = [
        number(d, DIMENSION_LABELS[d].capitalize(), values.get(d), f"{d}, 0 to 100")
        for d in DIMENSIONS
    ]
    cases = {
        "type": "number_input",
        "action_id": "value",
        "is_decimal_allowed": False,
        "min_value": "0",
        "initial_value": str(card.partner.success_cases),
    }
    blocks.append(
        {
            "type": "input",
            "block_id": "cases",
            "label": plain("Verified success cases"),
            "element": cases,
            "optional": True,
        }
    )
    return {
        "type": "modal",
        "callback_id": ScoreView.RATE_SUBMIT,
        "title": plain("Rate partner", 24),
        "submit": plain("Save", 24),
        "close": plain("Cancel", 24),
        "private_metadata": meta.pack(),
        "blocks": [section(f"Rating *{esc(card.partner.name)}*"), *blocks],
    }


def read_rating(values: dict[str, Any]) -> tuple[dict[str, float], int | None, dict[str, str]]:
    """The dimensions and cases a Rate submission gives, and an error per wrong input."""
    updates: dict[str, float] = {}
    errors: dict[str, str] = {}
    cases = None
    for block_id in (*DIMENSIONS, "cases"):
        raw = (values.get(block_id, {}).get("value") or {}).get("value")
        if raw in (None, ""):
            continue
        try:
            if block_id == "cases":
                cases = parse_cases(str(raw))
            else:
                updates[block_id] = parse_dimension(block_id, str(raw))
        except RuleError as err:
            errors[block_id] = field_error(err)
    return updates, cases, errors
