from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.access import CLI_ACTOR
from bot.registry.command import NameRequest, parse_partner_command
from bot.registry.csv_io import ImportRejected
from bot.registry.imports import ImportResult, export_partners, import_metrics, import_partners
from bot.registry.ports import AuditEntry
from bot.registry.rules import Category, Partner, Status, Tier
from bot.registry.service import show_partner
from storage.store import SQLiteStore

T1, T2 = "T1", "T2"
AT = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
LATER = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

PARTNERS_CSV = (
    "name,category,tier,status,owner,backups,tags,contacts,notes,success_cases,drop_reason\n"
    # Backups name partners further down the file.
    '小红书,KOC,core,active,U012AB3CD,"抖音, Acme Media","美妆, live",,"line one\nline two",3,\n'
    "Acme Media,MCN,strategic,active,U012AB3CD,抖音,,ann@acme.test,,5,\n"
    "抖音,KOL,standard,paused,U0BBBBBBB,,video,,,0,\n"
    "Old Friend,brand,trial,dropped,U0BBBBBBB,,,,,1,budget cut\n"
)


async def partners(store: SQLiteStore, team_id: str = T1) -> list[Partner]:
    async with store.read() as tx:
        return await tx.all_partners(team_id)


def comparable(items: list[Partner]) -> list[dict[str, object]]:
    """Partners field by field, without ids and timestamps."""
    ignored = ("id", "created_at", "updated_at")
    return [{k: v for k, v in asdict(p).items() if k not in ignored} for p in items]


async def audit_rows(store: SQLiteStore, team_id: str = T1) -> list[AuditEntry]:
    async with store.read() as tx:
        rows: list[AuditEntry] = []
        for p in await tx.all_partners(team_id):
            entries, _ = await tx.history(team_id, p.id, 1000, 0)
            rows += entries
    return rows


# --- partners ---------------------------------------------------------------------


async def test_import_creates_partners_with_backups_referring_forward(store: SQLiteStore) -> None:
    result = await import_partners(store, AT, T1, PARTNERS_CSV)
    assert result == ImportResult(created=4, updated=0, unchanged=0)
    by_name = {p.name: p for p in await partners(store)}
    assert set(by_name) == {"小红书", "Acme Media", "抖音", "Old Friend"}
    red = by_name["小红书"]
    assert (red.category, red.tier, red.status, red.owner) == (
        Category.KOC,
        Tier.CORE,
        Status.ACTIVE,
        "U012AB3CD",
    )
    assert red.backups == ("抖音", "Acme Media")
    assert red.tags == ("美妆", "live")
    assert red.notes == "line one\nline two"
    assert red.success_cases == 3
    assert by_name["Acme Media"].backups == ("抖音",)
    assert by_name["Old Friend"].drop_reason == "budget cut"


async def test_import_audits_every_field_as_the_cli(store: SQLiteStore) -> None:
    await import_partners(store, AT, T1, PARTNERS_CSV)
    rows = await audit_rows(store)
    assert rows
    assert {(r.actor, r.action) for r in rows} == {(CLI_ACTOR.label, "import")}
    # A row changed in the moment it was inserted (a backup named further down) is stamped
    # with its version, which moves a microsecond past the insert.
    assert all(AT <= r.at <= AT + timedelta(microseconds=10) for r in rows)
    fields = {(r.field, r.after) for r in rows}
    assert ("backups", "抖音, Acme Media") in fields
    assert ("tier", "strategic") in fields


async def test_a_name_in_curly_quotes_is_one_a_command_can_name(store: SQLiteStore) -> None:
    text = "name,owner\n“李佳琦直播间”,U012AB3CD\n"
    assert (await import_partners(store, AT, T1, text)).created == 1
    request = parse_partner_command("show 李佳琦直播间")
    assert isinstance(request, NameRequest)
    found, _ = await show_partner(store, T1, request.name)
    assert found.name == "李佳琦直播间"
    # The same cell again names the same partner: no look-alike second one.
    again = await import_partners(store, LATER, T1, text.replace("U012AB3CD", ""))
    assert again == ImportResult(created=0, updated=0, unchanged=1)
    result = await import_metrics(store, AT, T1, 'name,period,rue\n"“李佳琦直播间”",2026-W47,35\n')
    assert result.created == 1


