"""The App Home tab, published each time a user opens it."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.services import Services
from handlers.home.views import build_home


async def publish_home(services: Services, client: Any, team_id: str, user_id: str) -> None:
    """Build the user's Home tab from the registry and publish it."""
    async with services.store.read() as tx:
        counts = await tx.status_counts(team_id)
        owned = await tx.count_owned(team_id, user_id)
    view = build_home(counts, owned, services.actor(user_id))
    await client.views_publish(user_id=user_id, view=view)


async def home_opened(
    event: dict[str, Any], body: dict[str, Any], client: Any, services: Services
) -> None:
    """`app_home_opened`: publish the Home tab after the ack, tracked so shutdown waits."""
    team_id, user_id = body.get("team_id"), event.get("user")
    if event.get("tab") == "home" and team_id and user_id:
        work = publish_home(services, client, str(team_id), str(user_id))
        services.tasks.spawn(work, name="home")


def register(app: AsyncApp) -> None:
    """Register the App Home listener."""
    app.event("app_home_opened")(home_opened)
