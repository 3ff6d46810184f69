"""The outbox: the one way the app sends Slack messages that no request is waiting on.

Scheduled digests, reminders, a checklist re-rendered in place and chart uploads all go
through an `Outbox`. It paces sends to at most one per `interval` seconds per channel (Slack
posts about one message a second to a channel), leaves 429s to the client's retry handler
(see `handlers.slack_client`), and never raises for a failed call: it logs a neutral line
(method, channel, error code; never the message), tells a person through a `Report`, and
returns a `Delivery` that carries Slack's error code, so callers decide on the code.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.ports import Delivery, Report
from handlers.blocks import clip, error_message, esc, section
from handlers.slack_client import error_code

log = logging.getLogger(__name__)


Respond = Callable[..., Awaitable[Any]]
"""Bolt's `respond`: posts to the response_url of the request that asked."""

_CHANNEL_ID = re.compile(r"[CG][A-Z0-9]+")

# What a Slack error code means to the person who has to fix it.
_ADVICE = {
    "not_in_channel": "partnerbot is not a member of that channel. Invite partnerbot to it",
    "channel_not_found": (
        "Slack cannot find that channel (a private one needs partnerbot invited), "
        "so check the channel. Invite partnerbot to it"
    ),
    "is_archived": "the channel is archived, so unarchive it or choose another channel",
    "message_not_found": "the message is gone (perhaps deleted), so post it again",
    "cant_update_message": "partnerbot can only edit its own messages, so post a new one",
    "ratelimited": "Slack is rate-limiting partnerbot, so try again in a few minutes",
    "thread_not_found": "the thread is gone (perhaps deleted), so post to the channel instead",
}
# The same for a direct message, where the channel advice above would mislead.
_DM_ADVICE = {
    "user_not_found": "Slack does not know that person in this workspace",
    "user_disabled": "that person's account is deactivated",
    "cannot_dm_bot": "that is a bot, which partnerbot cannot message",
    "missing_scope": "partnerbot's installation lacks the chat:write scope, so reinstall it "
    "from manifest.yml",
    "ratelimited": _ADVICE["ratelimited"],
}
_UNKNOWN = "Slack refused it, so try again later and tell whoever runs partnerbot if it persists"
_USER_ID = re.compile(r"[UW][A-Z0-9]+")


def _where(channel: str) -> str:
    """A channel mention Slack renders, or a neutral phrase for a DM or an odd id."""
    return f"<#{channel}>" if _CHANNEL_ID.fullmatch(channel) else "that conversation"


def _refused(what: str, code: str, advice: dict[str, str] = _ADVICE) -> str:
    shown = esc(code).replace("`", "'")
    return f"I could not {what} (`{shown}`): {advice.get(code, _UNKNOWN)}."


