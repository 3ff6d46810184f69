"""The outbox posts, edits and uploads through the real client against the fake Slack,
paces each channel on its own, and turns every failure into a log line and one sentence."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
from typing import Any

import pytest
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from handlers.blocks import message, section
from handlers.outbox import Outbox, report_by_dm, report_by_respond
from handlers.slack_client import build_client
from tests.support.fake_slack import FakeSlack

DIGEST = message([section("*Weekly digest*\nThree partners need a look.")], "Weekly digest")


class Clock:
    """A monotonic clock the test moves; its sleep records each wait and moves time on."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.waits: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds


class Sentences:
    """A Report that keeps what it was told."""

    def __init__(self) -> None:
        self.told: list[str] = []

    async def __call__(self, sentence: str) -> None:
        self.told.append(sentence)


@pytest.fixture
def retries() -> list[float]:
    """What the client's retry handlers slept (a 429's Retry-After, a connection backoff)."""
    return []


@pytest.fixture
def client(fake_slack: FakeSlack, retries: list[float]) -> AsyncWebClient:
    async def sleep(seconds: float) -> None:
        retries.append(seconds)

    return build_client("xoxb-test", fake_slack.api_url, sleep=sleep)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def outbox(client: AsyncWebClient, clock: Clock) -> Outbox:
    return Outbox(client, sleep=clock.sleep, monotonic=clock)


def outbox_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "handlers.outbox" and r.levelno == logging.WARNING
    ]


async def test_post_sends_text_and_blocks_and_returns_the_ts(
    outbox: Outbox, fake_slack: FakeSlack, retries: list[float]
) -> None:
    sent = await outbox.post("C1", DIGEST)
    [call] = fake_slack.named("chat.postMessage")
    assert (sent.ok, sent.error, sent.sentence) == (True, None, "")
    assert sent.ts is not None
    assert sent.ts.startswith("1730000000.")
    assert call.body["channel"] == "C1"
    assert call.body["text"] == "Weekly digest"
    assert call.body["blocks"] == DIGEST["blocks"]
    assert "thread_ts" not in call.body
    assert "response_type" not in call.body  # an ephemeral body's key is not Web API's
    assert retries == []


async def test_a_thread_reply_carries_thread_ts(outbox: Outbox, fake_slack: FakeSlack) -> None:
    parent = (await outbox.post("C1", DIGEST)).ts
    assert parent is not None
    reply = (await outbox.post("C1", {"text": "Reminder: review due"}, thread_ts=parent)).ts
    first, second = fake_slack.named("chat.postMessage")
    assert "thread_ts" not in first.body
    assert second.body["thread_ts"] == parent
    assert second.body["text"] == "Reminder: review due"
    assert reply not in (None, parent)


async def test_update_edits_the_message_in_place(outbox: Outbox, fake_slack: FakeSlack) -> None:
    ts = (await outbox.post("C1", DIGEST)).ts
    assert ts is not None
    done = message([section(":white_check_mark: All reviewed.")], "All reviewed")
    assert (await outbox.update("C1", ts, done)).ok is True
    [call] = fake_slack.named("chat.update")
    assert (call.body["channel"], call.body["ts"]) == ("C1", ts)
    assert call.body["text"] == "All reviewed"
    assert call.body["blocks"] == done["blocks"]


async def test_upload_goes_through_files_upload_v2_with_alt_text(
    outbox: Outbox, fake_slack: FakeSlack
) -> None:
    png = b"\x89PNG\r\n\x1a\nfake chart"
    shared = await outbox.upload(
        "C1",
        png,
        filename="health.png",
        title="Portfolio health",
        comment="This week's chart",
        alt_text="Bar chart of partner health scores",
        thread_ts="1730000000.000001",
    )
    assert shared.ok is True
    [url] = fake_slack.named("files.getUploadURLExternal")
    [upload] = fake_slack.named("upload")
    [complete] = fake_slack.named("files.completeUploadExternal")
    assert url.body["filename"] == "health.png"
    assert url.body["length"] == str(len(png))
    assert url.body["alt_txt"] == "Bar chart of partner health scores"
    assert upload.body["data"] == png
    files = json.loads(complete.body["files"])
    assert [(f["id"], f["title"]) for f in files] == [(upload.body["file_id"], "Portfolio health")]
    assert complete.body["channel_id"] == "C1"
    assert complete.body["initial_comment"] == "This week's chart"
    assert complete.body["thread_ts"] == "1730000000.000001"


async def test_upload_without_alt_text_sends_none(outbox: Outbox, fake_slack: FakeSlack) -> None:
    ok = await outbox.upload("C1", b"png", filename="a.png", title="A", comment="c")
    assert ok.ok is True
    [url] = fake_slack.named("files.getUploadURLExternal")
    assert "alt_txt" not in url.body
    assert "thread_ts" not in fake_slack.named("files.completeUploadExternal")[0].body


