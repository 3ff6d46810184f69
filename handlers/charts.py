"""Charts to a channel: drawn in a worker thread (never on the event loop), then uploaded
through the outbox, which tells the user who asked when Slack refuses."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from bot.services import Services
from handlers.blocks import error_message
from handlers.outbox import report_by_respond
from handlers.reply import Reply

log = logging.getLogger(__name__)


async def post_chart(
    services: Services,
    respond: Reply,
    channel: str,
    render: Callable[[], bytes],
    *,
    filename: str,
    title: str,
    comment: str,
    alt_text: str,
) -> None:
    """Draw the chart off the loop and upload it to channel; failures reach the asker."""
    try:
        png = await asyncio.to_thread(render)
    except Exception:
        log.exception("drawing chart %s failed", filename)
        await respond(**error_message("The chart could not be drawn; please try again."))
        return
    await services.outbox.upload(
        channel,
        png,
        filename=filename,
        title=title,
        comment=comment,
        alt_text=alt_text,
        report=report_by_respond(respond),
    )
