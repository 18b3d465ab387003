"""Dependency graphs: implied release edges, precedence, cycles."""

from __future__ import annotations

import networkx as nx
import pytest

from relplan.domain.model import Dependency, Plan, WorkItem
from relplan.errors import DependencyCycleError
from relplan.planning.graph import (
    ReleaseEdge,
    dependency_graph,
    index_plan,
    release_edges,
    release_graph,
)
from relplan.planning.graph_order import find_cycle, kahn_order, topological_order

from .factories import dep, item, plan, rel


def two_release_plan(*deps_: Dependency, items: list[WorkItem] | None = None) -> Plan:
    return plan(
        rel("A", "2026-11-02", "2026-11-06"),
        rel("B", "2026-11-09", "2026-11-13"),
        rel("C", "2026-11-09", "2026-11-13"),
        deps=deps_,
        items=items
        if items is not None
        else [item("A-1", "A"), item("A-2", "A"), item("B-1", "B"), item("B-2", "B"), item("X")],
    )


def test_item_dependency_across_releases_implies_ff_release_edge() -> None:
    edges = release_edges(two_release_plan(dep("item:A-1", "item:B-1")))
    assert edges == {("A", "B"): ReleaseEdge("A", "B", "FF", 0, (("item:A-1", "item:B-1"),))}
    assert edges["A", "B"].implied
    assert edges["A", "B"].describe_origin() == "implied by item:A-1 -> item:B-1"


def test_several_item_pairs_imply_one_edge_and_are_kept_sorted() -> None:
    edges = release_edges(
        two_release_plan(dep("item:A-2", "item:B-1"), dep("item:A-1", "item:B-2"))
    )
    assert list(edges) == [("A", "B")]
    assert edges["A", "B"].implied_by == (
        ("item:A-1", "item:B-2"),
        ("item:A-2", "item:B-1"),
    )
    assert edges["A", "B"].describe_origin() == "implied by item:A-1 -> item:B-2 and 1 more"


@pytest.mark.parametrize(
    ("from_ref", "to_ref"),
    [
        ("item:A-1", "item:A-2"),  # same release
        ("item:A-1", "item:X"),  # X is in no release
        ("item:A-1", "item:NOPE"),  # dangling
        ("release:A", "item:B-1"),  # mixed ends
        ("item:A-1", "release:B"),
    ],
)
def test_dependencies_that_imply_nothing(from_ref: str, to_ref: str) -> None:
    assert release_edges(two_release_plan(dep(from_ref, to_ref))) == {}


def test_explicit_release_edge_takes_precedence_over_implied() -> None:
    p = two_release_plan(dep("item:A-1", "item:B-1"), dep("A", "B", "SS", 3))
    edges = release_edges(p)
    assert edges == {("A", "B"): ReleaseEdge("A", "B", "SS", 3)}
    assert not edges["A", "B"].implied
    assert edges["A", "B"].describe_origin() == ""
    index = index_plan(p)
    assert index.implied == {}
    assert index.edge("A", "B") == ReleaseEdge("A", "B", "SS", 3)


def test_opposite_explicit_edge_does_not_cancel_implied_one() -> None:
    edges = release_edges(two_release_plan(dep("item:A-1", "item:B-1"), dep("B", "A")))
    assert set(edges) == {("A", "B"), ("B", "A")}
    assert edges["A", "B"].implied
    assert not edges["B", "A"].implied


def test_index_edge_lookup() -> None:
    index = index_plan(two_release_plan(dep("item:A-1", "item:B-1"), dep("B", "C", "SF", -2)))
    assert index.edge("A", "B") == ReleaseEdge("A", "B", "FF", 0, (("item:A-1", "item:B-1"),))
    assert index.edge("B", "C") == ReleaseEdge("B", "C", "SF", -2)
    assert index.edge("C", "A") is None
    assert sorted(index.edge_tuples()) == [("A", "B", "FF", 0), ("B", "C", "SF", -2)]
    assert index.implied_by([]) == {}
    assert index.implied_by([("C", "A")]) == {("C", "A"): ()}


