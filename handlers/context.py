"""The services reach every listener through Bolt's context, so listeners are plain
module-level functions that a unit test can call with fakes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.response import BoltResponse

from bot.services import Services

Next = Callable[[], Awaitable[BoltResponse]]


def provide_services(services: Services) -> Callable[..., Awaitable[Any]]:
    """A middleware that puts the services in the context; Bolt then passes them to every
    listener that takes a `services` argument."""

    async def with_services(context: AsyncBoltContext, next: Next) -> BoltResponse:
        context["services"] = services
        return await next()

    return with_services
