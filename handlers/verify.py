"""Slack's request signature, checked before Bolt sees a request.

Bolt's own check answers a malformed timestamp with a 500 and a traceback, and logs the
whole body of every refused request; this one refuses with a 401 and one neutral line.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Mapping
from dataclasses import dataclass

from aiohttp import web
from slack_bolt.request.async_request import AsyncBoltRequest

from bot.clock import Clock

log = logging.getLogger(__name__)

MAX_AGE_SECONDS = 5 * 60
TIMESTAMP_HEADER = "X-Slack-Request-Timestamp"
SIGNATURE_HEADER = "X-Slack-Signature"
# Unix seconds have 10 digits until 2286; a cap keeps int() cheap on a hostile header.
_MAX_TIMESTAMP_DIGITS = 12


@dataclass(frozen=True)
class RequestVerifier:
    """Checks `X-Slack-Signature` and `X-Slack-Request-Timestamp` against the raw body."""

    signing_secret: str
    clock: Clock

    def __post_init__(self) -> None:
        if not self.signing_secret:
            raise ValueError("a signing secret is needed to check Slack's requests")

    def refusal(self, headers: Mapping[str, str], body: bytes) -> str | None:
        """Why the request is not one Slack signed (a phrase for the log), or None."""
        timestamp = headers.get(TIMESTAMP_HEADER, "")
        if not (timestamp.isascii() and timestamp.isdigit()):
            return "its timestamp is missing or not whole seconds"
        if len(timestamp) > _MAX_TIMESTAMP_DIGITS:
            return "its timestamp is out of range"
        if abs(self.clock.now().timestamp() - int(timestamp)) > MAX_AGE_SECONDS:
            return "its timestamp is more than five minutes from now"
        signature = headers.get(SIGNATURE_HEADER, "")
        if not signature.isascii():
            return "its signature does not match"
        if not hmac.compare_digest(self.expected_signature(timestamp, body), signature):
            return "its signature does not match"
        return None

    def expected_signature(self, timestamp: str, body: bytes) -> str:
        """Slack's `v0=` HMAC-SHA256 over the raw bytes (slack_sdk's SignatureVerifier decodes
        the body as UTF-8 first, so it raises on bytes that are not)."""
        base = b"v0:" + timestamp.encode("ascii") + b":" + body
        return "v0=" + hmac.new(self.signing_secret.encode(), base, hashlib.sha256).hexdigest()


async def verified_request(
    request: web.Request, verifier: RequestVerifier
) -> AsyncBoltRequest | web.Response:
    """The request as Bolt takes it, or the answer to a request that is refused.

    Undecodable bytes become U+FFFD, which the text rules refuse with an answer that
    names the field; nothing the request carried is logged.
    """
    body = await request.read()
    why = verifier.refusal(request.headers, body)
    if why is not None:
        log.warning("refused a request to %s: %s", request.path, why)
        return web.json_response({"error": "invalid request"}, status=401)
    try:
        return AsyncBoltRequest(
            body=body.decode("utf-8", errors="replace"),
            query=request.query_string,
            headers=dict(request.headers),
        )
    # Bolt parses the body here: bad JSON is a ValueError, JSON that is no object (a list,
    # a string) an AttributeError when Bolt reads fields from it.
    except (ValueError, AttributeError, TypeError):
        log.warning("refused a signed request to %s: its body cannot be parsed", request.path)
        return web.json_response({"error": "the body cannot be parsed"}, status=400)
