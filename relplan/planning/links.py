"""Release links read from a workspace's analysis cache instead of 150,000 dependencies.

Release-level analyses need the releases and the release edges: explicit ones, and the ones
implied by item dependencies across releases. ``check`` also needs the cycles through items.
All of these depend only on the dependencies, the work items' releases and which releases exist
(not on dates), so a workspace keeps them between commands (:mod:`relplan.store.analysis_cache`,
invalidated by any write to those). :class:`LinkIndex` is a :class:`PlanIndex` over them; what
only the item-level columns can answer (the full graph, the items behind an implied edge) it
reads when first asked.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable, Sequence
from typing import Any, Protocol, TypeVar

from relplan.domain.model import Plan
from relplan.planning.cycles import find_cycle_problems
from relplan.planning.graph import PlanIndex, ReleaseEdge

__all__ = ["CACHE_NAME", "LinkIndex", "LinkSource", "release_index"]

T = TypeVar("T")

#: The cache entry's name; bump its suffix when what it holds changes shape.
CACHE_NAME = "release_links.1"

#: The slots :meth:`PlanIndex._set_columns` fills: a :class:`LinkIndex` reads them on first use.
_COLUMNS = frozenset(
    ("item_release", "dependencies", "_froms", "_tos", "_from_release", "_to_release")
)

CycleRow = tuple[str, str, tuple[str, ...], str]
"""``(kind, severity, subjects, message)`` of one cycle problem."""


class LinkSource(Protocol):
    """What :func:`release_index` reads from (a :class:`relplan.store.workspace.Workspace`)."""

    def item_releases(self) -> dict[str, str]:
        """The release key of every work item that has one, by ``item:KEY`` ref."""
        ...

    def dependency_rows(self) -> list[tuple[str, str, str, int]]:
        """``(from_ref, to_ref, type, lag_days)`` of every dependency, by from and to."""
        ...

    def item_links_between(
        self, pairs: Collection[tuple[str, str]]
    ) -> list[tuple[str, str, str, str]]:
        """``(from_ref, to_ref, from release, to release)`` of the item dependencies from a
        release's item to another's, for these release key pairs."""
        ...

    def cached(
        self,
        name: str,
        compute: Callable[[], T],
        encode: Callable[[T], str],
        decode: Callable[[str], T],
    ) -> T:
        """The cache entry ``name``, computed and stored when missing or stale."""
        ...


class LinkIndex(PlanIndex):
    """A :class:`PlanIndex` built from release links, reading item-level columns on demand.

    Attributes:
        cycles: The plan's ``cycle`` problems as ``(kind, severity, subjects, message)``.
    """

    __slots__ = ("_source", "cycles")

    def __init__(
        self,
        plan: Plan,
        source: LinkSource,
        explicit: Iterable[tuple[str, str, str, int]],
        implied: Iterable[tuple[str, str]],
        cycles: Sequence[CycleRow],
        full: PlanIndex | None = None,
    ) -> None:
        """Index ``plan`` from its links (the base class's ``__init__`` is not run).

        Args:
            plan: The release-level plan.
            source: Where item-level columns come from when they are needed.
            explicit: ``(predecessor, successor, type, lag_days)`` explicit edges, in order.
            implied: Implied release pairs, in first-seen order.
            cycles: The cycle problems.
            full: The index of the same plan from its columns, when the caller built it: its
                item-level columns, full graph and cyclic core are shared, not built again.
        """
        self.plan = plan
        self.releases = {r.key: r for r in plan.releases}
        self.explicit = {(p, s): ReleaseEdge(p, s, t, lag) for p, s, t, lag in explicit}
        self.implied = dict.fromkeys(implied)
        self._edges = None
        self._successors = None
        self._core = None
        self._source = source
        self.cycles = tuple(cycles)
        if full is not None:
            for name in (*_COLUMNS, "_successors", "_core"):
                setattr(self, name, object.__getattribute__(full, name))

    def __getattr__(self, name: str) -> Any:
        # Called only for a slot never set: the item-level columns, read on first use.
        if name not in _COLUMNS:
            raise AttributeError(name)
        self._set_columns(self._source.item_releases(), self._source.dependency_rows())
        return object.__getattribute__(self, name)

    @property
    def source(self) -> LinkSource:
        """Where the item-level columns come from."""
        return self._source

    def has_columns(self) -> bool:
        """Whether the item-level columns were read (or shared) already."""
        return self._has_columns()

    def _has_columns(self) -> bool:
        try:
            object.__getattribute__(self, "_froms")
        except AttributeError:
            return False
        return True

    def implied_by(
        self, pairs: Iterable[tuple[str, str]]
    ) -> dict[tuple[str, str], tuple[tuple[str, str], ...]]:
        """See :meth:`PlanIndex.implied_by`; without the columns, asks the source for only
        these pairs' item dependencies."""
        if self._has_columns():
            return super().implied_by(pairs)
        wanted: dict[tuple[str, str], list[tuple[str, str]]] = {pair: [] for pair in pairs}
        if wanted:
            for f, t, p, s in self._source.item_links_between(wanted):
                found = wanted.get((p, s))
                if found is not None:
                    found.append((f, t))
        return {pair: tuple(sorted(found)) for pair, found in wanted.items()}


def _encode(index: LinkIndex) -> str:
    keys = sorted({key for pair in index.implied for key in pair})
    number = {key: i for i, key in enumerate(keys)}
    return json.dumps(
        {
            "explicit": [list(e[:4]) for e in index.explicit.values()],
            "keys": keys,
            "implied": [number[key] for pair in index.implied for key in pair],
            "cycles": [[k, sev, list(subjects), m] for k, sev, subjects, m in index.cycles],
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


def release_index(plan: Plan, source: LinkSource) -> PlanIndex:
    """The index of a release-level plan, its links from the source's cache when current.

    Equal in everything an analysis reads to ``PlanIndex.from_columns(plan, item_releases,
    dependency_rows)``: the same explicit and implied edges in the same order, the same cycles.

    Args:
        plan: The release-level plan, read in the same snapshot as the source's links.
        source: The workspace.

    Returns:
        The index.
    """

    def compute() -> LinkIndex:
        full = PlanIndex.from_columns(plan, source.item_releases(), source.dependency_rows())
        cycles = [(p.kind, p.severity, p.subjects, p.message) for p in find_cycle_problems(full)]
        explicit = [e[:4] for e in full.explicit.values()]
        return LinkIndex(plan, source, explicit, full.implied, cycles, full)

    def decode(text: str) -> LinkIndex:
        data = json.loads(text)
        keys: list[str] = data["keys"]
        flat = [keys[i] for i in data["implied"]]
        implied = zip(flat[0::2], flat[1::2], strict=True)
        explicit = [(p, s, t, int(lag)) for p, s, t, lag in data["explicit"]]
        cycles = [(k, sev, tuple(subjects), m) for k, sev, subjects, m in data["cycles"]]
        return LinkIndex(plan, source, explicit, implied, cycles)

    return source.cached(CACHE_NAME, compute, _encode, decode)
