"""The checklist's buttons and forms for steps 1 to 3: Engage on a backup candidate, a stop-gap
measure's note, Record sending for the users' message. Each change is one transition,
posted in the thread and redrawn like Done (listeners.publish)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.errors import RuleError
from bot.failover import kit
from bot.failover.candidates import AlreadyEngaged, EngagedSince
from bot.failover.rules import Drill, DrillStatus, Event, check_reason
from bot.failover.service import drill as read_drill
from bot.failover.steps import MAX_WHERE, MeasureChanged, check_note, tick
from bot.services import Services
from bot.wording import count
from handlers.blocks import error_message, field_error, message, section
from handlers.buttons import STALE, Click, on_button, team_of
from handlers.failover import kit_views, views
from handlers.failover.listeners import publish
from handlers.failover.render import redraw
from handlers.forms import state_value
from handlers.ids import FailoverView
from handlers.payloads import (
    EngageBackup,
    MeasureMeta,
    RankAgain,
    RecordSending,
    SendingMeta,
    TickMeasure,
)
from handlers.reply import OUR_SIDE, Reply, open_modal, user_error

log = logging.getLogger(__name__)

OUT_OF_DATE = "This form is out of date."


async def engage(
    click: Click[EngageBackup], ack: Reply, respond: Reply, client: Any, services: Services
) -> None:
    """Engage on a candidate: one transition however many press it at once."""
    await ack()
    services.tasks.spawn(_engage(services, click, respond), name="failover engage")


async def _engage(services: Services, click: Click[EngageBackup], respond: Reply) -> None:
    p = click.payload
    actor = services.actor(click.user_id)
    try:
        drill, event = await kit.engage_backup(
            services.store,
            services.clock.now(),
            click.team_id,
            actor,
            p.drill_id,
            p.partner_id,
            p.seen,
        )
    except (AlreadyEngaged, EngagedSince) as err:
        await respond(**kit_views.build_engage_refusal(err, services.settings.zone))
        return
    except RuleError as err:
        await respond(**user_error(err))
        return
    except Exception:
        log.exception("failover engage failed")
        await respond(**error_message(OUR_SIDE))
        return
    await publish(services, drill, event, respond)


async def _open_drill(
    services: Services, team_id: str, drill_id: int, trigger_id: str | None, respond: Reply
) -> Drill | None:
    """The drill a form is about to be opened on, or None once the clicker is told why not
    (gone, closed, or a click that cannot open a form)."""
    try:
        drill = await read_drill(services.store, team_id, drill_id)
    except RuleError as err:
        await respond(**user_error(err))
        return None
    except Exception:
        log.exception("failover form: reading the drill failed")
        await respond(**error_message(OUR_SIDE))
        return None
    if drill.status is DrillStatus.CLOSED:
        await respond(**error_message("That drill is closed; nothing was changed."))
        return None
    if trigger_id is None:
        await respond(**error_message(STALE))
        return None
    return drill


async def open_measure(
    click: Click[TickMeasure], ack: Reply, respond: Reply, client: Any, services: Services
) -> None:
    """A measure's button: the form for its note, prefilled when it was ticked already."""
    await ack()
    services.tasks.spawn(_measure_form(services, click, respond, client), name="measure form")


async def _measure_form(
    services: Services, click: Click[TickMeasure], respond: Reply, client: Any
) -> None:
    p = click.payload
    drill = await _open_drill(services, click.team_id, p.drill_id, click.trigger_id, respond)
    if drill is None or click.trigger_id is None:
        return
    done = tick(drill, p.measure)
    meta = MeasureMeta(
        drill_id=p.drill_id, measure=p.measure, seen=None if done is None else done.at
    )
    await open_modal(client, respond, click.trigger_id, kit_views.build_measure_modal(meta, done))


def _typed(view: dict[str, Any], block_id: str) -> str:
    """What was typed in one text input of the submitted form ("" when empty)."""
    return str(state_value(view.get("state", {}).get("values", {}), block_id) or "")


async def measure_submit(
    ack: Reply, body: dict[str, Any], view: dict[str, Any], services: Services
) -> None:
    """A measure's form: ticked off with its note, or what is wrong under the input."""
    meta = MeasureMeta.unpack(view.get("private_metadata"))
    if meta is None:
        await ack(response_action="errors", errors={kit_views.NOTE: OUT_OF_DATE})
        return
    note = _typed(view, kit_views.NOTE)
    try:
        check_note(meta.measure, note)
    except RuleError as err:
        await ack(response_action="errors", errors={kit_views.NOTE: field_error(err)})
        return
    team_id = str(view.get("team_id") or team_of(body))
    actor = services.actor(body["user"]["id"])
    work = kit.tick_measure(
        services.store,
        services.clock.now(),
        team_id,
        actor,
        meta.drill_id,
        meta.measure,
        note,
        meta.seen,
    )
    await _save(ack, services, kit_views.NOTE, "failover measure", work)


