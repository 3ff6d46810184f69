"""The add/edit partner modal: building it, and reading a submission back into fields."""

from __future__ import annotations

from functools import partial
from typing import Any

from bot.errors import RuleError
from bot.registry.rules import Category, Partner, PartnerFields, Status, Tier, parse_field
from bot.text_checks import text_refusal
from handlers.blocks import Block, field_error, modal
from handlers.forms import select, state_value, text_input, user_select
from handlers.ids import PartnerView
from handlers.payloads import ModalMeta


def build_partner_modal(partner: Partner | None, owner: str, meta: ModalMeta) -> dict[str, Any]:
    """The modal: empty for a new partner, prefilled with an existing one's fields."""
    blocks: list[Block] = [
        text_input("name", "Name", partner.name if partner else "", optional=False, max_length=80),
        select("category", "Category", Category, partner.category if partner else Category.OTHER),
        select("tier", "Tier", Tier, partner.tier if partner else Tier.STANDARD),
        select("status", "Status", Status, partner.status if partner else Status.PROSPECT),
        user_select("owner", "Owner", partner.owner if partner else owner),
        text_input(
            "backups",
            "Backup partners",
            ", ".join(partner.backups) if partner else "",
            hint="Registered partners who can take over, separated by commas.",
        ),
        text_input(
            "tags", "Tags", ", ".join(partner.tags) if partner else "", hint="Separated by commas."
        ),
        text_input("contacts", "Contacts", partner.contacts if partner else "", multiline=True),
        text_input("notes", "Notes", partner.notes if partner else "", multiline=True),
        text_input(
            "cases",
            "Verified success cases",
            str(partner.success_cases) if partner else "0",
            max_length=7,
        ),
    ]
    return modal(
        "Edit partner" if partner else "Add a partner",
        blocks,
        callback_id=PartnerView.EDIT_SUBMIT if partner else PartnerView.ADD_SUBMIT,
        private_metadata=meta.pack(),
    )


def read_submission(values: dict[str, Any]) -> tuple[PartnerFields, dict[str, str]]:
    """The fields a submission gives, and an error per block that is wrong."""
    errors: dict[str, str] = {}
    given: dict[str, object] = {}

    def take(block_id: str, field: str, parse: Any) -> None:
        raw = state_value(values, block_id)
        try:
            given[field] = parse(raw or "")
        except RuleError as err:
            errors[block_id] = field_error(err)

    for field in ("name", "category", "tier", "status"):
        take(field, field, partial(parse_field, field))
    owner = state_value(values, "owner")
    if not owner:
        errors["owner"] = "Pick the partner's owner."
    elif refusal := text_refusal("The owner", owner):
        errors["owner"] = field_error(refusal)
    else:
        given["owner"] = owner
    for field in ("backups", "tags", "contacts", "notes"):
        take(field, field, partial(parse_field, field))
    take("cases", "success_cases", lambda raw: parse_field("success_cases", raw or "0"))
    return PartnerFields(**given), errors  # type: ignore[arg-type]
