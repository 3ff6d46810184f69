"""Who may do what: the actor behind a request, and the owner and admin checks."""

from __future__ import annotations

from dataclasses import dataclass

from bot.errors import Forbidden, RuleError
from bot.registry.rules import Partner


@dataclass(frozen=True)
class Actor:
    """Who asks: a Slack user, or the command line."""

    user_id: str
    is_admin: bool = False

    @property
    def label(self) -> str:
        return self.user_id


CLI_ACTOR = Actor("cli", is_admin=True)


def can_change(owner: str, actor: Actor) -> bool:
    """Whether the actor may change a partner with this owner: the owner or an admin."""
    return actor.is_admin or actor.user_id == owner


def check_can_change(partner: Partner, actor: Actor) -> None:
    """Only the owner or an admin changes a partner."""
    if can_change(partner.owner, actor):
        return
    raise Forbidden(partner.name, partner.owner)


def check_admin(actor: Actor, what: str) -> None:
    """Only admins change workspace settings; the refusal says where admins are set."""
    if not actor.is_admin:
        raise RuleError(
            f"Only a partnerbot admin can change {what}; admins are set in PARTNERBOT_ADMINS."
        )
