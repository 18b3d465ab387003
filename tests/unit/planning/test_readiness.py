"""Readiness: counts, percent rules, open blockers, the Monte Carlo forecast and verdicts."""

from __future__ import annotations

import datetime as dt
import doctest
import importlib

import numpy as np
import pytest

from relplan.errors import UnknownObjectError
from relplan.planning.readiness import (
    RUNS,
    ReleaseReadiness,
    finish_days,
    percentile_days,
    readiness_of,
    risk_order,
    weekly_throughput,
)
from tests.unit.metrics.factories import TODAY, dep, done_items, item, plan, rel

SPEC_KEYS = {
    "key", "items", "done", "in_progress", "todo", "points_done", "points_total",
    "percent_done", "gates_approved", "gates_total", "open_blockers", "forecast_p50",
    "forecast_p85", "verdict",
}  # fmt: skip


def test_examples_pass() -> None:
    module = importlib.import_module("relplan.planning.readiness")
    result = doctest.testmod(module)
    assert result.attempted > 0
    assert result.failed == 0


# --- counts and percent rules ------------------------------------------------------------------


def test_counts_points_and_percent_rules() -> None:
    p = plan(
        [rel("A"), rel("B"), rel("C", gates=["approved"]), rel("D")],
        [
            item("A-1", "A", "done", points=3),
            item("A-2", "A", "todo", points=5),
            item("A-3", "A", "in_progress", points=2),
            item("B-1", "B", "done", points=3),
            item("B-2", "B", "todo"),  # no points: B counts items
            item("D-1", "D", "done", points=0),
            item("D-2", "D", "todo", points=0),  # points add up to zero: items
        ],
    )
    r = {x.key: x for x in readiness_of(p, today=TODAY).releases}
    a = r["A"]
    assert (a.items, a.done, a.in_progress, a.todo) == (3, 1, 1, 1)
    assert (a.points_done, a.points_total) == (3.0, 10.0)
    assert a.uses_points
    assert a.percent_done == pytest.approx(30.0)
    assert a.shares() == pytest.approx((0.3, 0.2, 0.5))
    b = r["B"]
    assert not b.uses_points
    assert (b.points_done, b.points_total) == (3.0, 3.0)
    assert b.percent_done == pytest.approx(50.0)
    c = r["C"]  # no items: nothing remains
    assert (c.items, c.percent_done, c.forecast_p50, c.forecast_p85) == (0, 100.0, TODAY, TODAY)
    assert c.verdict == "ready"
    assert c.reason == "no work items and all 1 gate approved"
    assert r["D"].percent_done == pytest.approx(50.0)


def test_json_has_the_spec_keys_and_a_reason_sorted_by_key() -> None:
    p = plan([rel("B"), rel("A")], [item("A-1", "A", "done", points=2)])
    out = readiness_of(p, today=TODAY).to_json()
    assert list(out) == ["releases"]
    assert [r["key"] for r in out["releases"]] == ["A", "B"]
    first = out["releases"][0]
    assert set(first) == SPEC_KEYS | {"reason"}
    assert first["forecast_p50"] == "2026-11-30"
    assert first["percent_done"] == 100.0


def test_percent_done_is_rounded_in_json_only() -> None:
    p = plan([rel("A")], [item("A-1", "A", "done"), item("A-2", "A"), item("A-3", "A")])
    (a,) = readiness_of(p, today=TODAY).releases
    assert a.percent_done == pytest.approx(100 / 3)
    assert a.to_json()["percent_done"] == 33.3


def test_gates_and_cancelled_releases() -> None:
    p = plan(
        [
            rel("A", gates=["approved", "pending", "rejected"]),
            rel("X", status="cancelled"),
        ]
    )
    (a,) = readiness_of(p, today=TODAY).releases  # cancelled releases take no part
    assert (a.gates_approved, a.gates_total) == (1, 3)
    assert a.verdict == "on_track"  # nothing left to do, but not every gate approved
    assert a.reason == ("P85 finish 2026-11-30 is 31 days before target; 1 of 3 gates approved")


def test_team_and_train_filters() -> None:
    p = plan([rel("A", team="PAY", train="Q4"), rel("B", team="WEB")])
    assert [r.key for r in readiness_of(p, today=TODAY, team="WEB").releases] == ["B"]
    assert [r.key for r in readiness_of(p, today=TODAY, train="Q4").releases] == ["A"]
    with pytest.raises(UnknownObjectError):
        readiness_of(p, today=TODAY, team="NOPE")
    with pytest.raises(UnknownObjectError):
        readiness_of(p, today=TODAY, train="NOPE")


# --- open blockers -----------------------------------------------------------------------------


