"""`/failover` (and `/partner failover`): start a drill in a thread, its status, history and
deadlines; the checklist's Done, Skip (with its form) and Assign."""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.errors import CommandError, RuleError
from bot.failover import auto, due
from bot.failover import service as failover
from bot.failover.command import (
    AutoRequest,
    FailoverHelpRequest,
    FailoverRequest,
    HistoryRequest,
    SlaRequest,
    StartRequest,
    StatusRequest,
    parse_failover_command,
)
from bot.failover.rules import Drill, Event, EventKind, StepAlreadyHandled, StepState
from bot.ports import Store
from bot.services import Services
from handlers.blocks import error_message, field_error
from handlers.buttons import STALE, Click, on_button, team_of
from handlers.failover import ranking, views
from handlers.failover.closing import after_close
from handlers.failover.render import redraw
from handlers.failover.status import StatusBoard
from handlers.ids import FailoverView
from handlers.outbox import report_by_respond
from handlers.payloads import SkipMeta, StepAssign, StepDone, StepSkip
from handlers.reply import OUR_SIDE, Answer, Message, Reply, answer_command, open_modal, user_error

log = logging.getLogger(__name__)


async def failover_command(
    ack: Reply, respond: Reply, body: dict[str, Any], client: Any, services: Services
) -> None:
    """`/failover ...`."""
    await handle_failover(ack, respond, body, client, services, body.get("text", ""))


async def handle_failover(
    ack: Reply, respond: Reply, body: dict[str, Any], client: Any, services: Services, text: str
) -> None:
    """Answer the text of one `/failover` command (also reached as `/partner failover ...`)."""
    work = partial(run, services, body)
    await answer_command(services, ack, respond, text, parse_failover_command, work, "/failover")


async def _status_board(store: Store, team_id: str) -> StatusBoard:
    return StatusBoard(await failover.open_drills(store, team_id))


async def run(services: Services, body: dict[str, Any], request: FailoverRequest) -> Answer:
    """Carry out one failover request and build its answer."""
    team_id, store, now = body["team_id"], services.store, services.clock.now()
    zone = services.settings.zone
    match request:
        case FailoverHelpRequest():
            return views.build_help()
        case StartRequest(words=words):
            actor = services.actor(body["user_id"])
            language = services.settings.language
            started = await failover.start_drill(
                store, now, team_id, actor, words, body["channel_id"], language
            )
            if not started.created:
                return views.build_already_open(started.drill, zone)
            return await _post_drill(services, started.drill)
        case StatusRequest():
            board = await services.answers.answer(
                store, team_id, "open drills", lambda: _status_board(store, team_id)
            )
            return board.shown(zone, now)  # ages and overdue marks: as of now
        case HistoryRequest(name=name):
            shown, drills = await failover.history(store, team_id, name)
            return views.build_history(shown, drills, zone)
        case SlaRequest(updates=None):
            return views.build_sla(await failover.sla(store, team_id), None)
        case SlaRequest(updates=updates):
            assert updates is not None
            actor = services.actor(body["user_id"])
            in_force, changes = await failover.set_sla(store, now, team_id, actor, updates)
            return views.build_sla(in_force, changes)
        case AutoRequest(on=None):
            return views.build_auto(await auto.auto_start(store, team_id), None)
        case AutoRequest(on=bool(on)):
            actor = services.actor(body["user_id"])
            now_on, changes = await auto.set_auto_start(store, now, team_id, actor, on)
            return views.build_auto(now_on, changes)
    raise CommandError("That request is not handled yet.")


async def _post_drill(services: Services, drill: Drill) -> Message:
    """Post the root message and the checklist in its thread, and remember both; a root
    that cannot be posted takes the drill away again, so no one keeps an invisible drill."""
    now, zone = services.clock.now(), services.settings.zone
    channel = drill.channel_id
    root = await services.outbox.post(channel, views.build_root(drill, zone, now))
    if not root.ok or root.ts is None:
        await failover.discard_drill(services.store, drill.team_id, drill.id)
        why = root.sentence or "Slack refused the message."
        return error_message(f"{why} No drill was started.")
    # The candidates are ranked before the checklist is posted (off the loop; the answer may
    # wait for them, the ack never does), so the first checklist already lists them.
    drill, unranked = await ranking.rank_at_start(services, drill)
    checklist = await services.outbox.post(
        channel, views.build_checklist(drill, zone, services.clock.now()), thread_ts=root.ts
    )
    await failover.attach_messages(
        services.store, drill.team_id, drill.id, root.ts, checklist.ts if checklist.ok else None
    )
    if checklist.ok:  # else the failover.due job posts the checklist
        await due.mark_rendered(services.store, drill.team_id, drill.id, drill.version)
    shown = await failover.drill(services.store, drill.team_id, drill.id)
    if unranked:
        await ranking.tell_ranking_failed(services, shown)
    return views.build_started(shown, None if checklist.ok else checklist.sentence)


async def publish(services: Services, drill: Drill, event: Event, respond: Reply | None) -> None:
    """After a transition: its timeline reply in the thread, then the checklist and the root
    re-rendered from the drill as stored now (a later change may have landed meanwhile)."""
    report = report_by_respond(respond) if respond is not None else None
    if drill.root_ts is None:
        return
    channel = drill.channel_id
    await services.outbox.post(
        channel, views.build_event(drill, event), thread_ts=drill.root_ts, report=report
    )
    # A draw that does not land is drawn again by the failover.due job (handlers.failover.jobs).
    await redraw(services, drill.team_id, drill.id, report)


