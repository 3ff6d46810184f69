"""A kept message carries the ack body Bolt writes for it, written once: acked on Bolt's own
ack it is that body, with no serialising of the message again; a fake ack still gets the
message's fields; through "Working on it" it is sent as the message."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
import slack_bolt.response.response as bolt_response
from slack_bolt.context.ack.async_ack import AsyncAck

from bot.report_cache import Report
from handlers.blocks import message, section
from handlers.reply import Later, Serialised, answer, now_or_later, serialised
from storage.store import SQLiteStore
from tests.support.fakes import Bot, fake_bot

ANSWER = message([section("*Acme Media* · “quoted” <@U1>")], "Acme Media: all good")


@pytest.fixture
async def bot(store: SQLiteStore) -> AsyncIterator[Bot]:
    async with fake_bot(store) as made:
        yield made


async def test_the_body_is_the_one_bolts_ack_writes() -> None:
    kept = serialised(ANSWER)
    bolts = AsyncAck()  # type: ignore[no-untyped-call]
    await bolts(**ANSWER)
    assert bolts.response is not None
    assert kept.body == bolts.response.body
    assert kept.message() == ANSWER and kept.message() is not kept.message()


async def test_on_bolts_ack_the_kept_body_goes_out_unserialised_again(
    bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    kept = serialised(ANSWER)

    def refused(*_: Any, **__: Any) -> str:
        raise AssertionError("serialised again")

    monkeypatch.setattr(bolt_response.json, "dumps", refused)
    ack = AsyncAck()  # type: ignore[no-untyped-call]

    async def work() -> Serialised:
        return kept

    await answer(bot.services, ack, bot.respond, work(), "/partner")
    assert ack.response is not None and ack.response.status == 200
    assert ack.response.body == kept.body
    assert ack.response.headers["content-type"] == ["application/json;charset=utf-8"]


async def test_a_fake_ack_and_a_late_answer_get_the_message_itself(store: SQLiteStore) -> None:
    kept = serialised(ANSWER)

    async def work() -> Serialised:
        return kept

    async with fake_bot(store) as quick:
        await answer(quick.services, quick.ack, quick.respond, work(), "/partner")
        assert quick.ack.once == ANSWER
    gate = asyncio.Event()

    async def late() -> Serialised:
        await gate.wait()
        return kept

    async with fake_bot(store, ack_budget=0) as slow:
        await answer(slow.services, AsyncAck(), slow.respond, late(), "/partner")  # type: ignore[no-untyped-call]
        gate.set()
        await slow.settle()
        assert slow.respond.once == ANSWER


async def test_a_reports_view_is_built_and_serialised_once_for_every_request() -> None:
    """`/digest preview`, `/score top` and the portfolio: each view of a report carries its
    ack body, so a repeated request neither builds nor serialises the message again."""
    built: list[str] = []

    def build(found: str) -> dict[str, Any]:
        built.append(found)
        return message([section(f"*{found}*")], found)

    async def computed() -> str:
        return "Acme Media"

    report = Report(asyncio.get_running_loop().create_task(computed()))
    later = now_or_later(report, 0, build)  # not done yet: the answer follows the ack
    assert isinstance(later, Later)
    first = await later.work
    again, other = now_or_later(report, 0, build), now_or_later(report, 1, build)
    assert again is first and other is not first and built == ["Acme Media", "Acme Media"]
    assert isinstance(first, Serialised) and first.message() == build("Acme Media")
    bolts = AsyncAck()  # type: ignore[no-untyped-call]
    await bolts(**first.message())
    assert bolts.response is not None and bolts.response.body == first.body


async def test_a_message_of_only_text_is_kept_as_bolt_writes_it() -> None:
    """Bolt's ack writes a message of only text as that text, not JSON: kept so, and given
    back as the message it was."""
    only_text = {"text": '{not JSON} "quoted"'}
    kept = serialised(only_text)
    bolts = AsyncAck()  # type: ignore[no-untyped-call]
    await bolts(**only_text)
    assert bolts.response is not None and kept.body == bolts.response.body == only_text["text"]
    assert kept.plain and kept.message() == only_text
    for left_bare in ({"text": "[1, 2]", "blocks": []}, {"text": "x", "response_type": None}):
        kept = serialised(left_bare)  # nothing but the text is sent: Bolt writes the text
        assert kept.plain and kept.body == left_bare["text"]
        assert kept.message() == {"text": left_bare["text"]}
