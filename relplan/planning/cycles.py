"""The ``cycle`` check: dependency cycles in the full graph (release and item nodes, implied
edges included), each named once with the items behind its implied edges.

Apart from :mod:`relplan.planning.check` so that :mod:`relplan.planning.links` can find the
cycles when it finds the links (and keep them in the analysis cache with them).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Final

from relplan.domain.model import RELEASE_PREFIX
from relplan.planning.graph import PlanIndex, ReleaseEdge
from relplan.planning.graph_order import find_cycle
from relplan.planning.problems import ERROR, Problem

__all__ = ["find_cycle_problems"]

_CYCLE_SHOWN: Final = 12  # longer cycles are abbreviated in messages


def find_cycle_problems(index: PlanIndex) -> list[Problem]:
    """One ``cycle`` problem per strongly connected component of more than one node or with a
    self-loop, in the full dependency graph (release and item nodes, implied edges included).

    Plain-dict Kahn passes first strip every node that is on no cycle and not between two
    (:func:`~relplan.planning.graph_order.cyclic_core`); networkx then finds the components in what
    is left, which is nothing in an acyclic plan.

    Args:
        index: The plan's index.

    Returns:
        The problems, unsorted.
    """
    successors = index.full_successors()
    core = index.cyclic_core()
    if not core:
        return []
    import networkx as nx  # only with a cycle: it takes ~0.15 s to import

    graph: nx.DiGraph[str] = nx.DiGraph()
    graph.add_nodes_from(sorted(core))
    graph.add_edges_from(sorted((u, v) for u in core for v in successors.get(u, ()) if v in core))
    problems = []
    for component in nx.strongly_connected_components(graph):
        first = min(component)
        if len(component) == 1 and not graph.has_edge(first, first):
            continue
        cycle = find_cycle(graph.subgraph(component), source=first) or [first, first]
        problems.append(
            Problem(
                "cycle", ERROR, tuple(sorted(component)), _cycle_message(index, cycle, component)
            )
        )
    return problems


def _cycle_message(index: PlanIndex, cycle: Sequence[str], component: set[str]) -> str:
    nodes = list(cycle[:-1])
    if len(nodes) == 1:  # a self-loop: [a, a]
        text = f"{nodes[0]} depends on itself"
    elif len(nodes) <= _CYCLE_SHOWN:
        text = "dependency cycle: " + " -> ".join(cycle)
    else:  # the subjects list every node; the message stays one readable line
        del nodes[_CYCLE_SHOWN:]
        shown = " -> ".join([*nodes, "...", cycle[-1]])
        text = f"dependency cycle of {len(cycle) - 1} nodes: {shown}"
    if len(component) > len(cycle) - 1:
        text += f" ({len(component)} nodes depend on each other)"
    # Name the items behind each implied edge shown (one scan of the dependencies for all).
    cut = len(RELEASE_PREFIX)
    implied = [
        (u[cut:], v[cut:])
        for u, v in itertools.pairwise(nodes if len(nodes) < len(cycle) - 1 else cycle)
        if u.startswith(RELEASE_PREFIX)
        and v.startswith(RELEASE_PREFIX)
        and (u[cut:], v[cut:]) in index.implied
    ]
    for (p, s), origin in index.implied_by(implied).items():
        edge = ReleaseEdge(p, s, "FF", 0, origin)
        text += f"; {RELEASE_PREFIX}{p} -> {RELEASE_PREFIX}{s} is {edge.describe_origin()}"
    return text
