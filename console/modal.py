"""A modal filled at prompts, field by field, and submitted as Slack's view_submission; the
field errors of the ack are shown and those fields asked again."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from console import payloads
from console.render import initial_value, text_object

if TYPE_CHECKING:
    from console.session import Session

CANCEL = ":cancel"
CLEAR = "-"


class Cancelled(Exception):
    """The person closed the form (or the input ended)."""


async def fill_modal(session: Session, view_id: str) -> None:
    """Ask each input of the modal, submit it, and follow what the ack says to do."""
    view = session.standin.views.get(view_id)
    values: dict[str, Any] = {}
    asking: list[str] | None = None  # block ids to ask again; None: every input
    while view is not None:
        inputs = [b for b in view.get("blocks", []) if b.get("type") == "input"]
        try:
            for block in inputs:
                if asking is None or block.get("block_id") in asking:
                    values[block["block_id"]] = await _ask_field(session, block)
        except Cancelled:
            session.printer.line("Form closed; nothing was submitted.", "dim")
            return
        body = payloads.view_submission(
            view, values, user=session.user, directory=session.directory
        )
        response = await session.dispatch(body, payloads.FORM_CONTENT)
        answer = json.loads(response.body) if (response.body or "").startswith("{") else {}
        action = answer.get("response_action")
        if action == "errors":
            errors: dict[str, str] = answer.get("errors", {})
            for block_id, error in errors.items():
                session.printer.line(f"✗ {_label(view, block_id)}: {error}", "red")
            asking = list(errors)
            continue
        if action in ("update", "push"):
            new = {"id": view_id, **answer["view"]}
            session.standin.views[view_id] = new
            session.printer.show(_shown(new))
            view, values, asking = new, {}, None
            continue
        session.printer.line("Form submitted.", "dim")
        return


def _shown(view: dict[str, Any]) -> Any:
    from console.standin import Shown

    return Shown("modal-update", view=view)


def _label(view: dict[str, Any], block_id: str) -> str:
    for block in view.get("blocks", []):
        if block.get("block_id") == block_id:
            return str((block.get("label") or {}).get("text", block_id))
    return block_id


async def _ask_field(session: Session, block: dict[str, Any]) -> dict[str, Any]:
    """One input's state as Slack sends it, from what the person types."""
    element = block.get("element", {})
    kind = str(element.get("type", ""))
    action_id = str(element.get("action_id", ""))
    label = text_object(block.get("label"), session.directory).plain
    initial = initial_value(element)
    notes = []
    if block.get("optional"):
        notes.append("optional")
    if initial:
        notes.append(f"now: {_initial_shown(session, kind, initial)}")
    if block.get("hint"):
        notes.append(text_object(block["hint"], session.directory).plain)
    prompt = f"{label}" + (f" ({'; '.join(notes)})" if notes else "")
    options = element.get("options", [])
    for number, option in enumerate(options, 1):
        session.printer.line(f"  {number}. {option['text']['text']}")
    while True:
        answer = await session.ask(f"{prompt}: ")
        if answer is None or answer.strip() == CANCEL:
            raise Cancelled
        typed = answer.strip()
        state = _state(session, kind, element, typed, initial, options)
        if state is not None:
            return {action_id: state}
        session.printer.line("Not one of the choices; try again.", "red")


def _initial_shown(session: Session, kind: str, initial: str) -> str:
    if kind == "users_select":
        return "@" + session.directory.user_name(initial)
    return initial


def _state(
    session: Session,
    kind: str,
    element: dict[str, Any],
    typed: str,
    initial: str,
    options: list[dict[str, Any]],
) -> dict[str, Any] | None:
    """The element's state for typed text; None when it cannot be read (asked again)."""
    kept = initial if typed == "" else "" if typed == CLEAR else typed
    if kind == "static_select":
        if not kept:
            return {"type": kind, "selected_option": None}
        for number, option in enumerate(options, 1):
            if kept in (str(number), option.get("value"), option["text"]["text"]):
                return {"type": kind, "selected_option": option}
        return None
    if kind == "users_select":
        if not kept:
            return {"type": kind, "selected_user": None}
        user = session.user_id(kept)
        return {"type": kind, "selected_user": user} if user else None
    if kind == "datepicker":
        return {"type": kind, "selected_date": kept or None}
    return {"type": kind, "value": kept or None}
