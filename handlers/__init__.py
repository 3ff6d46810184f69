"""The Slack surface: listeners and Block Kit views, registered feature by feature."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.services import Services
from handlers.health import listeners as health
from handlers.home import listeners as home
from handlers.registry import actions, forms
from handlers.registry import listeners as registry
from handlers.scoring import listeners as scoring


def register_listeners(app: AsyncApp, services: Services) -> list[str]:
    """Register every listener; return the slash commands registered."""
    routes: dict[str, registry.Route] = {
        "health": health.handle_health,
        "score": scoring.handle_score,
    }
    registered = registry.register(app, services, routes)
    registered += health.register(app, services)
    registered += scoring.register(app, services)
    actions.register(app, services)
    forms.register(app, services)
    home.register(app, services)
    return registered
