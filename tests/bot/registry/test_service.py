"""Registry use cases against a real store, on each engine: rules, permissions, audit,
workspaces."""

from datetime import UTC, datetime

import pytest

from bot.access import Actor
from bot.errors import AlreadyRegistered, Forbidden, NotFound, RuleError
from bot.metrics import parse_period
from bot.registry.ports import AuditEntry, ListFilters
from bot.registry.rules import Category, FieldChange, Partner, PartnerFields, Status, Tier, name_key
from bot.registry.service import (
    add_partner,
    archive_partner,
    change_partner,
    drop_partner,
    list_partners,
    partner_history,
    record_metrics,
    restore_partner,
    show_partner,
)
from storage.store import SQLiteStore
from tests.support.databases import scalar

T1, T2 = "T1", "T2"
AT = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
LATER = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
OWNER = Actor("U0OWNER")
OTHER = Actor("U0OTHER")
ADMIN = Actor("U0ADMIN", is_admin=True)
W47 = parse_period("2026-W47")


async def add(
    store: SQLiteStore, name: str, team_id: str = T1, actor: Actor = OWNER, **given: object
) -> Partner:
    fields = PartnerFields(name=name, **given)  # type: ignore[arg-type]
    return (await add_partner(store, AT, team_id, actor, fields)).partner


async def show(store: SQLiteStore, name: str, team_id: str = T1) -> Partner:
    partner, _ = await show_partner(store, team_id, name)
    return partner


async def history(store: SQLiteStore, name: str, team_id: str = T1) -> list[AuditEntry]:
    _, page = await partner_history(store, team_id, name, size=1000)
    return page.items


async def count_rows(store: SQLiteStore, table: str) -> int:
    """Rows in a table, read on a connection of its own (what another process would see)."""
    return int(await scalar(store, f"SELECT COUNT(*) FROM {table}"))


def changes(entries: list[AuditEntry]) -> list[tuple[str, str, str, str, str]]:
    return [(e.actor, e.action, e.field, e.before, e.after) for e in entries]


# --- add ------------------------------------------------------------------------------


async def test_add_makes_the_adder_the_owner_with_defaults(store: SQLiteStore) -> None:
    await add(store, "Acme Media")
    partner = await show(store, "Acme Media")
    assert partner.owner == OWNER.user_id
    assert (partner.category, partner.tier, partner.status) == (
        Category.OTHER,
        Tier.STANDARD,
        Status.PROSPECT,
    )
    assert partner.created_at == datetime(2026, 11, 22, 9, 30, tzinfo=UTC)


async def test_add_with_an_owner_given_uses_that_owner(store: SQLiteStore) -> None:
    await add(store, "Acme Media", owner="U0MARIA")
    assert (await show(store, "acme media")).owner == "U0MARIA"


async def test_add_keeps_every_field_given(store: SQLiteStore) -> None:
    await add(
        store,
        "小红书",
        category=Category.KOC,
        tier=Tier.CORE,
        status=Status.ACTIVE,
        tags=("beauty", "live"),
        contacts="ann@example.test",
        notes="line one\nline two",
        success_cases=3,
    )
    partner = await show(store, "小红书")
    assert (partner.category, partner.tier, partner.status) == (
        Category.KOC,
        Tier.CORE,
        Status.ACTIVE,
    )
    assert partner.tags == ("beauty", "live")
    assert (partner.contacts, partner.notes, partner.success_cases) == (
        "ann@example.test",
        "line one\nline two",
        3,
    )


async def test_add_audits_each_non_empty_field(store: SQLiteStore) -> None:
    change = await add_partner(
        store, AT, T1, OWNER, PartnerFields(name="Acme", tier=Tier.CORE, tags=("live",))
    )
    assert [c.field for c in change.diff.changes] == [
        "name",
        "category",
        "tier",
        "status",
        "owner",
        "tags",
    ]
    entries = await history(store, "Acme")
    assert changes(entries)[-1] == (OWNER.user_id, "add", "name", "", "Acme")
    assert all(e.at == AT and e.team_id == T1 for e in entries)
    assert len(entries) == 6


