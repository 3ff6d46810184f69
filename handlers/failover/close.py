"""The verify step's Compute from metrics and Enter GMV impact (with its form), and Reopen on
a close summary. Each acks first; the transition and its redraw run after the ack."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.errors import RuleError
from bot.failover import impact, outcome
from bot.failover import service as failover
from bot.failover.rules import check_open
from bot.services import Services
from handlers.blocks import error_message, field_error, message, section
from handlers.buttons import STALE, Click, on_button, team_of
from handlers.failover import verify_views, views
from handlers.failover.listeners import publish
from handlers.forms import state_value
from handlers.ids import FailoverView
from handlers.payloads import ComputeGmv, EnterGmv, GmvMeta, ReopenDrill
from handlers.reply import OUR_SIDE, Reply, open_modal, user_error

log = logging.getLogger(__name__)


async def gmv_compute(
    click: Click[ComputeGmv], ack: Reply, respond: Reply, client: Any, services: Services
) -> None:
    """Compute from metrics: the impact recorded, or what the metrics lack."""
    await ack()
    services.tasks.spawn(_compute(services, click, respond), name="failover gmv compute")


async def _compute(services: Services, click: Click[ComputeGmv], respond: Reply) -> None:
    actor = services.actor(click.user_id)
    zone = services.settings.zone
    try:
        drill, event = await outcome.compute_gmv(
            services.store, services.clock.now(), zone, click.team_id, actor, click.payload.drill_id
        )
    except RuleError as err:
        await respond(**user_error(err))
        return
    except Exception:
        log.exception("failover gmv compute failed")
        await respond(**error_message(OUR_SIDE))
        return
    await publish(services, drill, event, respond)


async def gmv_enter(
    click: Click[EnterGmv], ack: Reply, respond: Reply, client: Any, services: Services
) -> None:
    """Enter GMV impact: the form, over the impact recorded now."""
    await ack()
    services.tasks.spawn(_gmv_form(services, click, respond, client), name="failover gmv form")


async def _gmv_form(
    services: Services, click: Click[EnterGmv], respond: Reply, client: Any
) -> None:
    try:
        drill = await failover.drill(services.store, click.team_id, click.payload.drill_id)
        check_open(drill)
    except RuleError as err:
        await respond(**user_error(err))
        return
    except Exception:
        log.exception("failover GMV form: reading the drill failed")
        await respond(**error_message(OUR_SIDE))
        return
    if click.trigger_id is None:
        await respond(**error_message(STALE))
        return
    shown = None if drill.gmv is None else drill.gmv.change
    meta = GmvMeta(drill_id=drill.id, version=drill.version, shown=shown)
    await open_modal(client, respond, click.trigger_id, verify_views.build_gmv_modal(meta, drill))


def _refusal(check: Callable[[str], object], typed: str) -> RuleError | None:
    """Why check refuses what was typed, or None."""
    try:
        check(typed)
    except RuleError as err:
        return err
    return None


def _errors(errors: dict[str, RuleError | str]) -> dict[str, Any]:
    """A form's answer with what is wrong under each input."""
    shown = {block: field_error(err) for block, err in errors.items()}
    return {"response_action": "errors", "errors": shown}


async def gmv_submit(
    ack: Reply, body: dict[str, Any], view: dict[str, Any], services: Services
) -> None:
    """The GMV form: the impact recorded, or what is wrong under its input; nothing stored
    on a refusal."""
    values = view.get("state", {}).get("values", {})
    raw = str(state_value(values, verify_views.GMV_IMPACT) or "")
    note = str(state_value(values, verify_views.GMV_NOTE) or "")
    meta = GmvMeta.unpack(view.get("private_metadata"))
    if meta is None:
        await ack(**_errors({verify_views.GMV_IMPACT: "This form is out of date."}))
        return
    refusals = {
        verify_views.GMV_IMPACT: _refusal(impact.parse_change, raw),
        verify_views.GMV_NOTE: _refusal(impact.check_note, note),
    }
    wrong: dict[str, RuleError | str] = {k: v for k, v in refusals.items() if v is not None}
    if wrong:
        await ack(**_errors(wrong))
        return
    entered = impact.parse_entered(raw, note)
    team_id = str(view.get("team_id") or team_of(body))
    actor = services.actor(body["user"]["id"])
    try:
        drill, event = await outcome.enter_gmv(
            services.store, services.clock.now(), team_id, actor, meta.drill_id, entered, meta.shown
        )
    except RuleError as err:
        await ack(**_errors({verify_views.GMV_IMPACT: err}))
        return
    except Exception:
        log.exception("failover gmv entry failed")
        await ack(**_errors({verify_views.GMV_IMPACT: OUR_SIDE}))
        return
    await ack()
    services.tasks.spawn(publish(services, drill, event, None), name="failover gmv")


async def reopen(
    click: Click[ReopenDrill], ack: Reply, respond: Reply, client: Any, services: Services
) -> None:
    """Reopen on a close summary: the drill open again, or why not."""
    await ack()
    services.tasks.spawn(_reopen(services, click, respond), name="failover reopen")


async def _reopen(services: Services, click: Click[ReopenDrill], respond: Reply) -> None:
    actor = services.actor(click.user_id)
    p = click.payload
    try:
        drill, event = await outcome.reopen_drill(
            services.store, services.clock.now(), click.team_id, actor, p.drill_id, p.version
        )
    except outcome.OtherDrillOpen as err:
        text = user_error(err)["text"]
        if err.other is not None:
            text += f" It is in {views.thread_link(err.other)}."
        await respond(**error_message(text))
        return
    except RuleError as err:
        await respond(**user_error(err))
        return
    except Exception:
        log.exception("failover reopen failed")
        await respond(**error_message(OUR_SIDE))
        return
    await publish(services, drill, event, respond)
    text = verify_views.reopened_event_text(drill, event)
    await respond(**message([section(text)], text, escaped=True))


def register(app: AsyncApp) -> None:
    """Register the verify step's buttons and form, and Reopen."""
    app.action(ComputeGmv.action_id)(on_button(ComputeGmv, gmv_compute))
    app.action(EnterGmv.action_id)(on_button(EnterGmv, gmv_enter))
    app.view(FailoverView.GMV_SUBMIT.value)(gmv_submit)
    app.action(ReopenDrill.action_id)(on_button(ReopenDrill, reopen))
