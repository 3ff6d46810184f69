"""How listeners answer: in the ack when quick, else "Working on it" then the answer through
respond; a surprise is logged by name and shown as nothing changed; a button's error never
replaces the message it was clicked on."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest
from slack_sdk.errors import SlackApiError

from bot.errors import CommandError, RuleError
from bot.report_cache import Report
from handlers.blocks import message, section
from handlers.reply import (
    OUR_SIDE,
    WORKING,
    Later,
    Message,
    answer,
    follow_up,
    now_or_later,
    open_modal,
    user_error,
)
from storage.store import SQLiteStore
from tests.support.fakes import TRIGGER, Bot, fake_bot

ANSWER = message([section("*Acme Media*: all good")], "Acme Media: all good")


@pytest.fixture
async def bot(store: SQLiteStore) -> AsyncIterator[Bot]:
    async with fake_bot(store) as made:
        yield made


@pytest.fixture
async def slow_bot(store: SQLiteStore) -> AsyncIterator[Bot]:
    """No time at all to answer in the ack."""
    async with fake_bot(store, ack_budget=0) as made:
        yield made


async def quick() -> dict[str, Any]:
    return ANSWER


async def test_a_quick_answer_goes_in_the_ack(bot: Bot) -> None:
    await answer(bot.services, bot.ack, bot.respond, quick(), "/partner")
    await bot.settle()

    assert bot.ack.once == ANSWER
    assert bot.respond.calls == []


async def test_a_slow_answer_acks_working_and_follows_through_respond(slow_bot: Bot) -> None:
    bot = slow_bot
    gate = asyncio.Event()

    async def slow() -> dict[str, Any]:
        await gate.wait()
        return ANSWER

    await answer(bot.services, bot.ack, bot.respond, slow(), "/partner")

    assert bot.ack.once == {"response_type": "ephemeral", "text": WORKING}
    assert bot.respond.calls == []  # the work is still waiting
    gate.set()
    await bot.settle()
    assert bot.respond.once == ANSWER
    assert len(bot.ack.calls) == 1


@pytest.fixture
async def report_bot(store: SQLiteStore) -> AsyncIterator[Bot]:
    """Production's wait for a slow report: none (the ack budget itself generous)."""
    async with fake_bot(store, report_wait=0) as made:
        yield made


def report_of(result: asyncio.Future[dict[str, Any]]) -> Report[dict[str, Any]]:
    """A report being computed until result is set."""

    async def computed() -> dict[str, Any]:
        return await result

    return Report(asyncio.create_task(computed()))


def built(report: dict[str, Any]) -> Message:
    return message([section(f"*{report['name']}*: all good")], f"{report['name']}: all good")


async def test_a_report_ready_at_once_goes_in_the_ack(report_bot: Bot) -> None:
    bot = report_bot
    ready: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
    ready.set_result({"name": "Acme Media"})
    report = report_of(ready)
    await report

    async def work() -> Message | Later:
        return now_or_later(report, "page 1", built)

    await answer(bot.services, bot.ack, bot.respond, work(), "/score")
    await bot.settle()
    assert bot.ack.once == ANSWER
    assert bot.respond.calls == []


async def test_a_report_still_computing_acks_working_at_once_and_follows(report_bot: Bot) -> None:
    """The ack budget is a minute, but a report being computed does not hold the ack: the
    answer follows through respond, once, when the report is ready."""
    bot = report_bot
    computing: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()

    async def work() -> Message | Later:
        return now_or_later(report_of(computing), "page 1", built)

    await answer(bot.services, bot.ack, bot.respond, work(), "/score")
    assert bot.ack.once == {"response_type": "ephemeral", "text": WORKING}
    assert bot.respond.calls == []
    computing.set_result({"name": "Acme Media"})
    await bot.settle()
    assert bot.respond.once == ANSWER
    assert len(bot.ack.calls) == 1