async def test_add_without_a_name_is_a_rule_error(store: SQLiteStore) -> None:
    with pytest.raises(RuleError, match="needs a name"):
        await add_partner(store, AT, T1, OWNER, PartnerFields(tier=Tier.CORE))
    assert await count_rows(store, "partners") == 0


@pytest.mark.parametrize("again", ["Acme Media", "ACME MEDIA", "acme media", "ＡＣＭＥ ＭＥＤＩＡ"])
async def test_add_rejects_a_name_already_registered_in_any_case(
    store: SQLiteStore, again: str
) -> None:
    await add(store, "Acme Media")
    audit_before = await count_rows(store, "audit_log")
    with pytest.raises(AlreadyRegistered) as err:
        await add(store, again, actor=OTHER)
    assert err.value.name == "Acme Media"
    assert err.value.owner == OWNER.user_id
    assert await count_rows(store, "partners") == 1
    assert await count_rows(store, "audit_log") == audit_before


# --- backups --------------------------------------------------------------------------


async def test_backups_are_stored_by_their_registered_names(store: SQLiteStore) -> None:
    await add(store, "Acme Media")
    await add(store, "抖音")
    change = await add_partner(
        store, AT, T1, OWNER, PartnerFields(name="Beta", backups=("acme MEDIA", "抖音"))
    )
    assert change.partner.backups == ("Acme Media", "抖音")
    assert FieldChange("backups", "", "Acme Media, 抖音") in change.diff.changes
    assert (await show(store, "beta")).backups == ("Acme Media", "抖音")


async def test_a_partner_cannot_be_its_own_backup(store: SQLiteStore) -> None:
    with pytest.raises(RuleError, match="cannot be its own backup"):
        await add(store, "Acme", backups=("ACME",))
    assert await count_rows(store, "partners") == 0


async def test_an_unknown_backup_leaves_nothing_written(store: SQLiteStore) -> None:
    await add(store, "Acme Media")
    partners_before = await count_rows(store, "partners")
    audit_before = await count_rows(store, "audit_log")
    with pytest.raises(RuleError) as err:
        await add(store, "Beta", backups=("Acme Meda",), tags=("live",))
    assert "The backup *Acme Meda* is not a registered partner" in str(err.value)
    assert "Did you mean *Acme Media*?" in str(err.value)
    assert await count_rows(store, "partners") == partners_before
    assert await count_rows(store, "audit_log") == audit_before
    assert await count_rows(store, "partner_tags") == 0
    assert await count_rows(store, "partner_backups") == 0


async def test_set_backups_replaces_them_and_an_unknown_one_changes_nothing(
    store: SQLiteStore,
) -> None:
    await add(store, "Acme")
    await add(store, "Beta")
    await add(store, "Gamma", backups=("Acme",))
    with pytest.raises(RuleError, match="not a registered partner"):
        await change_partner(
            store, LATER, T1, OWNER, "Gamma", PartnerFields(backups=("Beta", "Nobody"))
        )
    assert (await show(store, "Gamma")).backups == ("Acme",)
    change = await change_partner(
        store, LATER, T1, OWNER, "Gamma", PartnerFields(backups=("beta",))
    )
    assert change.diff.changes == [FieldChange("backups", "Acme", "Beta")]
    assert (await show(store, "Gamma")).backups == ("Beta",)


# --- set: permissions, renames, audit -------------------------------------------------


async def test_set_by_someone_else_is_forbidden_and_changes_nothing(store: SQLiteStore) -> None:
    await add(store, "Acme", tier=Tier.STANDARD)
    audit_before = await count_rows(store, "audit_log")
    with pytest.raises(Forbidden) as err:
        await change_partner(store, LATER, T1, OTHER, "Acme", PartnerFields(tier=Tier.CORE))
    assert err.value.owner == OWNER.user_id
    assert (await show(store, "Acme")).tier is Tier.STANDARD
    assert await count_rows(store, "audit_log") == audit_before


