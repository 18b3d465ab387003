"""``schedule``: forward and backward pass, float, slip, critical path, trains."""

from __future__ import annotations

import pytest

from relplan.domain.model import Plan, Train
from relplan.errors import DependencyCycleError, UnknownObjectError
from relplan.planning.schedule import ReleaseSchedule, Schedule, schedule_plan

from .factories import day, dep, four_release_plan, item, plan, rel


def row(schedule: Schedule, key: str) -> tuple[str, str, str, str, int, int]:
    """(ES, EF, LS, LF, float, slip) of one release, dates as strings."""
    r = schedule.release(key)
    assert r is not None
    return (
        str(r.early_start),
        str(r.early_finish),
        str(r.late_start),
        str(r.late_finish),
        r.float_days,
        r.slip_days,
    )


def test_forward_and_backward_pass_by_hand() -> None:
    s = schedule_plan(four_release_plan())
    # Forward: ES(B) = EF(A)+1+2 = 11-09; ES(C) = max(11-01, ES(A)+1) = 11-03;
    # ES(D) = max(11-10, EF(B)-1-3+1 = 11-10, ES(C)+0-3 = 10-31) = 11-10. end = EF(C) = 11-22.
    # Backward: LF(D) = end; LF(C) = min(end, LF(D)+1-0+20-1); LF(B) = min(end, LF(D)+1);
    # LF(A) = min(end, LS(B)-1-2 = 11-15, LS(C)-1+5-1 = 11-06).
    assert s.end == day("2026-11-22")
    assert row(s, "A") == ("2026-11-02", "2026-11-06", "2026-11-02", "2026-11-06", 0, 0)
    assert row(s, "B") == ("2026-11-09", "2026-11-13", "2026-11-18", "2026-11-22", 9, 4)
    assert row(s, "C") == ("2026-11-03", "2026-11-22", "2026-11-03", "2026-11-22", 0, 2)
    assert row(s, "D") == ("2026-11-10", "2026-11-12", "2026-11-20", "2026-11-22", 10, 0)
    assert s.critical_path == ("A", "C")
    assert [r.key for r in s.releases if r.critical] == ["A", "C"]


@pytest.mark.parametrize(
    ("type_", "lag", "early_start", "late_finish_p"),
    [
        # P 11-02..11-06 (d=5), S planned 11-01..11-03 (d=3).
        ("FS", 0, "2026-11-07", "2026-11-06"),  # EF(P)+1; LF(P) = LS(S)-1
        ("FS", -3, "2026-11-04", "2026-11-06"),  # EF(P)+1-3; LF(P) = min(end, LS(S)-1+3)
        ("SS", 2, "2026-11-04", "2026-11-06"),  # ES(P)+2; LF(P) = min(end, LS(S)-2+5-1)
        ("SS", -4, "2026-11-01", "2026-11-06"),  # planned start wins
        ("FF", 1, "2026-11-05", "2026-11-06"),  # EF(P)+1-3+1; LF(P) = LF(S)-1
        ("FF", -2, "2026-11-02", "2026-11-06"),  # EF(P)-2-3+1
        ("SF", 6, "2026-11-05", "2026-11-06"),  # ES(P)+6-3
        ("SF", 0, "2026-11-01", "2026-11-06"),  # planned start wins
    ],
)
def test_each_dependency_type_bounds_the_early_start(
    type_: str, lag: int, early_start: str, late_finish_p: str
) -> None:
    p = plan(
        rel("P", "2026-11-02", "2026-11-06"),
        rel("S", "2026-11-01", "2026-11-03"),
        deps=[dep("P", "S", type_, lag)],
    )
    s = schedule_plan(p)
    succ = s.release("S")
    pred = s.release("P")
    assert succ is not None
    assert pred is not None
    assert str(succ.early_start) == early_start
    assert (succ.early_finish - succ.early_start).days == 2
    assert str(pred.late_finish) == late_finish_p
    assert pred.float_days >= 0
    assert succ.float_days >= 0


