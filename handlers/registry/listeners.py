"""The registry in Slack: `/partner`'s subcommands, its buttons (paging, Edit, History) and
the add and edit forms. Module-level listeners; the services come through Bolt's context."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.access import check_can_change
from bot.errors import CommandError, Forbidden, RuleError
from bot.metrics import check_period, outside_window, week_of
from bot.ports import Report
from bot.registry import service as partners
from bot.registry import undo
from bot.registry.card import partner_card
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
from bot.registry.ports import ListFilters
from bot.registry.rules import Category, Status, Tier, name_key
from bot.services import Services
from handlers.alerts import jobs as alert_jobs
from handlers.blocks import context, esc, field_error, modal
from handlers.buttons import Click, on_button
from handlers.failover import start as drill_start
from handlers.ids import PartnerView
from handlers.outbox import report_by_dm, report_by_respond
from handlers.payloads import (
    EditPartner,
    HistoryPage,
    ListPage,
    ModalMeta,
    ShowHistory,
    UndoChange,
)
from handlers.registry import views
from handlers.registry.modal import build_partner_modal, read_submission
from handlers.reply import (
    Answer,
    Message,
    Reply,
    answer,
    follow_up,
    open_modal,
    serialised,
    user_error,
)


async def handle_partner(
    ack: Reply, respond: Reply, body: dict[str, Any], client: Any, services: Services, text: str
) -> None:
    """Answer one registry subcommand: forms open after the ack, the rest in the ack when
    quick, else through the response_url."""
    team_id, user_id = body["team_id"], body["user_id"]
    try:
        request = parse_partner_command(text)
    except (CommandError, RuleError) as err:
        await ack(**user_error(err, "/partner help"))
        return
    if isinstance(request, AddRequest) and request.fields is None:
        view = build_partner_modal(None, user_id, ModalMeta())
        services.tasks.spawn(
            open_modal(client, respond, body["trigger_id"], view), name="views.open"
        )
        await ack()
        return
    if isinstance(request, NameRequest) and request.verb == "edit":
        try:
            view = await edit_form(services, team_id, user_id, name=request.name)
        except RuleError as err:
            await ack(**user_error(err))
            return
        services.tasks.spawn(
            open_modal(client, respond, body["trigger_id"], view), name="views.open"
        )
        await ack()
        return
    report = report_by_respond(respond)
    where = body.get("channel_id")
    work = run(services, team_id, user_id, request, report, channel_id=where, respond=respond)
    await answer(services, ack, respond, work, "/partner")


async def _card(services: Services, team_id: str, name: str) -> Answer:
    card = await partner_card(services.store, team_id, name)
    zone = services.settings.zone
    return serialised(views.build_card(card.partner, card.metrics, zone, card.drills))


async def _list(services: Services, team_id: str, filters: ListFilters, offset: int) -> Answer:
    """A page of `/partner list`, kept per workspace, filters and page under the report
    version like the cards (bot/answer_cache.py): a repeated page reads only the version."""
    offset = max(offset, 0)

    async def page() -> Answer:
        listed = await partners.list_partners(
            services.store, team_id, filters, offset, counts=services.list_counts
        )
        return serialised(views.build_list(listed, filters))

    return await services.answers.answer(services.store, team_id, ("list", filters, offset), page)


async def edit_form(
    services: Services, team_id: str, user_id: str, *, name: str = "", partner_id: int | None = None
) -> dict[str, Any]:
    """The edit modal prefilled, or a RuleError saying why not (not found, not allowed)."""
    async with services.store.read() as tx:
        partner = await find(tx, team_id, name, partner_id)
    check_can_change(partner, services.actor(user_id))
    meta = ModalMeta(partner_id=partner.id, version=partner.updated_at)
    return build_partner_modal(partner, user_id, meta)


async def run(
    services: Services,
    team_id: str,
    user_id: str,
    request: Request,
    report: Report,
    *,
    channel_id: str | None = None,
    respond: Reply | None = None,
) -> Answer:
    """Carry out one registry request and build its answer; report tells the asker what
    could not be sent on their behalf (a new owner's direct message). A drop in a channel
    (channel_id, with respond for what follows the answer) may start a failover drill."""
    store, now, actor = services.store, services.clock.now(), services.actor(user_id)
    zone = services.settings.zone
    match request:
        case HelpRequest(topic=topic):
            return views.build_help(topic)
        case AddRequest(fields=fields) if fields is not None:
            change = await partners.add_partner(store, now, team_id, actor, fields)
            tell_new_owner(services, change, user_id, report)
            return views.build_change(change, "Added")
        case NameRequest(verb="show", name=name):
            return await services.answers.answer(
                store, team_id, ("card", name_key(name)), lambda: _card(services, team_id, name)
            )
        case NameRequest(verb="archive", name=name):
            change = await partners.archive_partner(store, now, team_id, actor, name)
            return views.build_change(change, "Archived", undo="archive")
        case NameRequest(verb="restore", name=name):
            change = await partners.restore_partner(store, now, team_id, actor, name)
            return views.build_change(change, "Restored")
        case NameRequest(verb="history", name=name):
            partner, page = await partners.partner_history(store, team_id, name)
            return views.build_history(partner, page, zone)
        case ListRequest(filters=filters):
            return await _list(services, team_id, filters, 0)
        case SetRequest(name=name, fields=fields):
            change = await partners.change_partner(store, now, team_id, actor, name, fields)
            tell_new_owner(services, change, user_id, report)
            updated = views.build_change(change, "Updated")
            # `status=dropped` is a drop too: the same Start button or auto-start follows it.
            return await drill_start.after_drop(
                services, change, updated, user_id, channel_id, respond
            )
        case DropRequest(words=words, reason=reason):
            change = await partners.drop_partner(store, now, team_id, actor, words, reason)
            dropped = views.build_change(change, "Dropped", undo="drop")
            return await drill_start.after_drop(
                services, change, dropped, user_id, channel_id, respond
            )
        case MetricsRequest(name=name, values=values, period=period, beyond=beyond):
            today = now.astimezone(services.settings.zone).date()
            if beyond is not None:
                raise outside_window(beyond, today)
            period = week_of(today) if period is None else check_period(period, today)
            seen = await alert_jobs.watch_metrics(services, team_id, name)
            change = await partners.record_metrics(store, now, team_id, actor, name, values, period)
            alert_jobs.alert_after_metrics(services, team_id, seen, change.partner.id, report)
            return views.build_metrics_recorded(change, period.label)
    raise CommandError("That request is not handled yet.")


def tell_new_owner(services: Services, change: partners.Change, by: str, report: Report) -> None:
    """When a change makes someone else the owner, tell them by direct message after the
    answer (through the outbox); if Slack refuses, report tells the person who made it."""
    owner = next((c.after for c in change.diff.changes if c.field == "owner"), None)
    if not owner or owner == by:
        return
    name = esc(change.partner.name)

    async def not_told(sentence: str) -> None:
        await report(f"<@{owner}> owns *{name}* now, but was not told: {sentence}")

    dm = views.build_new_owner(change.partner, by)
    services.tasks.spawn(services.outbox.post(owner, dm, report=not_told), name="new owner")


# Buttons: each acks at once; the answer follows through the response_url.


async def list_page(
    click: Click[ListPage], ack: Reply, respond: Reply, client: Any, services: Services
) -> None:
    """Previous/Next on `/partner list`, with the filters it was asked with."""
    await ack()
    follow_up(services, respond, _list_page(services, click), "list page", replace=True)


async def _list_page(services: Services, click: Click[ListPage]) -> Answer:
    page = click.payload
    try:
        filters = ListFilters(
            category=Category(page.category) if page.category else None,
            tier=Tier(page.tier) if page.tier else None,
            status=Status(page.status) if page.status else None,
            owner=page.owner,
            tag=page.tag,
        )
    except ValueError:  # a forged filter value is refused, not trusted
        raise RuleError("That page's filters are not valid; run `/partner list` again.") from None
    return await _list(services, click.team_id, filters, page.offset)


async def history_page(
    click: Click[HistoryPage], ack: Reply, respond: Reply, client: Any, services: Services
) -> None:
    """Newer/Older on a partner's history."""
    await ack()
    work = _history(services, click.team_id, click.payload.partner_id, click.payload.offset)
    follow_up(services, respond, work, "history page", replace=True)


async def show_history(
    click: Click[ShowHistory], ack: Reply, respond: Reply, client: Any, services: Services
) -> None:
    """The History button on a card: the trail as a new message."""
    await ack()
    work = _history(services, click.team_id, click.payload.partner_id, 0)
    follow_up(services, respond, work, "history", replace=False)


async def _history(services: Services, team_id: str, partner_id: int, offset: int) -> Message:
    partner, page = await partners.partner_history(
        services.store, team_id, offset=offset, partner_id=partner_id
    )
    return views.build_history(partner, page, services.settings.zone)


async def edit_partner(
    click: Click[EditPartner], ack: Reply, respond: Reply, client: Any, services: Services
) -> None:
    """The Edit button on a card: the prefilled form, or why not as a new ephemeral."""
    try:
        view = await edit_form(
            services, click.team_id, click.user_id, partner_id=click.payload.partner_id
        )
    except RuleError as err:
        await ack()
        services.tasks.spawn(respond(**user_error(err)), name="edit refused")
        return
    services.tasks.spawn(
        open_modal(client, respond, click.trigger_id or "", view), name="views.open"
    )
    await ack()


async def undo_change(
    click: Click[UndoChange], ack: Reply, respond: Reply, client: Any, services: Services
) -> None:
    """Undo under a drop, an archive or a retirement: what it replaced comes back, in place
    of the message that offered it; refused (as a new message) if the partner changed."""
    await ack()
    follow_up(services, respond, _undo(services, click), "undo", replace=True)


async def _undo(services: Services, click: Click[UndoChange]) -> Message:
    asked = click.payload
    change = await undo.undo_change(
        services.store,
        services.clock.now(),
        click.team_id,
        services.actor(click.user_id),
        asked.partner_id,
        asked.change,
        asked.version,
    )
    return views.build_undone(change, asked.change)


# The add and edit forms


async def partner_form_submit(
    ack: Reply, body: dict[str, Any], view: dict[str, Any], services: Services
) -> None:
    """Validate a submitted add or edit form: errors under their inputs, else save and show
    the saved partner in the modal."""
    team_id = str(view.get("team_id") or body["team"]["id"])
    actor = services.actor(body["user"]["id"])
    fields, errors = read_submission(view["state"]["values"])
    if errors:
        await ack(response_action="errors", errors=errors)
        return
    meta = ModalMeta.unpack(view.get("private_metadata"))
    if meta is None or (view.get("callback_id") == PartnerView.EDIT_SUBMIT) != bool(
        meta.partner_id
    ):
        await ack(response_action="errors", errors={"name": "This form is out of date."})
        return
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
    # A form has no response_url: a failed DM to the new owner is told to the editor by DM.
    tell_new_owner(services, change, actor.user_id, report_by_dm(services.client, actor.user_id))


def _field_error(err: RuleError) -> dict[str, str]:
    """Put a rule's complaint under the input it is about."""
    block = "name"
    if isinstance(err, partners.BackupError):
        block = "backups"
    elif isinstance(err, Forbidden):
        block = "owner"
    return {block: field_error(err)}


def _saved_view(change: partners.Change, verb: str) -> dict[str, Any]:
    hint = drill_start.drop_hint(change)
    blocks = [
        *views.build_card_blocks(change.partner, lead=f":white_check_mark: {verb} "),
        *([] if hint is None else [hint]),
        context("Close this window when you are done."),
    ]
    return modal("Partner saved", blocks, close="Done")


def register(app: AsyncApp) -> None:
    """Register the registry's buttons and forms (`/partner` itself: handlers.commands)."""
    app.action(ListPage.action_id)(on_button(ListPage, list_page))
    app.action(HistoryPage.action_id)(on_button(HistoryPage, history_page))
    app.action(ShowHistory.action_id)(on_button(ShowHistory, show_history))
    app.action(EditPartner.action_id)(on_button(EditPartner, edit_partner))
    app.action(UndoChange.action_id)(on_button(UndoChange, undo_change))
    app.view(PartnerView.ADD_SUBMIT.value)(partner_form_submit)
    app.view(PartnerView.EDIT_SUBMIT.value)(partner_form_submit)
