"""`pool_states`' codes read back in Python: the status, and whose summary JSON is read."""

from __future__ import annotations

import itertools

from bot.health.rules import HealthStatus
from bot.health.summary import status_of_states
from bot.health.summary_columns import STATE_OF_CODE, needs_inputs, status_of_codes

CODES = (None, 0, 1, 2, 3)


def test_the_status_of_codes_is_the_status_of_their_states() -> None:
    for utilisation, roi, sentiment, backup in itertools.product(CODES, CODES, CODES, (1, 2, 3)):
        status = status_of_codes(utilisation, roi, sentiment, backup)
        if None in (utilisation, roi, sentiment):
            assert status is None
            continue
        states = tuple(STATE_OF_CODE[c] for c in (utilisation, roi, sentiment, backup))
        assert status == status_of_states(states)  # type: ignore[arg-type]


def test_the_json_is_read_for_the_undecided_and_the_flagged_only() -> None:
    flagged = (None, HealthStatus.RED, HealthStatus.AMBER)
    seen = set()
    for codes in itertools.product(CODES, CODES, CODES, (1, 2, 3)):
        status = status_of_codes(*codes)
        assert needs_inputs(*codes) == (status in flagged)
        seen.add(status)
    assert seen == {None, *HealthStatus}
