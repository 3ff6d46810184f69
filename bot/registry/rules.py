"""The partner registry's rules (domain.md §1): fields, their values, names, audit diffs.

Pure: no I/O. The use cases in `bot.partners` apply these rules against a store.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from functools import lru_cache
from typing import TYPE_CHECKING, Any, TypeVar

from bot.errors import RuleError
from bot.numbers import parse_number, quoted
from bot.text_checks import is_undecodable, refused_character, text_refusal

if TYPE_CHECKING:  # bot.access reads Partner from here
    from bot.access import Actor

E = TypeVar("E", bound=StrEnum)


class Category(StrEnum):
    KOL = "KOL"
    KOC = "KOC"
    MCN = "MCN"
    BRAND = "brand"
    CHANNEL = "channel"
    SUPPLIER = "supplier"
    MEDIA = "media"
    OTHER = "other"


class Tier(StrEnum):
    STRATEGIC = "strategic"
    CORE = "core"
    STANDARD = "standard"
    TRIAL = "trial"


class Status(StrEnum):
    PROSPECT = "prospect"
    ACTIVE = "active"
    PAUSED = "paused"
    DROPPED = "dropped"
    ARCHIVED = "archived"


# Statuses a `restore` brings a partner back from.
RETIRED = frozenset({Status.DROPPED, Status.ARCHIVED})

MAX_NAME = 80
MAX_TAG = 40
MAX_TAGS = 20
MAX_TEXT = 2000
MAX_BACKUPS = 10


@dataclass(frozen=True)
class Partner:
    """A partner as the registry holds it."""

    id: int
    team_id: str
    name: str
    category: Category
    tier: Tier
    status: Status
    owner: str
    contacts: str = ""
    notes: str = ""
    drop_reason: str = ""
    success_cases: int = 0
    tags: tuple[str, ...] = ()
    backups: tuple[str, ...] = ()  # backup partners' names, in the order given
    created_at: datetime | None = None  # None until stored
    updated_at: datetime | None = None


@dataclass(frozen=True)
class PartnerFields:
    """The editable fields of a partner; None means "not given, keep as is"."""

    name: str | None = None
    category: Category | None = None
    tier: Tier | None = None
    status: Status | None = None
    owner: str | None = None
    contacts: str | None = None
    notes: str | None = None
    drop_reason: str | None = None
    success_cases: int | None = None
    tags: tuple[str, ...] | None = None
    backups: tuple[str, ...] | None = None

    def given(self) -> dict[str, Any]:
        """The fields that were given, by name."""
        return {k: v for k, v in self.__dict__.items() if v is not None}


# Defaults of a new partner where the adder gives nothing.
NEW_PARTNER_DEFAULTS = PartnerFields(
    category=Category.OTHER,
    tier=Tier.STANDARD,
    status=Status.PROSPECT,
    contacts="",
    notes="",
    drop_reason="",
    success_cases=0,
    tags=(),
    backups=(),
)

# The order fields are shown and audited in.
FIELD_ORDER = (
    "name",
    "category",
    "tier",
    "status",
    "owner",
    "backups",
    "tags",
    "contacts",
    "notes",
    "success_cases",
    "drop_reason",
)


# Fields and metrics as people read them; the audit trail keeps the keys.
FIELD_LABELS = {"success_cases": "success cases", "drop_reason": "drop reason"}
METRIC_LABELS = {"rue": "RUE", "roi": "ROI", "gmv": "GMV", "aov": "AOV"}


def field_label(field: str) -> str:
    """An audited field as people read it: `success_cases` is "success cases", and a
    metric's `gmv@2026-W48` is "GMV for 2026-W48"."""
    metric, at, period = field.partition("@")
    if at:
        return f"{METRIC_LABELS.get(metric, metric)} for {period}"
    return FIELD_LABELS.get(field, field.replace("_", " "))


@dataclass(frozen=True)
class FieldChange:
    """One audited change of one field."""

    field: str
    before: str
    after: str


@dataclass
class Diff:
    """What an edit changes, as audit rows."""

    changes: list[FieldChange] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.changes)


def name_key(name: str) -> str:
    """The key names are compared by: case-insensitive in any script, width-folded."""
    return unicodedata.normalize("NFKC", name).casefold().strip()


