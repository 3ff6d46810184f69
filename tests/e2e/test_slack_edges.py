"""What Slack's edges demand: signatures, stale requests, rate limits, event retries."""

from __future__ import annotations

import json
from datetime import timedelta

from bot import claims
from bot.registry.rules import name_key
from tests.support.databases import execute
from tests.support.fake_slack import TEAM
from tests.support.harness import SIGNING_SECRET, USER, Harness


async def partner_count(slack: Harness) -> int:
    async with slack.store.read() as tx:
        return len(await tx.partner_names("T0001"))


async def test_a_forged_signature_gets_401_and_changes_nothing(slack: Harness) -> None:
    body = slack.command_body('add "Forged Co"')
    reply = await slack.post(body, "application/x-www-form-urlencoded", secret="not-the-secret")
    await slack.settle()
    assert reply.status == 401
    assert await partner_count(slack) == 0
    assert slack.fake.calls == []


async def test_a_request_six_minutes_old_gets_401_and_changes_nothing(slack: Harness) -> None:
    body = slack.command_body('add "Replayed Co"')
    stale = int(slack.clock.now().timestamp()) - 6 * 60
    reply = await slack.post(body, "application/x-www-form-urlencoded", timestamp=stale)
    await slack.settle()
    assert reply.status == 401
    assert await partner_count(slack) == 0


async def test_a_tampered_body_with_a_valid_old_signature_gets_401(slack: Harness) -> None:
    ts = int(slack.clock.now().timestamp())
    from slack_sdk.signature import SignatureVerifier

    good = slack.command_body('show "Acme"')
    signature = SignatureVerifier(SIGNING_SECRET).generate_signature(timestamp=str(ts), body=good)
    tampered = slack.command_body('add "Tampered Co"')
    async with slack.session.post(
        slack.url,
        data=tampered.encode(),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": str(ts),
            "X-Slack-Signature": signature,
        },
    ) as resp:
        assert resp.status == 401
    assert await partner_count(slack) == 0


async def test_a_rate_limited_call_is_retried_after_retry_after(slack: Harness) -> None:
    slack.fake.fail_next("views.open", status=429, retry_after=2)
    reply = await slack.command("add")
    assert reply.status == 200
    calls = await slack.fake.wait_for("views.open", count=2)
    assert len(calls) == 2
    assert calls[0].body == calls[1].body
    assert slack.sleeps == [2.0]


async def test_home_tab_is_published_once_per_event_even_when_slack_retries(
    slack: Harness,
) -> None:
    await slack.command('add "Acme Media" status=active')
    event = {
        "type": "app_home_opened",
        "user": USER,
        "channel": "D0123",
        "tab": "home",
        "event_ts": "1730000000.000300",
    }
    first = await slack.event(event, event_id="Ev0123456789")
    assert first.status == 200
    # One event publishes twice (issue 10): the user's partners at once, then the portfolio.
    published = await slack.fake.wait_for("views.publish", count=2)
    assert published[0].body["user_id"] == USER
    home = json.dumps(published[0].body["view"])
    assert "*1 partner* in the registry; you own *1*" in home

    for retry in (1, 2, 3):
        again = await slack.event(event, event_id="Ev0123456789", retry=retry)
        assert again.status == 200
    assert len(slack.fake.named("views.publish")) == 2
    # A new event (a new event_id) is handled again.
    await slack.event({**event, "event_ts": "1730000001.000300"}, event_id="Ev0000000002")
    await slack.fake.wait_for("views.publish", count=4)
    assert len(slack.fake.named("views.publish")) == 4


async def test_an_event_taken_by_a_process_that_died_is_handled_by_a_retry_after_the_lease(
    slack: Harness,
) -> None:
    store, team, key = slack.bot.services.store, TEAM, "Ev0000000099"
    event = {"type": "app_home_opened", "user": USER, "channel": "D0123", "tab": "home"}
    # Another replica claimed this delivery and died before its listeners ran.
    await claims.claim(store, slack.clock.now(), team, claims.EVENT, key, "")

    slack.clock.advance(claims.EVENT_LEASE)  # Slack's first retry: the taker may be alive
    assert (await slack.event(event, event_id=key, team=team, retry=1)).status == 200
    assert slack.fake.named("views.publish") == []

    slack.clock.advance(timedelta(seconds=1))  # past the lease: handled, once
    assert (await slack.event(event, event_id=key, team=team, retry=2)).status == 200
    published = await slack.fake.wait_for("views.publish", count=2)  # partners, portfolio
    assert published[0].body["user_id"] == USER
    async with store.read() as tx:
        assert await tx.claim_state(team, claims.EVENT, key, "") == (True, None)
    slack.clock.advance(timedelta(minutes=5))  # a finished claim is never taken again
    await slack.event(event, event_id=key, team=team, retry=3)
    assert len(slack.fake.named("views.publish")) == len(published)


async def test_url_verification_is_answered_with_the_challenge(slack: Harness) -> None:
    body = json.dumps(
        {"token": "x", "challenge": "3eZbrw1aBm2rZgRNFdxV", "type": "url_verification"}
    )
    reply = await slack.post(body, "application/json")
    assert reply.status == 200
    assert "3eZbrw1aBm2rZgRNFdxV" in reply.text


async def test_health_check_answers_while_the_database_does(slack: Harness) -> None:
    health = slack.url.replace("/slack/events", "/healthz")
    async with slack.session.get(health) as resp:
        assert resp.status == 200
        assert (await resp.json())["status"] == "ok"
    await slack.store.close()
    async with slack.session.get(health) as resp:
        assert resp.status == 503
    await slack.store.open(slack.clock.now())
    async with slack.store.read() as tx:
        assert await tx.partner_by_key("T0001", name_key("x")) is None


async def test_health_check_fails_when_the_schema_cannot_be_read(slack: Harness) -> None:
    health = slack.url.replace("/slack/events", "/healthz")
    await execute(slack.store, "ALTER TABLE schema_migrations RENAME TO lost")
    async with slack.session.get(health) as resp:
        assert resp.status == 503


async def test_a_long_rate_limit_on_a_modal_is_not_waited_out_and_the_user_is_told(
    slack: Harness,
) -> None:
    slack.fake.fail_next("views.open", status=429, retry_after=30)
    await slack.command("add")
    assert len(slack.fake.named("views.open")) == 1
    assert slack.sleeps == []
    told = slack.fake.named("respond")[-1].body
    assert "The form could not be opened" in told["text"]
