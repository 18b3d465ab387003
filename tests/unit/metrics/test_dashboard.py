"""Everything the dashboard needs, in one pure call."""

from __future__ import annotations

import pytest

from relplan.errors import UnknownObjectError
from relplan.metrics.dashboard import (
    DashboardFilter,
    compute_dashboard,
    load_window,
    open_releases,
    pick_burnup_release,
)
from relplan.metrics.load import default_load_window
from tests.unit.metrics.factories import TODAY, day, deploy, done_items, item, plan, rel


def _plan():  # type: ignore[no-untyped-def]
    return plan(
        [
            rel("A", train="Q4", target="2026-12-01"),
            rel("B", team="WEB", target="2027-03-01"),
            rel("OLD", status="released", target="2026-10-01"),
        ],
        [
            *(item(f"A-{n}", "A") for n in range(20)),
            item("B-1", "B"),
            item("OLD-1", "OLD", "done"),
            *done_items("P", "PAY", [2] * 12),
            *done_items("W", "WEB", [2] * 12),
        ],
        deployments=[deploy("OLD", "2026-11-20T12:00:00Z")],
    )


def test_everything_for_the_default_filter() -> None:
    data = compute_dashboard(_plan(), today=TODAY, generation=7)
    assert data.generation == 7
    assert [r.key for r in data.readiness.releases] == ["A", "B", "OLD"]
    assert [r.key for r in open_releases(data.readiness)] == ["A", "B"]
    assert data.burnup is not None
    assert data.burnup.key == "A"  # the open release most at risk
    assert data.dora.overall.deployments == 1
    assert data.dora.overall.window.days == 90
    assert data.load.weeks[0] == default_load_window(TODAY).start


def test_filter_by_team_window_and_release() -> None:
    flt = DashboardFilter(
        team="WEB", date_from=day("2026-11-01"), date_to=day("2026-11-30"), release="A"
    )
    data = compute_dashboard(_plan(), flt=flt, today=TODAY)
    assert [r.key for r in data.readiness.releases] == ["B"]
    assert data.dora.overall.deployments == 0
    assert data.load.weeks[0] == day("2026-10-26")  # the filter's window, whole weeks
    assert data.burnup is not None
    assert data.burnup.key == "A"  # named explicitly, though outside the team
    assert data.burnup.forecast_p50 == compute_dashboard(_plan(), today=TODAY).burnup.forecast_p50  # type: ignore[union-attr]


def test_unknown_names_are_errors() -> None:
    with pytest.raises(UnknownObjectError):
        compute_dashboard(_plan(), flt=DashboardFilter(release="NOPE"), today=TODAY)
    with pytest.raises(UnknownObjectError):
        compute_dashboard(_plan(), flt=DashboardFilter(train="NOPE"), today=TODAY)
    data = compute_dashboard(_plan(), today=TODAY)
    with pytest.raises(UnknownObjectError):
        pick_burnup_release(data.readiness, "NOPE")


def test_no_open_release_no_burnup_and_load_window_rules() -> None:
    p = plan([rel("OLD", status="released")], [item("OLD-1", "OLD", "done")])
    assert compute_dashboard(p, today=TODAY).burnup is None
    assert load_window(DashboardFilter(), today=TODAY) == default_load_window(TODAY)
    only_from = DashboardFilter(date_from=day("2026-11-01"))
    assert load_window(only_from, today=TODAY) == default_load_window(TODAY)
    both = DashboardFilter(date_from=day("2026-11-01"), date_to=day("2026-11-08"))
    assert load_window(both, today=TODAY).days == 8
