"""One check for everything the app sends Slack: it parses as Block Kit and keeps Slack's limits."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import Block

MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
MESSAGE_TEXT = 40_000
PRIVATE_METADATA = 3_000
VIEW_TITLE = 24


def _check_blocks(blocks: Any, limit: int, where: str) -> list[str]:
    problems: list[str] = []
    if not isinstance(blocks, list):
        return [f"{where}: blocks is not a list"]
    if len(blocks) > limit:
        problems.append(f"{where}: {len(blocks)} blocks, more than {limit}")
    parsed = Block.parse_all(blocks)
    for raw, block in zip(blocks, parsed, strict=True):
        if block is None:
            problems.append(f"{where}: unknown block {raw!r:.80}")
            continue
        try:
            block.validate_json()
        except Exception as err:
            problems.append(f"{where}: {raw.get('type')} block invalid: {err}")
        problems.extend(_check_text_lengths(raw, where))
    return problems


def _check_confirm(element: Any, where: str) -> list[str]:
    """A button's confirm dialog: title 100, text 300, buttons 30 characters."""
    confirm = element.get("confirm") if isinstance(element, dict) else None
    if not confirm:
        return []
    limits = {"title": 100, "text": 300, "confirm": 30, "deny": 30}
    return [
        f"{where}: confirm {key} over {limit} characters"
        for key, limit in limits.items()
        if len((confirm.get(key) or {}).get("text", "")) > limit
    ]


def _check_text_lengths(raw: Any, where: str) -> list[str]:
    """Limits slack_sdk does not check itself: section fields, button values, confirms."""
    problems = []
    if isinstance(raw, dict):
        problems += _check_confirm(raw.get("accessory"), where)
        for element in raw.get("elements", []):
            problems += _check_confirm(element, where)
    for field in raw.get("fields", []) if isinstance(raw, dict) else []:
        if len(field.get("text", "")) > 2000:
            problems.append(f"{where}: a section field is over 2,000 characters")
    for element in raw.get("elements", []) if isinstance(raw, dict) else []:
        if isinstance(element, dict) and len(str(element.get("value", ""))) > 2000:
            problems.append(f"{where}: a button value is over 2,000 characters")
    return problems


def check_message(payload: dict[str, Any], where: str = "message") -> list[str]:
    """Problems with a message body (chat.postMessage, an ack, a response_url post)."""
    problems = []
    text = payload.get("text")
    if "blocks" in payload:
        problems += _check_blocks(payload["blocks"], MESSAGE_BLOCKS, where)
        if not text:
            problems.append(f"{where}: blocks without the fallback text Slack wants beside them")
    if text is not None and len(text) > MESSAGE_TEXT:
        problems.append(f"{where}: text over {MESSAGE_TEXT} characters")
    return problems


def check_view(view: dict[str, Any], where: str = "view") -> list[str]:
    """Problems with a modal or a Home tab."""
    problems = _check_blocks(view.get("blocks", []), VIEW_BLOCKS, where)
    if view.get("type") not in ("modal", "home"):
        problems.append(f"{where}: type {view.get('type')!r} is not modal or home")
    for key in ("title", "submit", "close"):
        if key in view and len(view[key].get("text", "")) > VIEW_TITLE:
            problems.append(f"{where}: {key} over {VIEW_TITLE} characters")
    if view.get("type") == "modal" and "title" not in view:
        problems.append(f"{where}: a modal needs a title")
    if len(view.get("private_metadata", "")) > PRIVATE_METADATA:
        problems.append(f"{where}: private_metadata over {PRIVATE_METADATA} characters")
    return problems


def check_ack(body: dict[str, Any]) -> list[str]:
    """Problems with what the app answered in an ack."""
    if body.get("response_action") in ("update", "push"):
        return check_view(body.get("view", {}), "ack view")
    if body.get("response_action") == "errors":
        errors = body.get("errors")
        return [] if isinstance(errors, dict) and errors else ["ack: errors without fields"]
    return check_message(body, "ack")
