from collections.abc import Callable
from datetime import date
from functools import partial
from typing import TypeVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.registry.csv_io import (
    MAX_SHOWN,
    ImportRejected,
    format_partners,
    parse_metrics_rows,
    parse_partner_rows,
)
from bot.registry.rules import (
    Category,
    Partner,
    PartnerFields,
    Status,
    Tier,
    clean_name,
    clean_text,
    name_key,
    parse_names,
    parse_tags,
)

HEADER = "name,category,tier,status,owner,backups,tags,contacts,notes,success_cases,drop_reason"


def rejected(
    text: str, parse: Callable[[str], object] = parse_partner_rows
) -> list[tuple[int, str]]:
    with pytest.raises(ImportRejected) as info:
        parse(text)
    return info.value.problems


# --- partner rows: good files -----------------------------------------------------


def test_full_row_parses_every_field() -> None:
    text = (
        HEADER + "\n"
        'Acme Media,KOL,core,active,U012AB3CD,"Beta, Gamma","Beauty, live",'
        "ann@acme.test,big reach,4,\n"
    )
    [row] = parse_partner_rows(text)
    assert row.line == 2
    assert row.fields == PartnerFields(
        name="Acme Media",
        category=Category.KOL,
        tier=Tier.CORE,
        status=Status.ACTIVE,
        owner="U012AB3CD",
        backups=("Beta", "Gamma"),
        tags=("beauty", "live"),
        contacts="ann@acme.test",
        notes="big reach",
        success_cases=4,
        drop_reason="",
    )


def test_header_is_case_insensitive_in_any_order_and_missing_columns_are_not_given() -> None:
    [row] = parse_partner_rows(" TIER , Name\nstrategic,Acme\n")
    assert row.fields == PartnerFields(name="Acme", tier=Tier.STRATEGIC)


def test_empty_cell_clears_text_and_lists_but_keeps_fields_that_cannot_be_empty() -> None:
    [row] = parse_partner_rows("name,category,owner,success_cases,tags,backups,notes\nAcme,,,,,,\n")
    assert row.fields.category is None
    assert row.fields.owner is None
    assert row.fields.success_cases is None
    assert row.fields.tags == ()
    assert row.fields.backups == ()
    assert row.fields.notes == ""


def test_header_only_file_has_no_rows_and_blank_lines_are_skipped() -> None:
    assert parse_partner_rows("name,tier\n") == []
    rows = parse_partner_rows("name\n\nAcme\n \n\nBeta\n")
    assert [(r.line, r.name) for r in rows] == [(3, "Acme"), (6, "Beta")]


def test_bom_prefixed_header_works() -> None:
    [row] = parse_partner_rows("\ufeffname,tier\nAcme,trial\n")
    assert row.fields.tier is Tier.TRIAL


def test_crlf_line_endings() -> None:
    rows = parse_partner_rows("name,tier\r\nAcme,trial\r\nBeta,core\r\n")
    assert [(r.line, r.name) for r in rows] == [(2, "Acme"), (3, "Beta")]


def test_quoted_cells_with_commas_and_newlines_keep_line_numbers_right() -> None:
    text = (
        "name,notes,tier\n"
        '"Acme, the first",x,core\n'  # a comma in a name is still an error: line 2
        'Beta,"line one\nline two\nline three",core\n'  # lines 3-5
        "Gamma,,bogus\n"  # line 6
    )
    problems = rejected(text)
    assert [line for line, _ in problems] == [2, 6]
    assert "comma" in problems[0][1]
    assert "`bogus` is not a tier" in problems[1][1]


def test_multiline_notes_are_kept() -> None:
    [row] = parse_partner_rows('name,notes\nBeta,"line one\nline two, with comma"\n')
    assert row.fields.notes == "line one\nline two, with comma"


def test_control_characters_and_undecodable_text_are_refused_by_line() -> None:
    text = (
        "name,notes,tags,contacts,drop_reason\n"
        'Good,"tab\tand\nline",,,\n'  # lines 2-3: kept
        "Nul,a\x00b,,,\n"  # line 4
        "Caf\ufffd,,,,\n"  # line 5
        "Esc,,live\x1b,,\n"  # line 6
        'Bell,,,"ann\x07",\n'  # line 7
        "Gone,,,,quiet\x7f\n"  # line 8
    )
    problems = rejected(text)
    assert [line for line, _ in problems] == [4, 5, 6, 7, 8]
    reasons = [reason for _, reason in problems]
    assert reasons[0].startswith("Notes cannot hold a control character (U+0000)")
    assert reasons[1].startswith("A name cannot hold bytes that are not valid UTF-8")
    assert reasons[2].startswith("A tag cannot hold a control character (U+001B)")
    assert reasons[3].startswith("Contacts cannot hold a control character (U+0007)")
    assert reasons[4].startswith("The drop reason cannot hold a control character (U+007F)")
    assert not any("\x00" in reason for reason in reasons)


