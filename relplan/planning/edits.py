"""Checks for plan edits: a dependency that would close a cycle is refused before it is written.

Imports and syncs accept cycles (real data has them, and ``check`` reports them); a person adding a
dependency by hand is stopped with the cycle it would close.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence

from relplan.domain.model import ITEM_PREFIX, RELEASE_PREFIX, Dependency, Plan
from relplan.planning.graph import index_plan


def _path(successors: Mapping[str, Sequence[str]], start: str, goal: str) -> list[str] | None:
    """A shortest path from ``start`` to ``goal`` (both included), or None."""
    if start == goal:
        return [start]
    parent: dict[str, str] = {start: start}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for nxt in successors.get(node, ()):
            if nxt not in parent:
                parent[nxt] = node
                if nxt == goal:
                    path = [goal]
                    while path[-1] != start:
                        path.append(parent[path[-1]])
                    return path[::-1]
                queue.append(nxt)
    return None


def cycle_if_added(plan: Plan, dependency: Dependency) -> list[str] | None:
    """The cycle that adding ``dependency`` would close, or None when it closes none.

    The dependency's own edge counts, and so does the release edge it implies when it links items
    of two different releases.

    Args:
        plan: The plan as it is.
        dependency: The dependency to add.

    Returns:
        The cycle's nodes in order, first repeated last (``[a, b, a]``), or None.

    Examples:
        >>> from relplan.domain.model import Release
        >>> plan = Plan(
        ...     releases=(Release("A", "A", "T"), Release("B", "B", "T")),
        ...     dependencies=(Dependency("release:A", "release:B"),),
        ... )
        >>> cycle_if_added(plan, Dependency("release:B", "release:A"))
        ['release:B', 'release:A', 'release:B']
        >>> cycle_if_added(plan, Dependency("release:A", "release:B", "SS")) is None
        True
    """
    successors = index_plan(plan).full_successors()
    new_edges = [(dependency.from_ref, dependency.to_ref)]
    if dependency.from_ref.startswith(ITEM_PREFIX) and dependency.to_ref.startswith(ITEM_PREFIX):
        release_of = {i.key: i.release for i in plan.work_items}
        p = release_of.get(dependency.from_ref.removeprefix(ITEM_PREFIX))
        s = release_of.get(dependency.to_ref.removeprefix(ITEM_PREFIX))
        if p is not None and s is not None and p != s:
            new_edges.append((RELEASE_PREFIX + p, RELEASE_PREFIX + s))
    # Replacing an existing edge between the same pair adds nothing new to the graph's shape.
    merged: dict[str, list[str]] = {node: list(targets) for node, targets in successors.items()}
    for u, v in new_edges:
        merged.setdefault(u, []).append(v)
    for u, v in new_edges:
        back = _path(merged, v, u)
        if back is not None:
            return [u, *back]
    return None
