"""Connecting to Slack at start-up: the bot token checked with auth.test, then in Socket Mode
the connection opened. A token Slack refuses stops start-up with one line naming the setting;
a Slack that cannot be reached is retried with backoff, one log line an attempt, while
`/healthz` says why the bot is not ready.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.settings import HOW_TO_FIX, ConfigError
from handlers.slack_client import error_code

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]

# Slack's answers that mean the token itself is wrong: no retry can help.
TOKEN_REFUSED = frozenset(
    {
        "invalid_auth",
        "not_authed",
        "account_inactive",
        "token_revoked",
        "token_expired",
        "not_allowed_token_type",
        "missing_scope",
        "no_permission",
        "team_access_not_granted",
    }
)

# Failures to get an answer from Slack at all: worth another attempt later.
UNREACHABLE: tuple[type[BaseException], ...] = (
    aiohttp.ClientError,
    OSError,
    TimeoutError,
    SlackClientError,
)

SOCKET_CONNECT_TIMEOUT = 15.0
FIRST_RETRY = 1.0
LONGEST_RETRY = 30.0


class TokenRefused(ConfigError):
    """Slack refused a configured token; str() is one line naming the setting and the fix."""

    def __init__(self, setting: str, code: str) -> None:
        self.setting = setting
        self.code = code
        super().__init__(f"{setting} was refused by Slack ({code}): {HOW_TO_FIX[setting]}.")


@dataclass
class Readiness:
    """Why the bot cannot serve Slack yet, as /healthz reports it; None once it can."""

    reason: str | None = None
    socket: Any = None  # the Socket Mode client once connected: its connection can drop later

    async def why_not(self) -> str | None:
        """The reason the bot is not ready, or None when it is."""
        if self.reason is not None:
            return self.reason
        if self.socket is not None and not await self.socket.is_connected():
            return "the Socket Mode connection to Slack dropped; reconnecting"
        return None


class Backoff:
    """Seconds to wait before each next attempt: doubling from first, never above longest."""

    def __init__(self, first: float = FIRST_RETRY, longest: float = LONGEST_RETRY) -> None:
        self._next = first
        self._longest = longest

    def next(self) -> float:
        """The delay before the next attempt."""
        delay = self._next
        self._next = min(delay * 2, self._longest)
        return delay


def one_line(err: BaseException) -> str:
    """An exception as one line: its type and its message with whitespace collapsed."""
    text = " ".join(str(err).split())
    return f"{type(err).__name__}: {text}" if text else type(err).__name__


@dataclass
class SlackConnection:
    """The start-up steps against Slack, each retried until it works or a token is refused.

    Run as one task, so a SIGTERM at any point cancels it. announce is called once, with the
    first reason start-up has to wait, so an operator (or a test) learns the health port early.
    """

    readiness: Readiness
    api_url: str
    sleep: Sleep = asyncio.sleep
    announce: Callable[[str], None] = lambda reason: None
    _announced: bool = field(default=False, init=False)

    async def check_bot_token(self, check: Callable[[], Awaitable[None]]) -> None:
        """Run check (auth.test with the bot token) until it answers; TokenRefused if refused."""
        backoff = Backoff()
        attempt = 0
        while True:
            attempt += 1
            self.readiness.reason = "checking the bot token with Slack (auth.test)"
            try:
                await check()
                return
            except SlackApiError as err:
                code = error_code(err)
                if code in TOKEN_REFUSED:
                    raise TokenRefused("SLACK_BOT_TOKEN", code) from None
                why = f"auth.test answered {code}"
            except UNREACHABLE as err:
                why = f"cannot reach Slack's Web API at {self.api_url} ({one_line(err)})"
            await self._retry("checking the bot token", why, attempt, backoff)

    async def open_socket(self, socket: Any, probe: AsyncWebClient, app_token: str) -> None:
        """Open socket (slack_sdk's Socket Mode client) with a URL from apps.connections.open,
        retrying until it is open; TokenRefused if Slack refuses the app-level token."""
        backoff = Backoff()
        attempt = 0
        while True:
            attempt += 1
            self.readiness.reason = "connecting to Slack in Socket Mode"
            try:
                answer = await probe.apps_connections_open(app_token=app_token)
                socket.wss_uri = answer["url"]
                # The SDK retries a failed websocket forever on its own; a fresh URL helps more.
                async with asyncio.timeout(SOCKET_CONNECT_TIMEOUT):
                    await socket.connect()
                self.readiness.socket = socket
                return
            except SlackApiError as err:
                code = error_code(err)
                if code in TOKEN_REFUSED:
                    raise TokenRefused("SLACK_APP_TOKEN", code) from None
                why = f"apps.connections.open answered {code}"
            except TimeoutError:
                why = f"the websocket did not open within {SOCKET_CONNECT_TIMEOUT:.0f} s"
            except UNREACHABLE as err:
                why = f"cannot reach Slack's Web API at {self.api_url} ({one_line(err)})"
            await self._retry("opening the Socket Mode connection", why, attempt, backoff)

    async def _retry(self, step: str, why: str, attempt: int, backoff: Backoff) -> None:
        delay = backoff.next()
        self.readiness.reason = f"not connected to Slack yet ({step}): {why}; retrying"
        log.warning("not ready (attempt %d, %s): %s; retrying in %.0f s", attempt, step, why, delay)
        if not self._announced:
            self._announced = True
            self.announce(self.readiness.reason)
        await self.sleep(delay)


class _NetworkFailuresInOneLine(logging.Filter):
    """Slack's Socket Mode client logs a traceback with every failed connection; while Slack
    cannot be reached that is expected, so its one-line message is enough."""

    def filter(self, record: logging.LogRecord) -> bool:
        failure = record.exc_info[1] if record.exc_info else None
        if isinstance(failure, UNREACHABLE):
            record.exc_info = None
            record.exc_text = None
        return True


def socket_logger() -> logging.Logger:
    """The logger to give Slack's Socket Mode client."""
    logger = logging.getLogger("partnerbot.socket")
    if not any(isinstance(f, _NetworkFailuresInOneLine) for f in logger.filters):
        logger.addFilter(_NetworkFailuresInOneLine())
    return logger
