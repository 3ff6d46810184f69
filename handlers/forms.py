"""Form inputs for modals and their readers: every input's element has the action id
`value`, and its block id names the field it holds."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from handlers.blocks import Block, plain

ACTION = "value"


def _input(
    block_id: str, label: str, element: dict[str, Any], *, optional: bool, hint: str | None
) -> Block:
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "label": plain(label),
        "element": {**element, "action_id": ACTION},
        "optional": optional,
    }
    if hint:
        block["hint"] = plain(hint)
    return block


def text_input(
    block_id: str,
    label: str,
    initial: str = "",
    *,
    optional: bool = True,
    multiline: bool = False,
    hint: str | None = None,
    max_length: int = 2000,
) -> Block:
    """A plain-text input, prefilled with initial when there is one."""
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "multiline": multiline,
        "max_length": max_length,
    }
    if initial:
        element["initial_value"] = initial
    return _input(block_id, label, element, optional=optional, hint=hint)


def number_input(
    block_id: str,
    label: str,
    initial: float | None,
    *,
    decimal: bool,
    minimum: float = 0,
    maximum: float | None = None,
    hint: str | None = None,
) -> Block:
    """An optional number input; a decimal initial value is written exactly, so saving an
    untouched form changes nothing."""
    element: dict[str, Any] = {
        "type": "number_input",
        "is_decimal_allowed": decimal,
        "min_value": f"{minimum:g}",
    }
    if maximum is not None:
        element["max_value"] = f"{maximum:g}"
    if initial is not None:
        element["initial_value"] = f"{initial:.10g}" if decimal else str(int(initial))
    return _input(block_id, label, element, optional=True, hint=hint)


def _option(value: str) -> dict[str, Any]:
    return {"text": plain(value), "value": value}


def select(block_id: str, label: str, choices: type[StrEnum], initial: StrEnum) -> Block:
    """A required pick of one of an enum's values."""
    element = {
        "type": "static_select",
        "options": [_option(c.value) for c in choices],
        "initial_option": _option(initial.value),
    }
    return _input(block_id, label, element, optional=False, hint=None)


def user_select(block_id: str, label: str, initial_user: str) -> Block:
    """A required pick of one person in the workspace."""
    element = {"type": "users_select", "initial_user": initial_user}
    return _input(block_id, label, element, optional=False, hint=None)


def state_value(values: dict[str, Any], block_id: str) -> Any:
    """What the user left in one input of a submitted form (None when empty)."""
    element = values.get(block_id, {}).get(ACTION, {})
    kind = element.get("type")
    if kind == "static_select":
        return (element.get("selected_option") or {}).get("value")
    if kind == "users_select":
        return element.get("selected_user")
    return element.get("value")