async def test_new_partner_gets_the_defaults(store: SQLiteStore) -> None:
    result = await import_partners(store, AT, T1, "name,owner\nAcme,U012AB3CD\n")
    assert result.created == 1
    [acme] = await partners(store)
    assert (acme.category, acme.tier, acme.status) == (
        Category.OTHER,
        Tier.STANDARD,
        Status.PROSPECT,
    )
    assert (acme.tags, acme.backups, acme.success_cases) == ((), (), 0)


async def test_importing_the_same_file_twice_changes_nothing(store: SQLiteStore) -> None:
    await import_partners(store, AT, T1, PARTNERS_CSV)
    before, audited = await partners(store), len(await audit_rows(store))
    again = await import_partners(store, LATER, T1, PARTNERS_CSV)
    assert again == ImportResult(created=0, updated=0, unchanged=4)
    assert len(await audit_rows(store)) == audited
    assert await partners(store) == before  # updated_at untouched too


async def test_export_then_import_into_a_fresh_database_is_identical(
    store: SQLiteStore, tmp_path: Path
) -> None:
    await import_partners(store, AT, T1, PARTNERS_CSV)
    exported = await export_partners(store, T1)
    assert exported.splitlines()[0].startswith("name,category,tier")
    fresh = SQLiteStore(str(tmp_path / "fresh.db"))
    await fresh.open(AT)
    try:
        result = await import_partners(fresh, LATER, T1, exported)
        assert result.created == 4
        assert comparable(await partners(fresh)) == comparable(await partners(store))
        assert await export_partners(fresh, T1) == exported
    finally:
        await fresh.close()


async def test_export_of_unchanged_registry_imports_as_unchanged(store: SQLiteStore) -> None:
    await import_partners(store, AT, T1, PARTNERS_CSV)
    exported = await export_partners(store, T1)
    result = await import_partners(store, LATER, T1, exported)
    assert result == ImportResult(created=0, updated=0, unchanged=4)


async def test_import_updates_only_given_columns_and_counts(store: SQLiteStore) -> None:
    await import_partners(store, AT, T1, PARTNERS_CSV)
    text = "name,tier,tags,owner\nacme media,core,,\n抖音,standard,video,\n"
    result = await import_partners(store, LATER, T1, text)
    assert result == ImportResult(created=0, updated=1, unchanged=1)
    by_name = {p.name: p for p in await partners(store)}
    # Matched by name key, so the file's spelling of the name is taken.
    acme = by_name["acme media"]
    assert (acme.tier, acme.tags, acme.owner, acme.category) == (
        Tier.CORE,
        (),
        "U012AB3CD",
        Category.MCN,
    )
    assert acme.backups == ("抖音",)
    changed = {(r.field, r.before, r.after) for r in await audit_rows(store) if r.at == LATER}
    assert changed == {
        ("name", "Acme Media", "acme media"),
        ("tier", "strategic", "core"),
    }


async def test_backups_can_be_cleared_and_refer_to_existing_partners(store: SQLiteStore) -> None:
    await import_partners(store, AT, T1, PARTNERS_CSV)
    text = "name,backups\n小红书,\nOld Friend,old friend\nAcme Media,old friend\n"
    with pytest.raises(ImportRejected) as info:
        await import_partners(store, LATER, T1, text)
    assert info.value.problems == [(3, "*old friend* cannot be its own backup.")]
    result = await import_partners(
        store, LATER, T1, "name,backups\n小红书,\nAcme Media,old friend\n"
    )
    assert result == ImportResult(created=0, updated=2, unchanged=0)
    by_name = {p.name: p for p in await partners(store)}
    assert by_name["小红书"].backups == ()
    assert by_name["Acme Media"].backups == ("Old Friend",)