async def test_a_report_that_fails_after_the_ack_is_told_through_respond(report_bot: Bot) -> None:
    bot = report_bot
    computing: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()

    async def work() -> Message | Later:
        return now_or_later(report_of(computing), "page 1", built)

    await answer(bot.services, bot.ack, bot.respond, work(), "/health")
    computing.set_exception(RuntimeError("the database went away"))
    await bot.settle()
    assert bot.ack.once["text"] == WORKING
    assert bot.respond.once["text"] == OUR_SIDE


async def test_a_report_waits_for_the_ack_where_report_wait_allows(bot: Bot) -> None:
    """Tests (report_wait as long as the ack budget) keep slow reports' answers in the ack."""
    computing: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()

    async def work() -> Message | Later:
        asyncio.get_running_loop().call_soon(computing.set_result, {"name": "Acme Media"})
        return now_or_later(report_of(computing), "page 1", built)

    await answer(bot.services, bot.ack, bot.respond, work(), "/score")
    await bot.settle()
    assert bot.ack.once == ANSWER
    assert bot.respond.calls == []


async def test_a_slow_user_error_follows_as_the_error(slow_bot: Bot) -> None:
    bot = slow_bot
    gate = asyncio.Event()

    async def refused() -> dict[str, Any]:
        await gate.wait()
        raise RuleError("Only the owner of *Acme* can change it.")

    await answer(bot.services, bot.ack, bot.respond, refused(), "/partner")
    gate.set()
    await bot.settle()

    assert bot.ack.once["text"] == WORKING
    assert bot.respond.once["text"] == "Only the owner of *Acme* can change it."


async def test_an_unexpected_failure_is_logged_by_name_and_shown_as_nothing_changed(
    bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken() -> dict[str, Any]:
        raise RuntimeError("token xoxb-secret leaked for Acme Media")

    with caplog.at_level(logging.ERROR, logger="handlers.reply"):
        await answer(bot.services, bot.ack, bot.respond, broken(), "/score")
        await bot.settle()

    shown = bot.ack.shown()
    assert bot.ack.once["text"] == OUR_SIDE
    assert "nothing was changed" in shown
    assert "xoxb-secret" not in shown and "RuntimeError" not in shown
    [record] = [r for r in caplog.records if r.name == "handlers.reply"]
    assert record.levelno == logging.ERROR
    assert record.getMessage() == "/score failed"
    assert "Acme" not in record.getMessage()
    assert record.exc_info is not None and record.exc_info[0] is RuntimeError
    assert bot.respond.calls == []


async def test_a_follow_up_error_is_a_new_message_even_when_paging(bot: Bot) -> None:
    async def refused() -> dict[str, Any]:
        raise RuleError("That page's filters are not valid; run `/partner list` again.")

    follow_up(bot.services, bot.respond, refused(), "list page", replace=True)
    await bot.settle()

    told = bot.respond.once
    assert "That page's filters are not valid" in told["text"]
    assert told["response_type"] == "ephemeral"
    assert "replace_original" not in told


async def test_a_follow_up_answer_replaces_the_page_when_paging(bot: Bot) -> None:
    follow_up(bot.services, bot.respond, quick(), "list page", replace=True)
    follow_up(bot.services, bot.respond, quick(), "history", replace=False)
    await bot.settle()

    assert sorted(c.get("replace_original", False) for c in bot.respond.calls) == [False, True]
    assert all(c["text"] == ANSWER["text"] for c in bot.respond.calls)


def test_a_grammar_slip_points_at_the_help_and_a_rule_does_not() -> None:
    slip = user_error(CommandError("`shwo` is not a subcommand."), "/partner help")
    rule = user_error(RuleError("No partner is named *X*."), "/partner help")
    assert slip["text"].endswith("Try `/partner help`.")
    assert "Try" not in rule["text"]


class RefusingClient:
    async def views_open(self, **kwargs: Any) -> None:
        raise SlackApiError("refused", {"ok": False, "error": "expired_trigger_id"})


async def test_a_form_slack_refuses_to_open_is_explained(bot: Bot) -> None:
    await open_modal(RefusingClient(), bot.respond, TRIGGER, {"type": "modal"})

    told = bot.respond.once
    assert "could not be opened (expired_trigger_id)" in told["text"]
    assert told["response_type"] == "ephemeral"
