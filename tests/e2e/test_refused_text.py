"""Text that cannot be stored as typed (control characters, undecodable bytes): refused with
an answer that names the field, and nothing written, in commands, the form and raw bodies."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from bot.registry.rules import name_key
from tests.e2e.test_partner_modal import open_add_modal, state, text, user
from tests.support.databases import table_rows
from tests.support.harness import Harness

FORM = "application/x-www-form-urlencoded"
MARK = "XMARKX"  # replaced in the encoded body by what urlencode would never produce


async def stored(slack: Harness) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table the features write, to compare before and after."""
    return await table_rows(slack.store, leave_out=("schema_migrations", "claims"))


async def with_acme(slack: Harness) -> dict[str, list[tuple[Any, ...]]]:
    reply = await slack.command('add "Acme Media" note="first" tier=core')
    assert "Added" in reply.body["text"]
    return await stored(slack)


def refused(reply: Any, *phrases: str) -> str:
    """The ephemeral answer's text, checked to be a refusal that says what and where."""
    assert reply.status == 200
    assert reply.body["response_type"] == "ephemeral"
    shown: str = reply.body["text"]
    assert ":warning:" in reply.shown
    for phrase in phrases:
        assert phrase in shown, shown
    assert "\x00" not in reply.text and "\\u0000" not in reply.text
    return shown


NUL_COMMANDS = [
    ("/partner", 'add "Ac\x00me"', "control character (U+0000)"),
    ("/partner", 'add "Beta" note="a\x00b"', "The option `note`"),
    ("/partner", 'set "Acme Media" contacts="ann\x00@x"', "The option `contacts`"),
    ("/partner", 'set "Acme Media" tags=a,b\x07', "The option `tags`"),
    ("/partner", 'drop "Acme Media" went\x00quiet', "control character (U+0000)"),
    ("/partner", 'drop "Acme Media" reason="gone\x1b"', "The option `reason`"),
    ("/partner", 'metrics "Acme Media" rue=35 period=2026-W47\x00', "The option `period`"),
    ("/partner", 'metrics "Ac\x00me Media" rue=35', "control character (U+0000)"),
    ("/score", '"Acme Media" brand=8\x000', "The option `brand`"),
    ("/score", "Ac\x00me", "control character (U+0000)"),
    ("/health", "Ac\x00me", "control character (U+0000)"),
    ("/health", "benchmark category=KOL roi=2\x005", "The option `roi`"),
]


@pytest.mark.parametrize(("command", "typed", "names"), NUL_COMMANDS)
async def test_a_control_character_in_a_command_is_refused_and_nothing_is_written(
    slack: Harness, command: str, typed: str, names: str
) -> None:
    before = await with_acme(slack)
    reply = await slack.command(typed, command=command)
    refused(reply, names, "line breaks and tabs")
    assert await stored(slack) == before
    assert not slack.fake.named("respond")


async def test_percent_encoded_bytes_that_are_not_utf8_are_refused_in_a_note(
    slack: Harness,
) -> None:
    before = await with_acme(slack)
    body = slack.command_body(f'set "Acme Media" note="caf{MARK}"').replace(MARK, "%E9")
    reply = await slack.post(body, FORM)
    await slack.settle()
    refused(reply, "The option `note`", "not valid UTF-8")
    assert await stored(slack) == before


async def test_raw_bytes_that_are_not_utf8_get_an_answer_not_a_500(
    slack: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    before = await stored(slack)
    body = slack.command_body(f'add "Raw{MARK} Co"').encode().replace(MARK.encode(), b"\xff\xfe")
    reply = await slack.post(body, FORM)
    await slack.settle()
    refused(reply, '`"Raw\ufffd\ufffd Co"`', "not valid UTF-8")
    assert await stored(slack) == before
    assert all(r.exc_info is None for r in caplog.records)


async def test_line_breaks_and_tabs_are_kept_in_notes_and_contacts(slack: Harness) -> None:
    reply = await slack.command('add "Acme Media" note="line one\nline\ttwo" contacts="a\nb"')
    assert "Added" in reply.body["text"]
    async with slack.store.read() as tx:
        found = await tx.partner_by_key("T0001", name_key("Acme Media"))
    assert found is not None
    assert (found.notes, found.contacts) == ("line one\nline\ttwo", "a\nb")


@pytest.mark.parametrize(
    ("block", "value", "phrase"),
    [
        ("name", "Ac\x00me", "control"),
        ("name", "Acme \ufffd", "not valid UTF-8"),
        ("notes", "caf\ufffd", "not valid UTF-8"),
        ("notes", "a\x00b", "control character (U+0000)"),
        ("notes", "lone \ud800 half", "not valid UTF-8"),
        ("contacts", "ann\x0b@x", "control character (U+000B)"),
        ("tags", "live, be\x00auty", "control character (U+0000)"),
        ("backups", "Ac\x00me", "control"),
        ("cases", "3\x00", "control character (U+0000)"),
    ],
)
async def test_the_form_shows_the_problem_under_the_input_and_writes_nothing(
    slack: Harness, block: str, value: str, phrase: str
) -> None:
    view = await open_add_modal(slack)
    before = await stored(slack)
    reply = await slack.submit(view, state(**{block: text(value)}))
    assert reply.body["response_action"] == "errors"
    assert list(reply.body["errors"]) == [block]
    assert phrase in reply.body["errors"][block]
    assert "\x00" not in reply.text and "\\u0000" not in reply.text
    assert await stored(slack) == before


async def test_a_forged_owner_in_the_form_is_refused(slack: Harness) -> None:
    view = await open_add_modal(slack)
    reply = await slack.submit(view, state(owner=user("U0\x00X")))
    assert reply.body["response_action"] == "errors"
    assert "control character (U+0000)" in reply.body["errors"]["owner"]
    assert (await stored(slack))["partners"] == []
