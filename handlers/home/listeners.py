"""The App Home tab, published each time a user opens it, and its buttons and form."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError

from bot.digest import service as digest_service
from bot.digest.command import Scope
from bot.digest.service import upcoming
from bot.errors import RuleError
from bot.health.portfolio import PortfolioReport
from bot.health.service import portfolio_health
from bot.home.service import owned_health
from bot.registry import service as partners
from bot.services import Services
from handlers.blocks import channel_message, context, esc, field_error, modal, section
from handlers.buttons import STALE, Click, read_click, team_of
from handlers.failover.record import HOME_DRILLS, home_drills_blocks
from handlers.home.digests import (
    DIGESTS_SHOWN,
    ScheduledDigests,
    build_preview,
    build_preview_failed,
    build_preview_working,
)
from handlers.home.metrics_form import NAME, build_metrics_modal, read_metrics_form
from handlers.home.views import PortfolioState, build_home
from handlers.ids import HomeView
from handlers.payloads import (
    AddPartnerFromHome,
    DigestScheduleRef,
    ModalMeta,
    PauseDigestFromHome,
    Payload,
    PreviewDigestFromHome,
    RecordMetricsFromHome,
    ResumeDigestFromHome,
)
from handlers.registry.modal import build_partner_modal
from handlers.registry.views import build_metrics_recorded
from handlers.reply import OUR_SIDE
from handlers.slack_client import error_code

log = logging.getLogger(__name__)


async def publish_home(services: Services, client: Any, team_id: str, user_id: str) -> None:
    """Publish the user's Home tab twice: at once with their own partners (a few rows), then
    with the portfolio, which over a large pool takes seconds in a worker thread."""
    actor = services.actor(user_id)
    now, zone = services.clock.now(), services.settings.zone
    async with services.store.read() as tx:
        counts = await tx.status_counts(team_id)
        schedules = await tx.digest_schedules(team_id)
        steps = await tx.owned_failover_steps(team_id, user_id, HOME_DRILLS)
    drills = home_drills_blocks(steps, zone, now)
    digests = ScheduledDigests(
        schedules,
        {s.id: next(iter(upcoming(s, now, 1)), None) for s in schedules[:DIGESTS_SHOWN]},
    )
    yours = await owned_health(services.store, now, zone, team_id, user_id)
    working = PortfolioState.WORKING
    first = build_home(counts, yours, actor, working, digests, drills)
    await _publish(client, user_id, first)
    portfolio: PortfolioReport | PortfolioState
    try:
        portfolio, _ = await portfolio_health(services.store, now, zone, team_id)
    except Exception:
        log.exception("the Home tab's portfolio failed")
        portfolio = PortfolioState.UNAVAILABLE
    await _publish(client, user_id, build_home(counts, yours, actor, portfolio, digests, drills))


async def _publish(client: Any, user_id: str, view: dict[str, Any]) -> None:
    try:
        await client.views_publish(user_id=user_id, view=view)
    except SlackApiError as err:
        # No one is waiting on an answer: the next opening of the tab tries again.
        code = error_code(err)
        log.warning("views.publish failed: %s", code)


async def home_opened(
    event: dict[str, Any], body: dict[str, Any], client: Any, services: Services
) -> None:
    """`app_home_opened`: publish the Home tab after the ack, tracked so shutdown waits."""
    team_id, user_id = body.get("team_id"), event.get("user")
    if event.get("tab") == "home" and team_id and user_id:
        work = publish_home(services, client, str(team_id), str(user_id))
        services.tasks.spawn(work, name="home")


# The buttons: a click on the Home tab has no response_url, so problems go to the user's DM.


def _tell(services: Services, user_id: str, text: str) -> None:
    body = channel_message([section(f":warning: {text}")], text, escaped=True)
    services.tasks.spawn(services.outbox.post(user_id, body), name="home problem")


async def _open_form(services: Services, client: Any, body: dict[str, Any], view: Any) -> None:
    """Open a form with the click's trigger_id; a refusal is told to the user by DM."""
    try:
        await client.views_open(trigger_id=body.get("trigger_id") or "", view=view)
    except SlackApiError as err:
        code = error_code(err)
        log.warning("views.open failed: %s", code)
        text = f"The form could not be opened ({esc(code)}); press the button on Home again."
        _tell(services, body["user"]["id"], text)


def _clicked(services: Services, body: dict[str, Any], payload_type: type[Payload]) -> bool:
    """Whether the click carries one of our payloads; if not, the user is told."""
    if read_click(payload_type, body) is None:
        _tell(services, body["user"]["id"], STALE)
        return False
    return True


async def add_partner(ack: Any, body: dict[str, Any], client: Any, services: Services) -> None:
    """Home's "Add a partner": the add form, the same as `/partner add`."""
    await ack()
    if _clicked(services, body, AddPartnerFromHome):
        view = build_partner_modal(None, body["user"]["id"], ModalMeta())
        services.tasks.spawn(_open_form(services, client, body, view), name="views.open")


async def record_metrics(ack: Any, body: dict[str, Any], client: Any, services: Services) -> None:
    """Home's "Record metrics": the metrics form, the current week by default."""
    await ack()
    if _clicked(services, body, RecordMetricsFromHome):
        today = services.clock.now().astimezone(services.settings.zone).date()
        view = build_metrics_modal(today)
        services.tasks.spawn(_open_form(services, client, body, view), name="views.open")


