"""Timeline and dependency-map layouts on small hand-made plans (no Qt)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import doctest
import itertools

import pytest

from relplan.domain.model import Environment, Milestone, Plan, Release, Train
from relplan.errors import DependencyCycleError
from relplan.layout import graph as layout
from relplan.layout.graph import Link, PlanGraph, ViewFilter
from relplan.layout.graph_map import MapLayout, item_map_layout, map_layout, team_map_layout
from relplan.layout.timeline import Arrow, TimelineLayout, arrow_path, dragged_dates
from relplan.planning.check import check_plan
from relplan.planning.schedule import schedule_plan
from tests.unit.planning.factories import day, dep, freeze, item, plan, rel, stage

TODAY = dt.date(2026, 10, 1)


def analysed(p: Plan) -> PlanGraph:
    """The plan graph with the schedule and problems the analyses find."""
    try:
        schedule = schedule_plan(p)
    except DependencyCycleError:  # no schedule, as the window shows it
        schedule = None
    return PlanGraph(p, schedule=schedule, problems=check_plan(p, today=TODAY))


def test_examples_pass() -> None:
    result = doctest.testmod(layout, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0


# --- PlanGraph -----------------------------------------------------------------------------------


def test_links_are_flagged_implied_critical_broken_and_crossing() -> None:
    p = plan(
        rel("A", "2026-11-02", "2026-11-06", team="X"),
        rel("B", "2026-11-05", "2026-11-09", team="Y"),  # FS after A: broken by 2 days
        rel("C", "2026-11-20", "2026-11-22", team="X"),
        deps=[dep("A", "B"), dep("item:C-1", "item:A-1")],
        items=[item("A-1", "A"), item("C-1", "C")],
    )
    g = analysed(p)
    ab, ca = g.links["A", "B"], g.links["C", "A"]
    assert (ab.implied, ab.broken, ab.crossing, ab.critical) == (False, True, True, True)
    assert (ca.implied, ca.broken, ca.crossing) == (True, True, False)
    assert g.implied_by("C", "A") == (("item:C-1", "item:A-1"),)
    assert g.implied_by("A", "B") == ()
    assert [pr.kind for pr in g.problems["B"]] == ["dependency_violation"]
    assert g.forecast("B") is not None
    assert PlanGraph(p).forecast("B") is None


def test_cycle_links_are_flagged_and_other_links_are_not() -> None:
    p = plan(
        rel("A", "2026-11-02", "2026-11-06"),
        rel("B", "2026-11-09", "2026-11-13"),
        rel("C", "2026-11-20", "2026-11-22"),
        deps=[dep("A", "B"), dep("B", "A"), dep("B", "C")],
    )
    g = analysed(p)
    assert g.schedule is None
    assert g.links["A", "B"].cycle
    assert g.links["B", "A"].cycle
    assert not g.links["B", "C"].cycle
    assert set(g.cycle_of) == {"A", "B"}


def test_neighbourhood_by_depth_and_direction() -> None:
    p = plan(*(rel(k) for k in "ABCDE"), deps=[dep("A", "B"), dep("B", "C"), dep("C", "D")])
    g = PlanGraph(p)
    up, down = g.neighbourhood(["C"], depth=1)
    assert up == {"C": 0, "B": 1}
    assert down == {"C": 0, "D": 1}
    up, down = g.neighbourhood(["C"], depth=None, direction="up")
    assert up == {"C": 0, "B": 1, "A": 2}
    assert down == {"C": 0}
    assert g.neighbourhood(["E"], depth=2) == ({"E": 0}, {"E": 0})


def test_search_matches_keys_names_and_teams_exact_key_first() -> None:
    p = plan(rel("PAY-1", team="PAY"), rel("PAY", team="OPS"), rel("WEB-1", team="WEB"))
    g = PlanGraph(p)
    assert g.search("pay") == ["PAY", "PAY-1"]
    assert g.search("web") == ["WEB-1"]
    assert g.search("Release WEB") == ["WEB-1"]  # the factories name releases "Release KEY"
    assert g.search("  ") == []
    assert g.search("pay", keys=["PAY-1"]) == ["PAY-1"]


def test_view_filter_keeps_teams_trains_environments_and_dates() -> None:
    prod = stage("Prod", "2026-11-06", "2026-11-06")
    a = rel("A", "2026-11-02", "2026-11-06", team="X", train="T1", stages=[prod])
    b = rel("B", team="Y")
    assert ViewFilter().keeps(b)
    assert ViewFilter(teams=frozenset({"X"})).keeps(a)
    assert not ViewFilter(teams=frozenset({"X"})).keeps(b)
    assert not ViewFilter(train="T2").keeps(a)
    assert ViewFilter(environment="Prod").keeps(a)
    assert not ViewFilter(environment="QA").keeps(a)
    assert ViewFilter(first=day("2026-11-06")).keeps(a)
    assert not ViewFilter(first=day("2026-11-07")).keeps(a)
    assert not ViewFilter(last=day("2026-11-01")).keeps(a)
    assert not ViewFilter(first=day("2026-11-01")).keeps(b)  # undated


# --- timeline ------------------------------------------------------------------------------------


def timeline_plan() -> Plan:
    return dataclasses.replace(
        plan(
            rel("W2", "2026-11-10", "2026-11-20", team="WEB", train="Q4"),
            rel("P1", "2026-11-02", "2026-11-06", team="PAY", train="Q4",
                stages=[stage("Staging", "2026-11-04", "2026-11-05"),
                        stage("Prod", "2026-11-06", "2026-11-06")]),
            rel("W1", "2026-11-02", "2026-11-08", team="WEB"),
            rel("U", team="PAY"),
            deps=[dep("P1", "W2"), dep("item:P1-1", "item:W1-1")],
            items=[item("P1-1", "P1"), item("W1-1", "W1")],
            freezes=[freeze("Web freeze", "2026-11-12", "2026-11-13", teams=["WEB"]),
                     freeze("All", "2026-11-15", "2026-11-15", environments=["Prod"])],
            environments=[Environment("Prod", 2), Environment("Staging", 1)],
            trains=[Train("Q4", "Q4 train")],
        ),
        teams=(),
    )  # fmt: skip


def test_rows_are_grouped_by_team_and_sorted_by_dates() -> None:
    t = TimelineLayout(analysed(timeline_plan()), pad_days=0)
    assert [(r.kind, r.key) for r in t.rows] == [
        ("group", "PAY"), ("release", "P1"), ("release", "U"),
        ("group", "WEB"), ("release", "W1"), ("release", "W2"),
    ]  # fmt: skip
    assert t.origin == day("2026-11-02")
    assert t.span_days == 19
    assert t.row_of("W2") == 5
    assert t.row_of("nope") is None


def test_rows_grouped_by_train_put_releases_without_one_last() -> None:
    t = TimelineLayout(analysed(timeline_plan()), group_by="train")
    assert [(r.kind, r.key, r.label) for r in t.rows if r.kind == "group"] == [
        ("group", "Q4", "Q4 train"),
        ("group", "", ""),
    ]
    assert [r.key for r in t.rows if r.kind == "release"] == ["P1", "W2", "W1", "U"]


def test_row_items_bars_segments_milestones_and_undated_rows() -> None:
    p = timeline_plan()
    p1 = dataclasses.replace(p.releases[1], milestones=(Milestone("Go", day("2026-11-05")),))
    p = dataclasses.replace(p, releases=(p.releases[0], p1, *p.releases[2:]))
    t = TimelineLayout(PlanGraph(p), pad_days=0)
    p1_items, u_items = t.items(0, 2)
    assert p1_items.bar == (0.0, 5.0)
    assert p1_items.segments == ((2.0, 4.0, "Staging", 0), (4.0, 5.0, "Prod", 1))
    assert p1_items.milestones == ((3.5, "Go"),)
    assert (u_items.key, u_items.bar) == ("U", None)
    assert t.items(0, 2)[0] is p1_items  # built once
    assert [i.key for i in t.items(-5, 99)] == ["P1", "U", "W1", "W2"]
    prod = TimelineLayout(PlanGraph(p), ViewFilter(environment="Prod"), pad_days=0)
    assert [r.key for r in prod.rows if r.kind == "release"] == ["P1"]
    assert prod.items(1, 1)[0].segments == ((4.0, 5.0, "Prod", 1),)


def test_forecast_ghost_and_critical_path() -> None:
    g = analysed(timeline_plan())  # W2 must start after P1: FS, so on plan; no ghost
    t = TimelineLayout(g, pad_days=0)
    assert all(i.ghost is None for i in t.items(0, 5))
    late = plan(
        rel("A", "2026-11-02", "2026-11-06"),
        rel("B", "2026-11-05", "2026-11-09"),
        deps=[dep("A", "B")],
    )
    t = TimelineLayout(analysed(late), pad_days=0)
    a, b = t.items(0, 2)
    assert b.ghost == (5.0, 10.0)  # ES 11-07 .. EF 11-11
    assert a.critical
    assert b.critical


def test_arrows_leave_and_enter_the_right_ends() -> None:
    t = TimelineLayout(analysed(timeline_plan()), pad_days=0)
    arrows = {(a.link.predecessor, a.link.successor): a for a in t.arrows(0, 5)}
    fs, ff = arrows["P1", "W2"], arrows["P1", "W1"]
    assert (fs.x0, fs.row0, fs.x1, fs.row1) == (5.0, 1, 8.0, 5)  # P1 end -> W2 start
    assert (ff.x0, ff.x1, ff.link.implied) == (5.0, 7.0, True)  # P1 end -> W1 end
    assert set(arrows) == {a[:2] for a in (("P1", "W2"), ("P1", "W1"))}
    assert [a.link.successor for a in t.arrows(4, 4)] == ["W1"]
    explicit = t.arrows(0, 5, implied=False)
    assert [a.link.successor for a in explicit] == ["W2"]
    with_selected = t.arrows(0, 5, implied=False, around={"W1"})
    assert {a.link.successor for a in with_selected} == {"W1", "W2"}


def test_freeze_bands_cover_their_teams_rows_only() -> None:
    t = TimelineLayout(analysed(timeline_plan()), pad_days=0)
    bands = {b.name: b for b in t.freeze_bands()}
    assert t.freeze_bands() is t.freeze_bands()  # worked out once
    assert (bands["Web freeze"].x0, bands["Web freeze"].x1) == (10.0, 12.0)
    assert bands["Web freeze"].rows == ((3, 5),)  # the WEB group row and its releases
    assert bands["All"].rows == ()
    assert bands["All"].environments == ("Prod",)
    staging = TimelineLayout(analysed(timeline_plan()), ViewFilter(environment="Staging"))
    assert staging.freeze_bands() == ()  # "All" covers Prod only
    by_train = TimelineLayout(analysed(timeline_plan()), group_by="train")
    assert by_train.freeze_bands()[0].rows == ((2, 2), (4, 4))  # W2 and W1, apart


def test_a_date_window_fixes_the_range_and_drops_releases_outside() -> None:
    view = ViewFilter(first=day("2026-11-09"), last=day("2026-11-30"))
    t = TimelineLayout(analysed(timeline_plan()), view)
    assert (t.origin, t.span_days) == (day("2026-11-09"), 22)
    assert [r.key for r in t.rows if r.kind == "release"] == ["W2"]
    assert t.x(day("2026-11-10")) == 1.0
    assert t.day(1.7) == day("2026-11-10")


def test_an_empty_plan_has_no_rows_and_starts_today() -> None:
    t = TimelineLayout(PlanGraph(Plan()), today=TODAY)
    assert (t.rows, t.origin, t.span_days) == ((), TODAY, 1)
    assert t.items(0, 10) == []
    assert t.hit(0, 1.0) is None


def test_hit_finds_the_body_and_the_end_grip() -> None:
    t = TimelineLayout(analysed(timeline_plan()), pad_days=0)
    assert t.hit(1, 2.0) == ("P1", "body")
    assert t.hit(1, 4.8, grip_days=0.5) == ("P1", "end")
    assert t.hit(1, 5.4, grip_days=0.5) == ("P1", "end")
    assert t.hit(1, 6.0) is None
    assert t.hit(0, 2.0) is None  # a group row
    assert t.hit(2, 2.0) is None  # undated


@pytest.mark.parametrize(
    ("part", "delta", "expected"),
    [
        ("body", 3, ("2026-11-05", "2026-11-09")),
        ("body", -2, ("2026-10-31", "2026-11-04")),
        ("end", 2, ("2026-11-02", "2026-11-08")),
        ("end", -10, ("2026-11-02", "2026-11-02")),
    ],
)
def test_dragged_dates(part: str, delta: int, expected: tuple[str, str]) -> None:
    got = dragged_dates(day("2026-11-02"), day("2026-11-06"), delta, part=part)
    assert got == (day(expected[0]), day(expected[1]))


def test_arrow_path_enters_a_target_from_the_right() -> None:
    ff = Arrow(Link("A", "B", "FF", 0), 5, 2, 10, 0)
    assert arrow_path(ff, day_px=2, row_px=10, stub_px=4) == [
        (10, 25.0), (14, 25.0), (14, 10.0), (24, 10.0), (24, 5.0), (20, 5.0),
    ]  # fmt: skip
    ss = Arrow(Link("A", "B", "SS", 0), 5, 0, 10, 1)
    assert arrow_path(ss, day_px=1, row_px=10, stub_px=2)[1] == (3, 5.0)  # leaves leftwards


# --- dependency map ------------------------------------------------------------------------------


def columns(m: MapLayout) -> list[list[str]]:
    """Node keys per generation, top to bottom."""
    out: dict[int, list[tuple[float, str]]] = {}
    for n in m.nodes:
        out.setdefault(n.generation, []).append((n.y, n.key))
    return [[k for _, k in sorted(out[g])] for g in sorted(out)]


def crossings(m: MapLayout) -> int:
    """Edge crossings between adjacent columns (by node order)."""
    pos = {n.key: (n.generation, n.y) for n in m.nodes}
    spans = [(pos[e.link.predecessor], pos[e.link.successor]) for e in m.edges]
    count = 0
    for (a0, a1), (b0, b1) in itertools.combinations(spans, 2):
        if a0[0] == b0[0] and a1[0] == b1[0] and a1[0] == a0[0] + 1:
            count += (a0[1] - b0[1]) * (a1[1] - b1[1]) < 0
    return count


def test_releases_go_left_to_right_by_generation() -> None:
    p = plan(*(rel(k) for k in "ABCDE"), deps=[dep("A", "C"), dep("B", "C"), dep("C", "D")])
    m = map_layout(PlanGraph(p), "ABCDE")
    assert columns(m) == [["A", "B", "E"], ["C"], ["D"]]
    xs = sorted({n.x for n in m.nodes})
    assert xs == [0.0, layout.NODE_W + layout.COLUMN_GAP, 2 * (layout.NODE_W + layout.COLUMN_GAP)]
    edge = next(e for e in m.edges if e.link[:2] == ("C", "D"))
    c = next(n for n in m.nodes if n.key == "C")
    assert edge.path[0] == (c.x + c.w, c.y + c.h / 2)


def test_barycentre_sweeps_remove_avoidable_crossings() -> None:
    # Sorted by key, A1 sits over A2 but feeds the bottom of the next column.
    p = plan(
        *(rel(k, team="T") for k in ("A1", "A2", "B1", "B2")),
        deps=[dep("A1", "B2"), dep("A2", "B1")],
    )
    unswept = map_layout(PlanGraph(p), ["A1", "A2", "B1", "B2"], sweeps=0)
    swept = map_layout(PlanGraph(p), ["A1", "A2", "B1", "B2"])
    assert crossings(unswept) == 1
    assert crossings(swept) == 0


def test_cycle_members_share_a_column_and_their_edges_are_red() -> None:
    p = plan(
        *(rel(k, "2026-11-02", "2026-11-06") for k in "ABCD"),
        deps=[dep("A", "B"), dep("B", "C"), dep("C", "B"), dep("C", "D")],
    )
    m = map_layout(analysed(p), "ABCD")
    assert columns(m) == [["A"], ["B", "C"], ["D"]]
    cyc = {e.link[:2]: e.link.cycle for e in m.edges}
    assert cyc == {("A", "B"): False, ("B", "C"): True, ("C", "B"): True, ("C", "D"): False}
    b_to_c = next(e for e in m.edges if e.link[:2] == ("B", "C"))
    assert b_to_c.path[1][0] > b_to_c.path[0][0]  # loops out to the right
    assert {n.key for n in m.nodes if n.cycle} == {"B", "C"}


def test_focus_shows_upstream_left_and_downstream_right_by_distance() -> None:
    p = plan(
        *(rel(k) for k in "ABCDEF"),
        deps=[dep("A", "B"), dep("B", "C"), dep("C", "D"), dep("A", "C"), dep("E", "F")],
    )
    g = PlanGraph(p)
    m = map_layout(g, "ABCDEF", focus="C", depth=1)
    assert columns(m) == [["A", "B"], ["C"], ["D"]]
    assert {n.key: n.role for n in m.nodes}["C"] == "focus"
    assert sorted(e.link[:2] for e in m.edges) == [("A", "C"), ("B", "C"), ("C", "D")]
    m = map_layout(g, "ABCDEF", focus="C", depth=None)
    assert columns(m) == [["A", "B"], ["C"], ["D"]]  # A is one edge away as well
    assert ("A", "B") not in {e.link[:2] for e in m.edges}  # not a shortest path to C
    m = map_layout(g, "ABCDEF", focus="D", depth=2, direction="up")
    assert columns(m) == [["A", "B"], ["C"], ["D"]]
    assert map_layout(g, "ABCDEF", focus="D", direction="down").nodes[0].key == "D"
    assert len(map_layout(g, "ABCDEF", focus="nope").nodes) == 6  # unknown focus: everything


def test_context_adds_the_neighbours_outside_the_filter_faded() -> None:
    p = plan(rel("A", team="X"), rel("B", team="Y"), rel("C", team="Z"), deps=[dep("A", "B")])
    m = map_layout(PlanGraph(p), ["A"], context=True)
    assert {n.key: n.role for n in m.nodes} == {"A": "", "B": "context"}
    assert m.edges[0].link.crossing


def test_team_map_aggregates_edges_and_keeps_mutual_teams_apart() -> None:
    p = plan(
        rel("X1", "2026-11-02", "2026-11-06", team="X"),
        rel("X2", "2026-11-02", "2026-11-06", team="X"),
        rel("Y1", "2026-11-02", "2026-11-06", team="Y"),
        rel("Z1", "2026-11-20", "2026-11-22", team="Z"),
        deps=[dep("X1", "Y1", "SS"), dep("X2", "Y1", "SS"), dep("Y1", "X2", "SS", 1),
              dep("Y1", "Z1"), dep("X1", "X2", "SS")],
    )  # fmt: skip
    m = team_map_layout(analysed(p), ["X1", "X2", "Y1", "Z1"])
    links = {e.link[:2]: e.link for e in m.edges}
    assert set(links) == {("X", "Y"), ("Y", "X"), ("Y", "Z")}
    assert links["X", "Y"].weight == 2
    assert links["Y", "X"].weight == 1
    assert all(lk.crossing for lk in links.values())
    gens = {n.key: n.generation for n in m.nodes}
    assert gens["X"] < gens["Y"] < gens["Z"] or gens["Y"] < gens["X"]  # not all one column
    assert len(set(gens.values())) > 1
    assert {n.key: n.detail for n in m.nodes}["X"] == "2 releases"


def test_team_map_keeps_flagged_and_heaviest_edges_within_max_edges() -> None:
    p = plan(
        rel("A1", "2026-11-02", "2026-11-06", team="A"),
        rel("A2", "2026-11-02", "2026-11-06", team="A"),
        rel("B1", "2026-11-05", "2026-11-09", team="B"),
        rel("C1", "2026-12-01", "2026-12-09", team="C"),
        rel("D1", "2026-12-01", "2026-12-09", team="D"),
        deps=[dep("A1", "B1"), dep("A1", "C1"), dep("A2", "C1"), dep("A1", "D1", "SS")],
    )
    m = team_map_layout(analysed(p), ["A1", "A2", "B1", "C1", "D1"], max_edges=1)
    kept = {e.link[:2] for e in m.edges}
    assert ("A", "B") in kept  # broken: always kept
    assert ("A", "C") in kept  # the heaviest (2 edges)
    assert m.hidden_edges == 1
    assert team_map_layout(analysed(p), [], max_edges=None).nodes == ()


def test_mixed_types_aggregate_to_no_single_type() -> None:
    p = plan(rel("A1", team="A"), rel("A2", team="A"), rel("B1", team="B"),
             deps=[dep("A1", "B1", "FS", 2), dep("A2", "B1", "SS", -1)])  # fmt: skip
    (edge,) = team_map_layout(PlanGraph(p), ["A1", "A2", "B1"]).edges
    assert (edge.link.type, edge.link.lag_days, edge.link.weight) == ("", -1, 2)


def test_item_map_shows_a_releases_items_their_links_and_release_ends() -> None:
    p = plan(
        rel("A"),
        rel("B"),
        deps=[dep("item:A-1", "item:A-2"), dep("item:B-1", "item:A-1"), dep("item:A-2", "B"),
              dep("item:A-2", "item:GONE")],
        items=[item("A-1", "A"), item("A-2", "A"), item("A-3", "A"), item("B-1", "B")],
    )  # fmt: skip
    m, unlinked = item_map_layout(PlanGraph(p), "A")
    nodes = {n.key: n for n in m.nodes}
    assert set(nodes) == {"item:A-1", "item:A-2", "item:B-1", "release:B", "item:GONE"}
    assert (nodes["item:B-1"].role, nodes["item:B-1"].detail) == ("external", "B · Item B-1")
    assert (nodes["release:B"].kind, nodes["release:B"].label) == ("ref", "B")
    assert nodes["item:GONE"].detail == "unknown"
    assert columns(m)[0] == ["item:B-1"]
    crossing = {e.link[:2]: e.link.crossing for e in m.edges}
    assert crossing[("item:A-1", "item:A-2")] is False
    assert crossing[("item:B-1", "item:A-1")] is True
    assert unlinked == ("A-3",)


def test_release_nodes_carry_dates_status_and_problem_counts() -> None:
    p = plan(
        rel("A", "2026-11-02", "2026-11-06", status="released"),
        rel("B", "2026-11-05", "2026-11-09"),
        rel("C"),
        deps=[dep("A", "B")],
    )
    nodes = {n.key: n for n in map_layout(analysed(p), "ABC").nodes}
    assert nodes["A"].detail == "02 Nov – 06 Nov 2026"
    assert nodes["A"].status == "released"
    assert nodes["B"].problems == 1
    assert nodes["C"].detail == "no dates"


def test_large_layouts_stay_cheap() -> None:
    """200 releases in a ladder: every layout of them is built well within a second."""
    releases = [
        Release(
            f"R{n:03d}", f"R{n}", f"T{n % 7}", start=day("2026-11-02"), target=day("2026-11-04")
        )
        for n in range(200)
    ]
    deps = [
        dep(f"R{n:03d}", f"R{n + k:03d}", "SS") for n in range(200) for k in (1, 3) if n + k < 200
    ]
    g = PlanGraph(plan(*releases, deps=deps))
    keys = g.keys()
    assert len(map_layout(g, keys).nodes) == 200
    assert len(team_map_layout(g, keys).nodes) == 7
    t = TimelineLayout(g)
    assert len(t.arrows(0, len(t.rows))) == len(deps)


def test_self_loops_and_unrelated_links_are_left_out_of_maps() -> None:
    p = plan(
        rel("A"),
        rel("B"),
        deps=[dep("A", "A"), dep("A", "B"), dep("item:B-1", "item:B-2")],
        items=[item("A-1", "A"), item("B-1", "B"), item("B-2", "B")],
    )
    g = PlanGraph(p)
    assert [e.link[:2] for e in map_layout(g, "AB").edges] == [("A", "B")]
    m, unlinked = item_map_layout(g, "A")
    assert (m.nodes, unlinked) == ((), ("A-1",))


def test_too_many_edges_leave_one_per_release_and_the_flagged_ones() -> None:
    # A and B feed C and D, which feed E; B also feeds E. Only B -> C is broken (dated).
    p = plan(
        rel("B", "2026-11-02", "2026-11-06"),
        rel("C", "2026-11-05", "2026-11-09"),
        *(rel(k) for k in "ADE"),
        deps=[dep("A", "C"), dep("B", "C"), dep("A", "D"), dep("B", "D"),
              dep("C", "E"), dep("D", "E"), dep("B", "E", "SS")],
    )  # fmt: skip
    g = analysed(p)
    full = map_layout(g, "ABCDE", max_edges=None)
    assert (len(full.edges), full.hidden_edges) == (7, 0)
    tree = map_layout(g, "ABCDE", max_edges=3)
    kept = sorted((e.link.predecessor, e.link.successor) for e in tree.edges)
    # One incoming link each (the nearest, then by key), and the broken one.
    assert kept == [("A", "C"), ("A", "D"), ("B", "C"), ("C", "E")]
    assert tree.hidden_edges == 3
    focused = map_layout(g, "ABCDE", focus="E", depth=None, max_edges=2)
    kept = sorted((e.link.predecessor, e.link.successor) for e in focused.edges)
    assert kept == [("A", "C"), ("B", "E"), ("C", "E"), ("D", "E")]  # each its way to E
    assert focused.hidden_edges == 1  # A -> D


def test_focus_leaves_out_edges_from_releases_outside_it() -> None:
    # D feeds C, one column right of the focus B, but D itself is not near B.
    p = plan(*(rel(k) for k in "ABCD"), deps=[dep("A", "B"), dep("B", "C"), dep("D", "C")])
    m = map_layout(PlanGraph(p), "ABCD", focus="B", depth=1, max_edges=1)
    assert columns(m) == [["A"], ["B"], ["C"]]
    assert sorted(e.link[:2] for e in m.edges) == [("A", "B"), ("B", "C")]
    assert m.hidden_edges == 0


def test_arrows_come_in_row_then_link_order_from_the_graphs_links_of() -> None:
    """The arrows of a row range: for each row, its release's links in the graph's order (the
    order they are painted in, so overlaps look the same), each once, both ends shown."""
    releases = [
        Release(
            f"R{n:02d}", f"R{n}", f"T{n % 3}", start=day("2026-11-02"), target=day("2026-11-04")
        )
        for n in range(30)
    ]
    deps = [dep(f"R{n:02d}", f"R{(n * 7 + k) % 30:02d}") for n in range(30) for k in (1, 5)]
    deps = [d for d in deps if d.from_ref != d.to_ref]
    g = PlanGraph(plan(*releases, deps=deps))
    links_of = g.links_of()
    assert links_of is g.links_of()  # built once
    assert sum(map(len, links_of.values())) == 2 * len(g.links)
    t = TimelineLayout(g, ViewFilter(teams=frozenset({"T0", "T1"})))
    for first, last in ((0, len(t.rows)), (3, 9), (-2, 4), (12, 12)):
        expected: dict[tuple[str, str], Link] = {}
        for row in t.rows[max(first, 0) : last + 1]:
            for link in g.links.values():
                ends = (link.predecessor, link.successor)
                shown = all(t.row_of(e) is not None for e in ends)
                if row.kind == "release" and row.key in ends and shown:
                    expected.setdefault(ends, link)
        assert [a.link for a in t.arrows(first, last)] == list(expected.values())
