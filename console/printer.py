"""What the console prints for each thing Slack would show: messages with their channel,
ephemeral answers marked, thread replies indented under their root, updates as updates,
DMs, the Home tab, modals and saved charts. It remembers the controls of the last one shown."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rich.console import Console
from rich.text import Text

from console import render
from console.standin import Directory, Message, Shown

THREAD_INDENT = "    │ "


@dataclass
class Target:
    """What `click N` presses in: a message, or a view (the Home tab), and its controls."""

    controls: list[render.Control]
    message: Message | None = None
    view: dict[str, Any] | None = None


@dataclass
class Printer:
    out: Console
    directory: Directory
    muted: bool = False
    last: Target | None = None
    roots: dict[tuple[str, str], str] = field(default_factory=dict)  # thread root -> its gist
    gists: dict[tuple[str, str], str] = field(default_factory=dict)  # message -> first gist

    def line(self, text: str | Text, style: str = "") -> None:
        if not self.muted:
            self.out.print(text, style=style or None, highlight=False)

    def show(self, shown: Shown) -> None:
        """Print one thing Slack would show, and keep its controls for `click N`."""
        if shown.kind == "file":
            self.line(Text(f"📎 chart saved: {shown.path} ({shown.title})", style="magenta"))
            return
        controls: list[render.Control] = []
        if shown.message is not None:
            self._message(shown.kind, shown.message, controls)
            target = Target(controls, message=shown.message)
        else:
            view = shown.view or {}
            self._view(shown.kind, view, controls, shown.title)
            target = Target(controls, view=view)
        if controls and shown.kind not in ("modal", "modal-update"):
            self.last = target

    def _message(self, kind: str, message: Message, controls: list[render.Control]) -> None:
        where = self._where(message)
        if kind == "ephemeral":
            who = self.directory.user_name(message.user or "")
            head = f"{where} · partnerbot · only @{who} can see this"
        elif kind == "update":
            gist = self.gists.get((message.channel, message.ts), "")
            head = f"{where} · partnerbot · ✎ updated its message “{gist}”"
        else:
            head = f"{where} · partnerbot"
        self.gists.setdefault(
            (message.channel, message.ts),
            _gist(render.mrkdwn(message.text, self.directory).plain),
        )
        lines = render.blocks(message.blocks, self.directory, controls)
        if not lines:
            lines = list(render.mrkdwn(message.text, self.directory).split("\n"))
        if message.thread_ts and message.thread_ts != message.ts:
            gist = self.roots.get((message.channel, message.thread_ts), message.thread_ts)
            head += f" · in the thread of “{gist}”"
            indent = THREAD_INDENT
        else:
            self.roots.setdefault(
                (message.channel, message.ts), self.gists[(message.channel, message.ts)]
            )
            indent = ""
        self.line(Text(indent) + Text(head, style="bold yellow" if kind != "ephemeral" else "dim"))
        for line in lines:
            self.line(Text(indent + "  ") + line)

    def _where(self, message: Message) -> str:
        if message.channel in self.directory.users:
            return f"DM to @{self.directory.user_name(message.channel)}"
        return "#" + self.directory.channel_name(message.channel)

    def _view(
        self, kind: str, view: dict[str, Any], controls: list[render.Control], user: str
    ) -> None:
        if kind == "home":
            head = f"Home tab of @{self.directory.user_name(user)}"
        else:
            title = (view.get("title") or {}).get("text", "")
            head = f"{'Modal' if kind == 'modal' else 'Modal updated'}: {title}"
        self.line(Text(f"┌ {head}", style="bold magenta"))
        for line in render.blocks(view.get("blocks", []), self.directory, controls):
            self.line(Text("│ ") + line)
        self.line(Text("└", style="bold magenta"))


def _gist(text: str, width: int = 40) -> str:
    first = text.strip().splitlines()[0] if text.strip() else ""
    return first if len(first) <= width else first[: width - 1] + "…"