async def test_posts_to_one_channel_wait_out_the_interval(
    outbox: Outbox, clock: Clock, fake_slack: FakeSlack
) -> None:
    for n in range(3):
        assert (await outbox.post("C1", {"text": f"reminder {n}"})).ok
    assert clock.waits == [pytest.approx(1.0), pytest.approx(1.0)]
    texts = [c.body["text"] for c in fake_slack.named("chat.postMessage")]
    assert texts == ["reminder 0", "reminder 1", "reminder 2"]


async def test_only_the_rest_of_the_interval_is_waited(
    client: AsyncWebClient, clock: Clock
) -> None:
    outbox = Outbox(client, interval=2.0, sleep=clock.sleep, monotonic=clock)
    await outbox.post("C1", {"text": "one"})
    clock.now += 1.5
    await outbox.post("C1", {"text": "two"})
    clock.now += 5.0
    await outbox.post("C1", {"text": "three"})
    assert clock.waits == [pytest.approx(0.5)]


async def test_different_channels_do_not_wait_for_each_other(outbox: Outbox, clock: Clock) -> None:
    assert (await outbox.post("C1", {"text": "one"})).ok
    assert (await outbox.post("C2", {"text": "two"})).ok
    assert (await outbox.update("C3", "1730000000.000001", {"text": "three"})).ok is True
    assert clock.waits == []
    await outbox.post("C1", {"text": "again"})
    assert clock.waits == [pytest.approx(1.0)]


async def test_a_wait_in_one_channel_does_not_hold_up_another(
    client: AsyncWebClient, fake_slack: FakeSlack
) -> None:
    clock = Clock()
    waiting, release = asyncio.Event(), asyncio.Event()

    async def gated_sleep(seconds: float) -> None:
        waiting.set()
        await release.wait()
        await clock.sleep(seconds)

    outbox = Outbox(client, sleep=gated_sleep, monotonic=clock)
    async with asyncio.timeout(10):  # a failure, should C2 queue behind C1, not a hang
        await outbox.post("C1", {"text": "first"})
        held = asyncio.create_task(outbox.post("C1", {"text": "second"}))
        await waiting.wait()
        assert (await outbox.post("C2", {"text": "elsewhere"})).ok
        assert not held.done()
        release.set()
        assert (await held).ok
    order = [(c.body["channel"], c.body["text"]) for c in fake_slack.named("chat.postMessage")]
    assert order == [("C1", "first"), ("C2", "elsewhere"), ("C1", "second")]
    assert clock.waits == [pytest.approx(1.0)]


async def test_a_429_is_left_to_the_clients_retry(
    outbox: Outbox, fake_slack: FakeSlack, retries: list[float], clock: Clock
) -> None:
    fake_slack.fail_next("chat.postMessage", retry_after=4)
    sentences = Sentences()
    assert (await outbox.post("C1", DIGEST, report=sentences)).ok
    assert retries == [4.0]
    assert clock.waits == []
    assert len(fake_slack.named("chat.postMessage")) == 2
    assert sentences.told == []


async def test_a_refused_post_is_reported_once_and_logged_without_the_message(
    outbox: Outbox, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="handlers.outbox")  # every outbox line, debug too
    fake_slack.refuse_next("chat.postMessage", "not_in_channel")
    sentences = Sentences()
    secret = "Acme renewal is at risk"
    refused = await outbox.post("C1", {"text": secret}, report=sentences)
    assert (refused.ok, refused.ts, refused.error) == (False, None, "not_in_channel")
    [sentence] = sentences.told
    assert refused.sentence == sentence
    assert sentence.startswith("I could not post to <#C1>")
    assert "`not_in_channel`" in sentence
    assert "Invite partnerbot" in sentence
    [line] = outbox_warnings(caplog)
    assert "chat.postMessage" in line
    assert "C1" in line
    assert "not_in_channel" in line
    assert secret not in caplog.text


@pytest.mark.parametrize(
    ("code", "hint"),
    [
        ("channel_not_found", "Invite partnerbot"),
        ("is_archived", "archived"),
        ("message_not_found", "gone"),
        ("<!channel> & co", "tell whoever runs partnerbot"),
    ],
)
async def test_a_refused_update_says_what_to_do(
    outbox: Outbox, fake_slack: FakeSlack, code: str, hint: str
) -> None:
    fake_slack.refuse_next("chat.update", code)
    sentences = Sentences()
    refused = await outbox.update("C1", "1730000000.000001", DIGEST, report=sentences)
    assert (refused.ok, refused.error) == (False, code)  # Slack's code as it came, unescaped
    [sentence] = sentences.told
    assert refused.sentence == sentence
    assert sentence.startswith("I could not update the message in <#C1>")
    assert hint in sentence
    assert "<!channel>" not in sentence
    assert sentence.endswith(".")


async def test_a_slack_code_is_escaped_for_mrkdwn(outbox: Outbox, fake_slack: FakeSlack) -> None:
    fake_slack.refuse_next("chat.postMessage", "<!channel> & co")
    sentences = Sentences()
    await outbox.post("D1", DIGEST, report=sentences)
    assert sentences.told == [
        "I could not post to that conversation (`&lt;!channel&gt; &amp; co`): Slack refused it,"
        " so try again later and tell whoever runs partnerbot if it persists."
    ]


