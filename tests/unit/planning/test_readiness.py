"""Readiness: counts, percent rules, open blockers, the Monte Carlo forecast and verdicts."""

from __future__ import annotations

import datetime as dt
import doctest
import importlib

import numpy as np
import pytest

from relplan.errors import UnknownObjectError
from relplan.planning.forecast import summarise
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
            *done_items("P", "PAY", [1]),
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
    p = plan(
        [rel("B"), rel("A")], [item("A-1", "A", "done", points=2), *done_items("P", "PAY", [1])]
    )
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


def test_gates_pending_with_nothing_left_to_do() -> None:
    p = plan([rel("A", gates=["approved", "pending", "rejected"])], done_items("P", "PAY", [1]))
    (a,) = readiness_of(p, today=TODAY).releases
    assert (a.gates_approved, a.gates_total) == (1, 3)
    assert a.verdict == "on_track"  # nothing left to do, but not every gate approved
    assert a.reason == (
        "P85 finish 2026-11-30 is 31 days before target 2026-12-31; 1 of 3 gates approved"
    )


def test_released_and_cancelled_releases_get_their_own_verdict_and_no_forecast() -> None:
    p = plan(
        [
            rel("R", status="released", target="2026-11-20"),
            rel("X", status="cancelled"),
            rel("A", target="2026-12-31"),
        ],
        [
            *done_items("P", "PAY", [2] * 12),
            item("R-1", "R"),  # left open when R shipped: it takes no place in the queue
            item("R-2", "R", "done"),
            item("X-1", "X"),
            *(item(f"A-{n}", "A") for n in range(4)),
        ],
    )
    r = {x.key: x for x in readiness_of(p, today=TODAY).releases}
    assert list(r) == ["A", "R", "X"]
    assert (r["R"].verdict, r["R"].forecast_p50, r["R"].forecast_p85) == ("released", None, None)
    assert r["R"].reason == "released; target was 2026-11-20, 1 item not done; no forecast"
    assert (r["X"].verdict, r["X"].forecast_p50, r["X"].forecast_p85) == ("cancelled", None, None)
    assert r["X"].reason == "cancelled; target was 2026-12-31, 1 item not done; no forecast"
    assert r["X"].to_json()["forecast_p50"] is None
    # A alone in the queue: 4 items at 2 a week.
    assert r["A"].forecast_p50 == r["A"].forecast_p85 == TODAY + dt.timedelta(days=14)


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


def test_constant_throughput_finishes_the_queue_in_order() -> None:
    days = finish_days([5] * 12, [0, 5, 7, 10, 11], runs=50, rng=np.random.default_rng(1))
    # Cumulative needs 0, 5, 12, 22, 33 at 5 a week: the end of weeks 1, 3, 5 and 7.
    assert days[:, 0].tolist() == [0.0, 7.0, 21.0, 35.0, 49.0]
    assert (days == days[:, :1]).all()
    # Nothing left finishes today, even behind a long queue.
    assert finish_days([5], [40, 0], runs=3, rng=np.random.default_rng(1))[1].tolist() == [0.0] * 3