async def metrics_submit(
    ack: Any, body: dict[str, Any], view: dict[str, Any], client: Any, services: Services
) -> None:
    """The metrics form: errors under their inputs and nothing stored, else record them
    (audited, as `/partner metrics`), show what was recorded, and refresh the Home tab."""
    team_id = str(view.get("team_id") or body["team"]["id"])
    user_id = body["user"]["id"]
    now = services.clock.now()
    form = read_metrics_form(view["state"]["values"], now.astimezone(services.settings.zone).date())
    if isinstance(form, dict):
        await ack(response_action="errors", errors=form)
        return
    actor = services.actor(user_id)
    try:
        change = await partners.record_metrics(
            services.store, now, team_id, actor, form.name, form.values, form.period
        )
    except RuleError as err:
        await ack(response_action="errors", errors={NAME: field_error(err)})
        return
    except Exception:
        log.exception("recording metrics from Home failed")
        await ack(response_action="errors", errors={NAME: field_error(OUR_SIDE)})
        return
    recorded = build_metrics_recorded(change, form.period.label)["blocks"]
    done = context("Close this window when you are done.")
    await ack(
        response_action="update", view=modal("Metrics recorded", [*recorded, done], close="Done")
    )
    services.tasks.spawn(publish_home(services, client, team_id, user_id), name="home")


async def pause_digest(ack: Any, body: dict[str, Any], client: Any, services: Services) -> None:
    """Pause on a digest row: `/digest pause ID` (checked again here), then Home again."""
    await _change_digest(ack, body, client, services, PauseDigestFromHome, "pause")


async def resume_digest(ack: Any, body: dict[str, Any], client: Any, services: Services) -> None:
    """Resume on a digest row: `/digest resume ID` (checked again here), then Home again."""
    await _change_digest(ack, body, client, services, ResumeDigestFromHome, "resume")


async def _change_digest(
    ack: Any,
    body: dict[str, Any],
    client: Any,
    services: Services,
    payload_type: type[DigestScheduleRef],
    verb: str,
) -> None:
    await ack()
    click = read_click(payload_type, body)
    if click is None:
        _tell(services, body["user"]["id"], STALE)
        return
    work = _changed_then_published(services, client, click, verb)
    services.tasks.spawn(work, name=f"home digest {verb}")


async def _changed_then_published(
    services: Services, client: Any, click: Click[DigestScheduleRef], verb: str
) -> None:
    actor = services.actor(click.user_id)
    now = services.clock.now()
    schedule_id = click.payload.schedule_id
    try:
        await digest_service.change_schedule(
            services.store, now, click.team_id, actor, verb, schedule_id
        )
    except RuleError as err:
        _tell(services, click.user_id, f"{err} Nothing was changed.")
    except Exception:
        log.exception("a digest %s from Home failed", verb)
        _tell(services, click.user_id, OUR_SIDE)
    # Published either way, so a row changed or removed elsewhere shows as it is now.
    await publish_home(services, client, click.team_id, click.user_id)


async def preview_digest(ack: Any, body: dict[str, Any], client: Any, services: Services) -> None:
    """Home's "Preview a digest": the workspace's digest, as it would be posted, in a modal
    opened at once (a trigger_id lasts 3 seconds) and filled when composed off the loop."""
    await ack()
    if _clicked(services, body, PreviewDigestFromHome):
        services.tasks.spawn(_preview(services, client, body), name="home digest preview")


async def _preview(services: Services, client: Any, body: dict[str, Any]) -> None:
    user_id, team_id = body["user"]["id"], team_of(body)
    try:
        opened = await client.views_open(
            trigger_id=body.get("trigger_id") or "", view=build_preview_working()
        )
    except SlackApiError as err:
        code = error_code(err)
        log.warning("views.open failed: %s", code)
        text = f"The preview could not be opened ({esc(code)}); press the button on Home again."
        _tell(services, user_id, text)
        return
    view_id = (opened.get("view") or {}).get("id")
    scope = Scope()
    try:
        # No channel: the digest as a first post anywhere would show it.
        digest = await digest_service.compose_digest(
            services.store, services.clock.now(), services.settings.zone, team_id, "", scope
        )
        view = build_preview(digest, scope)
    except Exception:
        log.exception("the digest preview from Home failed")
        _tell(services, user_id, "The digest could not be composed just now; try again.")
        view = build_preview_failed()
    try:
        await client.views_update(view_id=view_id, view=view)
    except SlackApiError as err:
        code = error_code(err)
        log.warning("views.update failed: %s", code)
        _tell(services, user_id, f"The preview could not be shown ({esc(code)}); try again.")


def register(app: AsyncApp) -> None:
    """Register the App Home listener, its buttons and its form."""
    app.event("app_home_opened")(home_opened)
    app.action(AddPartnerFromHome.action_id)(add_partner)
    app.action(RecordMetricsFromHome.action_id)(record_metrics)
    app.action(PauseDigestFromHome.action_id)(pause_digest)
    app.action(ResumeDigestFromHome.action_id)(resume_digest)
    app.action(PreviewDigestFromHome.action_id)(preview_digest)
    app.view(HomeView.METRICS_SUBMIT.value)(metrics_submit)
