"""Modal submissions: validate, answer errors inside the modal, or save and confirm."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.errors import Forbidden, RuleError
from bot.registry import service as partners
from bot.services import Services
from handlers.blocks import context, field_error, plain
from handlers.ids import PartnerView
from handlers.payloads import ModalMeta
from handlers.registry import views
from handlers.registry.listeners import Reply
from handlers.registry.modal import read_submission

log = logging.getLogger(__name__)


def _field_error(err: RuleError) -> dict[str, str]:
    """Put a rule's complaint under the input it is about."""
    text = str(err)  # plain text: a modal's errors cannot mention anyone
    block = "name"
    if isinstance(err, partners.BackupError):
        block = "backups"
    elif isinstance(err, Forbidden):
        block = "owner"
    return {block: field_error(text)}


def _saved_view(change: partners.Change, verb: str) -> dict[str, Any]:
    blocks = [
        *views.build_card_blocks(change.partner, lead=f":white_check_mark: {verb} "),
        context("Close this window when you are done."),
    ]
    return {
        "type": "modal",
        "title": plain("Partner saved", 24),
        "close": plain("Done", 24),
        "blocks": blocks,
    }


def register(app: AsyncApp, services: Services) -> None:
    """Register the add and edit modal submissions."""

    async def submit(ack: Reply, body: dict[str, Any], view: dict[str, Any]) -> None:
        team_id = str(view.get("team_id") or body["team"]["id"])
        actor = services.actor(body["user"]["id"])
        fields, errors = read_submission(view["state"]["values"])
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        meta = ModalMeta.unpack(view.get("private_metadata")) or ModalMeta()
        now = services.clock.now()
        try:
            if meta.partner_id is None:
                change = await partners.add_partner(services.store, now, team_id, actor, fields)
                verb = "Added"
            else:
                change = await partners.change_partner(
                    services.store,
                    now,
                    team_id,
                    actor,
                    "",
                    fields,
                    action="edit",
                    partner_id=meta.partner_id,
                    version=meta.version,
                )
                verb = "Updated" if change.diff else "No change to"
        except RuleError as err:
            await ack(response_action="errors", errors=_field_error(err))
            return
        await ack(response_action="update", view=_saved_view(change, verb))

    app.view(PartnerView.ADD_SUBMIT.value)(submit)
    app.view(PartnerView.EDIT_SUBMIT.value)(submit)
