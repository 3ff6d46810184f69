"""The App Home tab, published each time a user opens it, and its buttons and form."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError

from bot.errors import RuleError
from bot.health.portfolio import PortfolioReport
from bot.health.service import portfolio_health
from bot.home.service import owned_health
from bot.registry import service as partners
from bot.services import Services
from handlers.blocks import channel_message, context, esc, field_error, modal, section
from handlers.buttons import STALE, read_click
from handlers.home.metrics_form import NAME, build_metrics_modal, read_metrics_form
from handlers.home.views import PortfolioState, build_home
from handlers.ids import HomeView
from handlers.payloads import AddPartnerFromHome, ModalMeta, Payload, RecordMetricsFromHome
from handlers.registry.modal import build_partner_modal
from handlers.registry.views import build_metrics_recorded
from handlers.reply import OUR_SIDE

log = logging.getLogger(__name__)


async def publish_home(services: Services, client: Any, team_id: str, user_id: str) -> None:
    """Publish the user's Home tab twice: at once with their own partners (a few rows), then
    with the portfolio, which over a large pool takes seconds in a worker thread."""
    actor = services.actor(user_id)
    now, zone = services.clock.now(), services.settings.zone
    async with services.store.read() as tx:
        counts = await tx.status_counts(team_id)
    yours = await owned_health(services.store, now, zone, team_id, user_id)
    await _publish(client, user_id, build_home(counts, yours, actor, PortfolioState.WORKING))
    portfolio: PortfolioReport | PortfolioState
    try:
        portfolio, _ = await portfolio_health(services.store, now, zone, team_id)
    except Exception:
        log.exception("the Home tab's portfolio failed")
        portfolio = PortfolioState.UNAVAILABLE
    await _publish(client, user_id, build_home(counts, yours, actor, portfolio))


async def _publish(client: Any, user_id: str, view: dict[str, Any]) -> None:
    try:
        await client.views_publish(user_id=user_id, view=view)
    except SlackApiError as err:
        # No one is waiting on an answer: the next opening of the tab tries again.
        code = err.response.get("error", "error") if err.response else "error"
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
        code = err.response.get("error", "error") if err.response else "error"
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


def register(app: AsyncApp) -> None:
    """Register the App Home listener, its buttons and its form."""
    app.event("app_home_opened")(home_opened)
    app.action(AddPartnerFromHome.action_id)(add_partner)
    app.action(RecordMetricsFromHome.action_id)(record_metrics)
    app.view(HomeView.METRICS_SUBMIT.value)(metrics_submit)
