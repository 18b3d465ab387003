"""Burn-up series against hand-computed days."""

from __future__ import annotations

import datetime as dt

import pytest

from relplan.errors import UnknownObjectError
from relplan.metrics.burnup import burnup_of
from relplan.planning.readiness import readiness_of
from tests.unit.metrics.factories import TODAY, day, done_items, item, plan, rel


def _plan(*, pointed: bool = True):  # type: ignore[no-untyped-def]
    return plan(
        [rel("A", start="2026-11-20", target="2026-12-10")],
        [
            item("A-1", "A", "done", points=3, created="2026-11-18", resolved="2026-11-25"),
            item("A-2", "A", "todo", points=5 if pointed else None, created="2026-11-22"),
            item("A-3", "A", "done", points=2),  # no times: joins at the start, done today
            item("A-4", "A", "todo", points=1, created="2026-12-05"),  # after today: not shown
            *done_items("P", "PAY", [5] * 12),
        ],
    )


def test_points_by_day() -> None:
    p = _plan()
    a = readiness_of(p, today=TODAY).release("A")
    assert a is not None
    b = burnup_of(p, a, today=TODAY)
    assert b.unit == "points"
    assert b.days[0] == day("2026-11-18")
    assert b.days[-1] == TODAY
    assert len(b.days) == 13
    by_day = dict(zip(b.days, zip(b.scope.tolist(), b.done.tolist(), strict=True), strict=True))
    assert by_day[day("2026-11-18")] == (3.0, 0.0)
    assert by_day[day("2026-11-20")] == (5.0, 0.0)
    assert by_day[day("2026-11-22")] == (10.0, 0.0)
    assert by_day[day("2026-11-25")] == (10.0, 3.0)
    assert by_day[TODAY] == (10.0, 5.0)
    assert (b.total, b.done_now) == (10.0, 5.0)
    # Two items remain at 5 a week: done by the end of the first week.
    assert b.forecast_p50 == b.forecast_p85 == TODAY + dt.timedelta(days=7)
    assert b.target == day("2026-12-10")
    assert b.verdict == "on_track"


def test_items_when_some_item_has_no_points() -> None:
    p = _plan(pointed=False)
    a = readiness_of(p, today=TODAY).release("A")
    assert a is not None
    b = burnup_of(p, a, today=TODAY)
    assert b.unit == "items"
    assert (b.total, b.done_now) == (3.0, 2.0)


def test_unknown_release() -> None:
    p = _plan()
    a = readiness_of(p, today=TODAY).release("A")
    assert a is not None
    with pytest.raises(UnknownObjectError):
        burnup_of(plan(), a, today=TODAY)