async def test_a_refused_upload_names_the_file(outbox: Outbox, fake_slack: FakeSlack) -> None:
    fake_slack.refuse_next("files.completeUploadExternal", "is_archived")
    sentences = Sentences()
    ok = await outbox.upload(
        "C1", b"png", filename="a.png", title="<@U1> chart", comment="c", report=sentences
    )
    assert (ok.ok, ok.error) == (False, "is_archived")
    [sentence] = sentences.told
    assert sentence.startswith("I could not upload “&lt;@U1&gt; chart” to <#C1> (`is_archived`)")


async def test_an_unreachable_slack_is_reported_not_raised(
    retries: list[float], caplog: pytest.LogCaptureFixture
) -> None:
    with socket.socket() as probe:  # a port the OS just gave out, now closed: nobody listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    async def sleep(seconds: float) -> None:
        retries.append(seconds)

    clock = Clock()
    client = build_client("xoxb-test", f"http://127.0.0.1:{port}/api/", sleep=sleep)
    outbox = Outbox(client, sleep=clock.sleep, monotonic=clock)
    sentences = Sentences()
    failed = await outbox.post("C1", DIGEST, report=sentences)
    assert (failed.ok, failed.error) == (False, None)  # no Slack code: Slack never answered
    assert retries == [0.5, 1.0, 2.0]
    assert sentences.told == [
        "I could not post to <#C1> because the call to Slack failed; try again later."
    ]
    assert failed.sentence == sentences.told[0]
    [line] = outbox_warnings(caplog)
    assert "chat.postMessage to C1 failed" in line


async def test_a_report_that_raises_does_not_escape(
    outbox: Outbox, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    told: list[str] = []

    async def broken(sentence: str) -> None:
        told.append(sentence)
        raise RuntimeError("response_url expired")

    fake_slack.refuse_next("chat.update", "cant_update_message")
    refused = await outbox.update("C1", "1730000000.000001", DIGEST, report=broken)
    assert (refused.ok, refused.error) == (False, "cant_update_message")
    assert len(told) == 1
    lines = outbox_warnings(caplog)
    assert len(lines) == 2
    assert "RuntimeError" in lines[1]
    assert (await outbox.post("C1", DIGEST)).ok  # the channel is not left locked


async def test_report_by_respond_sends_an_ephemeral_error(
    outbox: Outbox, fake_slack: FakeSlack
) -> None:
    webhook = AsyncWebhookClient(fake_slack.response_url("cmd"))

    async def respond(**body: Any) -> Any:
        return await webhook.send_dict(body)

    fake_slack.refuse_next("chat.postMessage", "not_in_channel")
    assert (await outbox.post("C1", DIGEST, report=report_by_respond(respond))).ok is False
    [call] = fake_slack.named("respond")
    assert call.body["response_type"] == "ephemeral"
    assert call.body["text"].startswith("I could not post to <#C1> (`not_in_channel`)")
    [block] = call.body["blocks"]
    assert block["text"]["text"] == f":warning: {call.body['text']}"


async def test_report_by_dm_posts_to_the_user(
    outbox: Outbox, client: AsyncWebClient, fake_slack: FakeSlack
) -> None:
    fake_slack.refuse_next("chat.postMessage", "is_archived")
    report = report_by_dm(client, "U123")
    assert (await outbox.post("C1", DIGEST, report=report)).ok is False
    failed, dm = fake_slack.named("chat.postMessage")
    assert failed.body["channel"] == "C1"
    assert dm.body["channel"] == "U123"
    assert dm.body["text"].startswith("I could not post to <#C1> (`is_archived`)")
    assert dm.body["blocks"] == [section(f":warning: {dm.body['text']}")]


async def test_a_dm_that_fails_too_is_only_logged(
    outbox: Outbox, client: AsyncWebClient, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    fake_slack.refuse_next("chat.postMessage", "not_in_channel")
    fake_slack.refuse_next("chat.postMessage", "user_not_found")
    assert (await outbox.post("C1", DIGEST, report=report_by_dm(client, "U404"))).ok is False
    assert [c.body["channel"] for c in fake_slack.named("chat.postMessage")] == ["C1", "U404"]
    assert "SlackApiError" in outbox_warnings(caplog)[-1]


@pytest.mark.parametrize(
    ("code", "hint"),
    [
        ("user_disabled", "deactivated"),
        ("missing_scope", "chat:write"),
        ("channel_not_found", "tell whoever runs partnerbot"),
    ],
)
async def test_a_refused_direct_message_names_the_person_not_a_channel(
    outbox: Outbox, fake_slack: FakeSlack, code: str, hint: str
) -> None:
    fake_slack.refuse_next("chat.postMessage", code)
    sentences = Sentences()
    refused = await outbox.post("U0NEW001", DIGEST, report=sentences)
    assert (refused.ok, refused.error) == (False, code)
    [sentence] = sentences.told
    assert sentence.startswith(f"I could not send <@U0NEW001> a direct message (`{code}`)")
    assert hint in sentence
    assert "Invite partnerbot" not in sentence  # channel advice would mislead for a DM
