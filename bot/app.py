"""The composition root: builds the store, the Bolt app and the HTTP server, and runs them."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from apscheduler.triggers.cron import CronTrigger
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.logger import get_bolt_app_logger
from slack_bolt.request.async_request import AsyncBoltRequest

import storage.store as storage
from bot import claims
from bot.alerts.service import ALERT
from bot.clock import Clock, SystemClock
from bot.collector import tune_collector
from bot.health.lazy import JANITOR
from bot.health.upkeep import rebuild_stale_summaries
from bot.ports import Store
from bot.scheduler import Scheduler
from bot.services import Services
from bot.settings import ConfigError, Settings
from bot.tasks import BackgroundTasks
from handlers import register_listeners
from handlers.connection import Readiness, SlackConnection, socket_logger
from handlers.digest.jobs import schedule_digests
from handlers.failover.closing import SUMMARY, summary_given_up
from handlers.failover.jobs import schedule_failover
from handlers.failover.ranking import schedule_ranking
from handlers.held_posts import log_only, schedule_held_posts
from handlers.identity import BotIdentity
from handlers.outbox import Outbox
from handlers.slack_client import Sleep, configure_client, single_attempt_client
from handlers.verify import RequestVerifier, verified_request

log = logging.getLogger("partnerbot")

SHUTDOWN_GRACE_SECONDS = 20.0
BOLT_APP_NAME = "partnerbot.bolt"


@dataclass
class Partnerbot:
    """A built app: Bolt, its services, the slash commands it answers, who it is in Slack,
    and whether it is ready to serve (serve() says why not while it connects)."""

    app: AsyncApp
    services: Services
    identity: BotIdentity
    commands: list[str] = field(default_factory=list)
    readiness: Readiness = field(default_factory=Readiness)


class PartnerbotApp(AsyncApp):
    """Bolt, handing every request the app's one Web API client.

    Bolt builds a client per request (about 60 us of loop time: its constructor reads the
    proxy variables from the environment) so that a listener may change the token it holds.
    Here the token is one and fixed, nothing changes a client's token (the only Bolt
    middleware that does, for custom workflow functions, is off), and the one client is the
    one configure_client set up: the same retries and base URL, without the copy.
    """

    def _init_context(self, req: AsyncBoltRequest) -> None:
        # What AsyncApp._init_context sets (tests/bot/test_app.py compares the two), with
        # the app's client instead of a new one.
        req.context["logger"] = get_bolt_app_logger(
            app_name=self.name, base_logger=self._base_logger
        )
        req.context["token"] = self._token
        req.context["client"] = self._async_client
        req.context["listener_runner"] = self.listener_runner


async def open_store(settings: Settings, clock: Clock) -> Store:
    """Open the configured database and apply missing migrations; a database that cannot
    be reached is a ConfigError naming DATABASE_URL."""
    try:
        store, applied = await storage.open_store(
            settings.database_url,
            clock.now(),
            pool_size=settings.database_pool_size,
            statement_cache_size=settings.database_statement_cache_size,
        )
    except storage.StoreUnreachable as err:
        raise ConfigError(f"DATABASE_URL: {err}.") from None
    if applied:
        log.info("applied migrations: %s", ", ".join(applied))
    await rebuild_stale_summaries(store)
    return store


def create_app(
    settings: Settings,
    store: Store,
    clock: Clock | None = None,
    sleep: Sleep | None = None,
) -> Partnerbot:
    """Build the Bolt app, its services and listeners, and the scheduler's jobs around an
    open store. Nothing starts running here but the janitor's idle thread (large reports
    freed off the event loop): serve() (or a test) starts the scheduler."""
    clock = clock or SystemClock()
    tune_collector()
    JANITOR.start()
    identity = BotIdentity(single_attempt_client(settings.slack_bot_token, settings.slack_api_url))
    # The token, not a client: Bolt also reads SLACK_BOT_TOKEN from the environment and warns
    # that one of the two is unused whenever it is given a client as well.
    app = PartnerbotApp(
        # Named, so Bolt does not call inspect.stack() for a name (the caller's file name):
        # 65-85 ms of start-up, spent resolving every loaded module's path. It names the
        # logger listeners are given.
        name=BOLT_APP_NAME,
        token=settings.slack_bot_token,
        signing_secret=settings.slack_signing_secret or None,
        # web_app() checks every HTTP request before Bolt sees it; Socket Mode has no URL.
        request_verification_enabled=False,
        # Bolt then returns the ack as soon as the listener returns, instead of polling for it
        # every 10 ms: every listener acks and hands slow work to services.tasks, and
        # handlers.reply.answer waits at most the ack budget before acking.
        process_before_response=True,
        before_authorize=identity.middleware(),
        # It sets a custom workflow function's token on the request's client, which is the
        # app's one client here (PartnerbotApp); partnerbot defines no functions.
        attaching_function_token_enabled=False,
    )
    identity.share_with(app)
    client = configure_client(
        app.client, settings.slack_api_url, **({"sleep": sleep} if sleep else {})
    )
    outbox = Outbox(client, sleep=sleep) if sleep else Outbox(client)
    services = Services(settings, store, clock, BackgroundTasks(), Scheduler(clock), client, outbox)
    commands = register_listeners(app, services)
    schedule_housekeeping(services)
    schedule_digests(services)
    schedule_failover(services)
    schedule_held_posts(services, {ALERT: log_only, SUMMARY: summary_given_up})

    schedule_ranking(services)
    return Partnerbot(app, services, identity, commands)


def schedule_housekeeping(services: Services) -> None:
    """Jobs that belong to no feature: forgetting old claims, once a day; on SQLite, the
    planner's statistics taken again and loaded by every connection, once an hour."""

    async def prune_claims(slot: datetime) -> None:
        pruned = await claims.prune(services.store, services.clock.now())
        if pruned:
            log.info("pruned %d old claims", pruned)

    services.scheduler.add(
        "claims.prune", CronTrigger(hour=3, minute=17, timezone=UTC), prune_claims
    )
    # SQLite's (PostgreSQL's autovacuum keeps its own, shared by every connection).
    if hasattr(services.store, "refresh_statistics"):

        async def refresh_statistics(slot: datetime) -> None:
            if not await getattr(services.store, "refresh_statistics")():  # noqa: B009
                log.info("planner statistics put off: the database was being written")

        services.scheduler.add(
            "store.statistics", CronTrigger(minute=41, timezone=UTC), refresh_statistics
        )