def test_spec_exact_forecast_when_every_sample_is_k() -> None:
    # Every sample k: the queue's first n remaining items finish at today + 7 * ceil(n / k).
    k = 3
    releases = [
        rel("Z", target="2026-12-10"),  # first in the queue: earliest target (not first key)
        rel("M", target="2026-12-20", status="in_progress"),
        rel("A", target="2027-01-10"),  # nothing left: today
        rel("B", target="2027-01-31"),
        rel("N", target=None),  # no target: last
    ]
    counts = {"Z": 4, "M": 5, "A": 0, "B": 2, "N": 1}
    items = [item(f"{key}-{n}", key) for key, count in counts.items() for n in range(count)]
    items += done_items("P", "PAY", [k] * 12)
    r = {x.key: x for x in readiness_of(plan(releases, items), today=TODAY).releases}
    for key, n in {"Z": 4, "M": 9, "B": 11, "N": 12}.items():
        expected = TODAY + dt.timedelta(days=7 * -(-n // k))
        assert r[key].forecast_p50 == r[key].forecast_p85 == expected, key
    assert r["A"].forecast_p50 == r["A"].forecast_p85 == TODAY


def test_a_teams_releases_share_its_throughput() -> None:
    items = [
        *done_items("P", "PAY", [5] * 12),
        *(item(f"E-{n}", "E") for n in range(10)),
        *(item(f"L-{n}", "L") for n in range(10)),
        *(item(f"W-{n}", "W") for n in range(10)),
    ]
    releases = [
        rel("L", target="2027-01-31"),
        rel("E", target="2026-12-15"),
        rel("W", team="WEB", target="2027-01-31"),  # another team: its own queue
    ]
    items += done_items("Q", "WEB", [5] * 12)
    r = {x.key: x for x in readiness_of(plan(releases, items), today=TODAY).releases}
    assert r["E"].forecast_p85 == TODAY + dt.timedelta(days=14)
    assert r["L"].forecast_p85 == TODAY + dt.timedelta(days=28)  # after E's 10 items
    assert r["W"].forecast_p85 == TODAY + dt.timedelta(days=14)
    assert "10 items ahead in PAY's queue" in r["L"].reason


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


def test_percentiles_are_nearest_rank() -> None:
    # The p-th percentile of n values is the ceil(p n)-th smallest: no interpolation.
    values = np.random.default_rng(3).permutation(np.arange(1.0, 2001.0))
    assert percentile_days(values[None, :], (0.5, 0.85)).tolist() == [[1000.0, 1700.0]]
    odd = np.array([[5.0, 1.0, 4.0, 2.0, 3.0, 7.0, 6.0]])  # ceil(3.5) = 4th, ceil(5.95) = 6th
    assert percentile_days(odd, (0.5, 0.85)).tolist() == [[4.0, 6.0]]


def test_no_forecast_when_more_than_15_percent_of_runs_never_finish() -> None:
    finished = [7.0] * (RUNS - 300)
    at_limit = np.array([finished + [np.inf] * 300])  # exactly 15 %: a forecast
    over = np.array([finished[:-1] + [np.inf] * 301])
    assert summarise(at_limit) == [(7, 7, 0.15)]
    assert summarise(over)[0][:2] == (None, None)


def test_a_queue_too_long_for_520_weeks_has_no_forecast() -> None:
    # One item in 12 weeks: about 43 items in 520 weeks. 30 items finish in nearly every run;
    # 30 + 40 do not in most of them.
    items = [
        *done_items("P", "PAY", [1] + [0] * 11),
        *(item(f"E-{n}", "E") for n in range(30)),
        *(item(f"L-{n}", "L") for n in range(40)),
    ]
    releases = [rel("E", target="2036-12-31"), rel("L", target="2037-01-31")]
    r = {x.key: x for x in readiness_of(plan(releases, items), today=TODAY).releases}
    assert r["E"].forecast_p85 is not None
    assert (r["L"].forecast_p50, r["L"].forecast_p85, r["L"].verdict) == (None, None, "late")
    assert "of the runs do not finish it within 520 weeks at PAY's pace" in r["L"].reason


def test_forecast_is_the_same_whatever_else_is_asked_for() -> None:
    items = [
        *done_items("P", "PAY", [3, 0, 7, 2, 5, 1, 0, 4, 6, 2, 3, 3]),
        *(item(f"A-{n}", "A") for n in range(9)),
        *(item(f"B-{n}", "B") for n in range(30)),
    ]
    # B comes first in PAY's queue (earlier target) though the train filter leaves it out.
    p = plan([rel("A", train="Q4"), rel("B", target="2026-12-20")], items)
    alone = readiness_of(p, today=TODAY, train="Q4").release("A")
    both = readiness_of(p, today=TODAY).release("A")
    without_b = readiness_of(plan([rel("A", train="Q4")], items), today=TODAY).release("A")
    assert without_b is not None
    assert alone is not None
    assert without_b.forecast_p50 is not None
    assert alone.forecast_p50 is not None
    assert alone.forecast_p50 > without_b.forecast_p50
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
        ("2026-12-14", "on_track", "P85 finish 2026-12-14 is on the target day 2026-12-14"),
        ("2026-12-15", "on_track", "P85 finish 2026-12-14 is 1 day before target 2026-12-15"),
        ("2026-12-13", "late", "P50 finish 2026-12-14 is 1 day after target 2026-12-13"),
        ("2026-11-29", "late", "target 2026-11-29 passed 1 day ago with 7 items not done"),
        (None, "on_track", "no target date; P85 finish 2026-12-14"),
    ],
)
def test_verdicts_at_a_constant_pace(target: str | None, verdict: str, reason: str) -> None:
    a = _one(target)
    assert (a.verdict, a.reason) == (verdict, reason)
    # 7 items at 5 a week: the end of week 2.
    assert a.forecast_p50 == a.forecast_p85 == dt.date(2026, 12, 14)


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
    assert web.reason == (
        "P85 finish 2026-12-14 is 6 days after target 2026-12-08; 3 open blockers in PAY-2026.12"
    )


