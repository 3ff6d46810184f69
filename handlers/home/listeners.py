"""Events API: the App Home tab, and a guard so a retried event has no second effect."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot import claims
from bot.services import Services
from handlers.home.views import build_home

log = logging.getLogger(__name__)


def register(app: AsyncApp, services: Services) -> None:
    """Register the event guard and the App Home listener."""

    async def once_per_event(
        req: AsyncBoltRequest, resp: BoltResponse, next: Callable[[], Awaitable[BoltResponse]]
    ) -> BoltResponse:
        body = req.body
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id:
            team_id = str(body.get("team_id") or "")
            now = services.clock.now()
            first = await claims.claim(
                services.store, now, team_id, claims.EVENT, str(event_id), ""
            )
            if not first:
                retry = req.headers.get("x-slack-retry-num", ["?"])[0]
                log.info("event %s seen already (retry %s); not handled again", event_id, retry)
                return BoltResponse(status=200, body="")
        return await next()

    async def publish_home(team_id: str, user_id: str, client: Any) -> None:
        async with services.store.read() as tx:
            counts = await tx.status_counts(team_id)
            owned = await tx.count_owned(team_id, user_id)
        view = build_home(counts, owned, services.actor(user_id))
        await client.views_publish(user_id=user_id, view=view)

    async def home_opened(event: dict[str, Any], body: dict[str, Any], client: Any) -> None:
        # Tracked, so shutdown waits for it and nothing of it outlives the app.
        if event.get("tab") == "home":
            work = publish_home(str(body.get("team_id")), str(event["user"]), client)
            services.tasks.spawn(work, name="home")

    app.middleware(once_per_event)
    app.event("app_home_opened")(home_opened)