def web_app(bot: Partnerbot, *, slack_requests: bool = True) -> web.Application:
    """The HTTP surface: Slack's request URL (HTTP mode only) and a health check.

    In Socket Mode requests come over the socket and signatures are not checked, so the
    request URL must not exist at all: anyone reaching the port could act as anyone.
    In HTTP mode every request's signature is checked here, before Bolt sees it.
    """

    async def slack_events(request: web.Request) -> web.Response:
        checked = await verified_request(request, verifier)
        if isinstance(checked, web.Response):
            return checked
        return await to_aiohttp_response(await bot.app.async_dispatch(checked))

    async def healthz(_: web.Request) -> web.Response:
        return await health_check(bot)

    application = web.Application()
    if slack_requests:
        # Without a signing secret this raises: the URL is never served unchecked.
        verifier = RequestVerifier(bot.services.settings.slack_signing_secret, bot.services.clock)
        application.router.add_post("/slack/events", slack_events)
    application.router.add_get("/healthz", healthz)
    return application


async def health_check(bot: Partnerbot) -> web.Response:
    """/healthz: 200 when the database answers and the bot is connected to Slack; else 503
    with the reason."""
    if not await bot.services.store.ping():
        return web.json_response({"status": "database unavailable"}, status=503)
    reason = await bot.readiness.why_not()
    if reason is not None:
        return web.json_response({"status": "not ready", "reason": reason}, status=503)
    return web.json_response({"status": "ok"})