def _blocked(blocker_items: int, *, blocker_status: str = "planned") -> ReleaseReadiness:
    """WEB-1 (target 2026-12-31) is done in a week at its own pace but waits on 2 items of
    PAY-1, which has ``blocker_items`` open items at PAY's pace of 5 a week."""
    items = [
        *done_items("W", "WEB", [10] * 12),
        *done_items("P", "PAY", [5] * 12),
        *(item(f"W-{n}", "WEB-1") for n in range(5)),
        *(item(f"P-{n}", "PAY-1") for n in range(blocker_items)),
    ]
    deps = [dep("item:P-0", "item:W-0"), dep("item:P-1", "item:W-1")]
    releases = [
        rel("WEB-1", team="WEB", target="2026-12-31"),
        rel("PAY-1", target="2027-03-31", status=blocker_status),
    ]
    web = readiness_of(plan(releases, items, deps), today=TODAY, team="WEB").release("WEB-1")
    assert web is not None
    assert web.forecast_p85 == TODAY + dt.timedelta(days=7)
    return web


def test_blockers_in_a_release_forecast_after_the_target_put_it_at_risk() -> None:
    late = _blocked(30)  # PAY-1: 6 weeks, 2027-01-11, after WEB-1's target
    assert late.verdict == "at_risk"
    assert late.reason == (
        "P85 finish 2026-12-07 is 24 days before target 2026-12-31; but 2 open blockers in "
        "PAY-1: PAY-1's P85 finish 2027-01-11 is after target 2026-12-31"
    )
    soon = _blocked(10)  # PAY-1: 2 weeks, 2026-12-14, before the target: it does not count
    assert soon.verdict == "on_track"
    assert soon.reason == (
        "P85 finish 2026-12-07 is 24 days before target 2026-12-31; 2 open blockers in PAY-1"
    )


def test_blockers_in_a_release_without_forecast_put_it_at_risk() -> None:
    shipped = _blocked(2, blocker_status="released")  # open items left in a released release
    assert shipped.verdict == "at_risk"
    assert shipped.reason.endswith("but 2 open blockers in PAY-1: PAY-1 has no forecast")


def test_no_throughput_is_late_with_no_forecast() -> None:
    p = plan([rel("A", target="2026-12-31")], [item("A-1", "A")])
    (a,) = readiness_of(p, today=TODAY).releases
    assert (a.forecast_p50, a.forecast_p85, a.verdict) == (None, None, "late")
    assert a.reason == "no forecast: no work done by PAY in the last 12 weeks (1 open item left)"
    # The spec's rule is per team: no forecast even for a release with nothing left (its
    # pending gate keeps it from "ready").
    p = plan([rel("B", target="2026-12-31", gates=["pending"])], [item("B-1", "B", "done")])
    (b,) = readiness_of(p, today=TODAY).releases
    assert (b.forecast_p50, b.forecast_p85, b.verdict) == (None, None, "late")
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
    # Each release alone in its team's queue, 7 items at 5 a week: P85 2026-12-14.
    items = [x for t in ("TA", "TB", "TC", "TY") for x in done_items(t, t, [5] * 12)]
    items += [item(f"{key}-{n}", key) for key in ("A", "B", "C", "Y") for n in range(7)]
    releases = [
        rel("C", team="TC", target="2026-12-20"),
        rel("B", team="TB", target="2026-12-09"),  # late by 5 days
        rel("R", status="released"),
        rel("A", team="TA", target="2026-12-01"),  # late by 13 days
        rel("Z", gates=["approved"]),  # ready
        rel("X", status="cancelled"),
        rel("Y", team="TY", target="2026-12-20"),  # on track, ties with C: by key
    ]
    r = readiness_of(plan(releases, items), today=TODAY)
    assert [x.key for x in r.by_risk()] == ["A", "B", "C", "Y", "Z", "R", "X"]
    assert sorted(r.releases, key=risk_order) == r.by_risk()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_vectorised_queue_matches_a_week_by_week_simulation(seed: int) -> None:
    gen = np.random.default_rng(seed)
    weekly = gen.integers(0, 6, size=12).tolist()
    weekly[0] = max(weekly[0], 1)
    remaining = gen.integers(0, 15, size=6).tolist()
    runs = 40
    days = finish_days(weekly, remaining, runs=runs, rng=np.random.default_rng([9, seed]))
    # The same draws (blocks of 26 weeks per run), simulated one week at a time.
    draws = np.random.default_rng([9, seed])
    blocks = [np.asarray(weekly)[draws.integers(0, 12, size=(runs, 26))] for _ in range(20)]
    drawn = np.concatenate(blocks, axis=1)
    for run in range(runs):
        done, week, expected = 0, 0, []
        for left in remaining:
            need = done + left
            if left == 0:
                expected.append(0.0)
                continue
            total = int(drawn[run, :week].sum())
            while total < need and week < 520:
                total += int(drawn[run, week])
                week += 1
            expected.append(7.0 * week if total >= need else np.inf)
            done = need
        assert days[:, run].tolist() == expected, run