def clean_name(raw: str) -> str:
    """Validate a partner name and return it with surrounding space removed."""
    name = " ".join(raw.split())
    if not name:
        raise RuleError("A partner needs a name.")
    if len(name) > MAX_NAME:
        raise RuleError(f"A name is at most {MAX_NAME} characters; this one has {len(name)}.")
    # Checked before spaces collapse: a control character that counts as a space is no space.
    refused = refused_character(raw)
    if refused is not None and is_undecodable(refused):
        raise RuleError(text_refusal("A name", raw))
    # ASCII holds no Cf character: only other names are looked at a character at a time.
    if refused is not None or (
        not name.isascii() and any(unicodedata.category(ch) == "Cf" for ch in name)
    ):
        # Cf: zero-width and direction marks, which would make look-alike names unique.
        raise RuleError("A name cannot contain control or invisible formatting characters.")
    if "," in name:
        raise RuleError("A name cannot contain a comma (commas separate backup names).")
    return name


def parse_choice(enum: type[E], raw: str, label: str) -> E:
    """Match raw against an enum's values case-insensitively, or say what is accepted."""
    if refusal := text_refusal(f"The {label}", raw):
        raise RuleError(refusal)
    wanted = raw.strip().casefold()
    for member in enum:
        if member.value.casefold() == wanted:
            return member
    accepted = ", ".join(m.value for m in enum)
    raise RuleError(f"`{raw}` is not a {label}; use one of: {accepted}.")


def parse_tags(raw: str) -> tuple[str, ...]:
    """Tags from "a, b,c": trimmed, lower-cased, de-duplicated, order kept."""
    if refusal := text_refusal("A tag", raw):
        raise RuleError(refusal)
    tags: list[str] = []
    for part in raw.split(","):
        tag = " ".join(part.split()).casefold()
        if not tag:
            continue
        if len(tag) > MAX_TAG:
            raise RuleError(f"A tag is at most {MAX_TAG} characters: `{tag[:MAX_TAG]}…`.")
        if tag not in tags:
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise RuleError(f"A partner has at most {MAX_TAGS} tags.")
    return tuple(tags)


def parse_names(raw: str) -> tuple[str, ...]:
    """Backup names from "A, B": trimmed, de-duplicated by name key, order kept."""
    names: list[str] = []
    keys: set[str] = set()
    for part in raw.split(","):
        if not part.strip():
            continue
        name = clean_name(part)
        if name_key(name) not in keys:
            keys.add(name_key(name))
            names.append(name)
    if len(names) > MAX_BACKUPS:
        raise RuleError(f"A partner has at most {MAX_BACKUPS} backups.")
    return tuple(names)


def parse_count(raw: str, label: str) -> int:
    """A non-negative whole number, in the form every number is typed (bot.numbers)."""
    if refusal := text_refusal(f"The value of {label}", raw):
        raise RuleError(refusal)
    what = "a whole number of 0 or more"
    value = parse_number(raw, label, what, whole=True)
    if value < 0:
        raise RuleError(f"{label} must be {what}, not {quoted(raw)}.")
    if value > 1_000_000:
        raise RuleError(f"{label} must be at most 1,000,000.")
    return int(value)


def clean_text(raw: str, label: str) -> str:
    """Free text (contacts, notes, a reason), within its length: line breaks and tabs are
    kept (a Windows line break becomes one), other control characters refused."""
    text = raw.replace("\r\n", "\n").strip()
    if refusal := text_refusal(label, text):
        raise RuleError(refusal)
    if len(text) > MAX_TEXT:
        raise RuleError(f"{label} is at most {MAX_TEXT} characters; this has {len(text)}.")
    return text


def closest_names(wanted: str, names: list[str], limit: int = 3) -> list[str]:
    """The registry names closest to a name that was not found."""
    by_key = {name_key(n): n for n in names}
    wanted_key = name_key(wanted)
    hits = difflib.get_close_matches(wanted_key, list(by_key), n=limit, cutoff=0.5)
    contains = [k for k in by_key if wanted_key and wanted_key in k and k not in hits]
    return [by_key[k] for k in (hits + contains)[:limit]]


