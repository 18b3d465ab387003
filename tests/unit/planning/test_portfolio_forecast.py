"""``relplan forecast``: on-time odds and criticality through the dependency graph."""

from __future__ import annotations

import datetime as dt

import pytest

from relplan.domain.model import Dependency, Plan, Release, Team, Train, WorkItem
from relplan.errors import DependencyCycleError, UnknownObjectError
from relplan.planning.portfolio_forecast import portfolio_forecast

TODAY = dt.date(2026, 11, 30)


def _day(offset: int) -> dt.date:
    return TODAY + dt.timedelta(days=offset)


def _done(team: str, weekly: list[int]) -> list[WorkItem]:
    """Done items of ``team``: ``weekly[k]`` resolved in week k (0 = the latest)."""
    items = []
    for week, count in enumerate(weekly):
        at = dt.datetime.combine(_day(-7 * week), dt.time(12), dt.UTC)
        items += [
            WorkItem(f"{team}-D{week}-{n}", "d", team=team, category="done", resolved=at)
            for n in range(count)
        ]
    return items


def _open(release: str, team: str, count: int) -> list[WorkItem]:
    return [WorkItem(f"{release}-{n}", "o", team=team, release=release) for n in range(count)]


def _rel(key: str, start: int, target: int, *, team: str = "T", **kw: object) -> Release:
    return Release(key, key, team, start=_day(start), target=_day(target), **kw)  # type: ignore[arg-type]


def _steady_plan(c_target: int = 30) -> Plan:
    """Team T does 2 items every week: every run is the same, so the figures are exact.

    A (4 items left) finishes its queue in 2 weeks: F_A = today + 14 > target + 10.
    B (nothing left) follows A FS: it may start on day 15 and, lasting 5 days, ends on day 19.
    """
    return Plan(
        teams=(Team("T", "T"), Team("U", "U")),
        trains=(Train("T1", "Train 1", target=_day(18)),),
        releases=(
            _rel("A", 0 + 1, 10, train="T1"),
            _rel("B", 13, 17, train="T1"),
            _rel("C", 1, c_target, team="U"),
            _rel("OLD", -20, -5, status="released"),
        ),
        dependencies=(Dependency("release:A", "release:B"), Dependency("release:OLD", "release:A")),
        work_items=tuple(_done("T", [2] * 12) + _done("U", [1] * 12) + _open("A", "T", 4)),
    )


def test_steady_throughput_gives_exact_figures_and_the_chain_that_ends_the_plan() -> None:
    result = portfolio_forecast(_steady_plan(c_target=30), today=TODAY, runs=50)
    odds = {r.key: r for r in result.releases}
    assert (odds["A"].p50, odds["A"].p85, odds["A"].p_on_time) == (_day(14), _day(14), 0.0)
    assert (odds["B"].p50, odds["B"].p_on_time) == (_day(19), 0.0)
    assert (odds["C"].p50, odds["C"].p_on_time) == (_day(30), 1.0)
    # C ends the plan on day 30 in every run: only C is critical.
    assert [odds[k].criticality for k in "ABC"] == [0.0, 0.0, 1.0]
    old = odds["OLD"]
    assert (old.p50, old.p85, old.p_on_time, old.criticality) == (_day(-5), _day(-5), 1.0, 0.0)
    [train] = result.trains
    assert (train.key, train.p50, train.p85, train.p_on_time) == ("T1", _day(19), _day(19), 0.0)


def test_criticality_follows_tight_bounds_back_from_the_latest_finish() -> None:
    result = portfolio_forecast(_steady_plan(c_target=12), today=TODAY, runs=50)
    odds = {r.key: r for r in result.releases}
    # Now B (day 19) ends the plan, bound tightly by A's finish; C is not on the chain.
    assert [odds[k].criticality for k in "ABC"] == [1.0, 1.0, 0.0]
    assert odds["OLD"].criticality == 0.0  # released: never critical


def test_train_restricts_releases_to_its_own_and_ancestors() -> None:
    result = portfolio_forecast(_steady_plan(), today=TODAY, runs=20, train="T1")
    assert [r.key for r in result.releases] == ["A", "B", "OLD"]
    assert [t.key for t in result.trains] == ["T1"]
    with pytest.raises(UnknownObjectError):
        portfolio_forecast(_steady_plan(), today=TODAY, train="NOPE")


def test_a_coin_flip_week_gives_half_the_runs_on_time() -> None:
    # Half the weeks do 2 items, half none: 2 items left are done within week 1 half the time.
    plan = Plan(
        teams=(Team("T", "T"),),
        releases=(_rel("A", 1, 7),),
        work_items=tuple(_done("T", [2, 0] * 6) + _open("A", "T", 2)),
    )
    [a] = portfolio_forecast(plan, today=TODAY, runs=4000, seed=3).releases
    assert a.p_on_time == pytest.approx(0.5, abs=0.04)
    assert a.p50 == _day(7) or a.p50 == _day(14)
    assert a.p85 is not None
    assert a.p85 >= _day(14)


def test_same_seed_same_figures_other_seed_may_differ() -> None:
    plan = Plan(
        teams=(Team("T", "T"),),
        releases=(_rel("A", 1, 20), _rel("B", 22, 40)),
        dependencies=(Dependency("release:A", "release:B"),),
        work_items=tuple(_done("T", [0, 1, 3, 5, 2, 0, 4, 1, 2, 3, 0, 6]) + _open("A", "T", 9)),
    )
    one = portfolio_forecast(plan, today=TODAY, runs=500, seed=7).to_json()
    assert one == portfolio_forecast(plan, today=TODAY, runs=500, seed=7).to_json()
    others = [portfolio_forecast(plan, today=TODAY, runs=500, seed=s).to_json() for s in (8, 9)]
    assert any(o["releases"] != one["releases"] for o in others)
    assert set(one) == {"runs", "seed", "releases", "trains"}
    assert set(one["releases"][0]) == {"key", "target", "p50", "p85", "p_on_time", "criticality"}


def test_a_team_without_throughput_nulls_its_releases_and_their_dependants() -> None:
    plan = Plan(
        teams=(Team("T", "T"), Team("U", "U")),
        releases=(_rel("A", 1, 10, team="U"), _rel("B", 12, 20), _rel("C", 1, 20)),
        dependencies=(Dependency("release:A", "release:B"),),
        work_items=tuple(_done("T", [1] * 12) + _open("A", "U", 3)),
    )
    odds = {r.key: r for r in portfolio_forecast(plan, today=TODAY, runs=20).releases}
    assert odds["A"].p50 is None
    assert odds["A"].p_on_time is None
    assert odds["B"].criticality is None
    assert odds["C"].p50 == _day(20)


def test_a_cycle_is_an_error() -> None:
    plan = Plan(
        releases=(_rel("A", 1, 10), _rel("B", 12, 20)),
        dependencies=(
            Dependency("release:A", "release:B"),
            Dependency("release:B", "release:A"),
        ),
    )
    with pytest.raises(DependencyCycleError):
        portfolio_forecast(plan, today=TODAY, runs=10)
