"""Block Kit envelopes: one place for each shape the app sends, inside Slack's limits."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from handlers.blocks import (
    DATE,
    channel_message,
    home,
    message,
    modal,
    plain_date,
    section,
    slack_date,
)
from handlers.forms import number_input, state_value, text_input
from tests.support.slack_checks import check_message, check_view


def test_an_ephemeral_answer_and_a_channel_message_differ_only_in_response_type() -> None:
    blocks = [section("*Acme* & <@U1>")]
    answer = message(blocks, "Acme & co")
    posted = channel_message(blocks, "Acme & co")
    assert answer["response_type"] == "ephemeral" and "response_type" not in posted
    assert posted["text"] == answer["text"] == "Acme &amp; co"
    assert check_message(posted, "chat.postMessage") == []


def test_a_form_modal_has_a_submit_and_a_read_only_one_has_none() -> None:
    form = modal("Rate partner", [text_input("name", "Name")], callback_id="x.submit")
    window = modal("Partner saved", [section("done")], close="Done")
    assert form["submit"]["text"] == "Save" and form["callback_id"] == "x.submit"
    assert "submit" not in window and "callback_id" not in window
    assert window["close"]["text"] == "Done"
    assert check_view(form, "views.open") == [] and check_view(window, "views.open") == []


def test_views_refuse_more_blocks_than_slack_takes() -> None:
    with pytest.raises(ValueError, match="at most 100"):
        modal("Too long", [section("x")] * 101)
    with pytest.raises(ValueError, match="at most 100"):
        home([section("x")] * 101)
    with pytest.raises(ValueError, match="private_metadata"):
        modal("Meta", [section("x")], callback_id="c", private_metadata="x" * 3001)
    assert len(home([section("x")] * 100)["blocks"]) == 100


def test_number_inputs_keep_decimals_exact_and_whole_numbers_whole() -> None:
    rated = number_input("brand", "Brand", 72.35, decimal=True, maximum=100)
    cases = number_input("cases", "Cases", 4, decimal=False)
    assert rated["element"]["initial_value"] == "72.35"
    assert rated["element"]["max_value"] == "100" and "max_value" not in cases["element"]
    assert cases["element"]["initial_value"] == "4"


def test_state_value_reads_each_kind_of_input() -> None:
    values = {
        "name": {"value": {"type": "plain_text_input", "value": "Acme"}},
        "tier": {"value": {"type": "static_select", "selected_option": {"value": "core"}}},
        "owner": {"value": {"type": "users_select", "selected_user": "U1"}},
        "empty": {"value": {"type": "static_select", "selected_option": None}},
    }
    assert state_value(values, "name") == "Acme"
    assert state_value(values, "tier") == "core"
    assert state_value(values, "owner") == "U1"
    assert state_value(values, "empty") is None
    assert state_value(values, "missing") is None


def test_a_slack_date_shows_in_each_readers_zone_and_falls_back_to_the_workspaces() -> None:
    moment = datetime(2026, 11, 22, 18, 15, tzinfo=UTC)
    stamp = int(moment.timestamp())
    shanghai = slack_date(moment, ZoneInfo("Asia/Shanghai"))
    assert shanghai == (
        f"<!date^{stamp}^{{date_short_pretty}} {{time}}|2026-11-23 02:15 Asia/Shanghai>"
    )
    assert slack_date(moment, ZoneInfo("UTC")).endswith("|2026-11-22 18:15 UTC>")
    assert slack_date(moment, ZoneInfo("Asia/Shanghai"), DATE) == (
        f"<!date^{stamp}^{{date_short_pretty}}|2026-11-23>"
    )
    # Plain text (a notification, a modal title) gets the fallback alone.
    assert plain_date(moment, ZoneInfo("Asia/Shanghai")) == "2026-11-23 02:15 Asia/Shanghai"
    assert check_message(message([section(f"Rated {shanghai}")], "Rated")) == []


def test_a_slack_date_depends_on_the_instant_alone_whatever_zone_the_moment_carries() -> None:
    """slack_date keeps what it wrote by moment (equal instants are equal datetimes)."""
    moment = datetime(2026, 11, 22, 18, 15, tzinfo=UTC)
    seen_in_shanghai = moment.astimezone(ZoneInfo("Asia/Shanghai"))
    for zone in (ZoneInfo("UTC"), ZoneInfo("America/New_York")):
        assert slack_date(seen_in_shanghai, zone) == slack_date(moment, zone)
    assert slack_date(seen_in_shanghai, ZoneInfo("UTC")).endswith("|2026-11-22 18:15 UTC>")
    later = datetime(2026, 11, 22, 18, 16, tzinfo=UTC)
    assert slack_date(later, ZoneInfo("UTC")).endswith("|2026-11-22 18:16 UTC>")
