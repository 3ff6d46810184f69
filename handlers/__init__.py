"""The Slack surface: listeners and Block Kit views, one package per feature, registered here
in one place. Listeners are module-level functions; the services reach them through Bolt's
context (handlers.context)."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.services import Services
from handlers import commands, events
from handlers.alerts import listeners as alerts
from handlers.context import ProvideServices
from handlers.digest import listeners as digest
from handlers.failover import backup as failover_backup
from handlers.failover import close as failover_close
from handlers.failover import listeners as failover
from handlers.failover import start as failover_start
from handlers.health import listeners as health
from handlers.home import listeners as home
from handlers.registry import listeners as registry
from handlers.scoring import listeners as scoring

COMMANDS = ["/partner", "/health", "/score", "/digest", "/failover"]


def register_listeners(app: AsyncApp, services: Services) -> list[str]:
    """Give every listener the services, register them all; return the slash commands."""
    app.middleware(ProvideServices(services))
    app.middleware(events.OncePerEvent())
    commands.register(app)  # first: a command is then matched by the first listeners tried
    registry.register(app)
    health.register(app)
    scoring.register(app)
    home.register(app)
    alerts.register(app)
    digest.register(app)
    failover.register(app)
    failover_start.register(app)

    failover_close.register(app)

    failover_backup.register(app)
    return list(COMMANDS)