def test_backward_bounds_of_each_type() -> None:
    # S is long and last, so P's late finish comes from the edge, not from end.
    # P 11-02..11-03 (d=2), S 11-10..11-29 (d=20); no edge is tight.
    cases = {
        "FS": "2026-11-07",  # LS(S)-1-2
        "SS": "2026-11-09",  # LS(S)-2+2-1
        "FF": "2026-11-27",  # LF(S)-2
        "SF": "2026-11-29",  # min(end, LF(S)+1-2+2-1)
    }
    for type_, late_finish in cases.items():
        p = plan(
            rel("P", "2026-11-02", "2026-11-03"),
            rel("S", "2026-11-10", "2026-11-29"),
            deps=[dep("P", "S", type_, 2)],
        )
        pred = schedule_plan(p).release("P")
        assert pred is not None
        assert str(pred.late_finish) == late_finish, type_


def test_a_release_never_moves_earlier_than_planned() -> None:
    p = plan(
        rel("P", "2026-11-02", "2026-11-03"),
        rel("S", "2026-12-01", "2026-12-02"),
        deps=[dep("P", "S")],
    )
    succ = schedule_plan(p).release("S")
    assert succ is not None
    assert str(succ.early_start) == "2026-12-01"
    assert succ.slip_days == 0


def test_implied_item_edges_push_releases() -> None:
    p = plan(
        rel("PAY", "2026-11-02", "2026-11-30"),
        rel("WEB", "2026-11-02", "2026-11-20"),
        items=[item("P-1", "PAY"), item("W-1", "WEB")],
        deps=[dep("item:P-1", "item:W-1")],
    )
    s = schedule_plan(p)
    assert row(s, "WEB")[:2] == ("2026-11-12", "2026-11-30")  # FF 0: EF(WEB) >= EF(PAY)
    # Both end at `end` (11-30): the path starts from the smaller key, PAY.
    assert s.critical_path == ("PAY",)


def test_explicit_edge_replaces_implied_in_the_schedule() -> None:
    p = plan(
        rel("PAY", "2026-11-02", "2026-11-30"),
        rel("WEB", "2026-11-02", "2026-11-20"),
        items=[item("P-1", "PAY"), item("W-1", "WEB")],
        deps=[dep("item:P-1", "item:W-1"), dep("PAY", "WEB", "SS", 0)],
    )
    assert row(schedule_plan(p), "WEB")[:2] == ("2026-11-02", "2026-11-20")


def test_critical_path_ties_take_the_smallest_key() -> None:
    # Y and Z both end at `end`; X1 and X2 both bind Y's start.
    p = plan(
        rel("X2", "2026-11-02", "2026-11-04"),
        rel("X1", "2026-11-02", "2026-11-04"),
        rel("Z", "2026-11-05", "2026-11-10"),
        rel("Y", "2026-11-01", "2026-11-06"),
        deps=[dep("X2", "Y"), dep("X1", "Y")],
    )
    s = schedule_plan(p)
    assert s.end == day("2026-11-10")
    assert s.critical_path == ("X1", "Y")


def test_critical_path_stops_where_no_predecessor_is_tight() -> None:
    p = plan(
        rel("A", "2026-11-02", "2026-11-03"),
        rel("B", "2026-11-10", "2026-11-12"),
        deps=[dep("A", "B")],
    )
    assert schedule_plan(p).critical_path == ("B",)


def test_cancelled_and_undated_releases_take_no_part() -> None:
    p = plan(
        rel("A", "2026-11-02", "2026-11-30", status="cancelled"),
        rel("U"),
        rel("B", "2026-11-02", "2026-11-03", status="in_progress"),
        deps=[dep("A", "B"), dep("U", "B"), dep("B", "A"), dep("A", "A")],
    )
    s = schedule_plan(p)
    assert [r.key for r in s.releases] == ["B"]
    assert s.critical_path == ("B",)
    assert s.end == day("2026-11-03")


# --- released releases are fixed history (amended 2026-12-04) -----------------------------------


def test_a_released_release_keeps_its_dates_and_has_no_late_dates_or_float() -> None:
    # A would push R (released) to 11-07; history does not move. R still bounds C.
    p = plan(
        rel("A", "2026-11-02", "2026-11-06"),
        rel("R", "2026-11-03", "2026-11-04", status="released"),
        rel("C", "2026-11-05", "2026-11-05"),
        deps=[dep("A", "R"), dep("R", "C", "FS", 2)],
    )
    s = schedule_plan(p)
    r = s.release("R")
    assert r is not None
    assert (r.early_start, r.early_finish) == (day("2026-11-03"), day("2026-11-04"))
    assert (r.late_start, r.late_finish, r.float_days, r.slip_days) == (None, None, None, 0)
    assert r.released
    assert r.to_json() == {
        "key": "R",
        "start": "2026-11-03",
        "target": "2026-11-04",
        "early_start": "2026-11-03",
        "early_finish": "2026-11-04",
        "late_start": None,
        "late_finish": None,
        "float": None,
        "slip": 0,
    }
    c = s.release("C")
    assert c is not None
    assert c.early_start == day("2026-11-07")  # bound by R: 11-04 + 1 + 2
    # C ends last (11-07); the critical path ignores R.
    assert s.end == day("2026-11-07")
    assert s.critical_path == ("C",)  # the walk stops at the released predecessor
    a = s.release("A")
    assert a is not None
    # The edge A -> R takes no part in the backward pass: A's late finish is the end.
    assert (a.late_finish, a.float_days) == (day("2026-11-07"), 1)


