"""The `partnerbot` command: help, configuration errors, migrate, CSV, and a clean SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest

from bot.cli import main
from bot.clock import FixedClock
from storage.migrate import load_migrations
from tests.support.fake_slack import FakeSlack

PARTNERS_CSV = (
    "name,category,tier,owner,backups,tags\n"
    "星河传媒,KOL,core,U0ABC,Acme Media,beauty\n"
    "Acme Media,MCN,strategic,U0ABC,,\n"
)


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cli.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    return path


def test_help_lists_every_subcommand(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for command in ("run", "migrate", "import", "import-metrics", "export", "copy-db"):
        assert command in out


def test_the_console_script_is_installed_beside_python() -> None:
    script = Path(sys.executable).parent / "partnerbot"
    assert script.exists(), "pip install -e . should install the partnerbot script"


@pytest.mark.parametrize(
    ("env", "named", "hint"),
    [
        ({}, "SLACK_BOT_TOKEN is missing", "OAuth & Permissions"),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET is missing", "Signing Secret"),
        ({"SLACK_BOT_TOKEN": "not-a-token"}, "SLACK_BOT_TOKEN is malformed", "xoxb-"),
        ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xoxb-2"}, "SLACK_APP_TOKEN", "xapp-"),
        ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "PORT": "abc"}, "PORT", "port"),
        ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "PORT": "70000"}, "PORT", ""),
        (
            {
                "SLACK_BOT_TOKEN": "xoxb-1",
                "SLACK_SIGNING_SECRET": "s",
                "PARTNERBOT_TIMEZONE": "Mars/Olympus",
            },
            "PARTNERBOT_TIMEZONE is malformed",
            "IANA",
        ),
        (
            {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "PARTNERBOT_ADMINS": "bob"},
            "PARTNERBOT_ADMINS is malformed",
            "user IDs",
        ),
        (
            {
                "SLACK_BOT_TOKEN": "xoxb-1",
                "SLACK_SIGNING_SECRET": "s",
                "DATABASE_URL": "mysql://db/x",
            },
            "DATABASE_URL is malformed",
            "sqlite:///",
        ),
        (
            {
                "SLACK_BOT_TOKEN": "xoxb-1",
                "SLACK_SIGNING_SECRET": "s",
                "SLACK_API_URL": "slack.com",
            },
            "SLACK_API_URL is malformed",
            "http",
        ),
        (
            {
                "SLACK_BOT_TOKEN": "xoxb-1",
                "SLACK_SIGNING_SECRET": "s",
                "PARTNERBOT_LANGUAGE": "fr",
            },
            "PARTNERBOT_LANGUAGE is malformed (unknown language 'fr')",
            "zh (Simplified Chinese)",
        ),
    ],
)
def test_a_bad_setting_is_one_line_that_names_it_and_exits_2(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    env: dict[str, str],
    named: str,
    hint: str,
) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("partnerbot: ") and named in lines[0] and hint in lines[0]
    assert "Traceback" not in err


def test_settings_come_from_a_dotenv_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The autouse fixture runs every test in tmp_path, so .env here is the one read.
    (tmp_path / ".env").write_text("SLACK_BOT_TOKEN=xoxb-1\nPORT=notaport\n", encoding="utf-8")
    assert main(["run"]) == 2
    assert "PORT is malformed" in capsys.readouterr().err


def test_migrate_creates_the_schema_once(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["migrate"]) == 0
    assert main(["migrate"]) == 0
    with sqlite3.connect(database) as conn:
        ledger = conn.execute("SELECT name FROM schema_migrations").fetchall()
    assert ledger == [(m.name,) for m in load_migrations()]
    assert ledger[0] == ("0001_registry.sql",)
    assert "up to date" in capsys.readouterr().out


def test_import_export_round_trip_through_the_command_line(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "partners.csv"
    source.write_text(PARTNERS_CSV, encoding="utf-8")
    assert main(["import", str(source), "--team", "T0001"]) == 0
    assert "2 created" in capsys.readouterr().out
    assert main(["import", str(source)]) == 0  # one workspace in the database: no --team
    assert "2 unchanged" in capsys.readouterr().out

    exported = tmp_path / "out.csv"
    assert main(["export", str(exported)]) == 0
    assert "2 partners" in capsys.readouterr().out
    # The export starts with a byte-order mark, so that Excel reads it as UTF-8.
    assert exported.read_bytes().startswith(b"\xef\xbb\xbfname,")
    text = exported.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("name,")
    assert "星河传媒" in text and "Acme Media" in text

    metrics = tmp_path / "metrics.csv"
    metrics.write_text("name,period,rue,roi\n星河传媒,2026-W47,35,2.1\n", encoding="utf-8")
    assert main(["import-metrics", str(metrics)]) == 0
    assert "2 created" in capsys.readouterr().out


def test_counts_say_rows_and_values_apart_and_agree_with_their_nouns(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "partners.csv"
    source.write_text("name,owner\n星河传媒,U0ABC\n", encoding="utf-8")
    assert main(["import", str(source), "--team", "T0001"]) == 0
    capsys.readouterr()
    exported = tmp_path / "out.csv"
    assert main(["export", str(exported)]) == 0
    assert capsys.readouterr().out.endswith("(1 partner)\n")

    metrics = tmp_path / "metrics.csv"
    metrics.write_text("name,period,rue,roi\n星河传媒,2026-W47,35,2.1\n", encoding="utf-8")
    assert main(["import-metrics", str(metrics)]) == 0
    assert "1 row with 2 values: 2 created, 0 updated, 0 unchanged" in capsys.readouterr().out
    metrics.write_text(
        "name,period,rue\n星河传媒,2026-W47,40\n星河传媒,2026-W48,41\n", encoding="utf-8"
    )
    assert main(["import-metrics", str(metrics)]) == 0
    assert "2 rows with 2 values: 1 created, 1 updated, 0 unchanged" in capsys.readouterr().out


def test_a_bad_file_is_refused_with_its_line_and_writes_nothing(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["migrate"]) == 0
    bad = tmp_path / "bad.csv"
    bad.write_text(PARTNERS_CSV + "Third Co,KOL,gold,U0ABC,,\n", encoding="utf-8")
    assert main(["import", str(bad), "--team", "T0001"]) == 2
    err = capsys.readouterr().err
    assert "nothing was imported" in err and "line 4" in err and "gold" in err
    with sqlite3.connect(database) as conn:
        assert conn.execute("SELECT COUNT(*) FROM partners").fetchone() == (0,)


def test_command_line_errors_are_one_clear_line(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", str(tmp_path / "missing.csv"), "--team", "T0001"]) == 2
    assert "no such file" in capsys.readouterr().err
    assert main(["migrate"]) == 0  # a database with no workspace in it yet
    capsys.readouterr()
    assert main(["export", str(tmp_path / "x.csv")]) == 2
    assert "pass --team" in capsys.readouterr().err
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes("name\nCaf\xe9\n".encode("latin-1"))
    assert main(["import", str(latin1), "--team", "T0001"]) == 2
    assert "not UTF-8" in capsys.readouterr().err
    assert main(["export", str(tmp_path / "x.csv"), "--team", "nonsense!"]) == 2
    assert "not a workspace ID" in capsys.readouterr().err


async def test_run_serves_health_and_stops_cleanly_on_sigterm(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": "secret",
        "SLACK_API_URL": fake_slack.api_url,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'run.db'}",
        "PORT": "0",
    }
    env.pop("SLACK_APP_TOKEN", None)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "run",
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        async with asyncio.timeout(30):
            line = (await process.stdout.readline()).decode()
        assert line.startswith("partnerbot ready on port "), line
        port = int(line.rsplit(" ", 1)[1])
        async with aiohttp.ClientSession() as session:
            async with session.get(f"http://127.0.0.1:{port}/healthz") as resp:
                assert resp.status == 200
                assert await resp.json() == {"status": "ok"}
            async with session.post(f"http://127.0.0.1:{port}/slack/events", data="x") as resp:
                assert resp.status == 401  # unsigned
        assert len(fake_slack.named("auth.test")) == 1  # the bot token, checked at start-up
        process.send_signal(signal.SIGTERM)
        async with asyncio.timeout(30):
            code = await process.wait()
        assert code == 0
        stderr = (await process.stderr.read()).decode() if process.stderr else ""
        assert "stopped" in stderr and "Traceback" not in stderr
        # Bolt's warning when it is given a client while SLACK_BOT_TOKEN is in the environment.
        assert "will be unused" not in stderr and "will be ignored" not in stderr
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


def test_a_database_that_is_not_one_is_a_clear_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.db"
    broken.write_bytes(b"this is not a database" * 100)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{broken}")
    assert main(["migrate"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("partnerbot: the database could not be used") and "Traceback" not in err


def test_an_in_memory_database_is_refused(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", "sqlite:///:memory:")
    assert main(["migrate"]) == 2
    assert "DATABASE_URL is malformed (an in-memory database" in capsys.readouterr().err


def test_import_metrics_refuses_periods_outside_the_window_with_their_lines(
    database: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # 20:00 UTC on 2026-11-22 is 2026-11-23 in Shanghai: the window ends on 2027-11-23.
    clock = FixedClock(datetime(2026, 11, 22, 20, 0, tzinfo=UTC))
    monkeypatch.setenv("PARTNERBOT_TIMEZONE", "Asia/Shanghai")
    partners = tmp_path / "partners.csv"
    partners.write_text(PARTNERS_CSV, encoding="utf-8")
    assert main(["import", str(partners), "--team", "T0001"], clock) == 0
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "name,period,rue,gmv\n"
        '星河传媒,2026-W47,35,"1,234,567"\n'
        "星河传媒,9999-W52,10,\n"
        "Acme Media,9999-12-31,10,\n"
        "Acme Media,2027-11-24,10,\n"
        "Acme Media,2026-W47,1_0,\n",
        encoding="utf-8",
    )
    capsys.readouterr()
    assert main(["import-metrics", str(bad)], clock) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "nothing was imported" in err
    window = "from 2000-01-01 to 2027-11-23 (a year from today)"
    assert f"line 3: 9999-W52 is outside the periods partnerbot records: {window}" in err
    assert f"line 4: 9999-12-31 is outside the periods partnerbot records: {window}" in err
    assert f"line 5: 2027-11-24 is outside the periods partnerbot records: {window}" in err
    assert "line 6: rue must be a number, not `1_0`: write it like" in err
    with sqlite3.connect(database) as conn:
        assert conn.execute("SELECT COUNT(*) FROM metrics").fetchone() == (0,)

    good = tmp_path / "good.csv"
    good.write_text('name,period,gmv\n星河传媒,2027-11-23,"1,234,567"\n', encoding="utf-8")
    assert main(["import-metrics", str(good)], clock) == 0
    with sqlite3.connect(database) as conn:
        assert conn.execute("SELECT period, value FROM metrics").fetchall() == [
            ("2027-11-23", 1_234_567.0)
        ]
        audited = conn.execute("SELECT after FROM audit_log WHERE field LIKE 'gmv@%'").fetchall()
    assert audited == [("1,234,567",)]
