"""The console's loop: each line typed becomes what Slack would send the app, dispatched through
Bolt's own dispatch, and what the app sends back is printed by the stand-in's listener."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot.app import Partnerbot
from bot.clock import FixedClock
from console import payloads
from console.modal import fill_modal
from console.printer import Printer
from console.render import Control
from console.standin import Directory, SlackStandIn

Ask = Callable[[str], Awaitable[str | None]]
FORM = "application/x-www-form-urlencoded"
# On the way to a later time the scheduler runs at its jobs' own minute ticks for a jump of up
# to an hour, and every 15 minutes of console time on a longer one (well inside the digests'
# grace), so a day passes in a few seconds.
SHORT_JUMP = timedelta(hours=1)
LONG_STRIDE = timedelta(minutes=15)
_STEP = re.compile(r"(\d+)([dhm])")

HELP = """\
Type what you would type in Slack:
  /partner help, /score top, /health, /digest now, /failover "Acme Media" contract ended …
  click N        press control N of the last message that has any (click Done: the first
                 of that label); a picker asks for a person or an option. Forms are asked
                 field by field: Enter keeps what is shown, '-' clears it, ':cancel' closes
  :as @name      type as someone else ({people}); admins: {admins}
  :home          open partnerbot's Home tab
  :time +30m     move the clock forward (+2h, +1d, +1h30m) or to a time
                 (:time 2026-12-01 09:00, in {zone}), running what comes due on
                 the way (each minute; every 15 minutes on a jump past an hour)
  :time          the console's time now
  :help          this list
  Ctrl-D or :quit  leave
