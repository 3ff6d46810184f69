"""Charts to a channel: rendered off the event loop, uploaded with files_upload_v2."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from slack_sdk.errors import SlackApiError

from handlers.blocks import error_message, esc
from handlers.registry.listeners import Reply

log = logging.getLogger(__name__)


async def upload_png(
    client: Any,
    respond: Reply,
    channel: str,
    render: Callable[[], bytes],
    *,
    filename: str,
    title: str,
    comment: str,
) -> None:
    """Render in a worker thread (never on the event loop), then upload to the channel;
    a refusal (say, partnerbot is not in the channel) is told to the user who asked."""
    try:
        png = await asyncio.to_thread(render)
        await client.files_upload_v2(
            channel=channel, file=png, filename=filename, title=title, initial_comment=comment
        )
    except SlackApiError as err:
        code = err.response.get("error", "error") if err.response else "error"
        log.warning("chart upload failed: %s", code)
        hint = " Invite partnerbot to this channel first." if code == "not_in_channel" else ""
        await respond(**error_message(f"I could not post the chart here ({esc(code)}).{hint}"))
    except Exception:
        log.exception("chart %s failed", filename)
        await respond(**error_message("The chart could not be drawn or sent; please try again."))
