"""Which engine a database URL names, and the error of a database that cannot be opened:
what open_store needs before it imports either engine's driver."""

from __future__ import annotations

SQLITE_PREFIX = "sqlite:///"
POSTGRES_PREFIXES = ("postgresql://", "postgres://")


class StoreUnreachable(Exception):
    """The database named by the URL could not be opened; str() says why and how to fix it,
    without the URL's password."""
