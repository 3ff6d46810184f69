"""The `partnerbot` command: run the bot, migrate, import and export CSV files.

Each subcommand imports what it needs when it runs: `partnerbot run` starts without the
imports and exports, copy-db and the console (tests/bot/test_startup_imports.py), and with the
collector's thresholds set before the app's modules are imported.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sqlite3
import sys
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.clock import Clock, SystemClock
from bot.collector import tune_collector
from bot.errors import RuleError
from bot.wording import count
from storage.write_waits import WRITERS_SUFFIX

if TYPE_CHECKING:
    from bot.metrics import Period
    from bot.ports import Store
    from bot.settings import Settings

EXIT_USAGE = 2
WHERE_TEAM_ID = "with Slack open in a browser, it is the T… in app.slack.com/client/T…/"
SAVE_AS_UTF8 = "In Excel: Save As → CSV UTF-8 (Comma delimited)"
# Subcommands that only read the database: they never create one.
_READS_ONLY = frozenset({"export", "export-metrics"})


class CliError(Exception):
    """A problem the user can fix; printed as one line, exit status 2."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="partnerbot",
        description="A Slack bot for partnership operations. Configuration comes from the "
        "environment or a .env file (see README).",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    sub.add_parser(
        "run",
        help="start the bot: Socket Mode if SLACK_APP_TOKEN is set, else HTTP on PORT",
        description="Start the bot. Socket Mode when SLACK_APP_TOKEN is set; otherwise HTTP on "
        "PORT at /slack/events, with /healthz. Checks the tokens with Slack first (exit 2 if "
        "Slack refuses one). Stops cleanly on SIGTERM.",
    )
    console = sub.add_parser(
        "console",
        help="try partnerbot without Slack: the real app at a prompt, against a local Slack",
        description="Run the real app in-process against a local stand-in for Slack, and type "
        "what you would type in Slack (/score top, click 2, :time +30m, :help). Reads a script "
        "from standard input when it is not a terminal.",
    )
    console.add_argument(
        "--demo", action="store_true", help="fill a fresh database with a demo workspace"
    )
    console.add_argument(
        "--db",
        type=Path,
        metavar="PATH",
        help="the SQLite file to use (default: DATABASE_URL; with --demo, a temporary one)",
    )
    console.add_argument("--user", default="mei", help="who types first (default: mei, an admin)")
    console.add_argument(
        "--files",
        type=Path,
        default=Path("partnerbot-charts"),
        metavar="DIR",
        help="where uploaded charts are saved as PNG files (default: ./partnerbot-charts)",
    )
    sub.add_parser("migrate", help="apply database migrations and exit")
    for name, what in (
        ("import", "import partners from a CSV file (checked whole, then written in chunks)"),
        ("import-metrics", "import metrics from a CSV file (checked whole, then in chunks)"),
        ("export", "export the partner registry to a CSV file"),
        ("export-metrics", "export metrics to a CSV file that import-metrics reads back"),
    ):
        command = sub.add_parser(name, help=what, description=what)
        command.add_argument("path", type=Path, help="the CSV file (UTF-8)")
        command.add_argument(
            "--team",
            help="the Slack workspace ID (T...), needed when the database holds several: "
            f"{WHERE_TEAM_ID}",
        )
        if name == "export-metrics":
            command.add_argument(
                "--since",
                metavar="PERIOD",
                help="only periods that end on or after the start of PERIOD: an ISO week "
                "(2026-W40), a month (2026-10) or a date (2026-10-05)",
            )
    copy = sub.add_parser(
        "copy-db",
        help="copy workspaces' data between databases (SQLite and PostgreSQL, either way)",
        description="Copy partners, audit, metrics, ratings, settings, benchmarks and claims "
        "from SRC_URL to DST_URL in one transaction, keeping ids; print the rows copied.",
    )
    copy.add_argument("source", metavar="SRC_URL", help="sqlite:///path or postgresql://...")
    copy.add_argument("destination", metavar="DST_URL", help="sqlite:///path or postgresql://...")
    copy.add_argument(
        "--team",
        nargs="+",
        action="extend",
        default=[],
        help="Slack workspace IDs (T...) to copy; every workspace in SRC_URL when left out",
    )
    copy.add_argument(
        "--replace",
        action="store_true",
        help="copy into a destination that holds data, replacing the copied workspaces' rows",
    )
    return parser