def test_open_blockers_count_unresolved_prerequisites_in_other_releases() -> None:
    p = plan(
        [rel("A"), rel("B"), rel("C")],
        [
            item("A-1", "A"),
            item("A-2", "A"),
            item("B-1", "B"),  # open, other release: counts
            item("B-2", "B", "done"),  # resolved: does not count
            item("C-1", "C", "in_progress"),  # open, other release: counts
            item("LOOSE", None),  # in no release: not "in another release"
        ],
        [
            dep("item:B-1", "item:A-1"),
            dep("item:B-1", "item:A-2"),  # the same blocker twice counts once
            dep("item:B-2", "item:A-1"),
            dep("item:A-1", "item:A-2"),  # same release
            dep("item:C-1", "release:A"),  # an item the whole release waits for
            dep("item:LOOSE", "item:A-1"),
            dep("release:B", "release:A"),  # a release, not an item
        ],
    )
    r = {x.key: x for x in readiness_of(p, today=TODAY).releases}
    assert r["A"].open_blockers == 2
    assert r["A"].blockers_by_release == (("B", 1), ("C", 1))
    assert r["B"].open_blockers == 0


# --- throughput ---------------------------------------------------------------------------------


def test_weekly_throughput_in_the_planning_zone() -> None:
    items = [
        item("I1", None, "done", team="PAY", resolved="2026-11-30T23:30:00Z"),  # Dec 1 in Berlin
        item("I2", None, "done", team="PAY", resolved="2026-11-23T23:30:00Z"),  # Nov 24: week 0
        item("I3", None, "done", team="PAY", resolved="2026-11-23T22:30:00Z"),  # Nov 23: week 1
        item("I4", None, "in_progress", team="PAY", resolved="2026-11-29T10:00:00Z"),
        item("I5", "X", "done", resolved="2026-11-29T10:00:00Z"),  # cancelled release: no
        item("I6", "A", "done", resolved="2026-11-29T10:00:00Z"),  # the release's team: WEB
        item("I7", None, "done", team="PAY", resolved="2026-09-08T10:00:00Z"),  # week 11
        item("I8", None, "done", team="PAY", resolved="2026-09-07T10:00:00Z"),  # too old
    ]
    p = plan([rel("X", status="cancelled"), rel("A", team="WEB")], items, timezone="Europe/Berlin")
    weeks = weekly_throughput(p, today=TODAY)
    assert weeks["PAY"] == (1, *([0] * 9), 1, 1)
    assert weeks["WEB"] == (*([0] * 11), 1)


# --- the simulation ----------------------------------------------------------------------------


def test_constant_throughput_gives_hand_computed_days() -> None:
    days = finish_days([5] * 12, [0, 5, 7, 10, 11], runs=50, rng=np.random.default_rng(1))
    # 7 items at 5 a week: week 2 (index 1), 2 of its 5 items -> 7 + ceil(7 * 2 / 5) = 10.
    assert days[:, 0].tolist() == [0.0, 7.0, 10.0, 14.0, 16.0]
    assert (days == days[:, :1]).all()


def test_no_throughput_never_finishes_but_nothing_left_is_today() -> None:
    days = finish_days([0] * 12, [0, 3], runs=10, rng=np.random.default_rng(1))
    assert days[0].tolist() == [0.0] * 10
    assert np.isinf(days[1]).all()


def test_simulation_is_deterministic_and_sane() -> None:
    weekly = [0, 3, 8, 1, 0, 12, 4, 4, 0, 2, 9, 5]
    remaining = [1, 4, 17, 40, 120]
    a = finish_days(weekly, remaining, rng=np.random.default_rng([6, 1]))
    b = finish_days(weekly, remaining, rng=np.random.default_rng([6, 1]))
    assert a.shape == (5, RUNS)
    assert np.array_equal(a, b)
    p50, p85 = percentile_days(a, (0.5, 0.85)).T.tolist()
    assert all(x <= y for x, y in zip(p50, p85, strict=True))
    # More work never finishes earlier in the same run (the releases share the runs).
    assert (np.diff(a, axis=0) >= 0).all()
    assert p50 == sorted(p50)


def test_percentile_days_take_the_day_by_which_enough_runs_finished() -> None:
    days = np.array([[21.0] * 15 + [7.0] * 50 + [14.0] * 35, [1.0] * 100])
    assert percentile_days(days, (0.5, 0.85, 0.86)).tolist() == [[7, 14, 21], [1, 1, 1]]


def test_forecast_is_the_same_whatever_else_is_asked_for() -> None:
    items = [
        *done_items("P", "PAY", [3, 0, 7, 2, 5, 1, 0, 4, 6, 2, 3, 3]),
        *(item(f"A-{n}", "A") for n in range(9)),
        *(item(f"B-{n}", "B") for n in range(30)),
    ]
    p = plan([rel("A", train="Q4"), rel("B")], items)
    alone = readiness_of(p, today=TODAY, train="Q4").release("A")
    both = readiness_of(p, today=TODAY).release("A")
    assert alone is not None
    assert both is not None
    assert (alone.forecast_p50, alone.forecast_p85) == (both.forecast_p50, both.forecast_p85)
    assert alone.forecast_p50 is not None
    assert alone.forecast_p85 is not None
    assert TODAY < alone.forecast_p50 <= alone.forecast_p85


