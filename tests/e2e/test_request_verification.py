"""Requests that are not Slack's: refused with a 401 and one neutral log line, never a 500."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from tests.support.harness import Harness

FORM = "application/x-www-form-urlencoded"
SECRET_NOTE = "carried-by-the-request-only"


async def partner_count(slack: Harness) -> int:
    async with slack.store.read() as tx:
        return len(await tx.partner_names("T0001"))


def assert_logged_refusal_only(caplog: pytest.LogCaptureFixture, body: str | bytes) -> None:
    """One neutral warning; no traceback; nothing the request carried."""
    refusals = [r for r in caplog.records if "refused a request" in r.getMessage()]
    assert len(refusals) == 1
    assert all(r.exc_info is None for r in caplog.records)
    logged = "\n".join(r.getMessage() for r in caplog.records) + caplog.text
    assert "Traceback" not in logged
    assert SECRET_NOTE not in logged
    assert "X-Slack-Signature" not in logged and "v0=" not in logged
    if isinstance(body, str):
        assert body not in logged


@pytest.mark.parametrize(
    "timestamp", ["abc", "", "1795632008.5", "-1795632008", "１２３", "9" * 40]
)
async def test_a_malformed_timestamp_gets_401_without_a_traceback(
    slack: Harness, caplog: pytest.LogCaptureFixture, timestamp: str
) -> None:
    caplog.set_level(logging.DEBUG)
    body = slack.command_body(f'add "Odd Time Co" note={SECRET_NOTE}')
    reply = await slack.post(body, FORM, timestamp=timestamp)
    await slack.settle()
    assert reply.status == 401
    assert await partner_count(slack) == 0
    assert slack.fake.calls == []
    assert_logged_refusal_only(caplog, body)
    assert "not whole seconds" in caplog.text or "out of range" in caplog.text


async def test_a_missing_timestamp_header_gets_401(slack: Harness) -> None:
    body = slack.command_body('add "No Time Co"')
    async with slack.session.post(
        slack.url, data=body.encode(), headers={"Content-Type": FORM, "X-Slack-Signature": "v0=0"}
    ) as resp:
        assert resp.status == 401
    assert await partner_count(slack) == 0


async def test_a_forged_signature_is_logged_without_the_body(
    slack: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    body = slack.command_body(f'add "Forged Co" note={SECRET_NOTE}')
    reply = await slack.post(body, FORM, secret="not-the-secret")
    await slack.settle()
    assert reply.status == 401
    assert await partner_count(slack) == 0
    assert_logged_refusal_only(caplog, body)
    assert "signature does not match" in caplog.text


async def test_the_age_limit_is_five_minutes_by_the_apps_clock(slack: Harness) -> None:
    now = int(slack.clock.now().timestamp())
    for offset in (-300, 300):
        reply = await slack.post(slack.command_body("list"), FORM, timestamp=now + offset)
        await slack.settle()
        assert reply.status == 200
        assert "No partners" in reply.shown or "partners" in reply.shown
    for offset in (-301, 301):
        body = slack.command_body('add "Edge Co"')
        reply = await slack.post(body, FORM, timestamp=now + offset)
        assert reply.status == 401
    slack.clock.advance(timedelta(hours=1))
    assert (
        await slack.post(slack.command_body('add "Late Co"'), FORM, timestamp=now)
    ).status == 401
    assert await partner_count(slack) == 0


async def test_raw_bytes_that_are_not_utf8_with_a_bad_signature_get_401(
    slack: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    body = slack.command_body('add "Raw Co"').encode() + b"&x=\xff\xfe" + SECRET_NOTE.encode()
    reply = await slack.post(body, FORM, secret="not-the-secret")
    assert reply.status == 401
    assert_logged_refusal_only(caplog, body)
    assert await partner_count(slack) == 0


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ('{"type": "event_callback", "x": "' + SECRET_NOTE, "application/json"),
        ('["' + SECRET_NOTE + '"]', "application/json"),
        ("null", "application/json"),
        ('payload=["' + SECRET_NOTE + '"]', FORM),
    ],
)
async def test_a_signed_body_that_cannot_be_parsed_gets_400_without_a_traceback(
    slack: Harness, caplog: pytest.LogCaptureFixture, body: str, content_type: str
) -> None:
    caplog.set_level(logging.DEBUG)
    reply = await slack.post(body, content_type)
    assert reply.status == 400
    assert "cannot be parsed" in caplog.text
    assert all(r.exc_info is None for r in caplog.records)
    assert SECRET_NOTE not in caplog.text
    assert slack.fake.calls == []
