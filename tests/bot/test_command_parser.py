import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.command_parser import ChannelRef, ParsedCommand, UserRef, Value, parse_command
from bot.errors import CommandError


def words(text: str) -> tuple[Value, ...]:
    return parse_command(text).words


def options(text: str) -> dict[str, Value]:
    return parse_command(text).options


# --- words and whitespace ---------------------------------------------------------


@pytest.mark.parametrize("text", ["", " ", "\t\n", "\u3000\u00a0"])
def test_empty_text(text: str) -> None:
    assert parse_command(text) == ParsedCommand((), {})


def test_plain_words() -> None:
    assert words("show acme") == ("show", "acme")


@pytest.mark.parametrize(
    "text",
    ["  show   acme  ", "show\tacme", "show\nacme\n", "show\u00a0acme", "show\u3000acme"],
)
def test_any_whitespace_separates(text: str) -> None:
    assert words(text) == ("show", "acme")


# --- quotes -----------------------------------------------------------------------


def test_straight_quotes() -> None:
    assert words('show "Acme Media" now') == ("show", "Acme Media", "now")


def test_curly_quotes() -> None:
    assert words("show “Acme Media” now") == ("show", "Acme Media", "now")


@pytest.mark.parametrize("text", ['“Acme Media"', '"Acme Media”', "”Acme Media“"])
def test_mixed_quotes(text: str) -> None:
    assert words(text) == ("Acme Media",)


def test_quotes_keep_inner_whitespace() -> None:
    assert words('"  two\tspaces "') == ("  two\tspaces ",)


def test_empty_quotes_are_an_empty_word() -> None:
    assert words('add "" x') == ("add", "", "x")
    assert words("“”") == ("",)


def test_quoted_parts_join_adjacent_text() -> None:
    assert words('a"b c"d e') == ("ab cd", "e")
    assert words('"Acme"" Media"') == ("Acme Media",)


def test_apostrophes_are_not_quotes() -> None:
    assert words("show O'Reilly Tim’s") == ("show", "O'Reilly", "Tim’s")
    assert words("'a b'") == ("'a", "b'")


def test_unclosed_quote() -> None:
    with pytest.raises(CommandError) as err:
        parse_command("show “Acme Media")
    assert str(err.value) == "A quote is not closed: `“Acme Media`"


def test_unclosed_quote_fragment_is_short_and_one_line() -> None:
    with pytest.raises(CommandError) as err:
        parse_command('x "' + "long\n" * 40)
    message = str(err.value)
    assert message.startswith('A quote is not closed: `"long long')
    assert "\n" not in message
    assert len(message) < 100


# --- options ----------------------------------------------------------------------


def test_options() -> None:
    parsed = parse_command("set acme tier=core owner=<@U0ABC|maria>")
    assert parsed.words == ("set", "acme")
    assert parsed.options == {"tier": "core", "owner": UserRef("U0ABC", "maria")}


def test_option_order_is_kept() -> None:
    assert list(options("z=1 a=2 m=3")) == ["z", "a", "m"]


def test_quoted_option_values() -> None:
    assert options('backups="A, B" note=“two words”') == {
        "backups": "A, B",
        "note": "two words",
    }


def test_option_value_keeps_further_equals() -> None:
    assert options("expr=a=b") == {"expr": "a=b"}


def test_empty_option_value_clears() -> None:
    assert options('note= other=""') == {"note": "", "other": ""}


def test_option_keys_are_case_folded_values_are_not() -> None:
    assert options("Tier=Core NOTE=MiXeD") == {"tier": "Core", "note": "MiXeD"}


@pytest.mark.parametrize("text", ["tier=a tier=b", "tier=a TIER=b", 'Tier="a" tier='])
def test_duplicate_option(text: str) -> None:
    with pytest.raises(CommandError) as err:
        parse_command(text)
    assert str(err.value) == "The option `tier` is given twice."


def test_valid_key_characters() -> None:
    assert options("a_b-9=1 x=2") == {"a_b-9": "1", "x": "2"}


@pytest.mark.parametrize("token", ["9a=1", "a.b=1", "-x=1", "é=1", "<@U1>=x"])
def test_invalid_keys_are_words(token: str) -> None:
    assert parse_command(token) == ParsedCommand((token,), {})


