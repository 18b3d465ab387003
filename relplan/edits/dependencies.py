"""Adding and removing dependencies; one that would close a cycle is refused before it is written.

Imports and syncs accept cycles (real data has them, and ``check`` reports them); a person adding a
dependency by hand is stopped with the cycle it would close.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence

from relplan.domain import codec
from relplan.domain.model import ITEM_PREFIX, RELEASE_PREFIX, Dependency, Plan
from relplan.errors import DependencyCycleError, UnknownObjectError
from relplan.planning.graph import index_plan
from relplan.store.commands import ChangeSet, Command, Edit
from relplan.store.entities import TABLES, dependency_key, dependency_key_of
from relplan.store.workspace import Workspace

__all__ = ["add_dependency", "cycle_if_added", "remove_dependency"]


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


def _check_end(ws: Workspace, ref: str) -> None:
    if ref.startswith(RELEASE_PREFIX):
        kind, entity, key = "release", "release", ref.removeprefix(RELEASE_PREFIX)
    else:
        kind, entity, key = "work item", "work_item", ref.removeprefix(ITEM_PREFIX)
    if key not in TABLES[entity].load(ws.conn, [key]):
        raise UnknownObjectError(kind, key)


def add_dependency(ws: Workspace, dependency: Dependency) -> ChangeSet:
    """Add a dependency, or change the type and lag of the one between the same two ends.

    Raises:
        ValidationError: the dependency is malformed (bad end, type, or an end on itself).
        UnknownObjectError: an end names nothing in the workspace.
        DependencyCycleError: it would close a cycle; nothing was written.
    """
    decoder = codec.Decoder()
    decoder.dependency(codec.encode_dependency(dependency), "dependency")
    decoder.raise_if_any()
    # The cycle check reads the plan inside the write: a racing add cannot close a cycle.
    with ws.write():
        for ref in (dependency.from_ref, dependency.to_ref):
            _check_end(ws, ref)
        key = dependency_key(dependency)
        old = TABLES["dependency"].load(ws.conn, [key]).get(key)
        if old is None:
            cycle = cycle_if_added(ws.plan(), dependency)
            if cycle is not None:
                raise DependencyCycleError(cycle)
        elif old == dependency:
            return ChangeSet(label="No change")
        verb = "Add" if old is None else "Change"
        label = f"{verb} dependency {dependency.from_ref} -> {dependency.to_ref}"
        return ws.execute(Command(label, (Edit("dependency", key, old, dependency),)))


def remove_dependency(ws: Workspace, from_ref: str, to_ref: str) -> ChangeSet:
    """Remove the dependency between two ends.

    Raises:
        UnknownObjectError: there is no such dependency.
    """
    with ws.write():
        key = dependency_key_of(from_ref, to_ref)
        old = TABLES["dependency"].load(ws.conn, [key]).get(key)
        if old is None:
            raise UnknownObjectError("dependency", f"{from_ref} -> {to_ref}")
        label = f"Remove dependency {from_ref} -> {to_ref}"
        return ws.execute(Command(label, (Edit("dependency", key, old, None),)))
