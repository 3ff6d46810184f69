"""`partnerbot` import and export on the command line: which database, which workspace,
which encoding, and the metrics export that import-metrics reads back."""

from __future__ import annotations

import sqlite3
from argparse import Namespace
from pathlib import Path

import pytest

from bot.cli import CliError, _check_database, main
from bot.settings import Settings

PARTNERS_CSV = (
    "name,category,owner\n李佳琦直播间,KOL,U0ABC\nAcme Media,MCN,U0ABC\nOld Co,brand,U0ABC\n"
)
METRICS_CSV = (
    "name,period,rue,roi,sentiment,gmv,traffic,conversion,redemption,aov\n"
    "李佳琦直播间,2026-W47,35,2.15,72,1234567.89,5400,3.5,,88.8\n"
    "李佳琦直播间,2026-11,,3.1,,98765432101.5,,,,\n"
    "李佳琦直播间,2026-11-20,,,,0.01,,,12.5,\n"
    "Acme Media,2026-W40,40.5,0.3333333333333333,60,120000,100,,,\n"
    "Acme Media,2026-W44,41,,,,,,,\n"  # 26 October to Sunday 1 November
    "Old Co,2025-W02,10,1,,,,,,\n"
)
BOM = b"\xef\xbb\xbf"


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cli.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    return path


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def one_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("partnerbot: ") and "Traceback" not in err
    return lines[0]


def stored_metrics(path: Path) -> set[tuple[object, ...]]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute(
            "SELECT p.name, m.period, m.period_kind, m.period_start, m.period_end, m.metric,"
            " m.value FROM metrics m JOIN partners p ON p.id = m.partner_id"
        ).fetchall()
    return set(rows)


def seeded(database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", str(write(tmp_path / "p.csv", PARTNERS_CSV)), "--team", "T0001"]) == 0
    assert main(["import-metrics", str(write(tmp_path / "m.csv", METRICS_CSV))]) == 0
    capsys.readouterr()


# --- a database that is not there ------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["export", "out.csv"],
        ["export", "out.csv", "--team", "T0001"],
        ["export-metrics", "out.csv"],
        ["import-metrics", "in.csv", "--team", "T0001"],
        ["import", "in.csv"],
    ],
)
def test_a_missing_database_is_named_with_database_url_and_not_created(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    write(tmp_path / "in.csv", "name,period,rue\nAcme,2026-W47,1\n")
    assert main(argv) == 2
    line = one_line(capsys)
    assert f"there is no database at {database}" in line
    assert f"DATABASE_URL is sqlite:///{database}" in line and "nothing was created" in line
    if argv[0] == "import":
        assert "pass --team to start a new one" in line
    assert not database.exists()
    assert not (tmp_path / "out.csv").exists()


@pytest.mark.parametrize(
    "bad",
    [
        "name,tier,owner\nAcme,gold,U0ABC\n",  # a bad cell
        "name,owner,backups\nAcme,U0ABC,Nobody\n",  # found only against the database
        "name,owner\nAcme,\n",  # a new partner without an owner
    ],
)
def test_an_import_with_a_team_starts_a_new_database_and_says_so(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], bad: str
) -> None:
    assert main(["import", str(write(tmp_path / "bad.csv", bad)), "--team", "T0001"]) == 2
    err = capsys.readouterr().err
    assert "nothing was imported" in err and "created" not in err
    assert list(tmp_path.glob("cli.db*")) == []  # a refused file leaves no database behind
    good = write(tmp_path / "good.csv", PARTNERS_CSV)
    assert main(["import", str(good), "--team", "T0001"]) == 0
    captured = capsys.readouterr()
    assert f"created the database {database} (DATABASE_URL sets where)" in captured.err
    assert "3 created" in captured.out
    assert database.exists()
    assert main(["import", str(good)]) == 0
    assert "created the database" not in capsys.readouterr().err


# --- which workspace -------------------------------------------------------------


def test_no_team_in_an_empty_database_says_where_a_workspace_id_is_found(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["migrate"]) == 0
    capsys.readouterr()
    assert main(["export", "out.csv"]) == 2
    line = one_line(capsys)
    assert "pass --team with your Slack workspace ID" in line
    assert "app.slack.com/client/T…/" in line
    assert main(["export", "out.csv", "--team", "T01!"]) == 2
    assert "app.slack.com/client/T…/" in one_line(capsys)