def test_quoted_key_is_a_word() -> None:
    assert parse_command('"a=b" "x y"=z') == ParsedCommand(("a=b", "x y=z"), {})


@pytest.mark.parametrize("text", ["=x", "a =x", "=", '="x"'])
def test_option_without_name(text: str) -> None:
    with pytest.raises(CommandError, match="An option needs a name before `=`: `="):
        parse_command(text)


def test_option_without_name_message() -> None:
    with pytest.raises(CommandError) as err:
        parse_command("set =x")
    assert str(err.value) == "An option needs a name before `=`: `=x`"


# --- Slack escaping ---------------------------------------------------------------


def test_users() -> None:
    assert words("<@U0ABC|maria> <@U0ABC> <@W0XYZ9|bob>") == (
        UserRef("U0ABC", "maria"),
        UserRef("U0ABC"),
        UserRef("W0XYZ9", "bob"),
    )


def test_user_without_name_has_none() -> None:
    assert words("<@U0ABC>")[0] == UserRef("U0ABC", None)


def test_channels() -> None:
    assert words("<#C0ABC|ops> <#C0ABC>") == (ChannelRef("C0ABC", "ops"), ChannelRef("C0ABC"))
    assert options("channel=<#C0ABC|ops>") == {"channel": ChannelRef("C0ABC", "ops")}


def test_mention_inside_a_token_is_text() -> None:
    assert words("x<@U1> <#C1>, <@U1>=") == ("x<@U1>", "<#C1>,", "<@U1>=")


def test_malformed_mentions_are_text() -> None:
    assert words("<@u1> <@X1|x> <#D1>") == ("<@u1>", "<@X1|x>", "<#D1>")


def test_quoted_mention_is_text() -> None:
    assert words('"<@U1>" "<!channel> &amp; <@U1>"') == ("<@U1>", "<!channel> & <@U1>")
    assert options("owner=“<@U1|maria>”") == {"owner": "<@U1|maria>"}


@pytest.mark.parametrize("form", ["<!channel>", "<!here>", "<!subteam^S1|@team>"])
def test_broadcasts_stay_literal(form: str) -> None:
    assert words(f"ping {form}") == ("ping", form)


def test_links_become_what_the_user_typed() -> None:
    assert words("<https://x.y|label> <https://x.y/?a=1&amp;b=2> <mailto:a@b|a@b>") == (
        "label",
        "https://x.y/?a=1&b=2",
        "a@b",
    )
    assert options("site=<http://acme.com|acme.com>") == {"site": "acme.com"}


def test_link_label_with_spaces_stays_one_token() -> None:
    assert words("<https://x.y|Acme Media> next") == ("Acme Media", "next")


def test_entities_are_unescaped() -> None:
    assert words("R&amp;D a&lt;b&gt;c") == ("R&D", "a<b>c")
    assert words('"&lt;tag&gt;"') == ("<tag>",)
    assert options("note=&lt;x&gt;") == {"note": "<x>"}


def test_escaped_entity_stays_literal() -> None:
    assert words("&amp;lt; &amp;amp;") == ("&lt;", "&amp;")


def test_unknown_entities_untouched() -> None:
    assert words("&quot; &#39;") == ("&quot;", "&#39;")


# --- unicode ----------------------------------------------------------------------


def test_chinese_name() -> None:
    assert parse_command("show “星河传媒” tier=core") == ParsedCommand(
        ("show", "星河传媒"), {"tier": "core"}
    )
    assert options("名字=x") == {}


def test_emoji() -> None:
    assert parse_command('add "🚀 Rocket Co" note=🎉') == ParsedCommand(
        ("add", "🚀 Rocket Co"), {"note": "🎉"}
    )


def test_values_are_not_case_folded() -> None:
    assert words("ÉCOLE Straße") == ("ÉCOLE", "Straße")


# --- properties -------------------------------------------------------------------

