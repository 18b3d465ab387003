"""The edges of the release-level dependency graph, kept in the workspace's analysis cache.

``relplan export dot|graphml`` without ``--items`` needs, beyond the releases and the schedule,
only the dependencies between release refs, the release refs a dependency names that no release
has (drawn dotted), and the item pairs behind each implied release edge. All of these depend on
the dependencies, the work items' releases and which releases exist, exactly what the ``links``
counter of :mod:`relplan.store.analysis_cache` guards, so a workspace keeps them between
commands: reading 150,000 dependencies and naming the items behind 87,000 implied edges took
most of a large export.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from relplan.domain.model import RELEASE_PREFIX
from relplan.planning.graph import PlanIndex

__all__ = ["CACHE_NAME", "GraphLinks", "graph_links"]

T = TypeVar("T")

#: The cache entry's name; bump its suffix when what it holds changes shape.
CACHE_NAME = "graph_links.1"


class _Cache(Protocol):
    def cached(
        self,
        name: str,
        compute: Callable[[], T],
        encode: Callable[[T], str],
        decode: Callable[[str], T],
    ) -> T: ...


@dataclass(frozen=True, slots=True)
class GraphLinks:
    """What the release-level graph reads of the dependencies.

    Attributes:
        release_dependencies: ``(from_ref, to_ref, type, lag_days)`` of the dependencies whose
            both ends are release refs, by ``(from_ref, to_ref)``.
        unknown_releases: The release refs a dependency names that no release has, sorted.
        implied: ``(predecessor, successor, type, lag_days, implied_by)`` of each implied
            release edge, in the index's edge order; ``implied_by`` is the item pairs as
            ``item:A->item:B; ...``.
    """

    release_dependencies: tuple[tuple[str, str, str, int], ...]
    unknown_releases: tuple[str, ...]
    implied: tuple[tuple[str, str, str, int, str], ...]

    @classmethod
    def of_index(cls, index: PlanIndex) -> GraphLinks:
        """Read from an index's item-level columns (what the cache stores).

        Args:
            index: The index of the whole plan (its releases are the plan's, all of them).

        Returns:
            The links.
        """
        deps = index.dependencies
        known = {RELEASE_PREFIX + key for key in index.releases}
        ends = {ref for dep in deps for ref in dep[:2] if ref.startswith(RELEASE_PREFIX)}
        explicit = tuple(
            (f, t, str(type_), int(lag))
            for f, t, type_, lag in deps
            if f.startswith(RELEASE_PREFIX) and t.startswith(RELEASE_PREFIX)
        )
        implied = tuple(
            (
                edge.predecessor,
                edge.successor,
                edge.type,
                edge.lag_days,
                "; ".join(map("->".join, edge.implied_by)),
            )
            for edge in index.edges.values()
            if edge.implied_by
        )
        return cls(explicit, tuple(sorted(ends - known)), implied)


def _encode(links: GraphLinks) -> str:
    return json.dumps(
        {
            "release_dependencies": links.release_dependencies,
            "unknown_releases": links.unknown_releases,
            "implied": links.implied,
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


def _decode(text: str) -> GraphLinks:
    data = json.loads(text)
    return GraphLinks(
        tuple((f, t, type_, int(lag)) for f, t, type_, lag in data["release_dependencies"]),
        tuple(data["unknown_releases"]),
        tuple((p, s, type_, int(lag), pairs) for p, s, type_, lag, pairs in data["implied"]),
    )


def graph_links(index: PlanIndex, cache: _Cache) -> GraphLinks:
    """The graph links of a whole plan's index, from the workspace's cache when current.

    Args:
        index: The index (read in the same snapshot as the cache); its item-level columns are
            read only when the cache has no current entry.
        cache: The workspace (:meth:`relplan.store.workspace.Workspace.cached`).

    Returns:
        The links; equal to :meth:`GraphLinks.of_index` of the index.
    """
    return cache.cached(CACHE_NAME, lambda: GraphLinks.of_index(index), _encode, _decode)