async def test_an_admin_may_change_someone_elses_partner(store: SQLiteStore) -> None:
    await add(store, "Acme")
    change = await change_partner(store, LATER, T1, ADMIN, "Acme", PartnerFields(tier=Tier.CORE))
    assert change.partner.tier is Tier.CORE
    assert (await show(store, "Acme")).tier is Tier.CORE
    assert changes((await history(store, "Acme"))[:1]) == [
        (ADMIN.user_id, "set", "tier", "standard", "core")
    ]


async def test_set_writes_one_audit_row_per_changed_field(store: SQLiteStore) -> None:
    await add(store, "Acme")
    before = len(await history(store, "Acme"))
    fields = PartnerFields(tier=Tier.CORE, notes="renewed", category=Category.OTHER)
    change = await change_partner(store, LATER, T1, OWNER, "Acme", fields)
    assert change.diff.changes == [
        FieldChange("tier", "standard", "core"),
        FieldChange("notes", "", "renewed"),
    ]
    entries = await history(store, "Acme")
    assert len(entries) == before + 2
    newest = entries[:2]
    assert all(e.at == LATER and e.actor == OWNER.user_id and e.action == "set" for e in newest)
    assert {(e.field, e.before, e.after) for e in newest} == {
        ("tier", "standard", "core"),
        ("notes", "", "renewed"),
    }
    stored = await show(store, "Acme")
    assert (stored.tier, stored.notes) == (Tier.CORE, "renewed")
    assert stored.updated_at == datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


async def test_a_no_op_set_writes_nothing(store: SQLiteStore) -> None:
    await add(store, "Acme", tier=Tier.CORE)
    audit_before = await count_rows(store, "audit_log")
    change = await change_partner(store, LATER, T1, OWNER, "acme", PartnerFields(tier=Tier.CORE))
    assert not change.diff
    assert await count_rows(store, "audit_log") == audit_before
    assert (await show(store, "Acme")).updated_at == datetime(2026, 11, 22, 9, 30, tzinfo=UTC)


async def test_rename_to_an_existing_name_is_rejected(store: SQLiteStore) -> None:
    await add(store, "Acme")
    await add(store, "Beta")
    with pytest.raises(RuleError, match=r"already named \*Acme\*"):
        await change_partner(store, LATER, T1, OWNER, "Beta", PartnerFields(name="ACME"))
    assert [p.name for p in (await list_partners(store, T1, ListFilters())).items] == [
        "Acme",
        "Beta",
    ]


async def test_rename_finds_the_partner_by_its_new_name_only(store: SQLiteStore) -> None:
    await add(store, "Acme")
    await change_partner(store, LATER, T1, OWNER, "Acme", PartnerFields(name="Acme Group"))
    assert (await show(store, "acme group")).name == "Acme Group"
    with pytest.raises(NotFound) as err:
        await show(store, "Acme")
    assert err.value.suggestions == ["Acme Group"]


async def test_rename_may_change_only_the_case(store: SQLiteStore) -> None:
    await add(store, "acme")
    change = await change_partner(store, LATER, T1, OWNER, "acme", PartnerFields(name="ACME"))
    assert change.diff.changes == [FieldChange("name", "acme", "ACME")]
    assert (await show(store, "Acme")).name == "ACME"


async def test_an_unknown_name_is_not_found_with_the_closest_names(store: SQLiteStore) -> None:
    await add(store, "Acme Media")
    await add(store, "Zeta Supply")
    with pytest.raises(NotFound) as err:
        await change_partner(store, LATER, T1, OWNER, "acme", PartnerFields(tier=Tier.CORE))
    assert err.value.suggestions == ["Acme Media"]
    assert "Did you mean *Acme Media*?" in str(err.value)


# --- history --------------------------------------------------------------------------


async def test_history_is_newest_first(store: SQLiteStore) -> None:
    await add(store, "Acme")
    await change_partner(store, LATER, T1, OWNER, "Acme", PartnerFields(tier=Tier.CORE))
    await drop_partner(store, LATER, T1, OWNER, ("Acme",), "budget")
    entries = await history(store, "Acme")
    assert [e.action for e in entries[:3]] == ["drop", "drop", "set"]
    assert entries[-1].action == "add"
    assert entries[0].at >= entries[-1].at