def test_several_workspaces_and_an_unknown_one_are_listed(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write(tmp_path / "p.csv", PARTNERS_CSV)
    assert main(["import", str(source), "--team", "T0001"]) == 0
    assert main(["import", str(source), "--team", "T0002"]) == 0
    capsys.readouterr()
    assert main(["export-metrics", "out.csv"]) == 2
    assert "several workspaces (T0001, T0002): pass --team" in one_line(capsys)
    assert main(["export", "out.csv", "--team", "T0003"]) == 2
    assert "no partners of workspace T0003 (it holds T0001, T0002)" in one_line(capsys)
    assert not (tmp_path / "out.csv").exists()


# --- encodings -------------------------------------------------------------------


def test_a_gbk_file_is_refused_with_how_to_save_it_as_utf8(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes(PARTNERS_CSV.encode("gbk"))
    assert main(["import", str(gbk), "--team", "T0001"]) == 2
    line = one_line(capsys)
    assert "not UTF-8 text (byte 20)" in line  # the first byte of 李 in GBK
    assert "It looks like GBK (GB18030)" in line
    assert "In Excel: Save As → CSV UTF-8 (Comma delimited), then import that file." in line
    assert not database.exists()


def test_a_latin1_file_gets_the_excel_hint_but_is_not_called_gbk(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["migrate"]) == 0
    capsys.readouterr()
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes("name,period,rue\nCafé,2026-W47,1\n".encode("latin-1"))
    assert main(["import-metrics", str(latin1), "--team", "T0001"]) == 2
    line = one_line(capsys)
    assert "not UTF-8 text" in line and "CSV UTF-8 (Comma delimited)" in line
    assert "GBK" not in line


def test_exports_start_with_a_byte_order_mark_and_import_back(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seeded(database, tmp_path, capsys)
    for command in ("export", "export-metrics"):
        out = tmp_path / f"{command}.csv"
        assert main([command, str(out)]) == 0
        raw = out.read_bytes()
        assert raw.startswith(BOM + b"name,")
        assert "李佳琦直播间".encode() in raw
    assert main(["import", str(tmp_path / "export.csv")]) == 0
    assert "0 created, 0 updated, 3 unchanged" in capsys.readouterr().out


# --- the metrics export ----------------------------------------------------------


def test_export_metrics_then_import_metrics_into_an_empty_database_reproduces_them(
    database: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    seeded(database, tmp_path, capsys)
    partners, metrics = tmp_path / "partners.csv", tmp_path / "metrics.csv"
    assert main(["export", str(partners)]) == 0
    assert main(["export-metrics", str(metrics)]) == 0
    assert "(6 rows)" in capsys.readouterr().out
    text = metrics.read_text(encoding="utf-8-sig")
    assert "1234567.89" in text and "98765432101.5" in text and "e+" not in text

    fresh = tmp_path / "fresh.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{fresh}")
    assert main(["import", str(partners), "--team", "T0001"]) == 0
    assert main(["import-metrics", str(metrics)]) == 0
    assert "19 created, 0 updated, 0 unchanged" in capsys.readouterr().out
    assert stored_metrics(fresh) == stored_metrics(database)
    assert len(stored_metrics(fresh)) == 19

    again = tmp_path / "again.csv"
    assert main(["export-metrics", str(again)]) == 0
    assert again.read_bytes() == metrics.read_bytes()


def test_export_metrics_since_keeps_periods_that_end_on_or_after_its_start(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seeded(database, tmp_path, capsys)
    out = tmp_path / "recent.csv"
    assert main(["export-metrics", str(out), "--since", "2026-11"]) == 0
    assert "(4 rows)" in capsys.readouterr().out
    periods = [line.split(",")[1] for line in out.read_text(encoding="utf-8-sig").splitlines()]
    assert periods == ["period", "2026-W44", "2026-11", "2026-W47", "2026-11-20"]


def test_a_bad_since_is_one_line_and_writes_nothing(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seeded(database, tmp_path, capsys)
    assert (
        main(["export-metrics", str(tmp_path / "one.csv"), "--since", "2026-11-23"]) == 0
    )  # only 2026-11 ends later
    assert "(1 row)" in capsys.readouterr().out
    assert main(["export-metrics", "out.csv", "--since", "last week"]) == 2
    line = one_line(capsys)
    assert "--since: `last week` is not a period" in line
    assert not (tmp_path / "out.csv").exists()


def test_only_a_sqlite_file_is_looked_for_on_disk(tmp_path: Path) -> None:
    args = Namespace(command="export", team=None)
    server = Settings.model_construct(database_url="postgresql://db.internal/partnerbot")
    assert _check_database(args, server) is None  # its own error says if it is not there
    missing = Settings.model_construct(database_url=f"sqlite:///{tmp_path / 'none.db'}")
    with pytest.raises(CliError, match="there is no database at"):
        _check_database(args, missing)
