"""Buttons on registry messages: paging, Edit, History."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.errors import RuleError
from bot.registry import service as partners
from bot.registry.lookup import find
from bot.registry.ports import ListFilters
from bot.registry.rules import Category, Status, Tier
from bot.services import Services
from handlers.ids import PartnerAction
from handlers.payloads import HistoryPage, ListPage, PartnerRef
from handlers.registry import views
from handlers.registry.listeners import Reply, open_edit_modal


def _team(body: dict[str, Any]) -> str:
    return str((body.get("team") or {}).get("id") or body["user"]["team_id"])


def _value(body: dict[str, Any]) -> str | None:
    action = (body.get("actions") or [{}])[0]
    value = action.get("value")
    return value if isinstance(value, str) else None


def register(app: AsyncApp, services: Services) -> None:
    """Register the registry's button handlers."""

    # Each handler starts its work as a tracked task, then acks: the answer follows the ack.

    async def show_list_page(page: ListPage, team_id: str, respond: Reply) -> None:
        filters = ListFilters(
            category=Category(page.category) if page.category else None,
            tier=Tier(page.tier) if page.tier else None,
            status=Status(page.status) if page.status else None,
            owner=page.owner,
            tag=page.tag,
        )
        result = await partners.list_partners(services.store, team_id, filters, page.offset)
        await respond(replace_original=True, **views.build_list(result, filters))

    async def list_page(ack: Reply, body: dict[str, Any], respond: Reply) -> None:
        page = ListPage.unpack(_value(body))
        if page is not None and _valid_filters(page):
            services.tasks.spawn(show_list_page(page, _team(body), respond), name="list-page")
        await ack()

    async def show_history(ref: HistoryPage, team_id: str, respond: Reply, paging: bool) -> None:
        try:
            async with services.store.read() as tx:
                partner = await find(tx, team_id, "", ref.partner_id)
            _, page = await partners.partner_history(
                services.store, partner.team_id, partner.name, ref.offset
            )
            message = views.build_history(partner, page)
        except RuleError as err:
            message = views.build_error(err)
        await (respond(replace_original=True, **message) if paging else respond(**message))

    async def history(ack: Reply, body: dict[str, Any], respond: Reply) -> None:
        ref = HistoryPage.unpack(_value(body)) or _as_history(PartnerRef.unpack(_value(body)))
        if ref is not None:
            paging = body["actions"][0]["action_id"] == PartnerAction.HISTORY_PAGE
            services.tasks.spawn(show_history(ref, _team(body), respond, paging), name="history")
        await ack()

    async def edit(ack: Reply, body: dict[str, Any], client: Any, respond: Reply) -> None:
        ref = PartnerRef.unpack(_value(body))
        if ref is None:
            await ack()
            return

        async def ack_or_respond(**message: Any) -> None:
            # A refusal cannot go in a button's ack; it goes to the user as a new ephemeral.
            if message:
                services.tasks.spawn(respond(**message), name="edit-refused")
            await ack()

        await open_edit_modal(
            services,
            ack_or_respond,
            respond,
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


def _valid_filters(page: ListPage) -> bool:
    """A page's filters name real values (a forged value is ignored, not trusted)."""
    checks = ((Category, page.category), (Tier, page.tier), (Status, page.status))
    return all(value is None or value in {m.value for m in enum} for enum, value in checks)