Charts are saved as PNG files in {files}."""


@dataclass
class Session:
    bot: Partnerbot
    standin: SlackStandIn
    printer: Printer
    clock: FixedClock
    user: str
    channel: str
    ask: Ask

    @property
    def directory(self) -> Directory:
        return self.standin.directory

    async def handle(self, line: str) -> bool:
        """Act on one typed line; False when the person asked to leave."""
        line = line.strip()
        if not line:
            return True
        if line in (":quit", ":q", ":exit"):
            return False
        if line.startswith("/"):
            await self.command(line)
        elif line == "click" or line.startswith("click "):
            await self.click(line[5:].strip())
        elif line.startswith(":as"):
            self.switch(line[3:].strip())
        elif line == ":home":
            await self.home()
        elif line.startswith(":time"):
            await self.move_clock(line[5:].strip())
        elif line == ":help":
            self.printer.line(self.help_text())
        else:
            self.printer.line("Start with / for a command, or see :help.", "red")
        return True

    def help_text(self) -> str:
        admins = self.bot.services.settings.admins
        return HELP.format(
            people=", ".join("@" + n for n in self.directory.users.values()),
            admins=", ".join("@" + self.directory.user_name(a) for a in sorted(admins)) or "none",
            zone=self.bot.services.settings.timezone,
            files=self.standin.files,
        )

    async def dispatch(self, body: str, content_type: str) -> BoltResponse:
        """Send one request through Bolt's real dispatch and wait for the work it started."""
        timestamp = str(int(self.clock.now().timestamp()))
        request = AsyncBoltRequest(
            body=body,
            headers={"content-type": content_type, "x-slack-request-timestamp": timestamp},
        )
        before = asyncio.all_tasks()
        response = await self.bot.app.async_dispatch(request)
        await self.settle(before)
        return response

    async def settle(self, before: set[asyncio.Task[Any]] | None = None) -> None:
        """Wait for the app's work after an ack: its background tasks and Bolt's listeners."""
        before = before or set()
        current = asyncio.current_task()
        for _ in range(50):
            await self.bot.services.tasks.drain(grace=30)
            pending = [
                t
                for t in asyncio.all_tasks() - before
                if t is not current and not t.done() and not _serving(t)
            ]
            if not pending:
                return
            await asyncio.wait(pending, timeout=30)

    async def command(self, line: str) -> None:
        name, _, text = line.partition(" ")
        if name not in self.bot.commands:
            known = ", ".join(self.bot.commands)
            self.printer.line(f"{name} is not a command of partnerbot ({known}).", "red")
            return
        url, respond = self.standin.response_url(self.channel, self.user)
        body = payloads.slash_command(
            name,
            payloads.escape_typed(text.strip(), self.directory),
            user=self.user,
            channel=self.channel,
            response_url=url,
            directory=self.directory,
        )
        opened = len(self.standin.opened)
        timestamp = str(int(self.clock.now().timestamp()))
        request = AsyncBoltRequest(
            body=body, headers={"content-type": FORM, "x-slack-request-timestamp": timestamp}
        )
        before = asyncio.all_tasks()
        response = await self.bot.app.async_dispatch(request)
        # The ack's answer is shown first, as Slack shows it, and later posts may replace it.
        answer = _json(response)
        if answer.get("text") or answer.get("blocks"):
            in_channel = answer.get("response_type") == "in_channel"
            message = self.standin.post(
                self.channel, answer, user=None if in_channel else self.user
            )
            respond.source = message
        elif response.status != 200:
            self.printer.line(f"Slack would say: /{name[1:]} failed ({response.status}).", "red")
        await self.settle(before)
        await self.forms(opened)

    async def forms(self, opened: int) -> None:
        """Fill and submit each modal the last request opened."""
        for view_id in self.standin.opened[opened:]:
            await fill_modal(self, view_id)

    async def click(self, which: str) -> None:
        target = self.printer.last
        if target is None or not target.controls:
            self.printer.line("Nothing to click yet: no message shown has buttons.", "red")
            return
        control = _pick(target.controls, which)
        if control is None:
            self.printer.line(f"click 1 to {len(target.controls)}, or a control's label.", "red")
            return
        action = await self.action(control)
        if action is None:
            return
        opened = len(self.standin.opened)
        if target.message is not None:
            url, _ = self.standin.response_url(
                target.message.channel, self.user, source=target.message
            )
            body = payloads.block_action(
                action,
                user=self.user,
                directory=self.directory,
                action_ts=self.standin.next_ts(),
                message=target.message,
                response_url=url,
            )
        else:
            body = payloads.block_action(
                action,
                user=self.user,
                directory=self.directory,
                action_ts=self.standin.next_ts(),
                view=target.view,
            )
        self.printer.line(
            f"(@{self.directory.user_name(self.user)} pressed {control.label})", "dim"
        )
        await self.dispatch(body, FORM)
        await self.forms(opened)

    async def action(self, control: Control) -> dict[str, Any] | None:
        """The action Slack would send for a control, asking for a person or an option."""
        element = control.element
        action: dict[str, Any] = {
            "action_id": element.get("action_id", ""),
            "block_id": control.block_id,
            "type": control.kind,
        }
        if control.kind == "button":
            action["text"] = element.get("text")
            if "value" in element:
                action["value"] = element["value"]
            return action
        if control.kind == "users_select":
            user = await self.pick_user(f"{control.label}: which person (@name)? ")
            if user is None:
                return None
            action["selected_user"] = user
            return action
        options = element.get("options", [])
        for number, option in enumerate(options, 1):
            self.printer.line(f"  {number}. {option['text']['text']}")
        answer = await self.ask(f"{control.label}: which option (1-{len(options)})? ")
        if answer is None or not answer.strip().isdigit():
            self.printer.line("Nothing picked.", "red")
            return None
        index = int(answer.strip()) - 1
        if not 0 <= index < len(options):
            self.printer.line("Nothing picked.", "red")
            return None
        action["selected_option"] = options[index]
        return action

    async def pick_user(self, prompt: str) -> str | None:
        answer = await self.ask(prompt)
        user = self.user_id(answer or "")
        if user is None:
            self.printer.line(f"No such person: {answer}.", "red")
        return user

    def user_id(self, typed: str) -> str | None:
        """A person by @name, name or ID."""
        typed = typed.strip().lstrip("@")
        if typed in self.directory.users:
            return typed
        for user_id, name in self.directory.users.items():
            if name == typed:
                return str(user_id)
        return None

    def switch(self, typed: str) -> None:
        user = self.user_id(typed)
        if user is None:
            people = ", ".join("@" + n for n in self.directory.users.values())
            self.printer.line(f"No such person: {typed or '(nobody)'}. People: {people}.", "red")
            return
        self.user = user
        admin = " (an admin)" if user in self.bot.services.settings.admins else ""
        self.printer.line(f"Now typing as @{self.directory.user_name(user)}{admin}.", "dim")

    async def home(self) -> None:
        now = self.clock.now()
        body = payloads.app_home_opened(self.user, self.standin.next_ts(), int(now.timestamp()))
        opened = len(self.standin.opened)
        await self.dispatch(body, "application/json")
        await self.forms(opened)

    async def move_clock(self, typed: str) -> None:
        zone = self.bot.services.settings.zone
        if typed:
            moment = parse_time(typed, self.clock.now(), zone)
            if moment is None:
                self.printer.line(
                    "Write :time +30m (or +2h, +1d) or :time 2026-12-01 09:00.", "red"
                )
                return
            if moment < self.clock.now():
                self.printer.line("The console's clock only moves forward.", "red")
                return
            shown = moment.astimezone(zone).strftime("%Y-%m-%d %H:%M %a")
            self.printer.line(f"🕘 {shown} {self.bot.services.settings.timezone}", "bold")
            await self.run_until(moment)
            return
        shown = self.clock.now().astimezone(zone).strftime("%Y-%m-%d %H:%M %a")
        self.printer.line(f"🕘 {shown} {self.bot.services.settings.timezone}", "bold")

    async def run_until(self, moment: datetime) -> None:
        """Move the clock to each fire time of the scheduler's jobs up to moment and run what is
        due there, as the running bot's ticks would (on a long jump every LONG_STRIDE): nothing
        is skipped as if the bot had been down."""
        scheduler = self.bot.services.scheduler
        stride = timedelta(0) if moment - self.clock.now() <= SHORT_JUMP else LONG_STRIDE
        while True:
            times = [t for name in scheduler.names if (t := scheduler.next_run(name)) is not None]
            following = min(times, default=None)
            if following is None or following > moment:
                break
            self.clock.set(max(following, self.clock.now() + stride))
            before = asyncio.all_tasks()
            await scheduler.run_due()
            await self.settle(before)
        self.clock.set(moment)


