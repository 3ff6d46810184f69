"""Buttons on registry messages: paging, Edit, History."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp

from bot import partners
from bot.ports import ListFilters
from bot.registry import Category, RuleError, Status, Tier
from bot.services import Services
from handlers import partner_views as views
from handlers.commands import Message, Reply, open_edit_modal
from handlers.ids import PartnerAction
from handlers.payloads import HistoryPage, ListPage, PartnerRef


def _team(body: dict[str, Any]) -> str:
    return str((body.get("team") or {}).get("id") or body["user"]["team_id"])


def _value(body: dict[str, Any]) -> str | None:
    action = (body.get("actions") or [{}])[0]
    value = action.get("value")
    return value if isinstance(value, str) else None


def register(app: AsyncApp, services: Services) -> None:
    """Register the registry's button handlers."""

    async def replace(respond: Reply, message: Message) -> None:
        await respond(replace_original=True, **message)

    async def list_page(ack: Reply, body: dict[str, Any], respond: Reply) -> None:
        await ack()
        page = ListPage.unpack(_value(body))
        if page is None:
            return
        filters = ListFilters(
            category=Category(page.category) if page.category else None,
            tier=Tier(page.tier) if page.tier else None,
            status=Status(page.status) if page.status else None,
            owner=page.owner,
            tag=page.tag,
        )
        result = await partners.list_partners(services.store, _team(body), filters, page.offset)
        services.tasks.spawn(replace(respond, views.build_list(result, filters)), name="list-page")

    async def history(ack: Reply, body: dict[str, Any], respond: Reply) -> None:
        await ack()
        ref = HistoryPage.unpack(_value(body)) or _as_history(PartnerRef.unpack(_value(body)))
        if ref is None:
            return
        async with services.store.read() as tx:
            partner = await tx.partner_by_id(_team(body), ref.partner_id)
        if partner is None:
            message = views.build_error(RuleError("That partner no longer exists."))
        else:
            _, page = await partners.partner_history(
                services.store, partner.team_id, partner.name, ref.offset
            )
            message = views.build_history(partner, page)
        is_paging = body["actions"][0]["action_id"] == PartnerAction.HISTORY_PAGE
        work = replace(respond, message) if is_paging else respond(**message)
        services.tasks.spawn(work, name="history")

    async def edit(ack: Reply, body: dict[str, Any], client: Any, respond: Reply) -> None:
        ref = PartnerRef.unpack(_value(body))
        if ref is None:
            await ack()
            return

        async def ack_or_respond(**message: Any) -> None:
            # A refusal cannot go in a button's ack; it goes to the user as a new ephemeral.
            await ack()
            if message:
                services.tasks.spawn(respond(**message), name="edit-refused")

        await open_edit_modal(
            services,
            ack_or_respond,
            client,
            body,
            _team(body),
            body["user"]["id"],
            partner_id=ref.partner_id,
        )

    app.action(PartnerAction.LIST_PAGE.value)(list_page)
    app.action(PartnerAction.HISTORY.value)(history)
    app.action(PartnerAction.HISTORY_PAGE.value)(history)
    app.action(PartnerAction.EDIT.value)(edit)


def _as_history(ref: PartnerRef | None) -> HistoryPage | None:
    return None if ref is None else HistoryPage(partner_id=ref.partner_id)