def test_when_every_release_is_released_the_end_is_the_latest_target() -> None:
    p = plan(
        rel("A", "2026-11-02", "2026-11-06", status="released"),
        rel("B", "2026-11-03", "2026-11-09", status="released"),
        deps=[dep("A", "B")],
    )
    s = schedule_plan(p)
    assert s.end == day("2026-11-09")
    assert s.critical_path == ()
    assert all(r.float_days is None and r.slip_days == 0 for r in s.releases)


def test_a_released_release_does_not_end_the_plan_even_when_it_ends_last() -> None:
    p = plan(
        rel("A", "2026-11-02", "2026-11-06"),
        rel("R", "2026-11-02", "2026-12-20", status="released"),
    )
    s = schedule_plan(p)
    assert s.end == day("2026-11-06")
    assert s.critical_path == ("A",)
    a = s.release("A")
    assert a is not None
    assert a.float_days == 0


def test_no_dated_releases() -> None:
    s = schedule_plan(plan(rel("U")))
    assert s == Schedule(None, (), ())
    assert s.to_json() == {"end": None, "critical_path": [], "releases": []}
    assert s.release("U") is None


def test_cycle_is_an_error_naming_the_cycle() -> None:
    p = plan(
        rel("A", "2026-11-02", "2026-11-03"),
        rel("B", "2026-11-02", "2026-11-03"),
        rel("C", "2026-11-02", "2026-11-03"),
        rel("D", "2026-11-02", "2026-11-03"),
        deps=[dep("C", "A"), dep("A", "B"), dep("B", "C"), dep("C", "D")],
    )
    with pytest.raises(DependencyCycleError) as caught:
        schedule_plan(p)
    assert caught.value.cycle == ["release:A", "release:B", "release:C", "release:A"]
    assert "release:A -> release:B -> release:C -> release:A" in str(caught.value)


def test_self_loop_is_a_cycle() -> None:
    p = plan(rel("A", "2026-11-02", "2026-11-03"), deps=[dep("A", "A")])
    with pytest.raises(DependencyCycleError) as caught:
        schedule_plan(p)
    assert caught.value.cycle == ["release:A", "release:A"]


def test_implied_cycle_is_an_error() -> None:
    p = plan(
        rel("A", "2026-11-02", "2026-11-03"),
        rel("B", "2026-11-02", "2026-11-03"),
        items=[item("A-1", "A"), item("B-1", "B")],
        deps=[dep("item:A-1", "item:B-1"), dep("B", "A")],
    )
    with pytest.raises(DependencyCycleError) as caught:
        schedule_plan(p)
    assert caught.value.cycle == ["release:A", "release:B", "release:A"]


# --- trains -------------------------------------------------------------------------------------


def train_plan() -> Plan:
    return plan(
        rel("UP", "2026-11-02", "2026-11-10"),  # ancestor of Q-A
        rel("Q-A", "2026-11-02", "2026-11-05", train="Q"),
        rel("Q-B", "2026-11-02", "2026-11-08", train="Q"),
        rel("DOWN", "2026-11-01", "2026-11-30"),  # successor of Q-A: not in the train view
        rel("OTHER", "2026-11-01", "2026-12-31", train="R"),
        deps=[dep("UP", "Q-A"), dep("Q-A", "DOWN")],
        trains=[Train("Q", "Q train"), Train("R", "R train"), Train("EMPTY", "empty")],
    )


