"""The Web API client retries rate limits after Retry-After and dropped connections."""

from __future__ import annotations

import socket

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.response import HttpResponse

from handlers.slack_client import build_client, retry_after
from tests.support.fake_slack import FakeSlack


def response(headers: dict[str, list[str]]) -> HttpResponse:
    return HttpResponse(status_code=429, headers=headers)


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"Retry-After": ["7"]}, 7.0),
        ({"retry-after": ["2"]}, 2.0),
        ({"Retry-After": ["soon"]}, 1.0),
        ({}, 1.0),
        ({"Retry-After": ["100000"]}, 120.0),
        ({"Retry-After": ["-5"]}, 0.0),
    ],
)
def test_retry_after_reads_the_header(headers: dict[str, list[str]], seconds: float) -> None:
    assert retry_after(response(headers)) == seconds


async def test_a_429_is_retried_until_it_succeeds(fake_slack: FakeSlack) -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    client = build_client("xoxb-test", fake_slack.api_url, sleep=sleep)
    fake_slack.fail_next("chat.postMessage", retry_after=3)
    fake_slack.fail_next("chat.postMessage", retry_after=5)
    result = await client.chat_postMessage(channel="C1", text="hello")
    assert result["ok"] is True
    assert slept == [3.0, 5.0]
    assert len(fake_slack.named("chat.postMessage")) == 3


async def test_rate_limits_that_do_not_end_give_up_after_three_retries(
    fake_slack: FakeSlack,
) -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    client = build_client("xoxb-test", fake_slack.api_url, sleep=sleep)
    for _ in range(5):
        fake_slack.fail_next("chat.postMessage", retry_after=1)
    with pytest.raises(SlackApiError):
        await client.chat_postMessage(channel="C1", text="hello")
    assert len(fake_slack.named("chat.postMessage")) == 4
    assert slept == [1.0, 1.0, 1.0]


async def test_a_refused_connection_is_retried_with_backoff() -> None:
    with socket.socket() as probe:  # a port the OS just gave out, now closed: nobody listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    client = build_client("xoxb-test", f"http://127.0.0.1:{port}/api/", sleep=sleep)
    with pytest.raises(Exception) as raised:
        await client.auth_test()
    assert not isinstance(raised.value, SlackApiError)
    assert slept == [0.5, 1.0, 2.0]