class ErrorAccessLogger(AbstractAccessLogger):
    """One line for a request answered with a server error; none for the rest (a line per
    request cost 4% of the event loop)."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        if response.status >= 500:
            self.logger.warning(
                "%s %s answered %d in %.3f s", request.method, request.path, response.status, time
            )


def say(line: str) -> None:
    """Print a line on stdout at once: how a supervisor (or a test) learns the port and state."""
    print(line, flush=True)


async def serve(
    settings: Settings,
    stop: asyncio.Event | None = None,
    *,
    sleep: Sleep = asyncio.sleep,
    announce: Callable[[str], None] = say,
) -> None:
    """Run until SIGTERM/SIGINT (or stop is set), then finish in-flight work and close.

    Start-up checks the bot token (and opens the Socket Mode connection) while /healthz says
    why the bot is not ready; a refused token raises TokenRefused, Slack out of reach is
    retried (sleep waits between attempts). A SIGTERM stops it at any point. announce gets
    "partnerbot ready on port N", and before it "partnerbot not ready on port N: why" if
    start-up has to wait.
    """
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    # First thing: a SIGTERM during start-up (migrations) then stops cleanly once started.
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    clock = SystemClock()
    store = await open_store(settings, clock)
    bot = create_app(settings, store, clock)
    bot.readiness.reason = "starting"
    runner = web.AppRunner(
        web_app(bot, slack_requests=not settings.socket_mode),
        shutdown_timeout=SHUTDOWN_GRACE_SECONDS,
        access_log_class=ErrorAccessLogger,
    )
    await runner.setup()
    site = web.TCPSite(runner, host="0.0.0.0", port=settings.port)
    socket_handler = None
    starting: asyncio.Task[None] | None = None
    try:
        await site.start()
        port = runner.addresses[0][1] if runner.addresses else settings.port
        if settings.socket_mode:
            from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

            socket_handler = AsyncSocketModeHandler(
                bot.app, settings.slack_app_token, logger=socket_logger()
            )
        starting = asyncio.create_task(_start(settings, bot, port, socket_handler, sleep, announce))
        await _until_stopped(stop, starting)
        log.info("stopping: finishing requests in flight")
    finally:
        deadline = loop.time() + SHUTDOWN_GRACE_SECONDS
        try:
            if starting is not None and not starting.done():
                starting.cancel()
                await asyncio.gather(starting, return_exceptions=True)
            await bot.identity.close()
            if socket_handler is not None:
                await socket_handler.close_async()  # type: ignore[no-untyped-call]
            await stop_http(runner)
            await bot.services.scheduler.stop()
            await bot.services.tasks.drain(grace=max(deadline - loop.time(), 0.0))
        finally:
            await store.close()
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.remove_signal_handler(sig)
            log.info("stopped")


async def _start(
    settings: Settings,
    bot: Partnerbot,
    port: int,
    socket_handler: Any,
    sleep: Sleep,
    announce: Callable[[str], None],
) -> None:
    """Check the bot token, start the scheduler, open the socket (Socket Mode); then ready."""

    def waiting(reason: str) -> None:
        announce(f"partnerbot not ready on port {port}: {reason}")

    connection = SlackConnection(bot.readiness, settings.slack_api_url, sleep, waiting)
    await connection.check_bot_token(bot.identity.check)
    bot.services.scheduler.start()
    if socket_handler is not None:
        probe = single_attempt_client(settings.slack_bot_token, settings.slack_api_url)
        await connection.open_socket(socket_handler.client, probe, settings.slack_app_token or "")
        log.info("connected to Slack in Socket Mode; health check on port %s", port)
    else:
        log.info("listening on http://0.0.0.0:%s/slack/events", port)
    bot.readiness.reason = None
    announce(f"partnerbot ready on port {port}")


async def _until_stopped(stop: asyncio.Event, starting: asyncio.Task[None]) -> None:
    """Wait for stop; start-up failing first (a refused token) raises its error instead."""
    stopping = asyncio.create_task(stop.wait())
    try:
        done, _ = await asyncio.wait({starting, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if starting in done:
            starting.result()
            await stopping
    finally:
        stopping.cancel()
        await asyncio.gather(stopping, return_exceptions=True)


# Loop passes from accepting a connection to its handler's first step (see stop_http), plus one.
_ACCEPT_SETTLE_PASSES = 3


async def stop_http(runner: web.AppRunner) -> None:
    """Stop listening, then close: idle connections at once, busy ones when their request is
    answered (or after the runner's shutdown_timeout).

    Not runner.cleanup() alone: on Python 3.11 aiohttp starts a connection's handler a loop
    pass or two after accepting it, and cleanup() closes idle connections one pass after it
    stops listening. A connection accepted just before that was marked closed before its
    handler started; the handler then waited for a request it would ignore, and cleanup()
    waited the whole shutdown_timeout for it (seen as a 20 s stop with nothing running).
    """
    for site in list(runner.sites):
        await site.stop()
    for _ in range(_ACCEPT_SETTLE_PASSES):
        await asyncio.sleep(0)
    await runner.cleanup()