async def open_sending(
    click: Click[RecordSending], ack: Reply, respond: Reply, client: Any, services: Services
) -> None:
    """Record sending: the form asking where the users' message went."""
    await ack()
    services.tasks.spawn(_sending_form(services, click, respond, client), name="sending form")


async def _sending_form(
    services: Services, click: Click[RecordSending], respond: Reply, client: Any
) -> None:
    p = click.payload
    drill = await _open_drill(services, click.team_id, p.drill_id, click.trigger_id, respond)
    if drill is None or click.trigger_id is None:
        return
    form = kit_views.build_sending_modal(SendingMeta(drill_id=p.drill_id))
    await open_modal(client, respond, click.trigger_id, form)


async def sending_submit(
    ack: Reply, body: dict[str, Any], view: dict[str, Any], services: Services
) -> None:
    """The Record sending form: where the message went, or what is wrong under the input."""
    meta = SendingMeta.unpack(view.get("private_metadata"))
    if meta is None:
        await ack(response_action="errors", errors={kit_views.WHERE: OUT_OF_DATE})
        return
    where = _typed(view, kit_views.WHERE)
    try:
        if not check_reason(where, "Where it was sent", MAX_WHERE):
            raise RuleError("Say where the message was sent.")
    except RuleError as err:
        await ack(response_action="errors", errors={kit_views.WHERE: field_error(err)})
        return
    team_id = str(view.get("team_id") or team_of(body))
    actor = services.actor(body["user"]["id"])
    work = kit.record_sending(
        services.store, services.clock.now(), team_id, actor, meta.drill_id, where
    )
    await _save(ack, services, kit_views.WHERE, "failover sending", work)


async def _save(
    ack: Reply,
    services: Services,
    block_id: str,
    what: str,
    work: Awaitable[tuple[Drill, Event]],
) -> None:
    """A form's transition: acked empty and published in the thread, or what is wrong shown
    under its input (a measure changed since the form opened replaces the form)."""
    try:
        drill, event = await work
    except MeasureChanged as err:
        notice = kit_views.measure_changed(err, services.settings.zone)
        await ack(response_action="update", view=views.build_notice(notice, "Traffic takeover"))
        return
    except RuleError as err:
        await ack(response_action="errors", errors={block_id: field_error(err)})
        return
    except Exception:
        log.exception("%s failed", what)
        await ack(response_action="errors", errors={block_id: field_error(OUR_SIDE)})
        return
    await ack()
    services.tasks.spawn(publish(services, drill, event, None), name=what)


async def rank_again(
    click: Click[RankAgain], ack: Reply, respond: Reply, client: Any, services: Services
) -> None:
    """Rank again, under an empty list: the backups registered since are ranked."""
    await ack()
    services.tasks.spawn(_rank_again(services, click, respond), name="failover rank again")


async def _rank_again(services: Services, click: Click[RankAgain], respond: Reply) -> None:
    p = click.payload
    zone = services.settings.zone
    try:
        ranked = await kit.rank_candidates(
            services.store, services.clock.now(), zone, click.team_id, p.drill_id,
            again=True,
        )  # fmt: skip
    except Exception:
        log.exception("failover rank again failed")
        await respond(**error_message(OUR_SIDE))
        return
    if ranked is None:
        text = "The candidates are ranked already, or the drill is closed; nothing was changed."
        await respond(**error_message(text))
        return
    await redraw(services, ranked.team_id, ranked.id)
    found = len(ranked.candidates)
    text = f"Ranked again: {count(found, 'candidate')}." if found else "Still no candidate."
    await respond(**message([section(text)], text))


def register(app: AsyncApp) -> None:
    """Register Engage, the measures' buttons and form, and Record sending with its form."""
    app.action(EngageBackup.action_id)(on_button(EngageBackup, engage))
    app.action(TickMeasure.action_id)(on_button(TickMeasure, open_measure))
    app.view(FailoverView.MEASURE_SUBMIT.value)(measure_submit)
    app.action(RecordSending.action_id)(on_button(RecordSending, open_sending))
    app.view(FailoverView.SENDING_SUBMIT.value)(sending_submit)
    app.action(RankAgain.action_id)(on_button(RankAgain, rank_again))