def apply(partner: Partner, fields: PartnerFields) -> tuple[Partner, Diff]:
    """The partner after an edit, and the audit rows of what it changes."""
    given = fields.given()
    if given.get("status", partner.status) != Status.DROPPED and "drop_reason" not in given:
        given["drop_reason"] = ""  # a reason belongs to a drop; it goes when the drop does
    after = replace(partner, **given)
    diff = Diff()
    for name in FIELD_ORDER:
        if name not in given:
            continue
        old, new = render_field(getattr(partner, name)), render_field(getattr(after, name))
        if old != new:
            diff.changes.append(FieldChange(name, old, new))
    return after, diff


def typed_name(name: str) -> str:
    """A name as it is typed in a command: quoted when it has spaces."""
    return f'"{name}"' if " " in name else name


def check_takes_metrics(partner: Partner) -> None:
    """An archived partner takes no metrics until it is restored. A dropped one does: its
    figures still measure what losing it cost (the failover drill's GMV impact)."""
    if partner.status == Status.ARCHIVED:
        raise RuleError(
            f"*{partner.name}* is archived, so it takes no new metrics. Restore it first with "
            f"`/partner restore {typed_name(partner.name)}`, then record them."
        )


def creation_diff(partner: Partner) -> Diff:
    """Audit rows for a new partner: every non-empty field, from nothing."""
    diff = Diff()
    for name in FIELD_ORDER:
        value = render_field(getattr(partner, name))
        if value not in ("", "0"):
            shared = name in _FEW_VALUES
            diff.changes.append(
                _from_nothing(name, value) if shared else FieldChange(name, "", value)
            )
    return diff


# Fields whose values repeat across partners (not names or free text): their creation
# changes are shared, immutable objects (an import of 10,000 partners makes 40,000 fewer).
_FEW_VALUES = frozenset({"category", "tier", "status", "owner", "tags", "success_cases"})


@lru_cache(maxsize=1024)
def _from_nothing(field: str, value: str) -> FieldChange:
    return FieldChange(field, "", value)


def render_field(value: object) -> str:
    """A field value as text, the way the audit trail and CSV keep it."""
    if type(value) is str:  # the most common, first: an import renders 100,000 of them
        return value
    if isinstance(value, tuple):
        return ", ".join(str(v) for v in value)
    if isinstance(value, StrEnum):
        return value.value
    return "" if value is None else str(value)


# How each field is read from text, the same in a command, a form and a CSV cell.
FIELD_PARSERS: dict[str, Callable[[str], object]] = {
    "name": clean_name,
    "category": lambda raw: parse_choice(Category, raw, "category"),
    "tier": lambda raw: parse_choice(Tier, raw, "tier"),
    "status": lambda raw: parse_choice(Status, raw, "status"),
    "backups": parse_names,
    "tags": parse_tags,
    "contacts": lambda raw: clean_text(raw, "Contacts"),
    "notes": lambda raw: clean_text(raw, "Notes"),
    "drop_reason": lambda raw: clean_text(raw, "The drop reason"),
    "success_cases": lambda raw: parse_count(raw, "cases"),
}


def parse_field(field: str, raw: str) -> Any:
    """A partner field's value from text, validated (a RuleError says what is wrong)."""
    return FIELD_PARSERS[field](raw)


V = TypeVar("V")


def new_partner(
    team_id: str, actor: Actor, fields: PartnerFields, *, backups: bool = True
) -> Partner:
    """A partner not stored yet (id 0): the registry's defaults for what is not given, the
    actor owning it unless an owner is; its backups as given (resolved by the caller), or
    none when backups is False (an import sets them in a second pass)."""
    if fields.name is None:
        raise RuleError("A partner needs a name.")
    # Field by field rather than merged dicts: an import makes 10,000 of these.
    d = NEW_PARTNER_DEFAULTS
    return Partner(
        id=0,
        team_id=team_id,
        name=fields.name,
        category=_given(fields.category, d.category),
        tier=_given(fields.tier, d.tier),
        status=_given(fields.status, d.status),
        owner=fields.owner or actor.user_id,
        contacts=fields.contacts or "",
        notes=fields.notes or "",
        drop_reason=fields.drop_reason or "",
        success_cases=fields.success_cases or 0,
        tags=fields.tags or (),
        backups=(fields.backups or ()) if backups else (),
    )


def _given(value: V | None, default: V | None) -> V:
    chosen = default if value is None else value
    if chosen is None:
        raise ValueError("a new partner's default is missing")
    return chosen
