"""`/failover status` drawn once and shown until it would read otherwise: whatever the drills
(ages of seconds to days, steps done, skipped or due either side of now), the message drawn
at now is the one build_status draws at every moment before status_steady_until, and the
board kept per report version shows what build_status draws at any moment asked."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from bot.failover.rules import Drill, DrillStatus, Step, StepKey, StepState
from handlers.failover.status import StatusBoard
from handlers.failover.views import HISTORY_SHOWN, build_status, status_steady_until

BASE = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
ZONE = ZoneInfo("Asia/Shanghai")
SPAN = 3 * 86_400 * 1_000_000  # three days, in microseconds

moments = st.integers(-SPAN, SPAN).map(lambda us: BASE + timedelta(microseconds=us))
# Near BASE too, where now lands: deadlines and starts a few seconds either side of it.
near = st.integers(-120_000_000, 120_000_000).map(lambda us: BASE + timedelta(microseconds=us))


@st.composite
def drills(draw: st.DrawFn) -> list[Drill]:
    made = []
    for n in range(draw(st.integers(0, HISTORY_SHOWN + 2))):
        steps = tuple(
            Step(key, "U0OWNER", draw(st.one_of(moments, near)), draw(st.sampled_from(StepState)))
            for key in StepKey
        )
        status = draw(st.sampled_from(DrillStatus))
        started = draw(st.one_of(moments, near))
        made.append(
            Drill(n, "T1", n, f"P{n}", "C1", "", "U0STARTER", started, steps, status=status)
        )
    return made


@given(drills(), near, st.floats(0, 1, exclude_max=True))
def test_the_status_drawn_at_now_stands_until_the_steady_moment(
    shown: list[Drill], now: datetime, share: float
) -> None:
    until = status_steady_until(shown, now)
    assert until > now
    drawn = build_status(shown, ZONE, now)
    if until == datetime.max.replace(tzinfo=UTC):
        until = now + timedelta(days=30)  # nothing moves (no drill shown): a month on
    later = min(now + (until - now) * share, until - timedelta(microseconds=1))  # rounded
    assert build_status(shown, ZONE, later) == drawn
    assert build_status(shown, ZONE, until - timedelta(microseconds=1)) == drawn


@given(drills(), st.lists(st.one_of(near, moments), min_size=1, max_size=6))
async def test_the_board_shows_what_build_status_draws_at_each_moment_asked(
    shown: list[Drill], asked: list[datetime]
) -> None:
    board = StatusBoard(shown)
    for now in asked:  # forwards, backwards, the same moment twice
        assert board.shown(ZONE, now).message() == build_status(shown, ZONE, now)
    assert board.shown(ZoneInfo("UTC"), asked[0]).message() == build_status(
        shown, ZoneInfo("UTC"), asked[0]
    )


async def test_an_age_or_a_deadline_ends_what_the_board_shows() -> None:
    step = Step(StepKey.BACKUP, "U0OWNER", BASE + timedelta(minutes=30, seconds=10))
    drill = Drill(1, "T1", 1, "Acme", "C1", "", "U0STARTER", BASE, (step,))
    now = BASE + timedelta(minutes=3, seconds=20)
    assert status_steady_until([drill], now) == BASE + timedelta(minutes=4)
    late = BASE + timedelta(minutes=30, seconds=5)
    assert status_steady_until([drill], late) == step.deadline + timedelta(microseconds=1)
    board = StatusBoard([drill])

    def shown(at: datetime) -> str:
        return json.dumps(board.shown(ZONE, at).message(), ensure_ascii=False)

    assert "open 3 min" in shown(now)
    assert "open 4 min" in shown(BASE + timedelta(minutes=4))
    assert "overdue" not in shown(step.deadline)
    assert "overdue" in shown(step.deadline + timedelta(microseconds=1))
