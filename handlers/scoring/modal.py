"""The Rate modal: the six dimensions and the success cases, prefilled, and its reading."""

from __future__ import annotations

from typing import Any

from bot.errors import RuleError
from bot.scoring.rules import DIMENSION_LABELS, DIMENSIONS, parse_cases, parse_dimension
from bot.scoring.service import ScoreCard
from handlers.blocks import esc, field_error, modal, section
from handlers.forms import number_input, state_value
from handlers.ids import ScoreView
from handlers.payloads import RateMeta


def build_rate_modal(card: ScoreCard, meta: RateMeta) -> dict[str, Any]:
    """The Rate modal, prefilled with the latest rating and the success cases."""

    values = card.rating.values if card.rating else {}
    blocks = [section(f"Rating *{esc(card.partner.name)}*")]
    blocks += [
        number_input(
            d,
            DIMENSION_LABELS[d].capitalize(),
            values.get(d),
            decimal=True,
            maximum=100,
            hint=f"{d}, 0 to 100",
        )
        for d in DIMENSIONS
    ]
    blocks.append(
        number_input("cases", "Verified success cases", card.partner.success_cases, decimal=False)
    )
    return modal(
        "Rate partner",
        blocks,
        callback_id=ScoreView.RATE_SUBMIT,
        private_metadata=meta.pack(),
    )


def read_rating(values: dict[str, Any]) -> tuple[dict[str, float], int | None, dict[str, str]]:
    """The dimensions and cases a Rate submission gives, and an error per wrong input."""
    updates: dict[str, float] = {}
    errors: dict[str, str] = {}
    cases = None
    for block_id in (*DIMENSIONS, "cases"):
        raw = state_value(values, block_id)
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
