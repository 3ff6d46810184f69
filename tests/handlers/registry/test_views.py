"""The registry's Block Kit builders keep Slack's limits even with the longest values."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.access import Actor
from bot.paging import Page
from bot.registry.ports import AuditEntry, ListFilters
from bot.registry.rules import Category, Diff, FieldChange, Partner, Status, Tier
from bot.registry.service import Change
from handlers.home.views import build_home
from handlers.payloads import ListPage, ModalMeta
from handlers.registry.modal import build_partner_modal, read_submission
from handlers.registry.views import build_card, build_change, build_help, build_history, build_list
from tests.support.slack_checks import check_message, check_view

LONG = "长" * 2000
SHANGHAI = ZoneInfo("Asia/Shanghai")


def partner(i: int = 1, **changes: object) -> Partner:
    base = Partner(
        id=i,
        team_id="T1",
        name=f"<!channel> {'x' * 60} {i:03d}",
        category=Category.KOL,
        tier=Tier.CORE,
        status=Status.DROPPED,
        owner="U1",
        contacts=LONG,
        notes=LONG,
        drop_reason=LONG,
        success_cases=5,
        tags=tuple(f"tag{n:02d}" for n in range(20)),
        backups=tuple(f"Backup {n}" for n in range(10)),
        created_at=datetime(2026, 11, 22, 9, 30, tzinfo=UTC),
        updated_at=datetime(2026, 11, 22, 9, 30, tzinfo=UTC),
    )
    return Partner(**{**base.__dict__, **changes})  # type: ignore[arg-type]


def test_the_fullest_card_stays_within_limits_and_escapes_the_name() -> None:
    metrics = [(f"2026-W{w}", m, 1e12) for w in range(40, 48) for m in ("rue", "roi", "gmv")]
    card = build_card(partner(), metrics, SHANGHAI)
    assert check_message(card) == []
    text = str(card)
    assert "<!channel>" not in text and "&lt;!channel&gt;" in text


def test_a_full_list_page_stays_within_limits() -> None:
    page = Page([partner(i) for i in range(20)], total=95, offset=20, size=20)
    filters = ListFilters(category=Category.KOL, owner="U1", tag="tag01")
    body = build_list(page, filters)
    assert check_message(body) == []
    nav = body["blocks"][-1]["elements"]
    assert [b["text"]["text"] for b in nav] == ["Previous", "Next"]
    previous = ListPage.unpack(nav[0]["value"])
    following = ListPage.unpack(nav[1]["value"])
    assert previous is not None and following is not None
    assert (previous.offset, following.offset) == (0, 40)
    assert following.category == "KOL" and following.owner == "U1" and following.tag == "tag01"


def test_history_with_the_longest_values_stays_within_limits() -> None:
    at = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
    entries = [AuditEntry("T1", "U1", at, "set", "notes", LONG, LONG) for _ in range(15)]
    body = build_history(partner(), Page(entries, total=40, offset=15, size=15), SHANGHAI)
    assert check_message(body) == []
    assert [b["text"]["text"] for b in body["blocks"][-1]["elements"]] == ["Newer", "Older"]


def test_change_lists_every_field_changed() -> None:
    diff = Diff([FieldChange("tier", "standard", "core"), FieldChange("notes", "", LONG)])
    body = build_change(Change(partner(), diff), "Updated")
    assert check_message(body) == []
    assert "standard → core" in str(body)


def test_help_home_and_modals_are_valid() -> None:
    assert check_message(build_help()) == []
    home = build_home({"active": 3, "archived": 2}, [], Actor("U1", is_admin=True))
    assert check_view(home) == []
    full = partner(status=Status.ACTIVE, notes="n" * 2000, contacts="c" * 2000)
    assert check_view(build_partner_modal(full, "U1", ModalMeta(partner_id=1))) == []
    assert check_view(build_partner_modal(None, "U1", ModalMeta())) == []


def test_a_modal_reads_back_what_it_was_prefilled_with() -> None:
    original = partner(
        name="Acme Media", status=Status.ACTIVE, notes="n", contacts="c", drop_reason=""
    )
    view = build_partner_modal(original, "U1", ModalMeta(partner_id=1))
    values: dict[str, dict[str, dict[str, object]]] = {}
    for block in view["blocks"]:
        element = block["element"]
        if element["type"] == "static_select":
            state = {"type": "static_select", "selected_option": element["initial_option"]}
        elif element["type"] == "users_select":
            state = {"type": "users_select", "selected_user": element["initial_user"]}
        else:
            state = {"type": "plain_text_input", "value": element.get("initial_value")}
        values[block["block_id"]] = {"value": state}
    fields, errors = read_submission(values)
    assert errors == {}
    assert (fields.name, fields.category, fields.tier, fields.status) == (
        "Acme Media",
        Category.KOL,
        Tier.CORE,
        Status.ACTIVE,
    )
    assert fields.tags == original.tags and fields.backups == original.backups
    assert fields.success_cases == 5 and fields.owner == "U1"