async def test_history_pages(store: SQLiteStore) -> None:
    await add(store, "Acme")  # 5 rows: name, category, tier, status, owner
    for n in range(1, 8):  # 7 rows
        await change_partner(store, LATER, T1, OWNER, "Acme", PartnerFields(success_cases=n))
    _, first = await partner_history(store, T1, "Acme", offset=0, size=5)
    assert (first.total, first.offset, first.size, len(first.items)) == (12, 0, 5, 5)
    assert first.has_next and not first.has_previous
    assert [e.after for e in first.items] == ["7", "6", "5", "4", "3"]
    _, last = await partner_history(store, T1, "Acme", offset=10, size=5)
    assert (last.total, last.offset, len(last.items)) == (12, 10, 2)
    assert not last.has_next and last.has_previous
    assert [e.field for e in last.items] == ["category", "name"]


async def test_history_of_an_unknown_partner_is_not_found(store: SQLiteStore) -> None:
    with pytest.raises(NotFound):
        await partner_history(store, T1, "Nobody")


# --- drop, archive, restore -----------------------------------------------------------


async def test_drop_keeps_the_reason(store: SQLiteStore) -> None:
    await add(store, "Acme", status=Status.ACTIVE)
    change = await drop_partner(store, LATER, T1, OWNER, ("Acme",), "contract ended")
    assert change.diff.changes == [
        FieldChange("status", "active", "dropped"),
        FieldChange("drop_reason", "", "contract ended"),
    ]
    stored = await show(store, "Acme")
    assert (stored.status, stored.drop_reason) == (Status.DROPPED, "contract ended")
    assert {e.action for e in (await history(store, "Acme"))[:2]} == {"drop"}


async def test_drop_by_someone_else_is_forbidden(store: SQLiteStore) -> None:
    await add(store, "Acme", status=Status.ACTIVE)
    with pytest.raises(Forbidden):
        await drop_partner(store, LATER, T1, OTHER, ("Acme",), "mine now")
    assert (await show(store, "Acme")).status is Status.ACTIVE


@pytest.mark.parametrize("status", [Status.PAUSED, Status.ACTIVE, Status.PROSPECT])
async def test_restore_returns_to_the_status_before_the_drop(
    store: SQLiteStore, status: Status
) -> None:
    await add(store, "Acme", status=status)
    await drop_partner(store, LATER, T1, OWNER, ("Acme",), "budget cut")
    change = await restore_partner(store, LATER, T1, OWNER, "acme")
    assert change.partner.status is status
    stored = await show(store, "Acme")
    assert (stored.status, stored.drop_reason) == (status, "")
    assert changes((await history(store, "Acme"))[:2]) == [
        (OWNER.user_id, "restore", "drop_reason", "budget cut", ""),
        (OWNER.user_id, "restore", "status", "dropped", status.value),
    ]


async def test_restore_after_archive_returns_to_the_status_before(store: SQLiteStore) -> None:
    await add(store, "Acme", status=Status.PAUSED)
    await archive_partner(store, LATER, T1, OWNER, "Acme")
    assert (await show(store, "Acme")).status is Status.ARCHIVED
    await restore_partner(store, LATER, T1, OWNER, "Acme")
    assert (await show(store, "Acme")).status is Status.PAUSED


async def test_restore_after_drop_then_archive_returns_to_the_status_before_both(
    store: SQLiteStore,
) -> None:
    await add(store, "Acme", status=Status.PAUSED)
    await drop_partner(store, LATER, T1, OWNER, ("Acme",), "budget cut")
    await archive_partner(store, LATER, T1, OWNER, "Acme")
    await restore_partner(store, LATER, T1, OWNER, "Acme")
    assert (await show(store, "Acme")).status is Status.PAUSED


