"""What the Slack handlers are given: the settings, the store, the clock, background work."""

from __future__ import annotations

from dataclasses import dataclass

from bot.access import Actor
from bot.clock import Clock
from bot.ports import Store
from bot.settings import Settings
from bot.tasks import BackgroundTasks


@dataclass
class Services:
    settings: Settings
    store: Store
    clock: Clock
    tasks: BackgroundTasks
    # How long a command may work before its ack goes out without the answer (Slack allows 3 s).
    ack_budget: float = 2.0

    def actor(self, user_id: str) -> Actor:
        """The user as the registry's permission rules see them."""
        return Actor(user_id, is_admin=user_id in self.settings.admins)
