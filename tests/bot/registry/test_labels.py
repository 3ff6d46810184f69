"""How the registry names fields to people, and which partners take metrics. Pure."""

import pytest

from bot.errors import RuleError
from bot.registry.rules import (
    FIELD_ORDER,
    Category,
    Partner,
    Status,
    Tier,
    check_takes_metrics,
    field_label,
)


@pytest.mark.parametrize(
    ("field", "label"),
    [
        ("success_cases", "success cases"),
        ("drop_reason", "drop reason"),
        ("tier", "tier"),
        ("gmv@2026-W48", "GMV for 2026-W48"),
        ("rue@2026-11", "RUE for 2026-11"),
        ("sentiment@2026-11-22", "sentiment for 2026-11-22"),
    ],
)
def test_fields_and_metrics_are_named_as_people_read_them(field: str, label: str) -> None:
    assert field_label(field) == label


def test_no_field_label_shows_an_internal_key() -> None:
    assert all("_" not in field_label(field) for field in FIELD_ORDER)


def partner(status: Status, name: str = "Acme Media") -> Partner:
    return Partner(1, "T1", name, Category.KOL, Tier.CORE, status, "U1")


def test_an_archived_partner_takes_no_metrics_and_is_told_how_to_restore_it() -> None:
    with pytest.raises(RuleError) as err:
        check_takes_metrics(partner(Status.ARCHIVED))
    assert "*Acme Media* is archived" in str(err.value)
    assert '`/partner restore "Acme Media"`' in str(err.value)
    with pytest.raises(RuleError, match="`/partner restore 星河传媒`"):
        check_takes_metrics(partner(Status.ARCHIVED, "星河传媒"))


@pytest.mark.parametrize("status", [s for s in Status if s != Status.ARCHIVED])
def test_every_other_status_takes_metrics(status: Status) -> None:
    check_takes_metrics(partner(status))  # a dropped partner's losses are still measured
