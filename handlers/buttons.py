"""Button clicks: the payload is unpacked once, before the listener runs; a stale or
malformed value is answered ("nothing was changed"), never silently dropped."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from bot.services import Services
from handlers.blocks import error_message
from handlers.payloads import Payload
from handlers.reply import Reply

log = logging.getLogger(__name__)

P = TypeVar("P", bound=Payload)

STALE = (
    "That button is out of date or was not made by partnerbot, so nothing was changed. "
    "Run the command again for fresh buttons."
)


@dataclass(frozen=True)
class Click(Generic[P]):
    """One button click: its unpacked payload and where and by whom it was clicked."""

    payload: P
    team_id: str
    user_id: str
    channel_id: str | None = None
    trigger_id: str | None = None


ButtonListener = Callable[[Click[P], Reply, Reply, Any, Services], Awaitable[None]]


def team_of(body: dict[str, Any]) -> str:
    """The workspace an interaction came from."""
    return str((body.get("team") or {}).get("id") or body["user"]["team_id"])


def read_click(payload_type: type[P], body: dict[str, Any]) -> Click[P] | None:
    """The click in a block_actions body, or None when its value is not a payload_type."""
    action = (body.get("actions") or [{}])[0]
    value = action.get("value")
    payload = payload_type.unpack(value if isinstance(value, str) else None)
    if payload is None:
        return None
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get(
        "channel_id"
    )
    return Click(payload, team_of(body), body["user"]["id"], channel, body.get("trigger_id"))


def on_button(payload_type: type[P], listener: ButtonListener[P]) -> Callable[..., Awaitable[None]]:
    """A Bolt listener that unpacks the click's payload and hands it to listener."""

    async def unpack_then_listen(
        ack: Reply, body: dict[str, Any], respond: Reply, client: Any, services: Services
    ) -> None:
        click = read_click(payload_type, body)
        if click is None:
            await ack()
            log.info("a %s click carried a value that does not unpack", payload_type.action_id)
            services.tasks.spawn(respond(**error_message(STALE)), name="stale button")
            return
        await listener(click, ack, respond, client, services)

    unpack_then_listen.__name__ = f"{listener.__name__}_click"
    return unpack_then_listen