@pytest.mark.parametrize("status", [Status.ACTIVE, Status.PAUSED, Status.PROSPECT])
async def test_restore_of_a_partner_not_retired_is_a_rule_error(
    store: SQLiteStore, status: Status
) -> None:
    await add(store, "Acme", status=status)
    audit_before = await count_rows(store, "audit_log")
    with pytest.raises(RuleError, match="nothing to restore"):
        await restore_partner(store, LATER, T1, OWNER, "Acme")
    assert await count_rows(store, "audit_log") == audit_before


async def test_restore_by_someone_else_is_forbidden(store: SQLiteStore) -> None:
    await add(store, "Acme", status=Status.ACTIVE)
    await drop_partner(store, LATER, T1, OWNER, ("Acme",), "budget")
    with pytest.raises(Forbidden):
        await restore_partner(store, LATER, T1, OTHER, "Acme")
    assert (await show(store, "Acme")).status is Status.DROPPED


# --- metrics --------------------------------------------------------------------------


async def test_recording_metrics_audits_each_value(store: SQLiteStore) -> None:
    await add(store, "Acme")
    change = await record_metrics(
        store, AT, T1, OWNER, "Acme", {"rue": 35.0, "gmv": 120_000.0}, W47
    )
    assert change.diff.changes == [
        FieldChange("rue@2026-W47", "", "35"),
        FieldChange("gmv@2026-W47", "", "120,000"),
    ]
    _, metrics = await show_partner(store, T1, "Acme")
    assert sorted(metrics) == [("2026-W47", "gmv", 120_000.0), ("2026-W47", "rue", 35.0)]
    assert {e.action for e in (await history(store, "Acme"))[:2]} == {"metrics"}


async def test_recording_a_new_value_replaces_the_old_one(store: SQLiteStore) -> None:
    await add(store, "Acme")
    await record_metrics(store, AT, T1, OWNER, "Acme", {"rue": 35.0}, W47)
    change = await record_metrics(store, LATER, T1, OWNER, "Acme", {"rue": 42.5}, W47)
    assert change.diff.changes == [FieldChange("rue@2026-W47", "35", "42.5")]
    _, metrics = await show_partner(store, T1, "Acme")
    assert metrics == [("2026-W47", "rue", 42.5)]
    assert await count_rows(store, "metrics") == 1
    assert changes((await history(store, "Acme"))[:1]) == [
        (OWNER.user_id, "metrics", "rue@2026-W47", "35", "42.5")
    ]


async def test_recording_the_same_value_again_changes_nothing(store: SQLiteStore) -> None:
    await add(store, "Acme")
    await record_metrics(store, AT, T1, OWNER, "Acme", {"rue": 35.0, "roi": 2.1}, W47)
    audit_before = await count_rows(store, "audit_log")
    change = await record_metrics(store, LATER, T1, OWNER, "Acme", {"rue": 35.0}, W47)
    assert not change.diff
    assert await count_rows(store, "audit_log") == audit_before


async def test_only_the_changed_metric_is_audited(store: SQLiteStore) -> None:
    await add(store, "Acme")
    await record_metrics(store, AT, T1, OWNER, "Acme", {"rue": 35.0, "roi": 2.1}, W47)
    change = await record_metrics(store, LATER, T1, OWNER, "Acme", {"rue": 35.0, "roi": 3.0}, W47)
    assert change.diff.changes == [FieldChange("roi@2026-W47", "2.1", "3")]


async def test_metrics_of_different_periods_are_kept_apart(store: SQLiteStore) -> None:
    await add(store, "Acme")
    await record_metrics(store, AT, T1, OWNER, "Acme", {"rue": 35.0}, W47)
    await record_metrics(store, AT, T1, OWNER, "Acme", {"rue": 50.0}, parse_period("2026-W48"))
    _, metrics = await show_partner(store, T1, "Acme")
    assert metrics == [("2026-W48", "rue", 50.0), ("2026-W47", "rue", 35.0)]