def _pick(controls: list[Control], which: str) -> Control | None:
    """Control N (1-based), or the first whose label is which (ignoring case)."""
    if which.isdigit():
        index = int(which) - 1
        return controls[index] if 0 <= index < len(controls) else None
    wanted = which.casefold()
    return next((c for c in controls if c.label.casefold() == wanted), None)


def parse_time(typed: str, now: datetime, zone: Any) -> datetime | None:
    """`+30m`, `+2h`, `+1d`, `+1h30m`, or a local `YYYY-MM-DD HH:MM` in zone."""
    if typed.startswith("+"):
        steps = _STEP.findall(typed[1:])
        if not steps or "".join(n + u for n, u in steps) != typed[1:]:
            return None
        units = {"d": "days", "h": "hours", "m": "minutes"}
        delta = timedelta()
        for number, unit in steps:
            delta += timedelta(**{units[unit]: int(number)})
        return now + delta
    try:
        local = datetime.strptime(typed, "%Y-%m-%d %H:%M")
    except ValueError:
        return None
    return local.replace(tzinfo=zone)


def _json(response: BoltResponse) -> dict[str, Any]:
    body = response.body or ""
    if not body.startswith("{"):
        return {}
    parsed = json.loads(body)
    return parsed if isinstance(parsed, dict) else {}


def _serving(task: asyncio.Task[Any]) -> bool:
    """aiohttp's per-connection tasks live as long as a kept-alive connection: not app work."""
    coro = task.get_coro()
    name = getattr(coro, "__qualname__", "")
    return name.startswith(("RequestHandler.", "BaseProtocol")) or "web_protocol" in str(coro)
