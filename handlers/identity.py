"""Who the bot is in its workspace: auth.test asked once, its answer shared by start-up and
every request.

Bolt's single-workspace authorization calls auth.test on each request until one call has
answered, so a burst of first requests made one call each. Here one call is in flight at a
time, and its answer is handed to Bolt's authorization, which then never asks again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.middleware.authorization.async_single_team_authorization import (
    AsyncSingleTeamAuthorization,
)
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)

# Requests that Bolt answers without asking Slack who the bot is.
_NO_IDENTITY_NEEDED = {"url_verification", "ssl_check"}

NOT_CONNECTED = (
    ":warning: partnerbot cannot reach Slack right now, so it cannot answer. Try again in a "
    "minute; if this persists, tell whoever runs partnerbot (its log says why)."
)


class BotIdentity:
    """The bot's auth.test answer, asked at most once at a time and kept once answered."""

    def __init__(self, client: AsyncWebClient) -> None:
        self._client = client
        self._bolt: AsyncSingleTeamAuthorization | None = None
        self._answer: Any = None
        self._pending: asyncio.Future[Any] | None = None

    def share_with(self, app: AsyncApp) -> None:
        """Hand the answer to app's own authorization, now if known and else when it comes."""
        self._bolt = _bolt_authorization(app)
        if self._bolt is not None and self._answer is not None:
            self._bolt.auth_test_result = self._answer

    def middleware(self) -> AsyncMiddleware:
        """The middleware to give Bolt as before_authorize."""
        return IdentityCheck(self)

    @property
    def known(self) -> bool:
        """Whether auth.test has answered."""
        return self._answer is not None

    async def check(self) -> None:
        """Ask auth.test unless it has answered; callers arriving meanwhile share the one call.

        Raises what the call raised (SlackApiError for a refused token, aiohttp or timeout
        errors when Slack cannot be reached); the next check asks again.
        """
        if self._answer is not None:
            return
        if self._pending is None:
            self._pending = asyncio.ensure_future(self._ask())
            self._pending.add_done_callback(self._settled)
        # Shielded: one caller giving up (a request cancelled) must not cancel the others' call.
        await asyncio.shield(self._pending)

    async def _ask(self) -> Any:
        answer = await self._client.auth_test()
        self._answer = answer
        if self._bolt is not None:
            self._bolt.auth_test_result = answer
        return answer

    def _settled(self, pending: asyncio.Future[Any]) -> None:
        self._pending = None
        if not pending.cancelled():
            pending.exception()  # retrieved here, so a call nobody waits for is not reported

    async def close(self) -> None:
        """Cancel a call in flight (shutdown)."""
        pending = self._pending
        if pending is not None and not pending.done():
            pending.cancel()
            await asyncio.gather(pending, return_exceptions=True)


class IdentityCheck(AsyncMiddleware):
    """Runs before Bolt's authorization: makes sure the identity is known, through the shared
    call, or answers that Slack cannot be reached."""

    def __init__(self, identity: BotIdentity) -> None:
        self.identity = identity

    async def async_process(
        self,
        *,
        req: AsyncBoltRequest,
        resp: BoltResponse,
        next: Callable[[], Awaitable[BoltResponse]],
    ) -> BoltResponse:
        identity = self.identity
        if identity.known or _needs_no_identity(req):
            return await next()
        try:
            await identity.check()
        except Exception as err:
            log.warning("cannot answer a request: auth.test failed (%s)", type(err).__name__)
            return BoltResponse(status=200, body=NOT_CONNECTED)
        return await next()


def _needs_no_identity(req: AsyncBoltRequest) -> bool:
    body = req.body if isinstance(req.body, dict) else {}
    return body.get("type") in _NO_IDENTITY_NEEDED


def _bolt_authorization(app: AsyncApp) -> AsyncSingleTeamAuthorization | None:
    """Bolt's single-workspace authorization middleware, whose auth.test cache is filled here.

    Bolt keeps its built-in middleware in a private list and offers no other way in; if a
    later Bolt moves it, requests still work and Bolt asks auth.test once more itself.
    """
    for middleware in getattr(app, "_async_middleware_list", []):
        if isinstance(middleware, AsyncSingleTeamAuthorization):
            return middleware
    log.warning("Bolt's single-workspace authorization not found; it will ask auth.test itself")
    return None
