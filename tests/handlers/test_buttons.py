"""A click's payload is unpacked once, strictly; the click says where and by whom it came; a
payload builds a button only when a listener owns its action id; the pager's row."""

from __future__ import annotations

import json
from typing import Any

import pytest

from handlers.buttons import Click, read_click
from handlers.ids import HealthAction, PartnerAction
from handlers.payloads import (
    EditPartner,
    ListPage,
    ModalMeta,
    PartnerRef,
    PortfolioPage,
    RateMeta,
    pager,
)
from tests.support.fakes import CHANNEL, TEAM, TRIGGER, USER, click_body


def body_with(value: Any) -> dict[str, Any]:
    return click_body(PartnerAction.LIST_PAGE, value)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({**body_with(None), "actions": []}, id="no action"),
        pytest.param({k: v for k, v in body_with(None).items() if k != "actions"}, id="no actions"),
        pytest.param(body_with(None), id="no value"),
        pytest.param(body_with(""), id="empty value"),
        pytest.param(body_with(7), id="a number, not a string"),
        pytest.param(body_with("not json {"), id="not JSON"),
        pytest.param(body_with('["offset", 0]'), id="JSON, not an object"),
        pytest.param(body_with('{"offset": "lots"}'), id="wrong type"),
        pytest.param(body_with("{}"), id="missing field"),
        pytest.param(body_with('{"offset": 0, "evil": 1}'), id="extra field"),
    ],
)
def test_a_value_that_is_not_the_payload_gives_no_click(body: dict[str, Any]) -> None:
    assert read_click(ListPage, body) is None


def test_a_good_value_gives_the_click_with_where_and_by_whom() -> None:
    value = ListPage(offset=20, category="KOL").pack()

    click = read_click(ListPage, body_with(value))

    assert click == Click(ListPage(offset=20, category="KOL"), TEAM, USER, CHANNEL, TRIGGER)


def test_the_team_falls_back_to_the_users_team() -> None:
    body = body_with(ListPage(offset=0).pack())
    body["team"] = None
    body["user"]["team_id"] = "T0USER"

    click = read_click(ListPage, body)

    assert click is not None and click.team_id == "T0USER"


def test_the_team_comes_from_team_id_first() -> None:
    body = body_with(ListPage(offset=0).pack())
    body["user"]["team_id"] = "T0USER"

    click = read_click(ListPage, body)

    assert click is not None and click.team_id == TEAM


def test_the_channel_falls_back_to_the_container_and_may_be_missing() -> None:
    body = body_with(ListPage(offset=0).pack())
    del body["channel"]
    body["container"]["channel_id"] = "C0CONTAINER"
    click = read_click(ListPage, body)
    assert click is not None and click.channel_id == "C0CONTAINER"

    del body["container"]
    del body["trigger_id"]
    bare = read_click(ListPage, body)
    assert bare is not None
    assert (bare.channel_id, bare.trigger_id) == (None, None)


def test_another_payloads_value_gives_no_click() -> None:
    """An Edit button's value clicked as a List page (or the reverse) is refused."""
    edit = EditPartner(partner_id=3).pack()
    assert read_click(ListPage, body_with(edit)) is None
    assert read_click(EditPartner, body_with(ListPage(offset=0).pack())) is None


@pytest.mark.parametrize(
    "payload",
    [ModalMeta(), PartnerRef(partner_id=1), RateMeta(partner_id=1, rating_id=2)],
    ids=lambda p: type(p).__name__,
)
def test_a_payload_without_an_action_id_builds_no_button(payload: Any) -> None:
    with pytest.raises(TypeError, match="is not carried by a button"):
        payload.button("Go")


def test_a_payload_with_an_action_id_builds_its_button() -> None:
    built = EditPartner(partner_id=3).button("Edit", style="primary")
    assert built["action_id"] == PartnerAction.EDIT
    assert EditPartner.unpack(built["value"]) == EditPartner(partner_id=3)
    assert built["style"] == "primary"


def test_one_page_has_no_pager() -> None:
    assert pager(None, None, "nav") == []


def nav_buttons(blocks: list[dict[str, Any]]) -> list[tuple[str, str, dict[str, Any]]]:
    [row] = blocks
    assert row["type"] == "actions" and row["block_id"] == "nav"
    return [(e["text"]["text"], e["action_id"], json.loads(e["value"])) for e in row["elements"]]


def test_the_pager_carries_each_pages_payload() -> None:
    previous, following = ListPage(offset=0, tier="core"), ListPage(offset=20, tier="core")

    assert nav_buttons(pager(previous, following, "nav")) == [
        ("Previous", PartnerAction.LIST_PAGE, {"offset": 0, "tier": "core"}),
        ("Next", PartnerAction.LIST_PAGE, {"offset": 20, "tier": "core"}),
    ]
    assert nav_buttons(pager(None, following, "nav")) == [
        ("Next", PartnerAction.LIST_PAGE, {"offset": 20, "tier": "core"}),
    ]
    assert nav_buttons(pager(previous, None, "nav")) == [
        ("Previous", PartnerAction.LIST_PAGE, {"offset": 0, "tier": "core"}),
    ]


def test_the_pager_takes_other_labels() -> None:
    row = pager(PortfolioPage(offset=0), PortfolioPage(offset=20), "nav", ("Newer", "Older"))
    assert [(label, action) for label, action, _ in nav_buttons(row)] == [
        ("Newer", HealthAction.PORTFOLIO_PAGE),
        ("Older", HealthAction.PORTFOLIO_PAGE),
    ]
