"""`/partner`: parse the text, run the use case, answer in the ack when the answer is quick."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError

from bot.access import check_can_change
from bot.errors import CommandError, RuleError
from bot.metrics import current_week
from bot.registry import service as partners
from bot.registry.command import (
    AddRequest,
    DropRequest,
    HelpRequest,
    ListRequest,
    MetricsRequest,
    NameRequest,
    Request,
    SetRequest,
    parse_partner_command,
)
from bot.registry.lookup import find
from bot.services import Services
from handlers.blocks import error_message, esc
from handlers.payloads import ModalMeta
from handlers.registry import views
from handlers.registry.modal import build_partner_modal

log = logging.getLogger(__name__)

Message = dict[str, Any]
Reply = Callable[..., Awaitable[Any]]


async def answer(
    services: Services, ack: Reply, respond: Reply, work: Awaitable[Message], budget: float
) -> None:
    """Ack with work's answer if it is ready within budget; else ack now and respond later."""
    task = services.tasks.spawn(_safely(work), name="command")
    done, _ = await asyncio.wait({task}, timeout=budget)
    if done:
        await ack(**task.result())
        return
    await ack(response_type="ephemeral", text=":hourglass_flowing_sand: Working on it…")
    services.tasks.spawn(_respond_when_done(task, respond), name="command-followup")


async def _respond_when_done(task: asyncio.Task[Message], respond: Reply) -> None:
    await respond(**(await task))


async def _safely(work: Awaitable[Message]) -> Message:
    """The answer, or the user-facing error; an unexpected failure is logged, not shown raw."""
    try:
        return await work
    except (RuleError, CommandError) as err:
        return (
            views.build_error(err) if isinstance(err, RuleError) else error_message(esc(str(err)))
        )
    except Exception:
        log.exception("a /partner command failed")
        return error_message("Something went wrong on our side; nothing was changed. Try again.")


# Another feature's command reached as `/partner WORD ...`: (services, ack, respond, body,
# client, the text after WORD).
Route = Callable[[Services, Reply, Reply, dict[str, Any], Any, str], Awaitable[None]]
_ROUTED = re.compile(r"^\s*(\S+)\s*(.*)$", re.DOTALL)


def register(app: AsyncApp, services: Services, routes: dict[str, Route]) -> list[str]:
    """Register `/partner`, which also reaches the routed features; return its name."""

    async def partner_command(
        ack: Reply, respond: Reply, body: dict[str, Any], client: Any
    ) -> None:
        text = body.get("text", "")
        team_id, user_id = body["team_id"], body["user_id"]
        routed = _ROUTED.match(text)
        if routed and routed[1].casefold() in routes:
            await routes[routed[1].casefold()](services, ack, respond, body, client, routed[2])
            return
        try:
            request = parse_partner_command(text)
        except (CommandError, RuleError) as err:
            await ack(**command_error(err, "/partner help"))
            return
        if isinstance(request, AddRequest) and request.fields is None:
            meta = ModalMeta()
            view = build_partner_modal(None, user_id, meta)
            services.tasks.spawn(
                open_modal(client, respond, body["trigger_id"], view), name="views.open"
            )
            await ack()
            return
        if isinstance(request, NameRequest) and request.verb == "edit":
            await open_edit_modal(
                services, ack, respond, client, body, team_id, user_id, request.name
            )
            return
        work = run(services, team_id, user_id, request)
        await answer(services, ack, respond, work, services.ack_budget)

    app.command("/partner")(partner_command)
    return ["/partner"]


def command_error(err: CommandError | RuleError, help_command: str) -> Message:
    """A parse error as an ephemeral answer; a grammar slip also points at the help."""
    if isinstance(err, RuleError):
        return views.build_error(err)
    return error_message(esc(str(err)) + f" Try `{help_command}`.")


async def open_edit_modal(
    services: Services,
    ack: Reply,
    respond: Reply,
    client: Any,
    body: dict[str, Any],
    team_id: str,
    user_id: str,
    name: str | None = None,
    partner_id: int | None = None,
) -> None:
    """Open the edit modal prefilled, or answer why not (not found, not allowed)."""
    try:
        async with services.store.read() as tx:
            partner = await find(tx, team_id, name or "", partner_id)
        check_can_change(partner, services.actor(user_id))
    except RuleError as err:
        await ack(**views.build_error(err))
        return
    view = build_partner_modal(
        partner, user_id, ModalMeta(partner_id=partner.id, version=partner.updated_at)
    )
    services.tasks.spawn(open_modal(client, respond, body["trigger_id"], view), name="views.open")
    await ack()


async def open_modal(client: Any, respond: Reply, trigger_id: str, view: dict[str, Any]) -> None:
    """Open a modal; when Slack refuses (say, the trigger expired during a rate limit),
    tell the user instead of leaving them waiting for a form that never comes."""
    try:
        await client.views_open(trigger_id=trigger_id, view=view)
    except SlackApiError as err:
        code = err.response.get("error", "error") if err.response else "error"
        log.warning("views.open failed: %s", code)
        text = f"The form could not be opened ({esc(code)}); please run the command again."
        await respond(**error_message(text))


async def run(services: Services, team_id: str, user_id: str, request: Request) -> Message:
    """Carry out one registry request and build its answer."""
    store, now, actor = services.store, services.clock.now(), services.actor(user_id)
    match request:
        case HelpRequest(topic=topic):
            return views.build_help(topic)
        case AddRequest(fields=fields) if fields is not None:
            change = await partners.add_partner(store, now, team_id, actor, fields)
            return views.build_change(change, "Added")
        case NameRequest(verb="show", name=name):
            partner, metrics = await partners.show_partner(store, team_id, name)
            return views.build_card(partner, metrics)
        case NameRequest(verb="archive", name=name):
            change = await partners.archive_partner(store, now, team_id, actor, name)
            return views.build_change(change, "Archived")
        case NameRequest(verb="restore", name=name):
            change = await partners.restore_partner(store, now, team_id, actor, name)
            return views.build_change(change, "Restored")
        case NameRequest(verb="history", name=name):
            partner, page = await partners.partner_history(store, team_id, name)
            return views.build_history(partner, page)
        case ListRequest(filters=filters):
            return views.build_list(await partners.list_partners(store, team_id, filters), filters)
        case SetRequest(name=name, fields=fields):
            change = await partners.change_partner(store, now, team_id, actor, name, fields)
            return views.build_change(change, "Updated")
        case DropRequest(words=words, reason=reason):
            change = await partners.drop_partner(store, now, team_id, actor, words, reason)
            return views.build_change(change, "Dropped")
        case MetricsRequest(name=name, values=values, period=period):
            period = period or current_week(now, services.settings.zone)
            change = await partners.record_metrics(store, now, team_id, actor, name, values, period)
            return views.build_metrics_recorded(change, period.label)
    raise CommandError("That request is not handled yet.")