def main(argv: list[str] | None = None, clock: Clock | None = None) -> int:
    """Entry point of the console script; returns the exit status. clock: the time the
    offline commands read (the system's unless a test gives one)."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if args.command == "console":
        return _console(args)
    if args.command == "run":
        # Before the app's 900 modules are imported: at Python's own thresholds their import
        # ran 165 collections, one of them full (18-35 ms of the start, none freed anything).
        tune_collector()
    from bot.settings import ConfigError, load_settings
    from storage.migrate import MigrationError

    try:
        settings = load_settings(need_slack=args.command == "run")
        if args.command == "run":
            from bot.app import serve

            asyncio.run(serve(settings))
        elif args.command == "copy-db":
            asyncio.run(_copy_db(args))
        else:
            asyncio.run(_offline(args, settings, clock or SystemClock()))
    except (ConfigError, CliError, MigrationError, RuleError) as err:
        print(f"partnerbot: {err}", file=sys.stderr)
        return EXIT_USAGE
    except (OSError, sqlite3.Error) as err:
        # The file system or the database said no: one line, not a traceback.
        print(f"partnerbot: {_describe_failure(err)}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    return 0


def _console(args: argparse.Namespace) -> int:
    from bot.settings import ConfigError
    from console.main import ConsoleRefused, Options, run
    from storage.migrate import MigrationError

    # The app's own log lines would interleave with what Slack would show: warnings only.
    logging.getLogger().setLevel(logging.WARNING)
    options = Options(demo=args.demo, db=args.db, user=args.user, files=args.files)
    try:
        asyncio.run(run(options))
    except (ConsoleRefused, ConfigError, MigrationError) as err:
        print(f"partnerbot: {err}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    return 0


def _describe_failure(err: OSError | sqlite3.Error) -> str:
    if isinstance(err, sqlite3.Error):
        return f"the database could not be used ({err}); check DATABASE_URL and the file"
    where = f": {err.filename}" if err.filename else ""
    return f"{err.strerror or err}{where}"


async def _offline(args: argparse.Namespace, settings: Settings, clock: Clock) -> None:
    from bot.app import open_store

    # Arguments and the file first: a bad one is answered before a database is touched.
    if args.command != "migrate":
        _check_team_id(args.team)
    if args.command in ("import", "import-metrics"):
        args.text = _read(args.path)
    if args.command == "export-metrics":
        args.since = _since(args.since)
    new = _check_database(args, settings) if args.command != "migrate" else None
    store = await open_store(settings, clock)
    done = False
    try:
        if args.command == "migrate":
            print("partnerbot: the database is up to date")
        else:
            team = await _team(store, args.team, args.command in _READS_ONLY)
            now = clock.now().astimezone(settings.zone)
            await _ACTIONS[args.command](store, args, team, now)
        done = True
    finally:
        await store.close()
        if new is not None and done:
            print(
                f"partnerbot: created the database {new} (DATABASE_URL sets where)", file=sys.stderr
            )
        elif new is not None:  # a refused import leaves no empty database behind
            # Its WAL, shared memory and writers' file (storage/write_waits.py) go with it.
            for leftover in [Path(f"{new}{end}") for end in ("", "-wal", "-shm", WRITERS_SUFFIX)]:
                leftover.unlink(missing_ok=True)


def _check_team_id(given: str | None) -> None:
    if given is None:
        return
    if not given.startswith(("T", "E")) or not (given.isascii() and given.isalnum()):
        raise CliError(
            f"--team {given!r} is not a workspace ID such as T012AB3CD ({WHERE_TEAM_ID})"
        )


def _check_database(args: argparse.Namespace, settings: Settings) -> Path | None:
    """Refuse a database file that is not there rather than quietly create an empty one.
    Only an import of partners with --team may start one: its path is returned."""
    if not settings.database_url.startswith("sqlite:///"):
        return None  # a server database: its own error says when it is not there
    path = Path(settings.sqlite_path).resolve()
    if path.exists():
        return None
    if args.command == "import" and args.team:
        return path
    where = f"there is no database at {path} (DATABASE_URL is {settings.database_url})"
    fix = "set DATABASE_URL to the database the bot runs with"
    if args.command == "import":
        fix += ", or pass --team to start a new one with this import"
    raise CliError(f"{where}: {fix}; nothing was created")


def _since(raw: str | None) -> Period | None:
    from bot.metrics import parse_period

    if raw is None:
        return None
    try:
        return parse_period(raw)
    except RuleError as err:
        raise CliError(f"--since: {err}") from None


async def _team(store: Store, given: str | None, must_exist: bool) -> str:
    async with store.read() as tx:
        teams = await tx.teams()
    if given:
        if must_exist and given not in teams:
            held = f"it holds {', '.join(teams)}" if teams else "it holds no workspace yet"
            raise CliError(f"the database has no partners of workspace {given} ({held})")
        return given
    if len(teams) == 1:
        return teams[0]
    if not teams:
        raise CliError(
            "the database has no workspace yet: pass --team with your Slack workspace ID, "
            f"such as T012AB3CD ({WHERE_TEAM_ID})"
        )
    raise CliError(
        f"the database holds several workspaces ({', '.join(teams)}): pass --team with one"
    )


async def _copy_db(args: argparse.Namespace) -> None:
    from bot.settings import HOW_TO_FIX, check_database_url
    from storage.copy import CopyRefused, copy_database

    for name, url in (("SRC_URL", args.source), ("DST_URL", args.destination)):
        try:
            check_database_url(url)
        except ValueError as err:
            raise CliError(f"{name} is malformed ({err}): {HOW_TO_FIX['DATABASE_URL']}") from None
    if args.source == args.destination:
        raise CliError("SRC_URL and DST_URL are the same database: name another destination")
    teams = [_team_id(team) for team in args.team]
    try:
        counts = await copy_database(
            args.source, args.destination, SystemClock().now(), teams, replace=args.replace
        )
    except CopyRefused as err:
        raise CliError(str(err)) from None
    print("partnerbot: copied " + ", ".join(f"{table} {n}" for table, n in counts.items()))


def _team_id(given: str) -> str:
    _check_team_id(given)
    return given


def _read(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise CliError(f"{path}: no such file") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        guess = ""
        if _looks_like_gbk(raw):
            guess = " It looks like GBK (GB18030), which Excel on Chinese Windows saves."
        raise CliError(
            f"{path}: not UTF-8 text (byte {err.start}).{guess} {SAVE_AS_UTF8}, then import "
            "that file."
        ) from None


def _looks_like_gbk(raw: bytes) -> bool:
    """Whether bytes read as GB18030 text with Chinese in it (Latin-1 rarely does)."""
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError:
        return False
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


async def _import(store: Store, args: argparse.Namespace, team: str, now: datetime) -> None:
    """now: the clock's reading in the workspace's time zone, so its date is today there."""
    from bot.registry.imports import import_metrics, import_partners

    with _nothing_imported(args.path):
        if args.command == "import":
            result = await import_partners(store, now, team, args.text)
        else:
            result = await import_metrics(store, now, team, args.text, today=now.date())
    print(f"partnerbot: {args.path}: {result}")


@contextmanager
def _nothing_imported(path: Path) -> Iterator[None]:
    """A rejected file, or an import stopped midway, as the one error the command prints."""
    from bot.registry.imports import ImportInterrupted, ImportRejected

    try:
        yield
    except ImportRejected as err:
        raise CliError(f"{path}: nothing was imported.\n{err}") from None
    except ImportInterrupted as err:
        raise CliError(f"{path}: {err}") from None


async def _export(store: Store, args: argparse.Namespace, team: str, now: datetime) -> None:
    import csv
    import io

    from bot.registry.imports import export_metrics, export_partners

    if args.command == "export":
        text, what = await export_partners(store, team), "partner"
    else:
        text, what = await export_metrics(store, team, args.since), "row"
    # A byte-order mark, so Excel reads the file as UTF-8 (Chinese names, not mojibake).
    args.path.write_text(text, encoding="utf-8-sig", newline="")
    rows = max(len(list(csv.reader(io.StringIO(text, newline="")))) - 1, 0)
    print(f"partnerbot: wrote {args.path} ({count(rows, what)})")


_ACTIONS: dict[str, Callable[[Store, argparse.Namespace, str, datetime], Awaitable[None]]] = {
    "import": _import,
    "import-metrics": _import,
    "export": _export,
    "export-metrics": _export,
}


if __name__ == "__main__":
    sys.exit(main())
