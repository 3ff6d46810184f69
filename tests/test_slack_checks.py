"""The one helper every test's Slack traffic goes through catches what Slack would refuse."""

from __future__ import annotations

from tests.support.slack_checks import check_ack, check_message, check_view


def section(text: str) -> dict[str, object]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def test_a_good_message_passes() -> None:
    assert check_message({"text": "hi", "blocks": [section("hello")]}) == []


def test_too_many_blocks_are_caught() -> None:
    problems = check_message({"text": "x", "blocks": [section("a")] * 51})
    assert any("51 blocks" in p for p in problems)
    assert (
        check_view(
            {
                "type": "modal",
                "title": {"type": "plain_text", "text": "t"},
                "blocks": [section("a")] * 100,
            }
        )
        == []
    )
    assert check_view({"type": "home", "blocks": [section("a")] * 101}) != []


def test_long_section_text_and_unknown_blocks_are_caught() -> None:
    assert check_message({"text": "x", "blocks": [section("y" * 3001)]}) != []
    assert check_message({"text": "x", "blocks": [{"type": "hologram"}]}) != []


def test_blocks_without_fallback_text_are_caught() -> None:
    assert check_message({"blocks": [section("a")]}) != []


def test_view_titles_and_metadata_are_checked() -> None:
    long_title = {"type": "modal", "title": {"type": "plain_text", "text": "x" * 25}, "blocks": []}
    assert check_view(long_title) != []
    metadata = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "t"},
        "private_metadata": "m" * 3001,
        "blocks": [],
    }
    assert check_view(metadata) != []


def test_acks_are_checked_by_kind() -> None:
    assert check_ack({"response_action": "errors", "errors": {}}) != []
    assert check_ack({"response_action": "errors", "errors": {"name": "taken"}}) == []
    assert check_ack({"response_action": "update", "view": {"type": "card"}}) != []


def test_a_confirm_dialog_over_slacks_limits_is_caught() -> None:
    confirm = {
        "title": {"type": "plain_text", "text": "Sure?"},
        "text": {"type": "mrkdwn", "text": "x" * 301},
        "confirm": {"type": "plain_text", "text": "Yes"},
        "deny": {"type": "plain_text", "text": "No"},
    }
    button = {
        "type": "button",
        "action_id": "a.b",
        "text": {"type": "plain_text", "text": "Go"},
        "confirm": confirm,
    }
    block = {"type": "section", "text": {"type": "mrkdwn", "text": "row"}, "accessory": button}
    assert any("confirm text" in p for p in check_message({"text": "x", "blocks": [block]}))