async def _refusal(err: RuleError, respond: Reply) -> None:
    if isinstance(err, StepAlreadyHandled):
        await respond(**views.build_already_handled(err.step))
    else:
        await respond(**user_error(err))


async def step_done(
    click: Click[StepDone], ack: Reply, respond: Reply, client: Any, services: Services
) -> None:
    """Done on a step: one transition however many press it at once; the others are told
    who did it first."""
    await ack()
    services.tasks.spawn(_done(services, click, respond), name="failover done")


async def _done(services: Services, click: Click[StepDone], respond: Reply) -> None:
    actor = services.actor(click.user_id)
    p = click.payload
    try:
        drill, event = await failover.complete_step(
            services.store, services.clock.now(), click.team_id, actor, p.drill_id, p.step
        )
    except RuleError as err:
        await _refusal(err, respond)
        return
    except Exception:
        log.exception("failover done failed")
        await respond(**error_message(OUR_SIDE))
        return
    await publish(services, drill, event, respond)
    if event.kind is EventKind.CLOSED:
        await after_close(services, drill, event, respond)


async def step_skip(
    click: Click[StepSkip], ack: Reply, respond: Reply, client: Any, services: Services
) -> None:
    """Skip on a step: the form asking why, unless the step was handled already."""
    await ack()
    services.tasks.spawn(_skip_form(services, click, respond, client), name="failover skip form")


async def _skip_form(
    services: Services, click: Click[StepSkip], respond: Reply, client: Any
) -> None:
    p = click.payload
    try:
        drill = await failover.drill(services.store, click.team_id, p.drill_id)
    except RuleError as err:
        await respond(**user_error(err))
        return
    step = drill.step(p.step)
    if step.state is not StepState.TODO:
        await respond(**views.build_already_handled(step))
        return
    if click.trigger_id is None:
        await respond(**error_message(STALE))
        return
    meta = SkipMeta(drill_id=p.drill_id, step=p.step, version=drill.version)
    await open_modal(client, respond, click.trigger_id, views.build_skip_modal(meta, step))


async def skip_submit(
    ack: Reply, body: dict[str, Any], view: dict[str, Any], services: Services
) -> None:
    """The Skip form: the step skipped with its reason, or what is wrong under the input."""
    values = view.get("state", {}).get("values", {})
    raw = (values.get(views.SKIP_REASON) or {}).get("value") or {}
    reason = str(raw.get("value") or "")
    meta = SkipMeta.unpack(view.get("private_metadata"))
    if meta is None:
        await ack(response_action="errors", errors={views.SKIP_REASON: "This form is out of date."})
        return
    if not reason.strip():
        await ack(response_action="errors", errors={views.SKIP_REASON: "Say why."})
        return
    team_id = str(view.get("team_id") or team_of(body))
    actor = services.actor(body["user"]["id"])
    try:
        drill, event = await failover.skip_step(
            services.store, services.clock.now(), team_id, actor, meta.drill_id, meta.step, reason
        )
    except StepAlreadyHandled as err:
        notice = views.build_already_handled(err.step)["text"]
        await ack(response_action="update", view=views.build_notice(notice))
        return
    except RuleError as err:
        await ack(response_action="errors", errors={views.SKIP_REASON: field_error(err)})
        return
    except Exception:
        log.exception("failover skip failed")
        await ack(response_action="errors", errors={views.SKIP_REASON: field_error(OUR_SIDE)})
        return
    await ack()
    services.tasks.spawn(publish(services, drill, event, None), name="failover skip")


async def step_assign(ack: Reply, body: dict[str, Any], respond: Reply, services: Services) -> None:
    """A user picked in a step's Assign: the step is theirs. The drill and step ride in the
    picker's block_id (a select carries no value of its own)."""
    await ack()
    services.tasks.spawn(_assign(services, body, respond), name="failover assign")


async def _assign(services: Services, body: dict[str, Any], respond: Reply) -> None:
    action = (body.get("actions") or [{}])[0]
    ref = StepAssign.unpack(action.get("block_id"))
    owner = action.get("selected_user")
    if ref is None or not isinstance(owner, str):
        await respond(**error_message(STALE))
        return
    actor = services.actor(body["user"]["id"])
    try:
        drill, event = await failover.assign_step(
            services.store,
            services.clock.now(),
            team_of(body),
            actor,
            ref.drill_id,
            ref.step,
            owner,
        )
    except RuleError as err:
        await _refusal(err, respond)
        return
    except Exception:
        log.exception("failover assign failed")
        await respond(**error_message(OUR_SIDE))
        return
    await publish(services, drill, event, respond)


def register(app: AsyncApp) -> None:
    """Register the checklist's buttons and the Skip form (`/failover`: handlers.commands)."""
    app.action(StepDone.action_id)(on_button(StepDone, step_done))
    app.action(StepSkip.action_id)(on_button(StepSkip, step_skip))
    app.action(StepAssign.action_id)(step_assign)
    app.view(FailoverView.SKIP_SUBMIT.value)(skip_submit)
