"""Home's digest buttons called directly with fakes: Pause and Resume change the schedule as
`/digest pause|resume` does (audited) and publish Home again; someone else is refused by
direct message and nothing changes; Preview opens a modal and fills it with the digest."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.digest import service as digest_service
from bot.digest.command import ScheduleRequest, Scope
from bot.digest.ports import Schedule
from bot.digest.rules import Rule
from handlers.home import listeners
from handlers.home.listeners import pause_digest, preview_digest, resume_digest
from handlers.ids import HomeAction
from handlers.payloads import PauseDigestFromHome, ResumeDigestFromHome
from storage.store import SQLiteStore
from tests.support.fakes import (
    ADMIN,
    CHANNEL,
    OTHER,
    TEAM,
    TRIGGER,
    USER,
    Bot,
    add_partner,
    click_body,
    fake_bot,
)
from tests.support.slack_checks import check_message, check_view


@pytest.fixture
async def bot(store: SQLiteStore) -> AsyncIterator[Bot]:
    async with fake_bot(store) as made:
        yield made


def home_click(action_id: str, value: str, user: str = USER) -> dict[str, Any]:
    """A click on the Home tab: its container is the view, and there is no response_url."""
    body = click_body(action_id, value, user=user)
    body["container"] = {"type": "view", "view_id": "V0HOME"}
    del body["channel"], body["response_url"]
    return body


async def scheduled(bot: Bot, creator: str = USER) -> Schedule:
    request = ScheduleRequest(None, Rule("daily 09:00"), None, False, Scope())
    made, _ = await digest_service.create_schedule(
        bot.store,
        bot.clock.now(),
        TEAM,
        bot.services.actor(creator),
        request,
        CHANNEL,
        ZoneInfo("UTC"),
    )
    return made


async def stored(bot: Bot, schedule_id: int) -> Schedule:
    async with bot.store.read() as tx:
        found = await tx.digest_schedule(TEAM, schedule_id)
    assert found is not None
    return found


async def audit(bot: Bot) -> list[tuple[str, str, str, str]]:
    async with bot.store.read() as tx:
        entries = await tx.settings_history(TEAM, 50)
    return [(e.actor, e.field, e.before, e.after) for e in reversed(entries)]


def last_home(bot: Bot) -> list[tuple[str, str]]:
    """The buttons on the Home tab as last published: (action_id, value)."""
    [*_, published] = bot.client.named("views_publish")
    assert check_view(published["view"]) == []
    return [
        (b["accessory"]["action_id"], b["accessory"]["value"])
        for b in published["view"]["blocks"]
        if "accessory" in b
    ]


@pytest.mark.parametrize("clicker", [USER, ADMIN], ids=["creator", "admin"])
async def test_pause_then_resume_change_the_schedule_audited_and_publish_home(
    bot: Bot, clicker: str
) -> None:
    made = await scheduled(bot)
    pause = PauseDigestFromHome(schedule_id=made.id).pack()

    await pause_digest(
        bot.ack, home_click(HomeAction.PAUSE_DIGEST, pause, clicker), bot.client, bot.services
    )
    await bot.settle()

    assert bot.ack.calls == [{}]
    assert (await stored(bot, made.id)).paused
    assert last_home(bot) == [
        (HomeAction.RESUME_DIGEST, ResumeDigestFromHome(schedule_id=made.id).pack())
    ]
    assert bot.client.named("views_publish")[-1]["user_id"] == clicker

    resume = ResumeDigestFromHome(schedule_id=made.id).pack()
    await resume_digest(
        bot.ack, home_click(HomeAction.RESUME_DIGEST, resume, clicker), bot.client, bot.services
    )
    await bot.settle()

    after = await stored(bot, made.id)
    assert not after.paused and after.next_slot is not None
    assert last_home(bot) == [
        (HomeAction.PAUSE_DIGEST, PauseDigestFromHome(schedule_id=made.id).pack())
    ]
    assert [(a, f, b, c) for a, f, b, c in await audit(bot)][1:] == [
        (clicker, f"digest schedule {made.id}", "active", "paused"),
        (clicker, f"digest schedule {made.id}", "paused", "active"),
    ]
    assert bot.outbox.posts == []


async def test_someone_else_is_refused_by_direct_message_and_nothing_changes(bot: Bot) -> None:
    made = await scheduled(bot)
    before = await audit(bot)
    pause = PauseDigestFromHome(schedule_id=made.id).pack()

    await pause_digest(
        bot.ack, home_click(HomeAction.PAUSE_DIGEST, pause, OTHER), bot.client, bot.services
    )
    await bot.settle()

    assert bot.ack.calls == [{}]
    assert await stored(bot, made.id) == made
    assert await audit(bot) == before
    [post] = bot.outbox.posts
    assert post["channel"] == OTHER and check_message(post["message"]) == []
    assert "Only whoever made digest schedule" in post["message"]["text"]
    assert "Nothing was changed" in post["message"]["text"]
    # Home is published again, and shows the other user no button on that row.
    assert last_home(bot) == []


async def test_a_stale_or_gone_schedule_is_told_by_direct_message(bot: Bot) -> None:
    await resume_digest(
        bot.ack, home_click(HomeAction.RESUME_DIGEST, "not ours"), bot.client, bot.services
    )
    gone = ResumeDigestFromHome(schedule_id=99).pack()
    await resume_digest(
        bot.ack, home_click(HomeAction.RESUME_DIGEST, gone), bot.client, bot.services
    )
    await bot.settle()

    stale, missing = (p["message"]["text"] for p in bot.outbox.posts)
    assert "out of date" in stale
    assert "There is no digest schedule 99" in missing


async def test_preview_opens_a_modal_and_fills_it_with_the_digest(bot: Bot) -> None:
    await add_partner(bot, "Acme <!here>", owner=USER)

    await preview_digest(
        bot.ack, home_click(HomeAction.PREVIEW_DIGEST, "{}"), bot.client, bot.services
    )
    await bot.settle()

    assert bot.ack.calls == [{}]
    [opened] = bot.client.named("views_open")
    assert opened["trigger_id"] == TRIGGER and "Composing" in json.dumps(opened["view"])
    [updated] = bot.client.named("views_update")
    assert updated["view_id"] == "V0MODAL" and check_view(updated["view"]) == []
    text = json.dumps(updated["view"]["blocks"], ensure_ascii=False)
    assert "Partner health digest" in text and "first digest here" in text
    assert "Acme &lt;!here&gt;" in text
    assert bot.outbox.posts == []


async def test_a_preview_that_cannot_be_composed_is_told_by_direct_message(
    bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*args: Any) -> Any:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(listeners.digest_service, "compose_digest", broken)

    await preview_digest(
        bot.ack, home_click(HomeAction.PREVIEW_DIGEST, "{}"), bot.client, bot.services
    )
    await bot.settle()

    [updated] = bot.client.named("views_update")
    assert "could not be composed" in json.dumps(updated["view"])
    [post] = bot.outbox.posts
    assert post["channel"] == USER and "could not be composed" in post["message"]["text"]
