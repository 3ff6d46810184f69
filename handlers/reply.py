"""How every listener answers: in the ack when the answer is quick, else through the
response_url; errors a user can act on shown as one sentence; anything else logged with a
neutral line and shown as "nothing was changed"."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.ack.internals import _set_response
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError

from bot.errors import AlreadyRegistered, CommandError, Forbidden, NotFound, RuleError
from bot.report_cache import Report
from bot.services import Services
from handlers.blocks import error_message, esc
from handlers.slack_client import error_code

log = logging.getLogger(__name__)

Message = dict[str, Any]
Reply = Callable[..., Awaitable[Any]]  # Bolt's ack and respond

WORKING = ":hourglass_flowing_sand: Working on it…"
R = TypeVar("R")
T = TypeVar("T")

OUR_SIDE = "Something went wrong on our side; nothing was changed. Try again."


@dataclass(frozen=True, slots=True)
class Serialised:
    """A message kept to answer many requests (bot/answer_cache.py, a report's views) as the
    body Bolt's ack writes for it, written once: an ack on Bolt's own ack sends that body with
    no serialising again (a card's `json.dumps` is 30 us, a tenth of a kept card's request),
    and it is all that is kept: a card's 1.5 kB of text, not its ~8 kB of dicts and lists
    (tracemalloc). Anything else that sends it (a fake ack, respond) decodes it afresh."""

    body: str
    plain: bool = False  # Bolt's ack writes a message of only text as that text

    def message(self) -> Message:
        """The message again, as a new dict, as Bolt's ack wrote it (its keys in Bolt's order:
        text, response_type, blocks; JSON's types: lists, not tuples)."""
        if self.plain:
            return {"text": self.body}
        decoded: Message = json.loads(self.body)
        return decoded


Answer = Message | Serialised  # what a listener's work answers with


def serialised(message: Message) -> Serialised:
    """message, as the ack body that Bolt's own ack writes for it: written by the function
    Bolt's AsyncAck calls (it never awaits), so a report's view can be serialised where it is
    built, once (tests/handlers/test_serialised.py holds it to AsyncAck's body)."""
    fields = dict(message)
    text = fields.pop("text", "")
    written = _set_response(AsyncAck(), text, **fields)  # type: ignore[no-untyped-call]
    body: str = written.body
    # Bolt writes the text alone when nothing else is left to send (no blocks, empty blocks,
    # no response type); a JSON body never equals the text it holds.
    return Serialised(body, plain=body == text)


def message_of(answer: Answer) -> Message:
    """The answer as a message to send (respond, a fake ack)."""
    return answer.message() if isinstance(answer, Serialised) else answer


async def ack_with(ack: Reply, answer: Answer) -> None:
    """Ack with the answer; a serialised one, on Bolt's ack, with the body written for it
    (what Bolt's ack sets itself: its response)."""
    if isinstance(answer, Serialised) and isinstance(ack, AsyncAck):
        ack.response = BoltResponse(status=200, body=answer.body)
        return
    await ack(**message_of(answer))


@dataclass(frozen=True)
class Later:
    """An answer that is not ready at once (a report still being computed): `answer` acks
    "Working on it" at once and sends work's answer through the response_url."""

    work: Awaitable[Answer]


def view_of(report: Report[T], view: Hashable, build: Callable[[T], Message]) -> Serialised:
    """build(report) for one view of a done report (a page, a scope), built and serialised
    once for every request that shows it (a failed report raises here)."""
    return report.view(view, lambda found: serialised(build(found)))


def now_or_later(
    report: Report[T], view: Hashable, build: Callable[[T], Message]
) -> Answer | Later:
    """The answer built from a report (view_of): now when the report is ready (a failed one
    raises here, so the error goes in the ack), else Later, built when it is."""
    if report.done():
        return view_of(report, view, build)

    async def built() -> Answer:
        await report
        return view_of(report, view, build)

    return Later(built())


def error_text(err: RuleError | CommandError) -> str:
    """An error as mrkdwn: user text escaped, the owner mentioned where that helps."""
    text = esc(str(err))
    if isinstance(err, (Forbidden, AlreadyRegistered)):
        text += f" Its owner is <@{err.owner}>."
    return text


def user_error(err: RuleError | CommandError, help_command: str | None = None) -> Message:
    """An error as an ephemeral answer; a grammar slip, or a name that is not a partner
    (perhaps a mistyped subcommand), also points at the command's help."""
    text = error_text(err)
    if isinstance(err, (CommandError, NotFound)) and help_command:
        text += f" Try `{help_command}`."
    return error_message(text)


async def rendered(work: Awaitable[Answer], what: str, help_command: str | None = None) -> Answer:
    """work's answer, or the user-facing error; an unexpected failure is logged as what
    failed (never the request's content) and shown as nothing changed."""
    return (await _outcome(work, what, help_command))[0]


async def _outcome(
    work: Awaitable[T], what: str, help_command: str | None = None
) -> tuple[T | Message, bool]:
    """What work gave (or the error message to show), and whether work succeeded."""
    try:
        return await work, True
    except (RuleError, CommandError) as err:
        return user_error(err, help_command), False
    except Exception:
        log.exception("%s failed", what)
        return error_message(OUR_SIDE), False


async def answer(
    services: Services,
    ack: Reply,
    respond: Reply,
    work: Awaitable[Answer | Later],
    what: str,
    *,
    help_command: str | None = None,
) -> None:
    """Ack with work's answer if it is ready within the ack budget; else ack now with
    "Working on it" and send the answer through the response_url when it is ready. An
    answer that says it is Later (a slow report being computed) waits no longer than
    services.report_wait (in production: not at all).
    help_command is where an error that may be a mistyped command points."""
    loop = asyncio.get_running_loop()
    began = loop.time()
    task = services.tasks.spawn(_outcome(work, what, help_command), name=what)
    if not await _done_within(task, services.ack_budget):
        await ack(response_type="ephemeral", text=WORKING)
        later = _answer_of(task, what, help_command)
        services.tasks.spawn(_respond_when_done(later, respond), name=f"{what} answer")
        return
    result, _ = task.result()
    if not isinstance(result, Later):
        await ack_with(ack, result)
        return
    report = services.tasks.spawn(rendered(result.work, what, help_command), name=what)
    wait = min(services.report_wait, services.ack_budget - (loop.time() - began))
    if wait > 0 and await _done_within(report, wait):
        await ack_with(ack, report.result())
        return
    await ack(response_type="ephemeral", text=WORKING)
    services.tasks.spawn(_respond_when_done(report, respond), name=f"{what} answer")


async def _answer_of(
    task: asyncio.Task[tuple[Answer | Later, bool]], what: str, help_command: str | None
) -> Answer:
    """The message task's work answered, once a Later one is ready too."""
    result, _ = await task
    if isinstance(result, Later):
        return await rendered(result.work, what, help_command)
    return result


async def _done_within(task: asyncio.Task[Any], budget: float) -> bool:
    """Wait until task is done or budget seconds have passed; whether it is done. What
    `asyncio.wait({task}, timeout=budget)` does for one task, with one future, one timer
    and one callback, and none of its sets (a fifth of the answer's loop time went there)."""
    loop = asyncio.get_running_loop()
    waiter: asyncio.Future[None] = loop.create_future()

    def wake(_: object = None) -> None:
        if not waiter.done():
            waiter.set_result(None)

    timer = loop.call_later(budget, wake)
    task.add_done_callback(wake)
    try:
        await waiter
    finally:
        timer.cancel()
        task.remove_done_callback(wake)
    return task.done()


async def _respond_when_done(answered: Awaitable[Answer], respond: Reply) -> None:
    await respond(**message_of(await answered))


async def answer_command(
    services: Services,
    ack: Reply,
    respond: Reply,
    text: str,
    parse: Callable[[str], R],
    work: Callable[[R], Awaitable[Answer | Later]],
    command: str,
) -> None:
    """One slash command's text: a slip in its words is answered in the ack with a pointer to
    `<command> help`; otherwise work's answer, in the ack when quick, else after it."""
    help_command = f"{command} help"
    try:
        request = parse(text)
    except (CommandError, RuleError) as err:
        await ack(**user_error(err, help_command))
        return
    await answer(services, ack, respond, work(request), command, help_command=help_command)


def follow_up(
    services: Services, respond: Reply, work: Awaitable[Answer], what: str, *, replace: bool
) -> None:
    """Work a button starts after its ack: the answer (replacing the clicked message when
    paging) or the error goes to the clicker, never only to the log."""

    async def run() -> None:
        message, ok = await _outcome(work, what)
        # An error goes in a new message: replacing the page would lose what the user saw.
        shown = message_of(message)
        await respond(**shown, **({"replace_original": True} if replace and ok else {}))

    services.tasks.spawn(run(), name=what)


def in_background(services: Services, respond: Reply, work: Awaitable[None], what: str) -> None:
    """Work after an ack that answers by itself (a form, a chart): its failure still reaches
    the person who asked, as a user error or "nothing was changed"."""

    async def run() -> None:
        try:
            await work
        except (RuleError, CommandError) as err:
            await respond(**user_error(err))
        except Exception:
            log.exception("%s failed", what)
            await respond(**error_message(OUR_SIDE))

    services.tasks.spawn(run(), name=what)


async def open_modal(client: Any, respond: Reply, trigger_id: str, view: dict[str, Any]) -> None:
    """Open a modal; when Slack refuses (say, the trigger expired during a rate limit),
    tell the user instead of leaving them waiting for a form that never comes."""
    try:
        await client.views_open(trigger_id=trigger_id, view=view)
    except SlackApiError as err:
        code = error_code(err)
        log.warning("views.open failed: %s", code)
        text = f"The form could not be opened ({esc(code)}); please run the command again."
        await respond(**error_message(text))