def test_a_metrics_row_naming_a_partner_with_a_control_character_is_refused() -> None:
    problems = rejected(
        "name,period,rue\nAc\x00me,2026-W47,35\n",
        partial(parse_metrics_rows, today=date(2026, 11, 22)),
    )
    assert problems == [(2, "A name cannot contain control or invisible formatting characters.")]


def test_chinese_names_and_tags() -> None:
    rows = parse_partner_rows("name,tags,backups\n小红书,美妆,抖音\n抖音,,小红书\n")
    assert [r.name for r in rows] == ["小红书", "抖音"]
    assert rows[0].fields.tags == ("美妆",)
    assert rows[1].fields.backups == ("小红书",)


@pytest.mark.parametrize(
    "cell",
    [
        "“李佳琦直播间”",  # curly, as Chinese input methods and Word type them
        '"""李佳琦直播间"""',  # straight quotes kept inside a CSV-quoted cell
        '“李佳琦直播间"',  # mixed, as the command grammar allows
        " ”李佳琦直播间“ ",
    ],
)
def test_quotes_wrapping_a_name_are_dropped_as_the_command_grammar_drops_them(cell: str) -> None:
    [row] = parse_partner_rows(f"name,backups\n{cell},{cell}\n")
    assert row.name == "李佳琦直播间"
    assert row.fields.backups == ("李佳琦直播间",)
    [metrics] = parse_metrics_rows(f"name,period,rue\n{cell},2026-W47,35\n", date(2026, 11, 22))
    assert metrics.name == "李佳琦直播间"


def test_each_backup_in_a_cell_loses_its_wrapping_quotes() -> None:
    [row] = parse_partner_rows('name,backups\nAcme,"“抖音”, ""Beta Co"", 小红书"\n')
    assert row.fields.backups == ("抖音", "Beta Co", "小红书")


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("Acme “Media”", "`Acme “Media”` has a quote inside it"),
        ("“Acme", "`“Acme` has a quote inside it"),
        ('Ac"me', '`Ac"me` has a quote inside it'),
        ('""""', '`""""` has a quote inside it'),
        ("“”", "needs a name"),
    ],
)
def test_a_name_with_a_quote_left_inside_is_refused(cell: str, expected: str) -> None:
    quoted = '"' + cell.replace('"', '""') + '"'
    [(line, reason)] = rejected(f"name\nGood\n{quoted}\n")
    assert line == 3 and expected in reason
    [(line, reason)] = rejected(
        f"name,period,rue\n{quoted},2026-W47,1\n",
        partial(parse_metrics_rows, today=date(2026, 11, 22)),
    )
    assert line == 2 and expected in reason


def test_a_backup_with_a_quote_inside_is_refused() -> None:
    [(line, reason)] = rejected('name,backups\nAcme,"Beta, Ga“mma"\n')
    assert line == 2 and "`Ga“mma` has a quote inside it" in reason


# --- partner rows: bad files ------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("name", "", "needs a name"),
        ("name", "x" * 81, "at most 80 characters"),
        ("category", "influencer", "`influencer` is not a category"),
        ("tier", "gold", "`gold` is not a tier; use one of: strategic, core, standard, trial"),
        ("status", "gone", "`gone` is not a status"),
        ("owner", "maria", "Slack user ID"),
        ("owner", "u012ab3cd", "Slack user ID"),
        ("backups", ", ".join(f"B{i}" for i in range(11)), "at most 10 backups"),
        ("tags", "t" * 41, "A tag is at most 40"),
        ("contacts", "c" * 2001, "Contacts is at most 2000"),
        ("notes", "n" * 2001, "Notes is at most 2000"),
        ("success_cases", "-1", "whole number"),
        ("success_cases", "three", "whole number"),
        ("drop_reason", "r" * 2001, "drop reason is at most 2000"),
    ],
)
def test_each_bad_cell_is_reported_with_its_line(column: str, value: str, expected: str) -> None:
    header = "name,notes" if column == "name" else f"name,{column}"
    bad_row = f'"{value}",a note' if column == "name" else f'Bad,"{value}"'
    text = f"{header}\nGood,\nOther,\n{bad_row}\n"
    problems = rejected(text)
    assert len(problems) == 1
    line, reason = problems[0]
    assert line == 4
    assert expected in reason


