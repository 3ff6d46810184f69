"""The alert check around `/partner metrics`, with fakes: the answer goes out while the
alert is still being posted, and a failing check never stops the metrics being recorded."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.alerts import service as alerts
from bot.ports import Delivery, Report
from handlers.registry.listeners import handle_partner
from storage.store import SQLiteStore
from tests.support.fakes import TEAM, USER, Bot, add_partner, command_body, fake_bot


class HeldOutbox:
    """An outbox whose posts wait until the test lets them go."""

    def __init__(self) -> None:
        self.started = asyncio.Event()
        self.release = asyncio.Event()
        self.posts: list[str] = []

    async def post(
        self,
        channel: str,
        message: dict[str, Any],
        *,
        thread_ts: str | None = None,
        report: Report | None = None,
    ) -> Delivery:
        self.started.set()
        await self.release.wait()
        self.posts.append(channel)
        return Delivery(ok=True, ts="1730000000.000100")


@pytest.fixture
async def bot(store: SQLiteStore) -> AsyncIterator[Bot]:
    async with fake_bot(store) as made:
        await add_partner(made, "Acme")
        await metrics(made, "sentiment=70 period=2026-W46")
        await alerts.set_alerts(
            made.store, made.clock.now(), TEAM, made.services.actor(USER), "C1", True
        )
        made.ack.calls.clear()
        yield made


async def metrics(bot: Bot, values: str) -> None:
    text = f"metrics Acme {values}"
    await handle_partner(bot.ack, bot.respond, command_body(text), bot.client, bot.services, text)


async def test_the_answer_does_not_wait_for_the_alert(bot: Bot) -> None:
    held = HeldOutbox()
    bot.services.outbox = held
    await metrics(bot, "sentiment=49 period=2026-W47")
    assert "sentiment" in bot.ack.shown()  # answered in the ack
    await held.started.wait()  # the alert is on its way, held
    assert held.posts == []
    held.release.set()
    await bot.settle()
    assert held.posts == ["C1"]


async def test_a_failing_check_is_logged_and_the_metrics_are_recorded(
    bot: Bot, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(*args: object) -> None:
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(alerts, "watch", broken)
    await metrics(bot, "sentiment=49 period=2026-W47")
    await bot.settle()
    assert "sentiment" in bot.ack.shown() and "went wrong" not in bot.ack.shown()
    assert "alert watch failed" in caplog.text
    assert bot.outbox.posts == []
    async with bot.store.read() as tx:
        partner = await tx.partner_by_key(TEAM, "acme")
        assert partner is not None
        assert await tx.metric_value(TEAM, partner.id, "2026-W47", "sentiment") == 49


async def alerts_on(bot: Bot) -> list[str]:
    return [c.channel_id for c in await alerts.alert_channels(bot.store, TEAM)]


@pytest.mark.parametrize("code", ["channel_not_found", "is_archived"])
async def test_a_gone_code_turns_the_channels_alerts_off(bot: Bot, code: str) -> None:
    bot.outbox.refuse, bot.outbox.refuse_code = "Slack would not take the alert.", code
    await metrics(bot, "sentiment=49 period=2026-W47")
    await bot.settle()
    assert [p["channel"] for p in bot.outbox.posts] == ["C1"]
    assert await alerts_on(bot) == []
    told = bot.respond.shown()
    assert "Slack would not take the alert." in told
    assert "Alerts for <#C1> are now off" in told


@pytest.mark.parametrize("code", ["not_in_channel", "ratelimited"])
async def test_any_other_code_leaves_the_alerts_on_whatever_the_sentence_says(
    bot: Bot, code: str
) -> None:
    # The sentence names a gone code in backticks; only the Delivery's code counts.
    bot.outbox.refuse = "I could not post to <#C1> (`channel_not_found`): check the channel."
    bot.outbox.refuse_code = code
    await metrics(bot, "sentiment=49 period=2026-W47")
    await bot.settle()
    assert [p["channel"] for p in bot.outbox.posts] == ["C1"]
    assert await alerts_on(bot) == ["C1"]
    told = bot.respond.shown()
    assert "check the channel" in told and "are now off" not in told


async def test_a_report_that_raises_still_records_the_refusal(
    bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    async def gone(**kwargs: Any) -> None:
        raise RuntimeError("response_url expired")

    bot.respond = gone  # type: ignore[assignment]
    bot.outbox.refuse, bot.outbox.refuse_code = "Slack would not take the alert.", "is_archived"
    await metrics(bot, "sentiment=49 period=2026-W47")
    await bot.settle()
    assert await alerts_on(bot) == []
    assert "handling a refused alert failed: RuntimeError" in caplog.text
    async with bot.store.read() as tx:
        partner = await tx.partner_by_key(TEAM, "acme")
        assert partner is not None
        state = await tx.claim_state(TEAM, alerts.ALERT, str(partner.id), "2026-W47")
    assert state == (True, "C1: Slack would not take the alert.")
