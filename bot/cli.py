"""The `partnerbot` command: run the bot, migrate, import and export CSV."""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import logging
import sqlite3
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path

from bot.app import open_store, serve
from bot.clock import Clock, SystemClock
from bot.errors import RuleError
from bot.ports import Store
from bot.registry.imports import ImportRejected, export_partners, import_metrics, import_partners
from bot.settings import HOW_TO_FIX, ConfigError, Settings, check_database_url, load_settings
from bot.wording import count
from storage.copy import CopyRefused, copy_database
from storage.migrate import MigrationError

EXIT_USAGE = 2


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
        "PORT at /slack/events, with /healthz. Stops cleanly on SIGTERM.",
    )
    sub.add_parser("migrate", help="apply database migrations and exit")
    for name, what in (
        ("import", "import partners from a CSV file (all or nothing)"),
        ("import-metrics", "import metrics from a CSV file (all or nothing)"),
        ("export", "export the partner registry to a CSV file"),
    ):
        command = sub.add_parser(name, help=what, description=what)
        command.add_argument("path", type=Path, help="the CSV file (UTF-8)")
        command.add_argument(
            "--team",
            help="the Slack workspace ID (T...); needed when the database holds several",
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
    try:
        settings = load_settings(need_slack=args.command == "run")
        if args.command == "run":
            asyncio.run(serve(settings))
        elif args.command == "copy-db":
            asyncio.run(_copy_db(args))
        else:
            asyncio.run(_offline(args, settings, clock or SystemClock()))
    except (ConfigError, CliError, MigrationError, CopyRefused, RuleError) as err:
        print(f"partnerbot: {err}", file=sys.stderr)
        return EXIT_USAGE
    except (OSError, sqlite3.Error) as err:
        # The file system or the database said no: one line, not a traceback.
        print(f"partnerbot: {_describe_failure(err)}", file=sys.stderr)
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
    store = await open_store(settings, clock)
    try:
        if args.command == "migrate":
            print("partnerbot: the database is up to date")
            return
        action = _ACTIONS[args.command]
        team = await _team(store, args.team)
        await action(store, args, team, clock.now().astimezone(settings.zone))
    finally:
        await store.close()


async def _team(store: Store, given: str | None) -> str:
    if given:
        return _team_id(given)
    async with store.read() as tx:
        teams = await tx.teams()
    if len(teams) == 1:
        return teams[0]
    if not teams:
        raise CliError(
            "the database has no workspace yet: pass --team T012AB3CD (your workspace ID)"
        )
    raise CliError(f"the database holds several workspaces ({', '.join(teams)}): pass --team")


async def _copy_db(args: argparse.Namespace) -> None:
    for name, url in (("SRC_URL", args.source), ("DST_URL", args.destination)):
        try:
            check_database_url(url)
        except ValueError as err:
            raise CliError(f"{name} is malformed ({err}): {HOW_TO_FIX['DATABASE_URL']}") from None
    if args.source == args.destination:
        raise CliError("SRC_URL and DST_URL are the same database: name another destination")
    teams = [_team_id(team) for team in args.team]
    counts = await copy_database(
        args.source, args.destination, SystemClock().now(), teams, replace=args.replace
    )
    print("partnerbot: copied " + ", ".join(f"{table} {n}" for table, n in counts.items()))


def _team_id(given: str) -> str:
    if not given.startswith(("T", "E")) or not given.isalnum():
        raise CliError(f"--team {given!r} is not a workspace ID; it looks like T012AB3CD")
    return given


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise CliError(f"{path}: no such file") from None
    except UnicodeDecodeError as err:
        raise CliError(f"{path}: not UTF-8 text (byte {err.start}); save it as UTF-8") from None


async def _import(store: Store, args: argparse.Namespace, team: str, now: datetime) -> None:
    """now: the clock's reading in the workspace's time zone, so its date is today there."""
    try:
        if args.command == "import":
            result = await import_partners(store, now, team, _read(args.path))
        else:
            result = await import_metrics(store, now, team, _read(args.path), today=now.date())
    except ImportRejected as err:
        raise CliError(f"{args.path}: nothing was imported.\n{err}") from None
    print(f"partnerbot: {args.path}: {result}")


async def _export(store: Store, args: argparse.Namespace, team: str, now: datetime) -> None:
    text = await export_partners(store, team)
    args.path.write_text(text, encoding="utf-8", newline="")
    rows = max(len(list(csv.reader(io.StringIO(text, newline="")))) - 1, 0)
    print(f"partnerbot: wrote {args.path} ({count(rows, 'partner')})")


_ACTIONS: dict[str, Callable[[Store, argparse.Namespace, str, datetime], Awaitable[None]]] = {
    "import": _import,
    "import-metrics": _import,
    "export": _export,
}


if __name__ == "__main__":
    sys.exit(main())
