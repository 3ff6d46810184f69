"""Queries on one connection, composed of each feature's: `storage/tx/<feature>.py` runs the
named queries of `storage/queries/<feature>.sql`."""

from __future__ import annotations

from storage.tx.alerts import AlertsQueries
from storage.tx.base import from_utc_text, utc_text
from storage.tx.claims import ClaimsQueries
from storage.tx.digest import DigestQueries
from storage.tx.failover import FailoverQueries
from storage.tx.health import HealthQueries
from storage.tx.health_card import HealthCardQueries
from storage.tx.home import HomeQueries
from storage.tx.imports import ImportsQueries
from storage.tx.partner_imports import PartnerImportsQueries
from storage.tx.registry import RegistryQueries
from storage.tx.registry_card import CardQueries
from storage.tx.scoring import ScoringQueries
from storage.tx.scoring_card import ScoreCardQueries
from storage.tx.settings import SettingsQueries
from storage.tx.versions import VersionQueries

__all__ = ["Tx", "from_utc_text", "utc_text"]


class Tx(
    CardQueries,
    ScoreCardQueries,
    RegistryQueries,
    HealthQueries,
    HealthCardQueries,
    ScoringQueries,
    SettingsQueries,
    ClaimsQueries,
    AlertsQueries,
    HomeQueries,
    DigestQueries,
    FailoverQueries,
    ImportsQueries,
    PartnerImportsQueries,
    VersionQueries,
):
    """Every feature's queries on one connection; inside `Store.write()` one transaction."""
