"""The Slack Web API client: Slack's SDK with retries for rate limits and dropped connections."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from aiohttp import ClientConnectorError
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient

Sleep = Callable[[float], Awaitable[None]]

MAX_RETRY_AFTER = 120.0
REQUEST_TIMEOUT = 10


class _SleepingRetry(AsyncRetryHandler):
    """A retry that waits between attempts through an injectable sleep (tests record it)."""

    def __init__(self, max_retry_count: int = 3, sleep: Sleep = asyncio.sleep) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self._sleep = sleep

    def _seconds(self, state: RetryState, response: HttpResponse | None) -> float:
        raise NotImplementedError

    async def prepare_for_next_attempt_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        state.next_attempt_requested = True
        await self._sleep(self._seconds(state, response))
        state.increment_current_attempt()


class RateLimitRetry(_SleepingRetry):
    """Retries an HTTP 429 after the number of seconds Slack's Retry-After asks for."""

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is None or response.status_code != 429:
            return False
        # A modal's trigger_id lives 3 s: waiting longer than that can only fail.
        return not (request.url.endswith("views.open") and retry_after(response) > 2)

    def _seconds(self, state: RetryState, response: HttpResponse | None) -> float:
        return retry_after(response)


def retry_after(response: HttpResponse | None) -> float:
    """Seconds to wait from a 429's Retry-After header; 1 when it is missing or garbled."""
    if response is None:
        return 1.0
    for key, values in response.headers.items():
        if key.lower() == "retry-after" and values:
            try:
                return min(max(float(values[0]), 0.0), MAX_RETRY_AFTER)
            except ValueError:
                return 1.0
    return 1.0


class ConnectionRetry(_SleepingRetry):
    """Retries a request that could not connect, backing off 0.5 s, 1 s, 2 s."""

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        # Only failures to connect: after a request went out, a retry could post twice.
        return isinstance(error, ClientConnectorError)

    def _seconds(self, state: RetryState, response: HttpResponse | None) -> float:
        return float(0.5 * 2 ** int(state.current_attempt))


def build_client(token: str, base_url: str, sleep: Sleep = asyncio.sleep) -> AsyncWebClient:
    """A Web API client for base_url (Slack's own, GovSlack's, or a test's fake)."""
    return configure_client(AsyncWebClient(token=token), base_url, sleep)


def configure_client(
    client: AsyncWebClient, base_url: str, sleep: Sleep = asyncio.sleep
) -> AsyncWebClient:
    """Point an existing client (Bolt's own, built from the token) at base_url, with the
    timeout and the retries every call of the app gets; returns it."""
    client.base_url = base_url
    client.timeout = REQUEST_TIMEOUT
    client.retry_handlers = [RateLimitRetry(sleep=sleep), ConnectionRetry(sleep=sleep)]
    return client


def single_attempt_client(token: str, base_url: str) -> AsyncWebClient:
    """A client that makes each call once: for start-up checks, whose caller retries with
    its own backoff and logs each attempt."""
    return AsyncWebClient(
        token=token, base_url=base_url, timeout=REQUEST_TIMEOUT, retry_handlers=[]
    )


def error_code(err: SlackApiError) -> str:
    """Slack's error code from a refused call ("error" when the answer carried none)."""
    response = err.response
    code = response.get("error") if response is not None else None
    return str(code or "error")
