"""`/partner ...` text into typed requests (design.md "Commands")."""

from datetime import date

import pytest

from bot.command_parser import UserRef
from bot.errors import CommandError, RuleError
from bot.registry.command import (
    AddRequest,
    DropRequest,
    HelpRequest,
    ListRequest,
    MetricsRequest,
    NameRequest,
    SetRequest,
    fields_from_options,
    list_filters,
    parse_partner_command,
)
from bot.registry.ports import ListFilters
from bot.registry.rules import Category, PartnerFields, Status, Tier

# --- help and unknown subcommands -----------------------------------------------------


@pytest.mark.parametrize("text", ["", "   ", "help"])
def test_no_subcommand_or_help_asks_for_help(text: str) -> None:
    assert parse_partner_command(text) == HelpRequest()


def test_help_with_a_topic() -> None:
    assert parse_partner_command("help metrics") == HelpRequest("metrics")


def test_options_without_a_subcommand_are_an_error() -> None:
    with pytest.raises(CommandError, match="subcommand"):
        parse_partner_command("category=KOL")


def test_an_unknown_subcommand_suggests_the_close_one() -> None:
    with pytest.raises(CommandError) as err:
        parse_partner_command("shwo acme")
    message = str(err.value)
    assert "`shwo` is not a `/partner` subcommand" in message
    assert "Did you mean `show`?" in message


def test_an_unknown_subcommand_with_nothing_close_gives_no_suggestion() -> None:
    with pytest.raises(CommandError) as err:
        parse_partner_command("zzzz acme")
    assert "Did you mean" not in str(err.value)
    assert "is not a `/partner` subcommand" in str(err.value)


def test_subcommands_are_case_insensitive() -> None:
    assert parse_partner_command("SHOW Acme") == NameRequest("show", "Acme")


# --- add ------------------------------------------------------------------------------


def test_add_alone_opens_the_modal() -> None:
    assert parse_partner_command("add") == AddRequest(None)


def test_add_joins_unquoted_words_into_the_name() -> None:
    assert parse_partner_command("add Acme Media tier=core") == AddRequest(
        PartnerFields(name="Acme Media", tier=Tier.CORE)
    )


def test_add_reads_a_curly_quoted_name() -> None:
    request = parse_partner_command("add “Acme Media” category=mcn")
    assert request == AddRequest(PartnerFields(name="Acme Media", category=Category.MCN))


def test_add_reads_every_field_option() -> None:
    request = parse_partner_command(
        "add 小红书 category=KOC tier=strategic status=active owner=<@U0ABC|maria> "
        'backups="Acme Media, Beta" tags="Beauty, live" contacts=ann@acme.test '
        'note="met at the fair" cases=3'
    )
    assert request == AddRequest(
        PartnerFields(
            name="小红书",
            category=Category.KOC,
            tier=Tier.STRATEGIC,
            status=Status.ACTIVE,
            owner="U0ABC",
            backups=("Acme Media", "Beta"),
            tags=("beauty", "live"),
            contacts="ann@acme.test",
            notes="met at the fair",
            success_cases=3,
        )
    )


def test_add_with_options_but_no_name_asks_which_partner() -> None:
    with pytest.raises(CommandError, match="Which partner"):
        parse_partner_command("add tier=core")


@pytest.mark.parametrize("owner", ["maria", "@maria", "<#C0ABC|ops>", '"<@U0ABC>"'])
def test_owner_must_be_a_user_mention(owner: str) -> None:
    with pytest.raises(RuleError, match="owner must be a Slack user"):
        parse_partner_command(f"add Acme owner={owner}")


def test_an_unknown_option_suggests_the_close_one() -> None:
    with pytest.raises(RuleError) as err:
        parse_partner_command("add Acme tire=core")
    message = str(err.value)
    assert "`tire` is not a partner field" in message
    assert "Did you mean `tier`?" in message


def test_a_bad_option_value_lists_the_accepted_values() -> None:
    with pytest.raises(RuleError) as err:
        parse_partner_command("add Acme tier=gold")
    for tier in Tier:
        assert tier.value in str(err.value)


def test_a_mention_cannot_be_a_partner_name() -> None:
    with pytest.raises(CommandError, match="cannot be a user or a channel"):
        parse_partner_command("add <@U0ABC|maria>")


# --- name-only subcommands ------------------------------------------------------------


@pytest.mark.parametrize("verb", ["show", "edit", "archive", "restore", "history"])
def test_name_only_subcommands_give_a_name_request(verb: str) -> None:
    assert parse_partner_command(f'{verb} "Acme Media"') == NameRequest(verb, "Acme Media")
    assert parse_partner_command(f"{verb} Acme Media") == NameRequest(verb, "Acme Media")


@pytest.mark.parametrize("verb", ["show", "history", "archive"])
def test_name_only_subcommands_reject_options(verb: str) -> None:
    with pytest.raises(CommandError) as err:
        parse_partner_command(f"{verb} Acme tier=core")
    assert f"`{verb}` takes no options" in str(err.value)
    assert "`tier=`" in str(err.value)


@pytest.mark.parametrize("verb", ["show", "restore"])
def test_name_only_subcommands_need_a_name(verb: str) -> None:
    with pytest.raises(CommandError, match="Which partner"):
        parse_partner_command(verb)


# --- list -----------------------------------------------------------------------------


