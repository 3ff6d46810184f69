"""Events API deliveries: a retried event has no second effect (its claim is taken first),
unless the process that took it died before its listeners ran (the claim's lease ran out)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot import claims
from bot.services import Services

log = logging.getLogger(__name__)

Next = Callable[[], Awaitable[BoltResponse]]


class OncePerEvent(AsyncMiddleware):
    """Claims each event id before its listeners run, and finishes the claim once they
    have; a delivery claimed already is acked and dropped, in this process or any other on
    the same database, unless its claim is still in flight past claims.EVENT_LEASE. (A
    class: Bolt injects no arguments into one, which a function middleware costs on every
    request.)"""

    async def async_process(
        self, *, req: AsyncBoltRequest, resp: BoltResponse, next: Next
    ) -> BoltResponse | None:
        body = req.body
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id:
            services: Services = req.context["services"]
            team_id = str(body.get("team_id") or "")
            now = services.clock.now()
            key = str(event_id)
            store = services.store
            taken = await claims.claim(store, now, team_id, claims.EVENT, key, "")
            if not taken:  # a retry: handled again only if whoever took it died doing so
                lease = claims.EVENT_LEASE
                taken = await claims.retake(store, now, team_id, claims.EVENT, key, "", lease)
            if not taken:
                retry = req.headers.get("x-slack-retry-num", ["?"])[0]
                log.info("event %s seen already (retry %s); not handled again", event_id, retry)
                return BoltResponse(status=200, body="")
            response = await next()
            await claims.finish(store, services.clock.now(), team_id, claims.EVENT, key, "")
            return response
        return await next()
