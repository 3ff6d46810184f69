"""The command line on PostgreSQL: a malformed or unreachable DATABASE_URL is one line and exit
2, as on SQLite; migrate and copy-db work on it."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator

import pytest

from bot.cli import main
from tests.support.databases import POSTGRES_URL, fresh_schema, require_postgres


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("postgresql://", "needs a host"),
        ("postgresql://db:notaport/x", "not a PostgreSQL URL"),
        ("postgres://db/x?search_path", "not a PostgreSQL URL"),
        ("mysql://db/x", "unsupported database URL"),
    ],
)
def test_a_malformed_postgres_url_is_one_line_and_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], url: str, reason: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", url)
    assert main(["migrate"]) == 2
    line = one_line(capsys.readouterr().err)
    assert line.startswith("partnerbot: DATABASE_URL is malformed") and reason in line
    assert "postgresql://user:password@host:5432/database" in line


def free_port() -> int:
    """A port nothing listens on: the OS picks it, then it is let go."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_an_unreachable_server_is_one_line_naming_the_setting(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"postgresql://bob:s3cret@127.0.0.1:{free_port()}/partners")
    assert main(["migrate"]) == 2
    line = one_line(capsys.readouterr().err)
    assert line.startswith("partnerbot: DATABASE_URL: PostgreSQL at 127.0.0.1:")
    assert "could not be reached" in line and "that the server is running" in line
    assert "s3cret" not in line


@pytest.fixture
async def postgres_ready() -> None:
    await require_postgres()


@pytest.mark.postgres
@pytest.mark.usefixtures("postgres_ready")
def test_a_database_that_does_not_exist_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", POSTGRES_URL.rsplit("/", 1)[0] + "/no_such_database_pb")
    assert main(["migrate"]) == 2
    line = one_line(capsys.readouterr().err)
    assert "DATABASE_URL: PostgreSQL at" in line and "no such database" in line


@pytest.fixture
async def schema_url() -> AsyncIterator[str]:
    async with fresh_schema() as url:
        yield url


@pytest.mark.postgres
def test_run_on_an_unreachable_server_is_one_line_and_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, value in {
        "SLACK_BOT_TOKEN": "xoxb-1",
        "SLACK_SIGNING_SECRET": "s",
        "PORT": "0",
        "DATABASE_URL": f"postgres://127.0.0.1:{free_port()}/x",
    }.items():
        monkeypatch.setenv(name, value)
    assert main(["run"]) == 2
    assert "DATABASE_URL: PostgreSQL at" in one_line(capsys.readouterr().err)


@pytest.mark.postgres
def test_migrate_on_postgres_is_idempotent(
    schema_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", schema_url)
    assert main(["migrate"]) == 0
    assert main(["migrate"]) == 0
    assert capsys.readouterr().out.count("the database is up to date") == 2