# --- verdicts ----------------------------------------------------------------------------------


def _one(target: str | None, *, remaining: int = 7) -> ReleaseReadiness:
    """Release A with ``remaining`` open items; PAY finished 5 items in each of 12 weeks."""
    items = [*done_items("P", "PAY", [5] * 12), *(item(f"A-{n}", "A") for n in range(remaining))]
    p = plan([rel("A", target=target)], items)
    (a,) = readiness_of(p, today=TODAY).releases
    return a


@pytest.mark.parametrize(
    ("target", "verdict", "reason"),
    [
        ("2026-12-10", "on_track", "P85 finish 2026-12-10 is on the target day"),
        ("2026-12-11", "on_track", "P85 finish 2026-12-10 is 1 day before target"),
        ("2026-12-09", "late", "P50 finish 2026-12-10 is 1 day after target"),
        ("2026-11-29", "late", "target 2026-11-29 passed 1 day ago with 7 items not done"),
        (None, "on_track", "no target date; P85 finish 2026-12-10"),
    ],
)
def test_verdicts_at_a_constant_pace(target: str | None, verdict: str, reason: str) -> None:
    a = _one(target)
    assert (a.verdict, a.reason) == (verdict, reason)
    assert a.forecast_p50 == a.forecast_p85 == dt.date(2026, 12, 10)


def test_at_risk_says_why_with_blockers() -> None:
    # WEB finished 10 items in 8 of the last 12 weeks and none in 4: 10 items take one week in
    # two thirds of the runs and two weeks in 8/9 of them, so P50 = +7 days, P85 = +14 days.
    items = [
        *done_items("W", "WEB", [10] * 8 + [0] * 4),
        *(item(f"W-{n}", "WEB-2026.12") for n in range(10)),
        *(item(f"P-{n}", "PAY-2026.12", "in_progress") for n in range(3)),
    ]
    deps = [dep(f"item:P-{n}", f"item:W-{n}") for n in range(3)]
    p = plan([rel("WEB-2026.12", team="WEB", target="2026-12-08"), rel("PAY-2026.12")], items, deps)
    web = readiness_of(p, today=TODAY).release("WEB-2026.12")
    assert web is not None
    assert (web.forecast_p50, web.forecast_p85) == (dt.date(2026, 12, 7), dt.date(2026, 12, 14))
    assert web.verdict == "at_risk"
    assert (
        web.reason == "P85 finish 2026-12-14 is 6 days after target; 3 open blockers in PAY-2026.12"
    )


def test_no_throughput_is_late_with_no_forecast() -> None:
    p = plan([rel("A", target="2026-12-31")], [item("A-1", "A")])
    (a,) = readiness_of(p, today=TODAY).releases
    assert (a.forecast_p50, a.forecast_p85, a.verdict) == (None, None, "late")
    assert (
        a.reason
        == "no work done by PAY in the last 12 weeks, so 1 open item cannot finish by target"
    )
    assert a.to_json()["forecast_p85"] is None


def test_ready_needs_all_done_and_all_gates_approved() -> None:
    done = [item("A-1", "A", "done"), item("A-2", "A", "done")]
    p = plan([rel("A", gates=["approved", "approved"], target="2026-01-01")], done)
    (a,) = readiness_of(p, today=TODAY).releases
    assert a.verdict == "ready"  # even with the target passed
    assert a.reason == "all 2 items done and all 2 gates approved"
    p = plan([rel("A", gates=["approved", "pending"], target="2026-01-01")], done)
    (a,) = readiness_of(p, today=TODAY).releases
    assert a.verdict == "late"
    assert a.reason == (
        "target 2026-01-01 passed 333 days ago; all 2 items done; 1 of 2 gates approved"
    )


def test_risk_order_puts_the_latest_first_and_breaks_ties_by_key() -> None:
    items = [*done_items("P", "PAY", [5] * 12)]
    items += [item(f"{key}-{n}", key) for key in ("A", "B", "C", "Y") for n in range(7)]
    releases = [
        rel("C", target="2026-12-20"),
        rel("B", target="2026-12-09"),  # late by 1 day
        rel("A", target="2026-12-01"),  # late by 9 days
        rel("Z", gates=["approved"]),  # ready
        rel("Y", target="2026-12-20"),  # on track, ties with C: by key
    ]
    r = readiness_of(plan(releases, items), today=TODAY)
    assert [x.key for x in r.by_risk()] == ["A", "B", "C", "Y", "Z"]
    assert sorted(r.releases, key=risk_order) == r.by_risk()