class Outbox:
    """Sends messages and files for work no request is waiting on, paced per channel."""

    def __init__(
        self,
        client: AsyncWebClient,
        *,
        interval: float = 1.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._interval = interval
        self._sleep = sleep
        self._monotonic = monotonic
        self._locks: dict[str, asyncio.Lock] = {}
        self._last: dict[str, float] = {}

    async def post(
        self,
        channel: str,
        message: dict[str, Any],
        *,
        thread_ts: str | None = None,
        report: Report | None = None,
    ) -> Delivery:
        """Post message's text and blocks (in thread_ts's thread if given); its Delivery, with
        the new ts, or with Slack's error code when refused (report is told why)."""
        kwargs = _body(message)
        if thread_ts is not None:
            kwargs["thread_ts"] = thread_ts
        where = _where(channel)
        what = f"post to {where}" if thread_ts is None else f"reply in a thread in {where}"
        advice = _ADVICE
        if _USER_ID.fullmatch(channel):  # a user ID: Slack posts to their DM with partnerbot
            what, advice = f"send <@{channel}> a direct message", _DM_ADVICE

        def call() -> Awaitable[Any]:
            return self._client.chat_postMessage(channel=channel, **kwargs)

        return await self._send(channel, "chat.postMessage", what, call, report, advice)

    async def update(
        self, channel: str, ts: str, message: dict[str, Any], *, report: Report | None = None
    ) -> Delivery:
        """Replace the message at ts with message's text and blocks; how that went."""
        kwargs = _body(message)
        what = f"update the message in {_where(channel)}"

        def call() -> Awaitable[Any]:
            return self._client.chat_update(channel=channel, ts=ts, **kwargs)

        return await self._send(channel, "chat.update", what, call, report)

    async def upload(
        self,
        channel: str,
        content: bytes,
        *,
        filename: str,
        title: str,
        comment: str,
        alt_text: str | None = None,
        thread_ts: str | None = None,
        report: Report | None = None,
    ) -> Delivery:
        """Upload content as a file to channel with files_upload_v2; how that went."""

        def call() -> Awaitable[Any]:
            return self._client.files_upload_v2(
                channel=channel,
                file=content,
                filename=filename,
                title=title,
                initial_comment=comment,
                alt_txt=alt_text,
                thread_ts=thread_ts,
            )

        what = f"upload “{esc(clip(title, 100))}” to {_where(channel)}"
        return await self._send(channel, "files_upload_v2", what, call, report)

    async def _send(
        self,
        channel: str,
        method: str,
        what: str,
        call: Callable[[], Awaitable[Any]],
        report: Report | None,
        advice: dict[str, str] = _ADVICE,
    ) -> Delivery:
        """Make call once the channel's interval has passed; its Delivery (a failure logged
        and reported)."""
        error: str | None = None  # Slack's code; stays None when the call itself failed
        try:
            async with self._locks.setdefault(channel, asyncio.Lock()):
                await self._pace(channel)
                response = await call()
            ts = response.get("ts") if response is not None else None
            return Delivery(ok=True, ts=ts if isinstance(ts, str) else None)
        except SlackApiError as err:
            code = error_code(err)
            error, sentence = code, _refused(what, code, advice)
            log.warning("outbox: %s to %s failed: %s", method, channel, code)
        except (aiohttp.ClientError, TimeoutError) as err:
            sentence = f"I could not {what} because the call to Slack failed; try again later."
            log.warning("outbox: %s to %s failed: %s", method, channel, type(err).__name__)
        except Exception:
            # Neither Slack's answer nor the network: a bug, worth its traceback.
            sentence = f"I could not {what} because of an error on our side; try again later."
            log.exception("outbox: %s to %s failed", method, channel)
        if report is not None:
            try:
                await report(sentence)
            except Exception as err:
                log.warning("outbox: reporting a failed %s failed: %s", method, type(err).__name__)
        return Delivery(ok=False, error=error, sentence=sentence)

    async def _pace(self, channel: str) -> None:
        """Wait out what is left of the interval since the channel's last send."""
        last = self._last.get(channel)
        if last is not None:
            wait = last + self._interval - self._monotonic()
            if wait > 0:
                await self._sleep(wait)
        self._last[channel] = self._monotonic()


def _body(message: dict[str, Any]) -> dict[str, Any]:
    """The parts of a message body chat.postMessage and chat.update take (not response_type)."""
    return {key: message[key] for key in ("text", "blocks") if key in message}


def report_by_respond(respond: Respond) -> Report:
    """A Report that tells the user who asked, as an ephemeral error through Bolt's respond."""

    async def report(sentence: str) -> None:
        await respond(**error_message(sentence))

    return report


def report_by_dm(client: AsyncWebClient, user_id: str) -> Report:
    """A Report that tells a user in their DM with partnerbot (channel=user_id)."""

    async def report(sentence: str) -> None:
        await client.chat_postMessage(
            channel=user_id, text=sentence, blocks=[section(f":warning: {sentence}")]
        )

    return report
