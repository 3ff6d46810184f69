"""Who the bot is (auth.test), asked once however many requests arrive first."""

from __future__ import annotations

import asyncio

from tests.support.harness import Harness


async def test_the_first_concurrent_requests_ask_auth_test_once(slack: Harness) -> None:
    bodies = [slack.command_body("help") for _ in range(16)]
    replies = await asyncio.gather(
        *(slack.post(body, "application/x-www-form-urlencoded") for body in bodies)
    )
    await slack.settle()
    assert [reply.status for reply in replies] == [200] * 16
    assert all("/partner add" in reply.shown for reply in replies)
    assert len(slack.fake.named("auth.test")) == 1


async def test_a_failed_auth_test_is_told_to_the_user_and_asked_again_next_time(
    slack: Harness,
) -> None:
    slack.fake.fail_next("auth.test", status=503)
    refused = await slack.command('add "Later Co"')
    assert refused.status == 200
    assert "cannot reach Slack right now" in refused.text
    async with slack.store.read() as tx:
        assert await tx.partner_names("T0001") == []
    added = await slack.command('add "Later Co"')
    assert "Added" in added.body["text"]
    assert len(slack.fake.named("auth.test")) == 2
