"""The composition root: building the app without Bolt's warnings, and an HTTP stop that never
waits out its grace for a connection with nothing to do."""

from __future__ import annotations

import asyncio
import gc
import logging
import socket
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest

from bot import claims
from bot.app import create_app, stop_http
from bot.collector import GC_THRESHOLDS
from bot.settings import load_settings
from storage.store import SQLiteStore
from tests.support.harness import START, Harness


@pytest.mark.parametrize("app_token", [None, "xapp-env"])
async def test_building_the_app_logs_no_warning_with_the_tokens_in_the_environment(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    app_token: str | None,
) -> None:
    # Bolt reads SLACK_BOT_TOKEN itself; as `partnerbot run` does, settings come from there too.
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-env")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "env-secret")
    if app_token:
        monkeypatch.setenv("SLACK_APP_TOKEN", app_token)
    settings = load_settings(database_url=f"sqlite:///{tmp_path / 'app.db'}")
    store = SQLiteStore(settings.sqlite_path)
    await store.open(START)
    try:
        with caplog.at_level(logging.DEBUG):
            bot = create_app(settings, store)
            if app_token:
                from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

                handler = AsyncSocketModeHandler(bot.app, settings.slack_app_token)
                await handler.close_async()  # type: ignore[no-untyped-call]
    finally:
        await store.close()
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert warnings == []
    assert bot.app.client.token == "xoxb-env"
    assert bot.services.client is bot.app.client


Stop = Callable[[web.AppRunner], Awaitable[None]]


async def _stop_with_a_connection_accepted_as_the_listener_closes(
    stop: Stop, passes_before: int
) -> float:
    """Seconds stop() takes when a connection is being accepted passes_before loop passes
    before it starts, with a 20 s grace for requests in flight (there are none)."""
    app = web.Application()
    runner = web.AppRunner(app, shutdown_timeout=20)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    ours, theirs = socket.socketpair()
    # The path the event loop takes for a connection it has just accepted.
    accepting = asyncio.ensure_future(
        asyncio.get_running_loop().connect_accepted_socket(runner.server, ours)
    )
    for _ in range(passes_before):
        await asyncio.sleep(0)
    began = time.monotonic()
    try:
        async with asyncio.timeout(10):
            await stop(runner)
    finally:
        theirs.close()
        await asyncio.gather(accepting, return_exceptions=True)
    return time.monotonic() - began


@pytest.mark.parametrize("passes_before", [0, 1, 2, 3])
async def test_stopping_http_does_not_wait_for_a_connection_accepted_at_the_last_moment(
    passes_before: int,
) -> None:
    took = await _stop_with_a_connection_accepted_as_the_listener_closes(stop_http, passes_before)
    assert took < 5


async def test_old_claims_are_pruned_by_the_daily_job_when_it_comes_due(slack: Harness) -> None:
    scheduler = slack.bot.services.scheduler
    sqlite = ["store.statistics"] if isinstance(slack.store, SQLiteStore) else []
    assert scheduler.names == [
        "claims.prune",
        *sqlite,  # PostgreSQL's statistics are the server's, shared by every connection
        "digest.due",
        "failover.due",
        "held_posts.due",
        "failover.rank",
    ]
    store, clock = slack.store, slack.clock
    await claims.claim(store, START - claims.KEEP - timedelta(days=1), "T1", "event", "old", "")
    await claims.claim(store, START, "T1", "event", "new", "")
    due = scheduler.next_run("claims.prune")
    assert due is not None and due > START

    clock.set(due - timedelta(seconds=1))
    assert "claims.prune" not in await scheduler.run_due()  # the digest job runs each minute
    clock.set(due)
    assert "claims.prune" in await scheduler.run_due()
    assert await claims.claim(store, START, "T1", "event", "old", "") is True  # forgotten
    assert await claims.claim(store, START, "T1", "event", "new", "") is False  # kept


async def test_the_planner_statistics_are_refreshed_hourly_on_sqlite(
    slack: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    store, clock, scheduler = slack.store, slack.clock, slack.bot.services.scheduler
    if not isinstance(store, SQLiteStore):
        assert "store.statistics" not in scheduler.names
        return
    refreshed: list[datetime] = []
    original = store.refresh_statistics

    async def noted() -> bool:
        refreshed.append(clock.now())
        return await original()

    monkeypatch.setattr(store, "refresh_statistics", noted)
    due = scheduler.next_run("store.statistics")
    assert due is not None and START < due <= START + timedelta(hours=1) and due.minute == 41
    clock.set(due - timedelta(seconds=1))
    assert "store.statistics" not in await scheduler.run_due()
    clock.set(due)
    assert "store.statistics" in await scheduler.run_due()
    assert refreshed == [due]
    assert scheduler.next_run("store.statistics") == due + timedelta(hours=1)


async def test_the_access_log_has_one_line_for_a_server_error_and_none_for_the_rest(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from aiohttp.test_utils import make_mocked_request

    from bot.app import ErrorAccessLogger

    logger = ErrorAccessLogger(logging.getLogger("aiohttp.access"), "")
    request = make_mocked_request("POST", "/slack/events")
    with caplog.at_level(logging.INFO, logger="aiohttp.access"):
        logger.log(request, web.Response(status=200), 0.001)
        logger.log(request, web.Response(status=401), 0.001)
        logger.log(request, web.Response(status=500), 0.25)
    assert [r.getMessage() for r in caplog.records] == [
        "POST /slack/events answered 500 in 0.250 s"
    ]


async def test_the_app_collects_young_garbage_less_often(slack: Harness) -> None:
    """The harness built the app: the collector's thresholds are the app's, not Python's
    700, 10, 10, so full collections (every live object scanned, cached reports too) are rare."""
    assert gc.get_threshold() == GC_THRESHOLDS
    assert GC_THRESHOLDS[0] > 700


async def test_every_request_gets_the_context_bolt_gives_it_with_the_apps_one_client(
    tmp_path: Path,
) -> None:
    settings = load_settings(
        slack_bot_token="xoxb-test",
        slack_signing_secret="secret",
        database_url=f"sqlite:///{tmp_path / 'app.db'}",
    )
    store = SQLiteStore(settings.sqlite_path)
    await store.open(START)
    try:
        bot = create_app(settings, store)
    finally:
        await store.close()
    body = "command=%2Fpartner&text=show+Acme&team_id=T1&user_id=U1&response_url=https%3A%2F%2Fx"
    ours, bolts = AsyncBoltRequest(body=body), AsyncBoltRequest(body=body)
    bot.app._init_context(ours)
    AsyncApp._init_context(bot.app, bolts)

    # Bolt's own sets these keys (a Bolt upgrade that sets more fails here), each the same but
    # the client: Bolt's is a new one configured as the app's, ours is the app's.
    assert set(ours.context) == set(bolts.context)
    for key in set(bolts.context) - {"client"}:
        assert ours.context[key] == bolts.context[key], key
    assert ours.context["client"] is bot.app.client is bot.services.client
    assert bolts.context["client"] is not bot.app.client
    for attribute in ("token", "base_url", "timeout", "retry_handlers"):
        assert getattr(bolts.context["client"], attribute) == getattr(bot.app.client, attribute)