async def test_recording_metrics_needs_a_value(store: SQLiteStore) -> None:
    await add(store, "Acme")
    with pytest.raises(RuleError, match="at least one metric"):
        await record_metrics(store, AT, T1, OWNER, "Acme", {}, W47)


async def test_recording_metrics_by_someone_else_is_forbidden(store: SQLiteStore) -> None:
    await add(store, "Acme")
    with pytest.raises(Forbidden):
        await record_metrics(store, AT, T1, OTHER, "Acme", {"rue": 35.0}, W47)
    assert await count_rows(store, "metrics") == 0


# --- workspaces -----------------------------------------------------------------------


async def test_another_workspace_cannot_see_or_find_a_partner(store: SQLiteStore) -> None:
    await add(store, "Acme Media")
    with pytest.raises(NotFound) as err:
        await show_partner(store, T2, "Acme Media")
    assert err.value.suggestions == []
    with pytest.raises(NotFound):
        await partner_history(store, T2, "Acme Media")
    assert (await list_partners(store, T2, ListFilters())).total == 0


async def test_another_workspace_cannot_change_a_partner(store: SQLiteStore) -> None:
    await add(store, "Acme", tier=Tier.STANDARD)
    with pytest.raises(NotFound):
        await change_partner(store, LATER, T2, ADMIN, "Acme", PartnerFields(tier=Tier.CORE))
    with pytest.raises(NotFound):
        await drop_partner(store, LATER, T2, ADMIN, ("Acme",), "gone")
    with pytest.raises(NotFound):
        await record_metrics(store, LATER, T2, ADMIN, "Acme", {"rue": 1.0}, W47)
    stored = await show(store, "Acme")
    assert (stored.tier, stored.status) == (Tier.STANDARD, Status.PROSPECT)
    assert await count_rows(store, "metrics") == 0


async def test_another_workspace_cannot_change_a_partner_by_id(store: SQLiteStore) -> None:
    acme = await add(store, "Acme")
    with pytest.raises(RuleError, match="no longer exists"):
        await change_partner(
            store, LATER, T2, ADMIN, "", PartnerFields(tier=Tier.CORE), partner_id=acme.id
        )
    assert (await show(store, "Acme")).tier is Tier.STANDARD


async def test_each_workspace_registers_its_own_partner_of_the_same_name(
    store: SQLiteStore,
) -> None:
    mine = await add(store, "Acme", tier=Tier.CORE)
    theirs = await add(store, "ACME", team_id=T2, actor=OTHER, tier=Tier.TRIAL)
    assert mine.id != theirs.id
    await change_partner(store, LATER, T2, OTHER, "acme", PartnerFields(notes="theirs"))
    in_t1, in_t2 = await show(store, "acme", T1), await show(store, "acme", T2)
    assert (in_t1.name, in_t1.tier, in_t1.owner, in_t1.notes) == ("Acme", Tier.CORE, "U0OWNER", "")
    assert (in_t2.name, in_t2.tier, in_t2.owner, in_t2.notes) == (
        "ACME",
        Tier.TRIAL,
        "U0OTHER",
        "theirs",
    )
    assert all(e.team_id == T2 for e in await history(store, "acme", T2))
    assert len(await history(store, "acme", T1)) == 5


async def test_a_partner_of_another_workspace_cannot_be_a_backup(store: SQLiteStore) -> None:
    await add(store, "Acme")
    with pytest.raises(RuleError, match="not a registered partner"):
        await add(store, "Beta", team_id=T2, backups=("Acme",))


# --- list -----------------------------------------------------------------------------


@pytest.fixture
async def registry(store: SQLiteStore) -> SQLiteStore:
    """A small registry with one partner per interesting filter value."""
    await add(store, "Acme", category=Category.KOL, tier=Tier.CORE, status=Status.ACTIVE)
    await add(
        store,
        "Beta",
        category=Category.MCN,
        tier=Tier.CORE,
        status=Status.PAUSED,
        tags=("live", "beauty"),
    )
    await add(store, "Gamma", category=Category.KOL, tier=Tier.TRIAL, owner="U0MARIA")
    await add(store, "Delta", category=Category.KOL, status=Status.ARCHIVED, tags=("live",))
    await add(store, "Epsilon", team_id=T2, category=Category.KOL)
    return store