def test_list_without_filters() -> None:
    assert parse_partner_command("list") == ListRequest(ListFilters())


def test_list_with_filters() -> None:
    request = parse_partner_command(
        "list category=kol tier=Core status=archived owner=<@U0ABC> tag=Beauty"
    )
    assert request == ListRequest(
        ListFilters(
            category=Category.KOL,
            tier=Tier.CORE,
            status=Status.ARCHIVED,
            owner="U0ABC",
            tag="beauty",
        )
    )


def test_list_with_a_name_is_an_error() -> None:
    with pytest.raises(CommandError, match="takes filters, not names"):
        parse_partner_command("list acme")


def test_list_with_an_unknown_filter_suggests_the_close_one() -> None:
    with pytest.raises(RuleError) as err:
        parse_partner_command("list catgory=KOL")
    assert "`catgory` is not a filter" in str(err.value)
    assert "Did you mean `category`?" in str(err.value)


# --- set ------------------------------------------------------------------------------


def test_set_gives_the_name_and_the_fields() -> None:
    assert parse_partner_command('set "Acme Media" tier=core name="Acme Group"') == SetRequest(
        "Acme Media", PartnerFields(name="Acme Group", tier=Tier.CORE)
    )


def test_set_without_options_is_an_error() -> None:
    with pytest.raises(CommandError) as err:
        parse_partner_command('set "Acme Media"')
    assert "Say what to change" in str(err.value)
    assert "tier" in str(err.value)


def test_set_without_a_name_is_an_error() -> None:
    with pytest.raises(CommandError, match="Which partner"):
        parse_partner_command("set tier=core")


# --- drop -----------------------------------------------------------------------------


def test_drop_keeps_the_words_for_the_registry_to_split() -> None:
    assert parse_partner_command('drop "Acme Media" contract ended') == DropRequest(
        ("Acme Media", "contract", "ended")
    )


def test_drop_without_a_reason() -> None:
    assert parse_partner_command("drop Acme") == DropRequest(("Acme",))


def test_drop_accepts_a_reason_option() -> None:
    assert parse_partner_command('drop Acme reason="budget cut"') == DropRequest(
        ("Acme",), "budget cut"
    )


def test_drop_rejects_other_options() -> None:
    with pytest.raises(CommandError, match="`tier=`"):
        parse_partner_command("drop Acme tier=core")


def test_drop_without_a_name_is_an_error() -> None:
    with pytest.raises(CommandError, match="Which partner"):
        parse_partner_command("drop")


# --- metrics --------------------------------------------------------------------------


def test_metrics_reads_values_for_the_current_week() -> None:
    request = parse_partner_command("metrics Acme Media rue=35% roi=2.1 gmv=120,000")
    assert request == MetricsRequest(
        "Acme Media", {"rue": 35.0, "roi": 2.1, "gmv": 120_000.0}, None
    )


def test_metrics_reads_a_period() -> None:
    request = parse_partner_command('metrics "Acme Media" rue=35 period=2026-W47')
    assert isinstance(request, MetricsRequest)
    assert request.values == {"rue": 35.0}
    assert request.period is not None
    assert request.period.label == "2026-W47"
    assert (request.period.start, request.period.end) == (date(2026, 11, 16), date(2026, 11, 22))


def test_metrics_needs_at_least_one_metric() -> None:
    with pytest.raises(CommandError, match="Give the metrics to record"):
        parse_partner_command("metrics Acme period=2026-W47")


def test_metrics_names_an_unknown_metric() -> None:
    with pytest.raises(RuleError) as err:
        parse_partner_command("metrics Acme rue=35 revenue=10")
    assert "`revenue` is not a metric" in str(err.value)


def test_metrics_suggests_a_close_metric() -> None:
    with pytest.raises(RuleError, match="Did you mean `traffic`"):
        parse_partner_command("metrics Acme trafic=10")


def test_metrics_rejects_a_value_out_of_range() -> None:
    with pytest.raises(RuleError, match="rue"):
        parse_partner_command("metrics Acme rue=101")


def test_metrics_rejects_a_period_that_does_not_exist() -> None:
    with pytest.raises(RuleError, match="2025-W53"):
        parse_partner_command("metrics Acme rue=35 period=2025-W53")


# --- fields_from_options and list_filters directly ------------------------------------


def test_fields_from_options_accepts_notes_as_note() -> None:
    fields = fields_from_options({"notes": "hello"}, ("note",))
    assert fields == PartnerFields(notes="hello")


def test_fields_from_options_rejects_an_option_not_accepted_here() -> None:
    with pytest.raises(RuleError, match="`name` is not a partner field"):
        fields_from_options({"name": "Acme"}, ("tier",))


def test_fields_from_options_owner_from_a_user_ref() -> None:
    assert fields_from_options({"owner": UserRef("U9", "ann")}, ("owner",)) == PartnerFields(
        owner="U9"
    )


def test_list_filters_accepts_tags_as_tag() -> None:
    assert list_filters({"tags": "Live"}) == ListFilters(tag="live")


def test_list_filters_refuse_several_tags_rather_than_drop_some() -> None:
    with pytest.raises(RuleError, match="one tag at a time"):
        list_filters({"tag": "live, beauty"})


def test_list_filters_ignores_an_empty_tag() -> None:
    assert list_filters({"tag": ""}) == ListFilters(tag=None)
