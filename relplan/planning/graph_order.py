"""Orders and cycles of directed graphs: plain-dict Kahn passes and the networkx helpers.

:mod:`relplan.planning.graph` builds a plan's graphs; the functions here work on any graph
(adjacency lists or a networkx ``DiGraph``) and know nothing of plans.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from itertools import chain
from typing import TYPE_CHECKING

from relplan.errors import DependencyCycleError

# networkx takes ~0.15 s to import: only the functions that need it load it.
if TYPE_CHECKING:
    import networkx as nx

__all__ = ["cyclic_core", "find_cycle", "kahn_order", "topological_order"]


def find_cycle(graph: nx.DiGraph[str], *, source: str | None = None) -> list[str] | None:
    """One cycle of a directed graph as its nodes in order, the first repeated at the end.

    The cycle is rotated to begin at its smallest node, so the same graph always names the same
    cycle the same way.

    Args:
        graph: A directed graph.
        source: Where to start looking (default: anywhere).

    Returns:
        ``[a, b, ..., a]`` (``[a, a]`` for a self-loop), or None when the graph (from
        ``source``) is acyclic.

    Examples:
        >>> import networkx as nx
        >>> find_cycle(nx.DiGraph([("release:B", "release:A"), ("release:A", "release:B")]))
        ['release:A', 'release:B', 'release:A']
        >>> find_cycle(nx.DiGraph([("a", "b")])) is None
        True
    """
    import networkx as nx

    try:
        edges = nx.find_cycle(graph, source=source, orientation="original")
    except nx.NetworkXNoCycle:
        return None
    nodes = [str(edge[0]) for edge in edges]
    first = nodes.index(min(nodes))
    nodes = nodes[first:] + nodes[:first]
    return [*nodes, nodes[0]]


def topological_order(graph: nx.DiGraph[str]) -> list[str]:
    """The graph's nodes in a topological order.

    Args:
        graph: A directed graph.

    Returns:
        The nodes, each after all of its predecessors.

    Raises:
        DependencyCycleError: The graph has a cycle; the error names one, in order.

    Examples:
        >>> import networkx as nx
        >>> topological_order(nx.DiGraph([("a", "b"), ("b", "c")]))
        ['a', 'b', 'c']
        >>> topological_order(nx.DiGraph([("a", "b"), ("b", "a")]))
        Traceback (most recent call last):
        ...
        relplan.errors.DependencyCycleError: dependency cycle: a -> b -> a
    """
    import networkx as nx

    try:
        return list(nx.topological_sort(graph))
    except nx.NetworkXUnfeasible:
        cycle = find_cycle(graph)
        raise DependencyCycleError(cycle or []) from None


def kahn_order(
    successors: Mapping[str, Sequence[str]], nodes: Iterable[str] = ()
) -> tuple[list[str], set[str]]:
    """Kahn's algorithm over plain adjacency lists: a topological order and the cyclic rest.

    Every node on a cycle, and every node downstream of one, is left over; so strongly connected
    components only need to be searched there, and the rest is empty for an acyclic graph. On a
    large plan this is several times faster than building a networkx graph first.

    Args:
        successors: Adjacency lists (an edge listed twice counts twice).
        nodes: Further nodes, e.g. ones without any edge.

    Returns:
        ``(order, rest)``: the nodes that could be sorted, each after its predecessors, and the
        nodes that could not.

    Examples:
        >>> order, rest = kahn_order({"a": ["b"], "b": ["c"], "c": ["b", "d"]}, ["e"])
        >>> order, sorted(rest)
        (['e', 'a'], ['b', 'c', 'd'])
    """
    # Counter counts in C; a plain dict copy avoids Counter's slower item methods in the loop.
    indegree = dict(Counter(chain.from_iterable(successors.values())))
    ready = [node for node in dict.fromkeys(chain(nodes, successors)) if node not in indegree]
    ready.reverse()  # pop() from the end: the first nodes given come first
    order: list[str] = []
    empty: tuple[str, ...] = ()
    while ready:
        node = ready.pop()
        order.append(node)
        for nxt in successors.get(node, empty):
            count = indegree[nxt] - 1
            indegree[nxt] = count
            if not count:
                ready.append(nxt)
    return order, {node for node, count in indegree.items() if count}


def cyclic_core(successors: Mapping[str, Sequence[str]]) -> set[str]:
    """The nodes that lie on a cycle or on a path between two cycles.

    Kahn's algorithm removes every node with no predecessor left, then the same runs backwards
    on what remains, removing every node with no successor left. What survives contains every
    strongly connected component with a cycle, and in a plan with a few small cycles it is
    little more than them, so networkx only has to look at a small graph.

    Args:
        successors: Adjacency lists.

    Returns:
        The core's nodes (empty for an acyclic graph).

    Examples:
        >>> sorted(cyclic_core({"a": ["b"], "b": ["c", "a"], "c": ["d"], "x": ["a"]}))
        ['a', 'b']
    """
    _, rest = kahn_order(successors)
    if not rest:
        return rest
    predecessors: dict[str, list[str]] = {}
    outdegree = dict.fromkeys(rest, 0)
    for node in rest:
        for nxt in successors.get(node, ()):
            if nxt in rest:
                outdegree[node] += 1
                predecessors.setdefault(nxt, []).append(node)
    ready = [node for node, count in outdegree.items() if not count]
    while ready:
        node = ready.pop()
        for prev in predecessors.get(node, ()):
            count = outdegree[prev] - 1
            outdegree[prev] = count
            if not count:
                ready.append(prev)
    return {node for node, count in outdegree.items() if count}