_SPICY = st.sampled_from(list(" \t\n\u3000=<>@#!|\"“”'&;amplgtUWC0_-:/x星🎉"))
_ANY_TEXT = st.text(st.one_of(_SPICY, st.characters()), max_size=60)
# Control characters (line breaks and tabs aside) and U+FFFD are refused: see below.
_QUOTE_FREE = st.text(
    st.characters(exclude_characters='"“”\ufffd', exclude_categories=("Cc", "Cs"))
    | st.sampled_from("\n\t"),
    max_size=20,
)
_KEYS = st.from_regex(r"[A-Za-z][A-Za-z0-9_-]{0,8}", fullmatch=True)


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _outcome(text: str) -> ParsedCommand | type[CommandError]:
    try:
        return parse_command(text)
    except CommandError:
        return CommandError


@settings(max_examples=300, deadline=None)
@given(_ANY_TEXT)
def test_never_raises_anything_but_command_error(text: str) -> None:
    try:
        parsed = parse_command(text)
    except CommandError as err:
        assert str(err)
    else:
        assert isinstance(parsed, ParsedCommand)
        assert all(isinstance(w, str | UserRef | ChannelRef) for w in parsed.words)
        assert all(key == key.lower() for key in parsed.options)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(_QUOTE_FREE, max_size=5),
    st.dictionaries(_KEYS.map(str.lower), _QUOTE_FREE, max_size=4),
    st.sampled_from([" ", "  ", "\t", "\n", "\u3000"]),
)
def test_round_trip(ws: list[str], opts: dict[str, str], sep: str) -> None:
    parts = [f'"{_slack_escape(w)}"' for w in ws]
    parts += [f'{k}="{_slack_escape(v)}"' for k, v in opts.items()]
    assert parse_command(sep.join(parts)) == ParsedCommand(tuple(ws), dict(opts))


@settings(max_examples=300, deadline=None)
@given(_ANY_TEXT, st.lists(st.sampled_from("“”"), min_size=1))
def test_curly_and_straight_quotes_agree(text: str, curly: list[str]) -> None:
    replacements = itertools.cycle(curly)
    curlied = "".join(next(replacements) if ch == '"' else ch for ch in text)
    assert _outcome(curlied) == _outcome(text)


# --- what no command may hold ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ('add Acme note="a\x00b"', "The option `note`"),
        ("set Acme Contacts=ann\x07", "The option `contacts`"),
        ('set Acme tags="a"\x1b', "The option `tags`"),
        ('add "Ac\x00me"', '`"Ac\ufffdme"`'),
        ("show Ac\x00me", "`Ac\ufffdme`"),
        ("show <@U1|ma\x00ria>", "`<@U1|ma\ufffdria>`"),
        ("no\x00te=x", "`no\ufffdte=x`"),
        ("show Acme\x1fMedia", "The command"),
        ("show\rAcme", "The command"),
    ],
)
def test_a_control_character_is_refused_naming_where_it_is(text: str, named: str) -> None:
    with pytest.raises(CommandError) as err:
        parse_command(text)
    message = str(err.value)
    assert message.startswith(f"{named} cannot hold a control character (U+")
    assert "\x00" not in message


@pytest.mark.parametrize(
    ("text", "named"),
    [("add Acme note=caf\ufffd", "The option `note`"), ("show \udcffAcme", "`\ufffdAcme`")],
)
def test_undecodable_input_is_refused_naming_where_it_is(text: str, named: str) -> None:
    with pytest.raises(CommandError) as err:
        parse_command(text)
    assert str(err.value).startswith(f"{named} cannot hold bytes that are not valid UTF-8")


def test_line_breaks_and_tabs_inside_quotes_are_kept() -> None:
    assert options('add Acme note="one\ntwo\tthree"') == {"note": "one\ntwo\tthree"}


def test_an_unclosed_quote_does_not_quote_a_control_character_back() -> None:
    with pytest.raises(CommandError) as err:
        parse_command('show "Ac\x00me')
    assert str(err.value) == 'A quote is not closed: `"Ac\ufffdme`'


_REFUSED = st.sampled_from(["\x00", "\x01", "\x1b", "\x7f", "\x85", "\ufffd", "\ud800", "\r"])


@settings(max_examples=300, deadline=None)
@given(_ANY_TEXT, _REFUSED, _ANY_TEXT)
def test_text_holding_a_refused_character_never_parses(
    before: str, refused: str, after: str
) -> None:
    with pytest.raises(CommandError) as err:
        parse_command(before + refused + after)
    assert "\x00" not in str(err.value) and "\ud800" not in str(err.value)