def test_train_keeps_its_releases_and_their_ancestors() -> None:
    s = schedule_plan(train_plan(), train="Q")
    assert s.train == "Q"
    assert [r.key for r in s.releases] == ["Q-A", "Q-B", "UP"]
    # Q-A: ES = 11-11, EF = 11-14 = end (Q-B ends 11-08); DOWN's FS edge no longer limits Q-A.
    assert s.end == day("2026-11-14")
    assert row(s, "Q-A") == ("2026-11-11", "2026-11-14", "2026-11-11", "2026-11-14", 0, 9)
    assert row(s, "Q-B") == ("2026-11-02", "2026-11-08", "2026-11-08", "2026-11-14", 6, 0)
    assert row(s, "UP") == ("2026-11-02", "2026-11-10", "2026-11-02", "2026-11-10", 0, 0)
    assert s.critical_path == ("UP", "Q-A")


def test_whole_plan_end_differs_from_the_train_end() -> None:
    s = schedule_plan(train_plan())
    assert s.end == day("2026-12-31")
    assert s.critical_path == ("OTHER",)
    # DOWN: ES 11-15, 30 days, LF = end = 12-31, LS = 12-02; so LF(Q-A) = LS(DOWN) - 1.
    assert row(s, "Q-A")[3] == "2026-12-01"
    assert len(s.releases) == 5


def test_unknown_and_empty_trains() -> None:
    with pytest.raises(UnknownObjectError) as caught:
        schedule_plan(train_plan(), train="NOPE")
    assert (caught.value.kind, caught.value.key) == ("train", "NOPE")
    assert schedule_plan(train_plan(), train="EMPTY") == Schedule(None, (), (), "EMPTY")


# --- JSON ---------------------------------------------------------------------------------------


def test_schedule_json_shape() -> None:
    s = schedule_plan(four_release_plan())
    data = s.to_json()
    assert list(data) == ["end", "critical_path", "releases"]
    assert data["end"] == "2026-11-22"
    assert data["critical_path"] == ["A", "C"]
    assert [r["key"] for r in data["releases"]] == ["A", "B", "C", "D"]
    assert data["releases"][1] == {
        "key": "B",
        "start": "2026-11-05",
        "target": "2026-11-09",
        "early_start": "2026-11-09",
        "early_finish": "2026-11-13",
        "late_start": "2026-11-18",
        "late_finish": "2026-11-22",
        "float": 9,
        "slip": 4,
    }


def test_release_schedule_duration() -> None:
    r = ReleaseSchedule(
        "A",
        day("2026-11-02"),
        day("2026-11-06"),
        day("2026-11-02"),
        day("2026-11-06"),
        day("2026-11-02"),
        day("2026-11-06"),
        0,
        0,
    )
    assert r.duration_days == 5
    assert not r.critical


def test_train_ancestor_finishing_after_the_train_has_negative_float() -> None:
    # UP only has to *start* before Q-A (SS), so it may finish after the train's end.
    p = plan(
        rel("UP", "2026-11-02", "2026-11-30"),
        rel("Q-A", "2026-11-03", "2026-11-05", train="Q"),
        deps=[dep("UP", "Q-A", "SS", 1)],
        trains=[Train("Q", "Q train")],
    )
    s = schedule_plan(p, train="Q")
    assert s.end == day("2026-11-05")
    # LF(UP) = min(end, LS(Q-A) - 1 + 29 - 1 = 12-01) = 11-05; LS = 11-05 - 28 = 10-08.
    assert row(s, "UP") == ("2026-11-02", "2026-11-30", "2026-10-08", "2026-11-05", -25, 0)
    assert s.critical_path == ("UP", "Q-A")


def test_the_network_kept_for_an_index_is_never_served_for_a_moved_plan() -> None:
    import dataclasses
    import datetime as dt

    from relplan.planning.graph import index_plan
    from relplan.planning.schedule import ReleaseNetwork

    base = four_release_plan()
    index = index_plan(base)
    first = ReleaseNetwork.build(index)
    assert ReleaseNetwork.build(index) is first  # the same index: built once
    a = base.release("A")
    assert a is not None
    assert a.start is not None
    assert a.target is not None
    moved = dataclasses.replace(
        a, start=a.start + dt.timedelta(3), target=a.target + dt.timedelta(3)
    )
    plan2 = dataclasses.replace(
        base, releases=tuple(moved if r.key == "A" else r for r in base.releases)
    )
    rebased = index.rebased(plan2, was=base)
    assert rebased is not None
    second = ReleaseNetwork.build(rebased)
    assert second.start["A"] == first.start["A"] + 3
    assert schedule_plan(plan2, index=rebased) == schedule_plan(plan2)
