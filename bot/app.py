"""The composition root: builds the store, the Bolt app and the HTTP server, and runs them."""

from __future__ import annotations

import asyncio
import logging
import signal
from dataclasses import dataclass, field
from datetime import UTC, datetime

from aiohttp import web
from apscheduler.triggers.cron import CronTrigger
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp

import storage.store as storage
from bot import claims
from bot.clock import Clock, SystemClock
from bot.ports import Store
from bot.scheduler import Scheduler
from bot.services import Services
from bot.settings import Settings
from bot.tasks import BackgroundTasks
from handlers import register_listeners
from handlers.identity import BotIdentity
from handlers.outbox import Outbox
from handlers.slack_client import Sleep, configure_client, single_attempt_client

log = logging.getLogger("partnerbot")

SHUTDOWN_GRACE_SECONDS = 20.0


@dataclass
class Partnerbot:
    """A built app: Bolt, its services, the slash commands it answers, and who it is in Slack."""

    app: AsyncApp
    services: Services
    identity: BotIdentity
    commands: list[str] = field(default_factory=list)


async def open_store(settings: Settings, clock: Clock) -> Store:
    """Open the configured database and apply missing migrations."""
    store, applied = await storage.open_store(settings.database_url, clock.now())
    if applied:
        log.info("applied migrations: %s", ", ".join(applied))
    return store


def create_app(
    settings: Settings,
    store: Store,
    clock: Clock | None = None,
    sleep: Sleep | None = None,
) -> Partnerbot:
    """Build the Bolt app, its services and listeners, and the scheduler's jobs around an
    open store. Nothing starts running here: serve() (or a test) starts the scheduler."""
    clock = clock or SystemClock()
    identity = BotIdentity(single_attempt_client(settings.slack_bot_token, settings.slack_api_url))
    # The token, not a client: Bolt also reads SLACK_BOT_TOKEN from the environment and warns
    # that one of the two is unused whenever it is given a client as well.
    app = AsyncApp(
        token=settings.slack_bot_token,
        signing_secret=settings.slack_signing_secret,
        request_verification_enabled=not settings.socket_mode,
        process_before_response=False,
        before_authorize=identity.middleware(),
    )
    identity.share_with(app)
    client = configure_client(
        app.client, settings.slack_api_url, **({"sleep": sleep} if sleep else {})
    )
    outbox = Outbox(client, sleep=sleep) if sleep else Outbox(client)
    services = Services(settings, store, clock, BackgroundTasks(), Scheduler(clock), client, outbox)
    commands = register_listeners(app, services)
    schedule_housekeeping(services)
    return Partnerbot(app, services, identity, commands)


def schedule_housekeeping(services: Services) -> None:
    """Jobs that belong to no feature: forgetting old claims, once a day."""

    async def prune_claims(slot: datetime) -> None:
        pruned = await claims.prune(services.store, services.clock.now())
        if pruned:
            log.info("pruned %d old claims", pruned)

    services.scheduler.add(
        "claims.prune", CronTrigger(hour=3, minute=17, timezone=UTC), prune_claims
    )


def web_app(bot: Partnerbot, *, slack_requests: bool = True) -> web.Application:
    """The HTTP surface: Slack's request URL (HTTP mode only) and a health check.

    In Socket Mode requests come over the socket and signatures are not checked, so the
    request URL must not exist at all: anyone reaching the port could act as anyone.
    """

    async def slack_events(request: web.Request) -> web.Response:
        bolt_response = await bot.app.async_dispatch(await to_bolt_request(request))
        return await to_aiohttp_response(bolt_response)

    async def healthz(_: web.Request) -> web.Response:
        if await bot.services.store.ping():
            return web.json_response({"status": "ok"})
        return web.json_response({"status": "database unavailable"}, status=503)

    application = web.Application()
    if slack_requests:
        application.router.add_post("/slack/events", slack_events)
    application.router.add_get("/healthz", healthz)
    return application


async def serve(settings: Settings, stop: asyncio.Event | None = None) -> None:
    """Run until SIGTERM/SIGINT (or stop is set), then finish in-flight work and close."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    # First thing: a SIGTERM during start-up (migrations) then stops cleanly once started.
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    clock = SystemClock()
    store = await open_store(settings, clock)
    bot = create_app(settings, store, clock)
    bot.services.scheduler.start()
    runner = web.AppRunner(
        web_app(bot, slack_requests=not settings.socket_mode),
        shutdown_timeout=SHUTDOWN_GRACE_SECONDS,
    )
    await runner.setup()
    site = web.TCPSite(runner, host="0.0.0.0", port=settings.port)
    socket_handler = None
    try:
        await site.start()
        port = runner.addresses[0][1] if runner.addresses else settings.port
        if settings.socket_mode:
            from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

            socket_handler = AsyncSocketModeHandler(bot.app, settings.slack_app_token)
            await socket_handler.connect_async()  # type: ignore[no-untyped-call]
            log.info("connected to Slack in Socket Mode; health check on port %s", port)
        else:
            log.info("listening on http://0.0.0.0:%s/slack/events", port)
        print(f"partnerbot ready on port {port}", flush=True)
        await stop.wait()
        log.info("stopping: finishing requests in flight")
    finally:
        try:
            if socket_handler is not None:
                await socket_handler.close_async()  # type: ignore[no-untyped-call]
            await runner.cleanup()
            await bot.services.scheduler.stop()
            await bot.services.tasks.drain(grace=SHUTDOWN_GRACE_SECONDS)
        finally:
            await store.close()
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.remove_signal_handler(sig)
            log.info("stopped")