@pytest.mark.parametrize(
    ("bad_line", "expected"),
    [
        ("Beta,gold,U012AB3CD,", "`gold` is not a tier"),
        ("Beta,core,U012AB3CD,Nobody", "The backup *Nobody* is not a registered partner."),
        ("Beta,core,U012AB3CD,Acme", "*Acme* is not a registered partner. Did you mean *Acmee*?"),
        ("Beta,core,,", "*Beta* is new, so it needs an owner"),
        ("Beta,core,U012AB3CD,beta", "cannot be its own backup"),
    ],
)
async def test_a_bad_row_writes_nothing_and_names_its_line(
    store: SQLiteStore, bad_line: str, expected: str
) -> None:
    text = f"name,tier,owner,backups\nZeta,core,U012AB3CD,\n{bad_line}\nAcmee,core,U0BBBBBBB,\n"
    with pytest.raises(ImportRejected) as info:
        await import_partners(store, AT, T1, text)
    [(line, reason)] = info.value.problems
    assert line == 3
    assert expected in reason
    assert "line 3:" in str(info.value)
    assert await partners(store) == []


async def test_a_bad_row_leaves_existing_partners_unchanged(store: SQLiteStore) -> None:
    await import_partners(store, AT, T1, PARTNERS_CSV)
    before, audited = await partners(store), len(await audit_rows(store))
    text = "name,tier,backups\nAcme Media,trial,\nNew One,core,\n抖音,core,Ghost\n"
    with pytest.raises(ImportRejected) as info:
        await import_partners(store, LATER, T1, text)
    assert [line for line, _ in info.value.problems] == [3, 4]
    assert await partners(store) == before
    assert len(await audit_rows(store)) == audited


async def test_a_nul_or_undecodable_text_in_a_file_writes_nothing(store: SQLiteStore) -> None:
    await import_partners(store, AT, T1, PARTNERS_CSV)
    before, audited = await partners(store), len(await audit_rows(store))
    text = "name,notes\nAcme Media,new\x00note\nFresh,caf\ufffd\n"
    with pytest.raises(ImportRejected) as info:
        await import_partners(store, LATER, T1, text)
    assert [line for line, _ in info.value.problems] == [2, 3]
    assert await partners(store) == before
    assert len(await audit_rows(store)) == audited


async def test_a_backup_whose_own_row_is_rejected_is_not_reported_twice(
    store: SQLiteStore,
) -> None:
    text = "name,owner,backups\nAcme,U012AB3CD,Beta\nBeta,,\n"
    with pytest.raises(ImportRejected) as info:
        await import_partners(store, AT, T1, text)
    assert [line for line, _ in info.value.problems] == [3]


async def test_importing_into_one_workspace_leaves_another_alone(store: SQLiteStore) -> None:
    await import_partners(store, AT, T1, PARTNERS_CSV)
    before, audited = await partners(store, T1), len(await audit_rows(store, T1))
    changed = PARTNERS_CSV.replace("core,active", "trial,paused")
    result = await import_partners(store, LATER, T2, changed)
    assert result.created == 4  # same names, but new in T2
    assert await partners(store, T1) == before
    assert len(await audit_rows(store, T1)) == audited
    assert {p.tier for p in await partners(store, T2) if p.name == "小红书"} == {Tier.TRIAL}
    assert "小红书" in await export_partners(store, T2)
    assert await export_partners(store, "T3") == (
        "name,category,tier,status,owner,backups,tags,contacts,notes,success_cases,drop_reason\r\n"
    )


# --- metrics ----------------------------------------------------------------------

METRICS_CSV = (
    "name,period,rue,roi,sentiment,gmv,traffic\n"
    "小红书,2026-W47,35,2.1,72,120000,5400\n"
    "acme media,2026-11,,3.5,,,\n"
)


