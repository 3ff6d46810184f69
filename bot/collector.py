"""The garbage collector's thresholds for the whole process (set by `partnerbot run` before
it imports the app's modules, and by create_app), and work that keeps hundreds of thousands
of objects for seconds (an import) without full garbage collections, which stop every
thread, the event loop's too.

A full collection walks every tracked object, and one runs whenever the objects that
survived the younger generations have grown by a quarter since the last: an import, which
keeps its rows, partners and writes to the end, set off full passes of 240-390 ms in the
bench (the loop's rule is 50 ms). While such work runs, only the young generations are
collected (a few milliseconds each, they walk only the objects made since); garbage is
freed by its reference count as ever, and cycles that reach the oldest generation wait for
the first full collection after the work, once its objects are gone."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

# The garbage collector's thresholds (Python's: 700, 10, 10). A full collection scans every
# live object, the cached reports' too (bot/report_cache.py: some 110,000 at 10,000 partners),
# and held the loop 200-280 ms during the command bench; collecting the young generation every
# 20,000 allocations instead of 700 lets a request's objects die before they are promoted, so
# full collections come rarely (none in the bench's measured rounds).
GC_THRESHOLDS = (20_000, 50, 100)

_held: list[int] = []  # the oldest generation's threshold as it was, while work holds it
_NEVER = 2**31 - 1  # young collections between two full ones: none while held


def tune_collector() -> None:
    """Collect garbage less often (GC_THRESHOLDS), for the whole process."""
    gc.set_threshold(*GC_THRESHOLDS)


@contextmanager
def full_collections_held() -> Iterator[None]:
    """No full garbage collection until the work ends (nested or concurrent work: until the
    last ends)."""
    if not _held:
        young, middle, oldest = gc.get_threshold()
        gc.set_threshold(young, middle, _NEVER)
        _held.append(oldest)
    else:
        _held.append(_held[-1])
    try:
        yield
    finally:
        oldest = _held.pop()
        if not _held:
            young, middle, _ = gc.get_threshold()
            gc.set_threshold(young, middle, oldest)
