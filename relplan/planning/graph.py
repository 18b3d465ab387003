"""Dependency graphs of a plan: the full graph, the release graph and their cycles.

A plan's dependencies link releases and work items (``release:KEY`` and ``item:KEY`` nodes). An
``item:`` dependency between items of two different releases implies the release dependency
``release:P -> release:S`` of type FF, lag 0 (shared/spec/workspace-format.md, "Dependencies"); an
explicit release dependency between the same pair takes precedence over the implied one.

The graphs here are built once per analysis from plain dicts (:class:`PlanIndex`), because a large
workspace holds about 100,000 items and 150,000 dependencies and per-edge networkx attribute dicts
would cost more than the analyses themselves. networkx is used where it pays: topological sorts,
strongly connected components and finding a cycle to name in an error.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, NamedTuple

from relplan.domain.model import ITEM_PREFIX, RELEASE_PREFIX, Plan, Release
from relplan.planning.graph_order import cyclic_core

# networkx takes ~0.15 s to import: only the functions that build a graph load it.
if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "DependencyRow",
    "PlanIndex",
    "ReleaseEdge",
    "dependency_graph",
    "index_plan",
    "release_edges",
    "release_graph",
]

_RELEASE_PREFIX_LEN = len(RELEASE_PREFIX)

DependencyRow = tuple[str, str, str, int]
"""``(from_ref, to_ref, type, lag_days)`` of one dependency."""


class ReleaseEdge(NamedTuple):
    """A dependency between two releases, explicit or implied by work items.

    A NamedTuple rather than a frozen dataclass: a large plan implies ~100,000 of them, and a
    tuple is cheaper to create and to unpack.

    Attributes:
        predecessor: The prerequisite release's key.
        successor: The dependent release's key.
        type: ``FS``, ``SS``, ``FF`` or ``SF``.
        lag_days: Calendar days of lag (may be negative).
        implied_by: For an implied edge, the ``(item:A, item:B)`` dependencies that imply it,
            sorted; empty for an explicit edge.
    """

    predecessor: str
    successor: str
    type: str
    lag_days: int
    implied_by: tuple[tuple[str, str], ...] = ()

    @property
    def implied(self) -> bool:
        """Whether the edge comes from item dependencies rather than an explicit one."""
        return bool(self.implied_by)

    def describe_origin(self) -> str:
        """Where an implied edge comes from, for messages: ``implied by item:A -> item:B``.

        Returns:
            The empty string for an explicit edge; with several implying item pairs the first
            (sorted) is named and the others counted.
        """
        if not self.implied_by:
            return ""
        first_from, first_to = self.implied_by[0]
        text = f"implied by {first_from} -> {first_to}"
        if len(self.implied_by) > 1:
            text += f" and {len(self.implied_by) - 1} more"
        return text


def release_edges(plan: Plan) -> dict[tuple[str, str], ReleaseEdge]:
    """Every release-to-release dependency of the plan, explicit and implied.

    Args:
        plan: The plan.

    Returns:
        The edges keyed by ``(predecessor key, successor key)``. Only releases of the plan take
        part; an explicit edge wins over an implied one between the same pair.

    Examples:
        >>> from relplan.domain.model import Dependency, Plan, Release, WorkItem
        >>> plan = Plan(
        ...     releases=(Release("A", "A", "T"), Release("B", "B", "T")),
        ...     work_items=(WorkItem("A-1", "x", release="A"), WorkItem("B-1", "y", release="B")),
        ...     dependencies=(Dependency("item:A-1", "item:B-1"),),
        ... )
        >>> edge = release_edges(plan)["A", "B"]
        >>> edge.type, edge.lag_days, edge.describe_origin()
        ('FF', 0, 'implied by item:A-1 -> item:B-1')
    """
    return index_plan(plan).edges


class PlanIndex:
    """Lookups over a plan, computed once and shared by the analyses.

    Building it takes one pass over the items and dependencies, mostly in C (comprehensions,
    ``map`` over ``dict.get``): which items' releases each dependency joins, which release
    pairs items imply, and the explicit release edges. Which item dependencies imply a pair is
    looked up only when a message needs it (:meth:`implied_by`).

    Attributes:
        plan: The plan indexed.
        releases: Every release by key.
        item_release: The release key of each work item (by ``item:KEY`` ref) that belongs to a
            release of the plan.
        dependencies: ``(from_ref, to_ref, type, lag_days)`` of every dependency, in the
            plan's order (the columns given, or the plan's dependencies).
        explicit: Explicit release-to-release edges by ``(predecessor, successor)`` key pair
            (both ends releases of the plan).
        implied: Release pairs implied by item dependencies, in first-seen order, without the
            pairs an explicit edge takes precedence over.
    """

    __slots__ = (
        "_core",
        "_edges",
        "_from_release",
        "_froms",
        "_successors",
        "_to_release",
        "_tos",
        "dependencies",
        "explicit",
        "implied",
        "item_release",
        "plan",
        "releases",
    )

    def __init__(
        self,
        plan: Plan,
        item_release: Mapping[str, str | None] | None = None,
        dependencies: Sequence[DependencyRow] | None = None,
    ) -> None:
        """Index ``plan``.

        Args:
            plan: The plan.
            item_release: The release key of each work item by ``item:KEY`` ref, instead of the
                plan's work items (see :meth:`from_columns`).
            dependencies: ``(from_ref, to_ref, type, lag_days)`` of every dependency, instead of
                the plan's dependencies.
        """
        self.plan = plan
        self.releases: dict[str, Release] = {r.key: r for r in plan.releases}
        releases = self.releases
        if item_release is None:
            item_release = {
                ITEM_PREFIX + item.key: item.release
                for item in plan.work_items
                if item.release is not None and item.release in releases
            }
        if dependencies is None:
            dependencies = [(d.from_ref, d.to_ref, d.type, d.lag_days) for d in plan.dependencies]
        self._set_columns(item_release, dependencies)
        deps = self.dependencies
        self.explicit: dict[tuple[str, str], ReleaseEdge] = {}
        for (from_ref, to_ref, type_, lag), p in zip(deps, self._from_release, strict=True):
            if p is None and from_ref.startswith(RELEASE_PREFIX):
                p_key = from_ref[_RELEASE_PREFIX_LEN:]
                s_key = to_ref[_RELEASE_PREFIX_LEN:]
                if to_ref.startswith(RELEASE_PREFIX) and p_key in releases and s_key in releases:
                    self.explicit[(p_key, s_key)] = ReleaseEdge(p_key, s_key, type_, lag)
        implied = dict.fromkeys(
            (p, s)
            for p, s in zip(self._from_release, self._to_release, strict=True)
            if p is not None and s is not None and p != s
        )
        for pair in self.explicit:
            implied.pop(pair, None)  # an explicit edge between the same pair takes precedence
        self.implied: dict[tuple[str, str], None] = implied
        self._edges: dict[tuple[str, str], ReleaseEdge] | None = None
        self._successors: dict[str, list[str]] | None = None
        self._core: set[str] | None = None

    def _set_columns(
        self, item_release: Mapping[str, str | None], dependencies: Sequence[DependencyRow]
    ) -> None:
        """Keep the item-level columns: item releases (of the plan's releases only) and the
        dependencies, with the release of each dependency's ends."""
        releases = self.releases
        self.item_release: dict[str, str] = {
            ref: key for ref, key in item_release.items() if key is not None and key in releases
        }
        self.dependencies: Sequence[DependencyRow] = dependencies
        self._froms = [dep[0] for dep in dependencies]
        self._tos = [dep[1] for dep in dependencies]
        get = self.item_release.get
        # A ref that is no item of a release maps to None: release ends, items without a
        # release and dangling refs. Only item -> item dependencies across releases imply edges.
        self._from_release: list[str | None] = list(map(get, self._froms))
        self._to_release: list[str | None] = list(map(get, self._tos))

    @classmethod
    def from_columns(
        cls,
        plan: Plan,
        item_release: Mapping[str, str | None],
        dependencies: Sequence[DependencyRow],
    ) -> PlanIndex:
        """Index a release-level plan (one without its work items and dependencies as objects)
        from compact columns, as a workspace reads them without building 100,000 objects.

        The index equals :func:`index_plan` of the whole plan when the columns hold the same
        items and dependencies, in the same order (dependencies by ``(from_ref, to_ref)``).

        Args:
            plan: The plan's releases, environments and freezes (items and dependencies unused).
            item_release: The release key (or None) of each work item by ``item:KEY`` ref.
            dependencies: ``(from_ref, to_ref, type, lag_days)`` of every dependency.

        Returns:
            The index.
        """
        return cls(plan, item_release, dependencies)

    def rebased(self, plan: Plan, *, was: Plan | None = None) -> PlanIndex | None:
        """This index for a plan whose releases changed but not which exist, nor the work items
        or dependencies: a release's dates, stages, gates or status after an edit.

        What depends on the edges only (item releases, release edges, the full graph and its
        cyclic core) is shared, not computed again (~1 s on a large plan); the releases are
        the new plan's. A subclass's own slots are shared too (a ``LinkIndex`` shares
        its item-level columns only when it has read them already).

        Args:
            plan: The new plan; its ``work_items`` and ``dependencies`` must be the very tuples
                of ``was``.
            was: The whole plan this index serves (default: the plan indexed; an index from
                columns serves the whole plan it was read with).

        Returns:
            The index of ``plan``; None when it holds other releases (keys), work items or
            dependencies, for which a new index is needed.
        """
        old = self.plan if was is None else was
        if plan.work_items is not old.work_items or plan.dependencies is not old.dependencies:
            return None
        releases = {r.key: r for r in plan.releases}
        if releases.keys() != self.releases.keys():
            return None
        new = object.__new__(type(self))
        for name in (n for cls in type(self).__mro__ for n in getattr(cls, "__slots__", ())):
            try:  # not getattr: a subclass may read an unset slot on demand (LinkIndex)
                value = object.__getattribute__(self, name)
            except AttributeError:
                continue  # never read: the copy reads it on demand too
            setattr(new, name, value)
        new.plan, new.releases = plan, releases
        return new

    @property
    def edges(self) -> dict[tuple[str, str], ReleaseEdge]:
        """Every release edge, explicit and implied (with ``implied_by``), by key pair."""
        if self._edges is None:
            origins = self.implied_by(self.implied)
            edges = {(p, s): ReleaseEdge(p, s, "FF", 0, origins[(p, s)]) for p, s in self.implied}
            edges.update(self.explicit)
            self._edges = edges
        return self._edges

    def edge_tuples(self) -> Iterator[tuple[str, str, str, int]]:
        """``(predecessor, successor, type, lag_days)`` of every release edge, cheaply."""
        for edge in self.explicit.values():
            yield edge.predecessor, edge.successor, edge.type, edge.lag_days
        for p, s in self.implied:
            yield p, s, "FF", 0

    def edge(self, predecessor: str, successor: str) -> ReleaseEdge | None:
        """The release edge between two release keys, or None."""
        explicit = self.explicit.get((predecessor, successor))
        if explicit is not None:
            return explicit
        if (predecessor, successor) not in self.implied:
            return None
        origin = self.implied_by([(predecessor, successor)])[(predecessor, successor)]
        return ReleaseEdge(predecessor, successor, "FF", 0, origin)

    def implied_by(
        self, pairs: Iterable[tuple[str, str]]
    ) -> dict[tuple[str, str], tuple[tuple[str, str], ...]]:
        """The item dependencies that imply each release pair.

        Args:
            pairs: Release key pairs.

        Returns:
            For each pair, its ``(item:A, item:B)`` dependencies, sorted (empty when none).
        """
        wanted: dict[tuple[str, str], list[tuple[str, str]]] = {pair: [] for pair in pairs}
        if wanted:
            for f, t, p, s in zip(
                self._froms, self._tos, self._from_release, self._to_release, strict=True
            ):
                if p is not None and s is not None:
                    found = wanted.get((p, s))
                    if found is not None:
                        found.append((f, t))
        return {pair: tuple(sorted(found)) for pair, found in wanted.items()}

    def scheduled(self) -> dict[str, Release]:
        """The releases the schedule uses: dated and not cancelled, by key."""
        return {
            key: r
            for key, r in self.releases.items()
            if r.start is not None and r.target is not None and r.status != "cancelled"
        }

    def full_successors(self) -> dict[str, list[str]]:
        """Adjacency of the full dependency graph (release and item refs), implied edges included.

        Returns:
            Successor lists by node; an explicit and an implied edge between the same pair count
            once. Built once per index (and shared by :meth:`rebased` ones): do not change it.
        """
        if self._successors is None:
            self._successors = self._full_successors()
        return self._successors

    def cyclic_core(self) -> set[str]:
        """:func:`cyclic_core` of :meth:`full_successors`, found once per index (and shared
        by :meth:`rebased` ones, as dates do not change it): do not change it."""
        if self._core is None:
            self._core = cyclic_core(self.full_successors())
        return self._core

    def _full_successors(self) -> dict[str, list[str]]:
        succ: dict[str, list[str]] = {}
        for f, t in zip(self._froms, self._tos, strict=True):
            targets = succ.get(f)
            if targets is None:
                succ[f] = [t]
            else:
                targets.append(t)
        for p, s in self.implied:
            succ.setdefault(RELEASE_PREFIX + p, []).append(RELEASE_PREFIX + s)
        return succ


def index_plan(plan: Plan) -> PlanIndex:
    """Index a plan: releases by key, items' releases and every release edge.

    Args:
        plan: The plan.

    Returns:
        The index.
    """
    return PlanIndex(plan)


def dependency_graph(plan: Plan) -> nx.DiGraph[str]:
    """The full dependency graph: release and item nodes, explicit and implied edges.

    Nodes are ``release:KEY`` and ``item:KEY`` with the attribute ``kind`` (``"release"``,
    ``"item"`` or ``"unknown"`` for an end that names nothing). Edges carry ``type``,
    ``lag_days``, ``implied`` and ``implied_by`` (a list of item ref pairs).

    Args:
        plan: The plan.

    Returns:
        A new directed graph.

    Examples:
        >>> from relplan.domain.model import Dependency, Plan, Release, WorkItem
        >>> plan = Plan(
        ...     releases=(Release("A", "A", "T"), Release("B", "B", "T")),
        ...     work_items=(WorkItem("A-1", "x", release="A"), WorkItem("B-1", "y", release="B")),
        ...     dependencies=(Dependency("item:A-1", "item:B-1"),),
        ... )
        >>> g = dependency_graph(plan)
        >>> sorted(g.edges)
        [('item:A-1', 'item:B-1'), ('release:A', 'release:B')]
        >>> g.edges["release:A", "release:B"]["implied"]
        True
    """
    import networkx as nx

    index = index_plan(plan)
    graph: nx.DiGraph[str] = nx.DiGraph()
    graph.add_nodes_from((r.ref for r in plan.releases), kind="release")
    graph.add_nodes_from((item.ref for item in plan.work_items), kind="item")
    for dep in plan.dependencies:
        for ref in (dep.from_ref, dep.to_ref):
            if ref not in graph:
                graph.add_node(ref, kind="unknown")
        graph.add_edge(
            dep.from_ref,
            dep.to_ref,
            type=dep.type,
            lag_days=dep.lag_days,
            implied=False,
            implied_by=[],
        )
    for edge in index.edges.values():
        if edge.implied_by:
            graph.add_edge(
                RELEASE_PREFIX + edge.predecessor,
                RELEASE_PREFIX + edge.successor,
                type=edge.type,
                lag_days=edge.lag_days,
                implied=True,
                implied_by=list(edge.implied_by),
            )
    return graph


def release_graph(plan: Plan) -> nx.DiGraph[str]:
    """The release graph the schedule uses: dated, not cancelled releases and their edges.

    Nodes are ``release:KEY`` with the attributes ``key``, ``start``, ``target`` and
    ``duration_days``; edges carry ``type``, ``lag_days``, ``implied`` and ``implied_by``.

    Args:
        plan: The plan.

    Returns:
        A new directed graph.

    Examples:
        >>> import datetime as dt
        >>> from relplan.domain.model import Dependency, Plan, Release
        >>> day = dt.date(2026, 11, 2)
        >>> plan = Plan(
        ...     releases=(
        ...         Release("A", "A", "T", start=day, target=day),
        ...         Release("B", "B", "T", start=day, target=day),
        ...         Release("C", "C", "T", status="cancelled", start=day, target=day),
        ...     ),
        ...     dependencies=(Dependency("release:A", "release:B", "SS", 2),),
        ... )
        >>> g = release_graph(plan)
        >>> sorted(g), g.edges["release:A", "release:B"]["lag_days"]
        (['release:A', 'release:B'], 2)
    """
    import networkx as nx

    index = index_plan(plan)
    scheduled = index.scheduled()
    graph: nx.DiGraph[str] = nx.DiGraph()
    for key, r in scheduled.items():
        if r.start is None or r.target is None:  # pragma: no cover (scheduled() ensures it)
            continue
        graph.add_node(
            RELEASE_PREFIX + key,
            key=key,
            start=r.start,
            target=r.target,
            duration_days=(r.target - r.start).days + 1,
        )
    for edge in index.edges.values():
        if edge.predecessor not in scheduled or edge.successor not in scheduled:
            continue
        graph.add_edge(
            RELEASE_PREFIX + edge.predecessor,
            RELEASE_PREFIX + edge.successor,
            type=edge.type,
            lag_days=edge.lag_days,
            implied=edge.implied,
            implied_by=list(edge.implied_by),
        )
    return graph
