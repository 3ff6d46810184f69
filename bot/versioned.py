"""Values kept in one process, each under the workspace's report version it was computed at
(storage/tx/versions.py: the database bumps it in the same transaction as every write that
changes what the reports and the commands' answers show), so several replicas on one
database each stay right: a caller reads the database's version in the same statement as
the data, and takes a kept value only when that version is the one it was kept under."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


@dataclass(frozen=True)
class Known(Generic[V]):
    version: int
    value: V


class VersionedValues(Generic[K, V]):
    """Values by key, each with its version; at most `bound` keys, least recently used
    dropped first."""

    def __init__(self, bound: int) -> None:
        self.bound = bound
        self._kept: OrderedDict[K, Known[V]] = OrderedDict()

    def known(self, key: K) -> Known[V] | None:
        """The value last kept for key, with its version (None: none kept)."""
        known = self._kept.get(key)
        if known is not None:
            self._kept.move_to_end(key)
        return known

    def keep(self, key: K, version: int, value: V) -> None:
        """Keep a value computed at version, unless one of a later version is kept already
        (a slower read of an older snapshot never replaces a newer value)."""
        kept = self._kept.get(key)
        if kept is None or kept.version <= version:
            self._kept[key] = Known(version, value)
            self._kept.move_to_end(key)
        while len(self._kept) > self.bound:
            self._kept.popitem(last=False)

    def __len__(self) -> int:
        return len(self._kept)