def test_all_problems_are_reported_together_in_line_order() -> None:
    text = "name,tier,status,owner\nAcme,gold,active,U1AA\nBeta,core,active,U1AA\n,core,nope,x\n"
    error = rejected(text)
    assert [line for line, _ in error] == [2, 4, 4, 4]
    with pytest.raises(ImportRejected) as info:
        parse_partner_rows(text)
    message = str(info.value)
    assert message.startswith("The file has 4 problems:\n")
    assert "line 2: `gold` is not a tier; use one of:" in message
    assert "line 4: `nope` is not a status" in message


def test_long_lists_of_problems_are_cut_in_the_message_but_kept_in_full() -> None:
    text = "name,tier\n" + "".join(f"P{i},gold\n" for i in range(MAX_SHOWN + 5))
    with pytest.raises(ImportRejected) as info:
        parse_partner_rows(text)
    assert len(info.value.problems) == MAX_SHOWN + 5
    assert str(info.value).endswith("… and 5 more.")


@pytest.mark.parametrize("second", ["acme", "ACME", "Ａｃｍｅ", " Acme "])
def test_duplicate_names_in_one_file_are_rejected(second: str) -> None:
    problems = rejected(f"name\nAcme\nBeta\n{second}\n")
    assert problems == [(4, f"*{second.strip()}* is already on line 2.")]


def test_unknown_columns_are_named() -> None:
    problems = rejected("name,tier,colour,Size\nAcme,core,red,L\n")
    assert len(problems) == 1
    line, reason = problems[0]
    assert line == 1
    assert "`colour`, `size`" in reason
    assert "use: name, category" in reason


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("tier,owner", "needs the column `name`"),
        ("name,tier,Tier", "`tier` appears more than once"),
        ("name,,tier", "Column 2 of the header has no name"),
    ],
)
def test_bad_headers(header: str, expected: str) -> None:
    problems = rejected(f"{header}\nAcme,core,core\n")
    assert problems[0][0] == 1
    assert expected in problems[0][1]


@pytest.mark.parametrize("text", ["", "\n\n", " , \n", "\ufeff"])
def test_empty_file_is_rejected_clearly(text: str) -> None:
    [(line, reason)] = rejected(text)
    assert line == 1
    assert "The file is empty" in reason
    assert "header" in reason


def test_rows_of_the_wrong_width() -> None:
    problems = rejected("name,tier\nAcme,core,extra\nBeta\nGamma,trial\n")
    assert problems == [
        (2, "The row has 3 cells but the header has 2."),
        (3, "The row has 1 cells but the header has 2."),
    ]


# --- export and round trip --------------------------------------------------------


def partner(name: str, **kwargs: object) -> Partner:
    base = Partner(0, "T1", name, Category.OTHER, Tier.STANDARD, Status.PROSPECT, "U1OWNER")
    return Partner(**{**base.__dict__, **kwargs})


def as_fields(p: Partner) -> PartnerFields:
    return PartnerFields(
        name=p.name,
        category=p.category,
        tier=p.tier,
        status=p.status,
        owner=p.owner,
        contacts=p.contacts,
        notes=p.notes,
        drop_reason=p.drop_reason,
        success_cases=p.success_cases,
        tags=p.tags,
        backups=p.backups,
    )


def test_format_writes_header_and_sorted_rows_with_lists_joined() -> None:
    text = format_partners(
        [
            partner("beta", tags=("a", "b"), backups=("Acme",)),
            partner("Acme", notes='said "hi", left', success_cases=3),
        ]
    )
    lines = text.splitlines()
    assert lines[0] == HEADER
    assert lines[1] == 'Acme,other,standard,prospect,U1OWNER,,,,"said ""hi"", left",3,'
    assert lines[2] == 'beta,other,standard,prospect,U1OWNER,Acme,"a, b",,,0,'


def test_round_trip_with_chinese_names_quotes_and_newlines() -> None:
    partners = [
        partner("小红书", category=Category.KOC, tags=("美妆", "直播"), backups=("抖音",)),
        partner("抖音", notes="第一行\n第二行, 有逗号", contacts='"王" <w@x.cn>'),
        partner("Acme", status=Status.DROPPED, drop_reason="left", success_cases=12),
    ]
    rows = parse_partner_rows(format_partners(partners))
    by_key = {name_key(p.name): as_fields(p) for p in partners}
    assert {name_key(r.name): r.fields for r in rows} == by_key