async def metric_values(store: SQLiteStore, name: str) -> set[tuple[str, str, float]]:
    async with store.read() as tx:
        found = await tx.partner_by_key(T1, name.casefold())
        assert found is not None
        return set(await tx.partner_metrics(T1, found.id, 100))


async def test_metrics_import_and_reimport(store: SQLiteStore) -> None:
    await import_partners(store, AT, T1, PARTNERS_CSV)
    result = await import_metrics(store, AT, T1, METRICS_CSV)
    assert result == ImportResult(created=6, updated=0, unchanged=0, rows=2)
    assert await metric_values(store, "小红书") == {
        ("2026-W47", "rue", 35.0),
        ("2026-W47", "roi", 2.1),
        ("2026-W47", "sentiment", 72.0),
        ("2026-W47", "gmv", 120000.0),
        ("2026-W47", "traffic", 5400.0),
    }
    assert await metric_values(store, "Acme Media") == {("2026-11", "roi", 3.5)}
    audited = len(await audit_rows(store))
    again = await import_metrics(store, LATER, T1, METRICS_CSV)
    assert again == ImportResult(created=0, updated=0, unchanged=6, rows=2)
    assert len(await audit_rows(store)) == audited


async def test_metrics_import_replaces_changed_values(store: SQLiteStore) -> None:
    await import_partners(store, AT, T1, PARTNERS_CSV)
    await import_metrics(store, AT, T1, METRICS_CSV)
    result = await import_metrics(store, LATER, T1, "name,period,rue,aov\n小红书,2026-W47,40,88\n")
    assert result == ImportResult(created=1, updated=1, unchanged=0, rows=1)
    rue = [r for r in await audit_rows(store) if r.at == LATER and r.field == "rue@2026-W47"]
    assert [(r.before, r.after, r.actor) for r in rue] == [("35", "40", CLI_ACTOR.label)]


async def test_metrics_for_unknown_partners_write_nothing(store: SQLiteStore) -> None:
    await import_partners(store, AT, T1, PARTNERS_CSV)
    audited = len(await audit_rows(store))
    text = "name,period,rue\n小红书,2026-W47,35\nAcme Medai,2026-W47,20\nNobody,2026-W47,1\n"
    with pytest.raises(ImportRejected) as info:
        await import_metrics(store, AT, T1, text)
    problems = info.value.problems
    assert [line for line, _ in problems] == [3, 4]
    assert "Did you mean *Acme Media*?" in problems[0][1]
    assert "No partner is named *Nobody*." in problems[1][1]
    assert await metric_values(store, "小红书") == set()
    assert len(await audit_rows(store)) == audited


async def test_metrics_are_per_workspace(store: SQLiteStore) -> None:
    await import_partners(store, AT, T2, PARTNERS_CSV)
    with pytest.raises(ImportRejected):
        await import_metrics(store, AT, T1, METRICS_CSV)
    assert await partners(store, T1) == []


async def test_metrics_for_an_archived_partner_are_refused_as_in_slack(store: SQLiteStore) -> None:
    archived = PARTNERS_CSV.replace("抖音,KOL,standard,paused", "抖音,KOL,standard,archived")
    await import_partners(store, AT, T1, archived)
    audited = len(await audit_rows(store))
    text = "name,period,gmv\nOld Friend,2026-W47,9000\n抖音,2026-W47,100\n"
    with pytest.raises(ImportRejected) as info:
        await import_metrics(store, AT, T1, text)
    [(line, problem)] = info.value.problems
    assert line == 3 and "*抖音* is archived" in problem and "/partner restore" in problem
    assert len(await audit_rows(store)) == audited
    # A dropped partner takes metrics: what losing it cost is still measured.
    result = await import_metrics(store, AT, T1, text.replace("抖音,2026-W47,100\n", ""))
    assert result == ImportResult(created=1, updated=0, unchanged=0, rows=1)
