"""mrkdwn and Block Kit made readable: pure functions, plain values."""

from __future__ import annotations

from console import render
from console.standin import Directory

PEOPLE = Directory(users={"U0MEI": "mei"}, channels={"C0OPS": "ops"})


def shown(text: str) -> str:
    return render.mrkdwn(text, PEOPLE).plain


def test_mentions_channels_dates_and_links_read_as_names() -> None:
    assert shown("<@U0MEI> in <#C0OPS>") == "@mei in #ops"
    assert shown("<@U0XYZ|sam>") == "@sam"
    assert shown("due <!date^1790000000^{date_short} {time}|2026-11-30 10:00 UTC>") == (
        "due 2026-11-30 10:00 UTC"
    )
    assert shown("<!here> look") == "@here look"
    assert shown("<https://example.com|the thread>") == "the thread (https://example.com)"


def test_formatting_is_styled_and_its_marks_dropped() -> None:
    text = render.mrkdwn("*bold* _it_ ~gone~ `code`", PEOPLE)
    assert text.plain == "bold it gone code"
    styles = {text.plain[s.start : s.end]: str(s.style) for s in text.spans}
    assert styles == {"bold": "bold", "it": "italic", "gone": "strike", "code": "green"}


def test_marks_around_a_mention_or_a_date_still_style_it() -> None:
    assert shown("_<@U0MEI> <!date^1^{date_short_pretty}|today>_") == "@mei today"
    assert shown("*<@U0MEI>*") == "@mei"


def test_escaped_text_is_shown_unescaped_and_never_mentions() -> None:
    assert shown("&lt;!channel&gt; &amp; co") == "<!channel> & co"


def test_slack_emoji_codes_become_characters() -> None:
    assert shown(":red_circle: :large_orange_circle: :unknown_thing:") == "🔴 🟠 :unknown_thing:"


def test_blocks_number_every_control_in_order() -> None:
    controls: list[render.Control] = []
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": "Checklist"}},
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": "*1. Beta*"},
            "accessory": {"type": "button", "text": {"type": "plain_text", "text": "Engage"}},
        },
        {"type": "divider"},
        {
            "type": "section",
            "fields": [
                {"type": "mrkdwn", "text": "*Status*\nactive"},
                {"type": "mrkdwn", "text": "*Owner*\n<@U0MEI>"},
            ],
        },
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "ranked _today_"}]},
        {
            "type": "actions",
            "elements": [
                {"type": "button", "text": {"type": "plain_text", "text": "Done"}},
                {"type": "users_select", "placeholder": {"type": "plain_text", "text": "Assign"}},
            ],
        },
    ]
    lines = [line.plain for line in render.blocks(blocks, PEOPLE, controls)]
    assert lines == [
        "Checklist",
        "1. Beta",
        "  [1] Engage",
        "─" * 40,
        "Status: active    Owner: @mei",
        "ranked today",
        "[2] Done  [3] Assign ▾ (a person)",
    ]
    assert [c.label for c in controls] == ["Engage", "Done", "Assign"]
    assert controls[2].kind == "users_select"