# Names a command can type: no commas (they separate backups) and no quotes (they are syntax).
names = st.text(min_size=1, max_size=30).filter(
    lambda s: s.strip() and not any(ch in s for ch in ',"“”')
)


T = TypeVar("T")


def valid(parse: Callable[[str], T], raw: str) -> T | None:
    try:
        return parse(raw)
    except ValueError:
        return None


clean_names = names.filter(lambda s: valid(clean_name, s) is not None).map(clean_name)
# Any text a field accepts: control characters other than line breaks and tabs are refused.
storable = st.characters(exclude_categories=("Cc", "Cs"), exclude_characters="\ufffd")
texts = st.text(storable | st.sampled_from("\n\t"), max_size=60).map(lambda s: clean_text(s, "x"))
tags = st.lists(st.text(max_size=12), max_size=4).map(
    lambda parts: valid(parse_tags, ",".join(parts)) or ()
)
backups = st.lists(clean_names, max_size=3).map(lambda ns: parse_names(", ".join(ns)))


@st.composite
def partners(draw: st.DrawFn) -> Partner:
    return partner(
        draw(clean_names),
        category=draw(st.sampled_from(Category)),
        tier=draw(st.sampled_from(Tier)),
        status=draw(st.sampled_from(Status)),
        owner=draw(st.from_regex(r"U[A-Z0-9]{8,10}", fullmatch=True)),
        contacts=draw(texts),
        notes=draw(texts),
        drop_reason=draw(texts),
        success_cases=draw(st.integers(0, 1_000_000)),
        tags=draw(tags),
        backups=draw(backups),
    )


@settings(max_examples=150, deadline=None)
@given(st.lists(partners(), max_size=5, unique_by=lambda p: name_key(p.name)))
def test_format_then_parse_is_exact(generated: list[Partner]) -> None:
    rows = parse_partner_rows(format_partners(generated))
    assert [r.fields for r in rows] == [
        as_fields(p) for p in sorted(generated, key=lambda p: name_key(p.name))
    ]


# --- metrics rows -----------------------------------------------------------------

TODAY = date(2026, 11, 22)  # the workspace's date the window of periods is taken around
metrics_rows = partial(parse_metrics_rows, today=TODAY)


def test_metrics_rows_parse_and_skip_empty_cells() -> None:
    text = 'Name,Period,rue,roi,gmv\nAcme,2026-w47,35%,2.1,"120,000"\n小红书,2026-11,,3,\n'
    first, second = metrics_rows(text)
    assert (first.line, first.name, first.period.label) == (2, "Acme", "2026-W47")
    assert first.values == {"rue": 35.0, "roi": 2.1, "gmv": 120000.0}
    assert (second.line, second.name, second.period.label) == (3, "小红书", "2026-11")
    assert second.values == {"roi": 3.0}


def test_metrics_problems_are_collected_with_lines() -> None:
    text = (
        "name,period,rue,traffic\n"
        "Acme,2026-W47,35,100\n"
        "Acme,2026-W99,35,100\n"  # line 3: no such week
        "Beta,2026-W47,,\n"  # line 4: no metric
        "Gamma,2026-W47,140,1.5\n"  # line 5: two bad values
        ",2026-W47,1,1\n"  # line 6: no name
        "acme,2026-w47,1,\n"  # line 7: duplicate of line 2
    )
    problems = rejected(text, metrics_rows)
    assert [line for line, _ in problems] == [3, 4, 5, 5, 6, 7]
    reasons = dict(problems)
    assert "not a real week" in reasons[3]
    assert "no metric" in reasons[4]
    assert "needs a name" in reasons[6]
    assert "already on line 2" in reasons[7]
    assert any("rue (resource utilisation %) must be between 0 and 100" in r for _, r in problems)
    assert any("traffic must be a whole number" in r for _, r in problems)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("name,rue", "needs the column `period`"),
        ("name,period,rue,ctr", "Unknown column `ctr`"),
    ],
)
def test_metrics_bad_headers(header: str, expected: str) -> None:
    problems = rejected(f"{header}\nAcme,2026-W47,1\n", metrics_rows)
    assert problems[0][0] == 1
    assert expected in problems[0][1]