def test_explicit_edge_to_unknown_release_is_no_release_edge() -> None:
    assert release_edges(two_release_plan(dep("A", "GHOST"))) == {}


def test_dependency_graph_has_all_nodes_and_marks_implied_edges() -> None:
    p = two_release_plan(
        dep("item:A-1", "item:B-1"), dep("B", "C", "SS", 1), dep("item:B-2", "item:GHOST")
    )
    g = dependency_graph(p)
    assert g.nodes["release:A"]["kind"] == "release"
    assert g.nodes["item:X"]["kind"] == "item"
    assert g.nodes["item:GHOST"]["kind"] == "unknown"
    assert g.edges["item:A-1", "item:B-1"]["implied"] is False
    implied = g.edges["release:A", "release:B"]
    assert implied["implied"] is True
    assert implied["type"] == "FF"
    assert implied["implied_by"] == [("item:A-1", "item:B-1")]
    assert g.edges["release:B", "release:C"] == {
        "type": "SS",
        "lag_days": 1,
        "implied": False,
        "implied_by": [],
    }


def test_dependency_graph_keeps_explicit_edge_over_implied() -> None:
    g = dependency_graph(two_release_plan(dep("item:A-1", "item:B-1"), dep("A", "B", "SS", 3)))
    assert g.edges["release:A", "release:B"]["type"] == "SS"
    assert g.edges["release:A", "release:B"]["implied"] is False


def test_release_graph_leaves_out_cancelled_and_undated_releases() -> None:
    p = plan(
        rel("A", "2026-11-02", "2026-11-06"),
        rel("B", "2026-11-09", "2026-11-13"),
        rel("C", "2026-11-09", "2026-11-13", status="cancelled"),
        rel("D"),
        rel("E", "2026-11-09", "2026-11-13", status="released"),
        deps=[dep("A", "B"), dep("A", "C"), dep("D", "B"), dep("B", "E", "FF", 2)],
    )
    g = release_graph(p)
    assert sorted(g) == ["release:A", "release:B", "release:E"]
    assert sorted(g.edges) == [("release:A", "release:B"), ("release:B", "release:E")]
    assert g.nodes["release:A"]["duration_days"] == 5
    assert g.nodes["release:A"]["key"] == "A"
    assert g.edges["release:B", "release:E"]["lag_days"] == 2


def test_find_cycle_is_rotated_to_the_smallest_node() -> None:
    g: nx.DiGraph[str] = nx.DiGraph([("c", "a"), ("a", "b"), ("b", "c"), ("x", "a")])
    assert find_cycle(g) == ["a", "b", "c", "a"]


def test_find_cycle_self_loop_and_acyclic() -> None:
    assert find_cycle(nx.DiGraph([("a", "b"), ("b", "b")])) == ["b", "b"]
    assert find_cycle(nx.DiGraph([("a", "b")])) is None


def test_topological_order_raises_with_the_cycle_in_order() -> None:
    g: nx.DiGraph[str] = nx.DiGraph(
        [("release:B", "release:C"), ("release:C", "release:A"), ("release:A", "release:B")]
    )
    with pytest.raises(DependencyCycleError) as caught:
        topological_order(g)
    assert caught.value.cycle == ["release:A", "release:B", "release:C", "release:A"]
    assert str(caught.value) == (
        "dependency cycle: release:A -> release:B -> release:C -> release:A"
    )


def test_kahn_order_sorts_and_leaves_the_cyclic_rest() -> None:
    order, rest = kahn_order({"a": ["b", "c"], "b": ["c"], "d": ["d"]}, ["z"])
    assert order == ["z", "a", "b", "c"]
    assert rest == {"d"}
    assert kahn_order({}) == ([], set())