async def names(store: SQLiteStore, filters: ListFilters) -> list[str]:
    return [p.name for p in (await list_partners(store, T1, filters)).items]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (ListFilters(), ["Acme", "Beta", "Gamma"]),
        (ListFilters(category=Category.KOL), ["Acme", "Gamma"]),
        (ListFilters(tier=Tier.CORE), ["Acme", "Beta"]),
        (ListFilters(status=Status.PAUSED), ["Beta"]),
        (ListFilters(owner="U0MARIA"), ["Gamma"]),
        (ListFilters(owner=OWNER.user_id), ["Acme", "Beta"]),
        (ListFilters(tag="live"), ["Beta"]),
        (ListFilters(category=Category.KOL, tier=Tier.CORE), ["Acme"]),
        (ListFilters(status=Status.ARCHIVED), ["Delta"]),
        (ListFilters(status=Status.ARCHIVED, tag="live"), ["Delta"]),
        (ListFilters(category=Category.BRAND), []),
    ],
)
async def test_list_filters(
    registry: SQLiteStore, filters: ListFilters, expected: list[str]
) -> None:
    page = await list_partners(registry, T1, filters)
    assert [p.name for p in page.items] == expected
    assert page.total == len(expected)


async def test_list_hides_archived_until_asked(registry: SQLiteStore) -> None:
    assert "Delta" not in await names(registry, ListFilters(category=Category.KOL))
    await restore_partner(registry, LATER, T1, OWNER, "Delta")
    assert "Delta" in await names(registry, ListFilters(category=Category.KOL))


async def test_list_pages_with_totals(store: SQLiteStore) -> None:
    for n in range(25):
        await add(store, f"Partner {n:02d}")
    first = await list_partners(store, T1, ListFilters(), offset=0, size=10)
    assert [p.name for p in first.items] == [f"Partner {n:02d}" for n in range(10)]
    assert (first.total, first.has_next, first.has_previous) == (25, True, False)
    last = await list_partners(store, T1, ListFilters(), offset=20, size=10)
    assert [p.name for p in last.items] == [f"Partner {n:02d}" for n in range(20, 25)]
    assert (last.total, last.offset, last.has_next, last.has_previous) == (25, 20, False, True)


async def test_list_page_past_the_end_is_empty_with_the_total(store: SQLiteStore) -> None:
    await add(store, "Acme")
    page = await list_partners(store, T1, ListFilters(), offset=40, size=10)
    assert (page.items, page.total, page.has_next) == ([], 1, False)


async def test_list_orders_case_insensitively(store: SQLiteStore) -> None:
    for name in ("beta", "Acme", "ALPHA"):
        await add(store, name)
    assert await names(store, ListFilters()) == ["Acme", "ALPHA", "beta"]


async def test_drop_takes_the_longest_registered_name_and_keeps_the_rest_as_reason(
    store: SQLiteStore,
) -> None:
    await add_partner(store, AT, T1, OWNER, PartnerFields(name="Acme"))
    await add_partner(store, AT, T1, OWNER, PartnerFields(name="Acme Media"))
    words = ("Acme", "Media", "contract", "ended")
    change = await drop_partner(store, LATER, T1, OWNER, words, "")
    assert change.partner.name == "Acme Media"
    assert change.partner.drop_reason == "contract ended"
    async with store.read() as tx:
        acme = await tx.partner_by_key(T1, name_key("Acme"))
    assert acme is not None and acme.status != Status.DROPPED


async def test_drop_of_an_unknown_name_suggests_the_closest(store: SQLiteStore) -> None:
    await add_partner(store, AT, T1, OWNER, PartnerFields(name="Acme Media"))
    with pytest.raises(NotFound) as raised:
        await drop_partner(store, LATER, T1, OWNER, ("Acme", "Meda", "gone"), "")
    assert raised.value.suggestions == ["Acme Media"]
