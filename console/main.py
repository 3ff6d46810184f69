"""`partnerbot console`: the real app, in-process, against the local stand-in for Slack, driven
from a prompt (or a script on standard input)."""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from rich.console import Console

from bot.app import create_app, open_store
from bot.clock import FixedClock
from bot.settings import ConfigError, Settings, load_settings
from console import demo
from console.printer import Printer
from console.session import Ask, Session
from console.standin import Directory, SlackStandIn

CHANNEL = "C0PARTNERS"
DEFAULT_USER = "mei"
# The demo's people and channels; mei is the console's admin unless PARTNERBOT_ADMINS says.
PEOPLE = {
    "U0MEI": "mei",
    "U0TOM": "tom",
    "U0LIN": "lin",
    "U0RAJ": "raj",
    "U0ANA": "ana",
}
CHANNELS = {CHANNEL: "partners", "C0DIGEST": "partner-digest", "C0OPS": "ops"}
CONSOLE_ADMIN = "U0MEI"


class ConsoleRefused(Exception):
    """A console that cannot start as asked; one line for the person."""


@dataclass
class Options:
    demo: bool = False
    db: Path | None = None
    user: str = DEFAULT_USER
    files: Path = Path("partnerbot-charts")


def directory() -> Directory:
    return Directory(users=dict(PEOPLE), channels=dict(CHANNELS), timezone="Asia/Shanghai")


def console_settings(api_url: str, database_url: str | None) -> Settings:
    """The app's settings for the console: the stand-in's URL and a token it accepts, never
    Socket Mode; admins and the time zone from the environment when set there."""
    overrides: dict[str, Any] = {
        "slack_bot_token": "xoxb-console",
        "slack_signing_secret": "console",
        "slack_app_token": None,
        "slack_api_url": api_url,
    }
    if database_url is not None:
        overrides["database_url"] = database_url
    if not os.environ.get("PARTNERBOT_ADMINS"):
        overrides["admins"] = CONSOLE_ADMIN
    if not os.environ.get("PARTNERBOT_TIMEZONE"):
        overrides["timezone"] = "Asia/Shanghai"
    return load_settings(need_slack=True, **overrides)


def start_time(options: Options) -> datetime:
    """The demo's fixed start (so it is the same every time); otherwise now, to the minute."""
    if options.demo:
        return demo.START
    return datetime.now(UTC).replace(second=0, microsecond=0)


@asynccontextmanager
async def open_session(options: Options, out: Console, ask: Ask) -> AsyncIterator[Session]:
    """The app built through the composition root, its stand-in started, the demo filled in."""
    people = directory()
    printer = Printer(out, people)
    standin = SlackStandIn(people, options.files, printer.show)
    await standin.start()
    temporary = tempfile.TemporaryDirectory(prefix="partnerbot-console-") if options.demo else None
    try:
        db = options.db
        if db is None and temporary is not None:
            db = Path(temporary.name) / "demo.db"
        settings = console_settings(standin.api_url, f"sqlite:///{db}" if db else None)
        clock = FixedClock(start_time(options))
        store = await open_store(settings, clock)
        try:
            if options.demo:
                async with store.read() as tx:
                    teams = await tx.teams()
                if teams:
                    raise ConsoleRefused(
                        f"--demo needs a fresh database, and {db or settings.database_url} "
                        f"already holds workspace {', '.join(teams)}: name a new file with "
                        "--db, or leave --demo out to use this one"
                    )
            bot = create_app(settings, store, clock, sleep=_no_wait)
            # No real Slack waits on these acks; answer in them rather than race the machine.
            bot.services.ack_budget = 30.0
            user = _user_id(people, options.user)
            session = Session(bot, standin, printer, clock, user, CHANNEL, ask)
            if options.demo:
                printer.muted = True
                try:
                    await demo.fill(session)
                finally:
                    printer.muted = False
                    printer.last = None
            yield session
            await bot.services.tasks.drain(grace=10)
            await bot.identity.close()
        finally:
            await store.close()
    finally:
        await standin.stop()
        if temporary is not None:
            temporary.cleanup()


async def _no_wait(seconds: float) -> None:
    """The outbox's pause between posts to a channel (Slack's one a second) and the client's
    retry waits: the stand-in neither limits nor refuses, and the console's time is its clock."""
    await asyncio.sleep(0)


def _user_id(people: Directory, name: str) -> str:
    name = name.lstrip("@")
    for user_id, known in people.users.items():
        if name in (known, user_id):
            return user_id
    raise ConsoleRefused(
        f"--user {name}: no such person in the console (people: {', '.join(people.users.values())})"
    )


async def run(options: Options, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> None:
    """The prompt with line editing and history on a terminal; a script reader otherwise."""
    interactive = stdin.isatty() and stdout.isatty()
    out = Console(file=stdout, highlight=False, markup=False, emoji=False, soft_wrap=True)
    ask = _prompt_reader() if interactive else _script_reader(stdin, out)
    try:
        async with open_session(options, out, ask) as session:
            out.print(_banner(session, options), style="bold")
            while True:
                name = session.directory.user_name(session.user)
                line = await ask(f"{name}> ")
                if line is None:
                    break
                if not await session.handle(line):
                    break
    except ConfigError as err:
        raise ConsoleRefused(str(err)) from None


def _banner(session: Session, options: Options) -> str:
    what = "a demo workspace" if options.demo else str(session.bot.services.settings.database_url)
    now = session.clock.now().astimezone(session.bot.services.settings.zone)
    return (
        f"partnerbot console: {what}, #partners, {now:%Y-%m-%d %H:%M} "
        f"{session.bot.services.settings.timezone}. :help lists what you can do; Ctrl-D quits."
    )


def _prompt_reader() -> Ask:
    from prompt_toolkit import PromptSession
    from prompt_toolkit.history import InMemoryHistory

    prompt: PromptSession[str] = PromptSession(history=InMemoryHistory())

    async def ask(text: str) -> str | None:
        try:
            return await prompt.prompt_async(text)
        except EOFError:
            return None
        except KeyboardInterrupt:
            return ""

    return ask


def _script_reader(stdin: TextIO, out: Console) -> Ask:
    """Lines of a script, each echoed after its prompt so the output reads as a transcript."""

    async def ask(text: str) -> str | None:
        line = stdin.readline()
        if not line:
            return None
        line = line.rstrip("\n")
        out.print(f"{text}{line}", highlight=False)
        return line

    return ask
