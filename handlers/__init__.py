"""The Slack surface: listeners and Block Kit views, registered feature by feature."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.services import Services
from handlers import actions, commands, events, health_commands, score_commands, views


def register_listeners(app: AsyncApp, services: Services) -> list[str]:
    """Register every listener; return the slash commands registered."""
    routes: dict[str, commands.Route] = {
        "health": health_commands.handle_health,
        "score": score_commands.handle_score,
    }
    registered = commands.register(app, services, routes)
    registered += health_commands.register(app, services)
    registered += score_commands.register(app, services)
    actions.register(app, services)
    views.register(app, services)
    events.register(app, services)
    return registered
