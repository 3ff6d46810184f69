"""The signature check in front of Bolt: Slack's scheme, exactly, and nothing that raises."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk.signature import SignatureVerifier

from bot.clock import FixedClock
from handlers.verify import RequestVerifier

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
TS = str(int(NOW.timestamp()))
BODY = "token=x&team_id=T0001&command=%2Fpartner&text=show+%E6%9D%8E"


def headers(timestamp: str, signature: str) -> dict[str, str]:
    return {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": signature}


def slack_signature(timestamp: str, body: str) -> str:
    signature = SignatureVerifier(SECRET).generate_signature(timestamp=timestamp, body=body)
    assert signature is not None
    return signature


@pytest.fixture
def verifier() -> RequestVerifier:
    return RequestVerifier(SECRET, FixedClock(NOW))


def test_a_request_signed_as_slack_signs_it_is_accepted(verifier: RequestVerifier) -> None:
    assert verifier.refusal(headers(TS, slack_signature(TS, BODY)), BODY.encode()) is None


def test_the_signature_agrees_with_slack_sdk_on_text_in_any_script(
    verifier: RequestVerifier,
) -> None:
    body = '{"text": "李佳琦直播间 ✓"}'
    assert verifier.expected_signature(TS, body.encode()) == slack_signature(TS, body)


def test_raw_bytes_are_signed_as_they_are(verifier: RequestVerifier) -> None:
    body = b"text=\xff\xfe"
    signature = verifier.expected_signature(TS, body)
    assert verifier.refusal(headers(TS, signature), body) is None
    assert verifier.refusal(headers(TS, signature), b"text=\xff\xfd") is not None


@pytest.mark.parametrize(
    "timestamp", ["", "abc", "1795632008.5", "-1", "+1795632008", "１７９５６３２００８", "1e9"]
)
def test_a_timestamp_that_is_not_whole_seconds_is_refused_and_nothing_raises(
    verifier: RequestVerifier, timestamp: str
) -> None:
    why = verifier.refusal(headers(timestamp, slack_signature(timestamp, BODY)), BODY.encode())
    assert why == "its timestamp is missing or not whole seconds"


def test_a_huge_timestamp_is_refused_without_parsing_it(verifier: RequestVerifier) -> None:
    timestamp = "9" * 5000  # past int()'s default digit limit, which would raise
    assert verifier.refusal(headers(timestamp, "v0=0"), b"") == "its timestamp is out of range"


@pytest.mark.parametrize(("seconds", "accepted"), [(300, True), (-300, True), (301, False)])
def test_the_age_limit_is_five_minutes_either_way(seconds: int, accepted: bool) -> None:
    verifier = RequestVerifier(SECRET, FixedClock(NOW + timedelta(seconds=seconds)))
    why = verifier.refusal(headers(TS, slack_signature(TS, BODY)), BODY.encode())
    assert (why is None) is accepted


@pytest.mark.parametrize("signature", ["", "v0=", "v0=" + "0" * 64, "v1=abc", "v0=é"])
def test_a_missing_or_wrong_signature_is_refused(verifier: RequestVerifier, signature: str) -> None:
    assert verifier.refusal(headers(TS, signature), BODY.encode()) == "its signature does not match"


def test_missing_headers_are_refused(verifier: RequestVerifier) -> None:
    assert verifier.refusal({}, BODY.encode()) is not None
    assert verifier.refusal({"X-Slack-Request-Timestamp": TS}, BODY.encode()) is not None


def test_a_verifier_needs_a_secret() -> None:
    with pytest.raises(ValueError, match="signing secret"):
        RequestVerifier("", FixedClock(NOW))
