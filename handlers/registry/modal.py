"""The add/edit partner modal: building it, and reading a submission back into fields."""

from __future__ import annotations

from enum import StrEnum
from functools import partial
from typing import Any

from bot.errors import RuleError
from bot.registry.rules import Category, Partner, PartnerFields, Status, Tier, parse_field
from handlers.blocks import MAX_PRIVATE_METADATA, Block, field_error, plain
from handlers.ids import PartnerView
from handlers.payloads import ModalMeta

ACTION = "value"  # every input's action_id; the block_id names the field


def _text_input(
    block_id: str,
    label: str,
    initial: str = "",
    *,
    optional: bool = True,
    multiline: bool = False,
    hint: str | None = None,
    max_length: int = 2000,
) -> Block:
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": ACTION,
        "multiline": multiline,
        "max_length": max_length,
    }
    if initial:
        element["initial_value"] = initial
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "label": plain(label),
        "element": element,
        "optional": optional,
    }
    if hint:
        block["hint"] = plain(hint)
    return block


def _option(value: str) -> dict[str, Any]:
    return {"text": plain(value), "value": value}


def _select(block_id: str, label: str, choices: type[StrEnum], initial: StrEnum) -> Block:
    return {
        "type": "input",
        "block_id": block_id,
        "label": plain(label),
        "element": {
            "type": "static_select",
            "action_id": ACTION,
            "options": [_option(c.value) for c in choices],
            "initial_option": _option(initial.value),
        },
    }


def build_partner_modal(partner: Partner | None, owner: str, meta: ModalMeta) -> dict[str, Any]:
    """The modal: empty for a new partner, prefilled with an existing one's fields."""
    owner_element: dict[str, Any] = {"type": "users_select", "action_id": ACTION}
    owner_element["initial_user"] = partner.owner if partner else owner
    blocks: list[Block] = [
        _text_input("name", "Name", partner.name if partner else "", optional=False, max_length=80),
        _select("category", "Category", Category, partner.category if partner else Category.OTHER),
        _select("tier", "Tier", Tier, partner.tier if partner else Tier.STANDARD),
        _select("status", "Status", Status, partner.status if partner else Status.PROSPECT),
        {"type": "input", "block_id": "owner", "label": plain("Owner"), "element": owner_element},
        _text_input(
            "backups",
            "Backup partners",
            ", ".join(partner.backups) if partner else "",
            hint="Registered partners who can take over, separated by commas.",
        ),
        _text_input(
            "tags", "Tags", ", ".join(partner.tags) if partner else "", hint="Separated by commas."
        ),
        _text_input("contacts", "Contacts", partner.contacts if partner else "", multiline=True),
        _text_input("notes", "Notes", partner.notes if partner else "", multiline=True),
        _text_input(
            "cases",
            "Verified success cases",
            str(partner.success_cases) if partner else "0",
            max_length=7,
        ),
    ]
    metadata = meta.pack()
    if len(metadata) > MAX_PRIVATE_METADATA:
        raise ValueError("private_metadata is too long")
    return {
        "type": "modal",
        "callback_id": PartnerView.EDIT_SUBMIT if partner else PartnerView.ADD_SUBMIT,
        "title": plain("Edit partner" if partner else "Add a partner", 24),
        "submit": plain("Save", 24),
        "close": plain("Cancel", 24),
        "private_metadata": metadata,
        "blocks": blocks,
    }


def _state_value(values: dict[str, Any], block_id: str) -> Any:
    element = values.get(block_id, {}).get(ACTION, {})
    kind = element.get("type")
    if kind == "static_select":
        selected = element.get("selected_option") or {}
        return selected.get("value")
    if kind == "users_select":
        return element.get("selected_user")
    return element.get("value")


def read_submission(values: dict[str, Any]) -> tuple[PartnerFields, dict[str, str]]:
    """The fields a submission gives, and an error per block that is wrong."""
    errors: dict[str, str] = {}
    given: dict[str, object] = {}

    def take(block_id: str, field: str, parse: Any) -> None:
        raw = _state_value(values, block_id)
        try:
            given[field] = parse(raw or "")
        except RuleError as err:
            errors[block_id] = field_error(err)

    for field in ("name", "category", "tier", "status"):
        take(field, field, partial(parse_field, field))
    owner = _state_value(values, "owner")
    if not owner:
        errors["owner"] = "Pick the partner's owner."
    else:
        given["owner"] = owner
    for field in ("backups", "tags", "contacts", "notes"):
        take(field, field, partial(parse_field, field))
    take("cases", "success_cases", lambda raw: parse_field("success_cases", raw or "0"))
    return PartnerFields(**given), errors  # type: ignore[arg-type]
