"""Configuration from the environment and an optional `.env` file."""

from __future__ import annotations

import re
from typing import Annotated
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.failover.content import Language

SLACK_API_DEFAULT = "https://slack.com/api/"
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")

# How to fix each setting, said in the one line a misconfigured start prints.
HOW_TO_FIX = {
    "SLACK_BOT_TOKEN": "set it to the Bot User OAuth Token (xoxb-...) from the app's "
    "OAuth & Permissions page",
    "SLACK_SIGNING_SECRET": "set it to the Signing Secret from the app's Basic Information page",
    "SLACK_APP_TOKEN": "set it to an app-level token (xapp-...) with connections:write, "
    "or unset it to serve HTTP",
    "SLACK_API_URL": "set it to an http(s) URL such as https://slack.com/api/",
    "DATABASE_URL": "use sqlite:///path/to/partnerbot.db or "
    "postgresql://user:password@host:5432/database",
    "DATABASE_POOL_SIZE": "give the most PostgreSQL connections one process opens, 1 to 100",
    "DATABASE_STATEMENT_CACHE_SIZE": "give a number of prepared statements to keep per "
    "connection, 0 behind PgBouncer in transaction mode",
    "PARTNERBOT_ADMINS": "give Slack user IDs separated by commas, e.g. U012AB3CD,U045EF6GH",
    "PARTNERBOT_TIMEZONE": "give an IANA time zone name such as UTC or Asia/Shanghai",
    "PORT": "give a TCP port number between 0 and 65535",
    "PARTNERBOT_DIGEST_GRACE_MINUTES": "give the minutes a missed digest may be late and still "
    "be posted, 0 to 10080",
    "PARTNERBOT_LANGUAGE": "use en (English) or zh (Simplified Chinese)",
}


class ConfigError(Exception):
    """A setting is missing or malformed; str() is one line naming it and the fix."""


class Settings(BaseSettings):
    """Every setting partnerbot reads, validated at start."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        case_sensitive=False,
        populate_by_name=True,
    )

    slack_bot_token: str = Field(default="", validation_alias="SLACK_BOT_TOKEN")
    slack_signing_secret: str = Field(default="", validation_alias="SLACK_SIGNING_SECRET")
    slack_app_token: str | None = Field(default=None, validation_alias="SLACK_APP_TOKEN")
    slack_api_url: str = Field(default=SLACK_API_DEFAULT, validation_alias="SLACK_API_URL")
    database_url: str = Field(default="sqlite:///./partnerbot.db", validation_alias="DATABASE_URL")
    database_pool_size: int = Field(default=10, ge=1, le=100, validation_alias="DATABASE_POOL_SIZE")
    database_statement_cache_size: int = Field(
        default=100, ge=0, le=10_000, validation_alias="DATABASE_STATEMENT_CACHE_SIZE"
    )
    admins: Annotated[frozenset[str], NoDecode] = Field(
        default=frozenset(), validation_alias="PARTNERBOT_ADMINS"
    )
    timezone: str = Field(default="UTC", validation_alias="PARTNERBOT_TIMEZONE")
    port: int = Field(default=3000, ge=0, le=65535, validation_alias="PORT")
    digest_grace_minutes: int = Field(
        default=60, ge=0, le=7 * 24 * 60, validation_alias="PARTNERBOT_DIGEST_GRACE_MINUTES"
    )
    # The language of the messages partnerbot drafts for a workspace's users (failover step 3).
    language: Language = Field(default=Language.EN, validation_alias="PARTNERBOT_LANGUAGE")

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token(cls, value: str) -> str:
        if value and not value.startswith("xoxb-"):
            raise ValueError("must start with xoxb-")
        return value

    @field_validator("slack_app_token")
    @classmethod
    def _app_token(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        assert value is not None
        if not value.startswith("xapp-"):
            raise ValueError("must start with xapp-")
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        if not re.match(r"^https?://[^\s/]+", value):
            raise ValueError("must be an http(s) URL")
        return value if value.endswith("/") else value + "/"

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        return check_database_url(value)

    @field_validator("admins", mode="before")
    @classmethod
    def _admins(cls, value: object) -> frozenset[str]:
        if isinstance(value, str):
            ids = [part.strip() for part in value.split(",") if part.strip()]
        elif isinstance(value, (list, tuple, set, frozenset)):
            ids = [str(part) for part in value]
        else:
            raise ValueError("must be a list of user IDs")
        bad = [i for i in ids if not _USER_ID.match(i)]
        if bad:
            raise ValueError(f"{bad[0]!r} is not a Slack user ID")
        return frozenset(ids)

    @field_validator("language", mode="before")
    @classmethod
    def _language(cls, value: object) -> object:
        text = str(value).strip().casefold()
        if text not in {lang.value for lang in Language}:
            raise ValueError(f"unknown language {str(value)!r}")
        return text

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as err:
            raise ValueError(f"unknown time zone {value!r}") from err
        return value

    @property
    def zone(self) -> ZoneInfo:
        """The workspace time zone as a tzinfo."""
        return ZoneInfo(self.timezone)

    @property
    def sqlite_path(self) -> str:
        """The SQLite file named by DATABASE_URL."""
        return self.database_url.removeprefix("sqlite:///")

    @property
    def socket_mode(self) -> bool:
        """Socket Mode when an app-level token is configured, HTTP otherwise."""
        return self.slack_app_token is not None


def check_database_url(value: str) -> str:
    """A database URL partnerbot can open, or ValueError saying what is wrong with it."""
    if value.startswith(("postgresql://", "postgres://")):
        return _postgres_url(value)
    if not value.startswith("sqlite:///") or len(value) == len("sqlite:///"):
        raise ValueError("unsupported database URL")
    if value.endswith(":memory:"):
        raise ValueError("an in-memory database would lose everything at exit")
    return value


def _postgres_url(value: str) -> str:
    """A PostgreSQL URL that names a host (in the authority or as ?host=) and a valid port."""
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
        query = parse_qs(parts.query, strict_parsing=bool(parts.query))
    except ValueError as err:
        raise ValueError(f"not a PostgreSQL URL: {err}") from None
    if not parts.hostname and "host" not in query:
        raise ValueError("a postgresql:// URL needs a host")
    return value


def load_settings(*, need_slack: bool = True, **overrides: object) -> Settings:
    """Read and validate the settings, raising ConfigError with a one-line message.

    need_slack: the Slack credentials must be there too (to run the bot, not to migrate).
    """
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as err:
        first = err.errors()[0]
        raise ConfigError(_describe(first)) from None
    if not need_slack:
        return settings
    if not settings.slack_bot_token:
        raise ConfigError(
            f"SLACK_BOT_TOKEN is missing: {HOW_TO_FIX['SLACK_BOT_TOKEN']}, "
            "in the environment or in .env."
        )
    if not settings.socket_mode and not settings.slack_signing_secret:
        raise ConfigError(
            "SLACK_SIGNING_SECRET is missing (needed to serve HTTP): "
            + HOW_TO_FIX["SLACK_SIGNING_SECRET"]
            + ", in the environment or in .env."
        )
    return settings


def _describe(error: object) -> str:
    info = error if isinstance(error, dict) else {}
    loc = info.get("loc", ("?",))
    name = str(loc[0]).upper() if loc else "?"
    fix = HOW_TO_FIX.get(name, "check its value")
    if info.get("type") == "missing":
        return f"{name} is missing: {fix}, in the environment or in .env."
    reason = str(info.get("msg", "is malformed")).removeprefix("Value error, ")
    return f"{name} is malformed ({reason}): {fix}."
