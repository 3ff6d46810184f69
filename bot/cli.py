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
from pathlib import Path

from bot.app import open_store, serve
from bot.clock import SystemClock
from bot.ports import Store
from bot.registry.imports import ImportRejected, export_partners, import_metrics, import_partners
from bot.settings import ConfigError, Settings, load_settings
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
        "PORT at /slack/events, with /healthz. Checks the tokens with Slack first (exit 2 if "
        "Slack refuses one). Stops cleanly on SIGTERM.",
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
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; returns the exit status."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        settings = load_settings(need_slack=args.command == "run")
        if args.command == "run":
            asyncio.run(serve(settings))
        else:
            asyncio.run(_offline(args, settings))
    except (ConfigError, CliError, MigrationError) as err:
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


async def _offline(args: argparse.Namespace, settings: Settings) -> None:
    clock = SystemClock()
    store = await open_store(settings, clock)
    try:
        if args.command == "migrate":
            print("partnerbot: the database is up to date")
            return
        action = _ACTIONS[args.command]
        await action(store, args, await _team(store, args.team))
    finally:
        await store.close()


async def _team(store: Store, given: str | None) -> str:
    if given:
        if not given.startswith(("T", "E")) or not given.isalnum():
            raise CliError(f"--team {given!r} is not a workspace ID; it looks like T012AB3CD")
        return given
    async with store.read() as tx:
        teams = await tx.teams()
    if len(teams) == 1:
        return teams[0]
    if not teams:
        raise CliError(
            "the database has no workspace yet: pass --team T012AB3CD (your workspace ID)"
        )
    raise CliError(f"the database holds several workspaces ({', '.join(teams)}): pass --team")


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise CliError(f"{path}: no such file") from None
    except UnicodeDecodeError as err:
        raise CliError(f"{path}: not UTF-8 text (byte {err.start}); save it as UTF-8") from None


async def _import(store: Store, args: argparse.Namespace, team: str) -> None:
    use_case = import_partners if args.command == "import" else import_metrics
    try:
        result = await use_case(store, SystemClock().now(), team, _read(args.path))
    except ImportRejected as err:
        raise CliError(f"{args.path}: nothing was imported.\n{err}") from None
    print(f"partnerbot: {args.path}: {result}")


async def _export(store: Store, args: argparse.Namespace, team: str) -> None:
    text = await export_partners(store, team)
    args.path.write_text(text, encoding="utf-8", newline="")
    rows = max(len(list(csv.reader(io.StringIO(text, newline="")))) - 1, 0)
    print(f"partnerbot: wrote {args.path} ({rows} partners)")


_ACTIONS: dict[str, Callable[[Store, argparse.Namespace, str], Awaitable[None]]] = {
    "import": _import,
    "import-metrics": _import,
    "export": _export,
}


if __name__ == "__main__":
    sys.exit(main())
