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

import hashlib
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Protocol, TypeVar

from relplan.domain.model import RELEASE_PREFIX
from relplan.errors import DependencyCycleError
from relplan.planning.graph import PlanIndex
from relplan.planning.schedule import Schedule, schedule_plan

__all__ = [
    "CACHE_NAME",
    "MARKS_CACHE_NAME",
    "GraphLinks",
    "ScheduleMarks",
    "graph_links",
    "implied_edges",
    "schedule_marks",
]

T = TypeVar("T")

#: The cache entry's name; bump its suffix when what it holds changes shape.
CACHE_NAME = "graph_links.2"


#: The schedule marks' cache entry (see :func:`schedule_marks`).
MARKS_CACHE_NAME = "graph_schedule.1"


class _Cache(Protocol):
    def cached(
        self,
        name: str,
        compute: Callable[[], T],
        encode: Callable[[T], str],
        decode: Callable[[str], T],
        *,
        key: str = "",
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
        return cls(explicit, tuple(sorted(ends - known)), tuple(implied_edges(index)))


def implied_edges(index: PlanIndex) -> Iterator[tuple[str, str, str, int, str]]:
    """``(predecessor, successor, type, lag_days, implied_by)`` of each implied release edge of
    the index, in its edge order; ``implied_by`` is the item pairs as ``item:A->item:B; ...``."""
    for edge in index.edges.values():
        if edge.implied_by:
            pairs = "; ".join(map("->".join, edge.implied_by))
            yield edge.predecessor, edge.successor, edge.type, edge.lag_days, pairs


def _encode(links: GraphLinks) -> str:
    # By columns: JSON lists of strings decode in half the time of lists of rows.
    explicit = links.release_dependencies
    implied = links.implied
    return json.dumps(
        {
            "release_dependencies": [list(column) for column in zip(*explicit, strict=True)]
            or [[], [], [], []],
            "unknown_releases": links.unknown_releases,
            "implied": [list(column) for column in zip(*implied, strict=True)]
            or [[], [], [], [], []],
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


def _decode(text: str) -> GraphLinks:
    data = json.loads(text)  # written by _encode: the lags are JSON integers already
    explicit = data["release_dependencies"]
    implied = data["implied"]
    if len(explicit) != 4 or len(implied) != 5:
        raise ValueError("graph links of another shape")
    return GraphLinks(
        tuple(zip(*explicit, strict=True)),
        tuple(data["unknown_releases"]),
        tuple(zip(*implied, strict=True)),
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


@dataclass(frozen=True, slots=True)
class ScheduleMarks:
    """What the graph shows of the schedule: each scheduled release's float and the critical
    path (see :func:`relplan.planning.schedule.schedule_plan`).

    Attributes:
        float_days: The float of every release that takes part in the schedule, by key (None
            for a released one: history has no float).
        critical: The keys of the releases on the critical path.
    """

    float_days: Mapping[str, int | None]
    critical: frozenset[str]

    @classmethod
    def of_schedule(cls, schedule: Schedule | None) -> ScheduleMarks | None:
        """The marks of a schedule (None: a plan with a cycle has none)."""
        if schedule is None:
            return None
        floats = {r.key: r.float_days for r in schedule.releases}
        return cls(floats, frozenset(schedule.critical_path))

    @classmethod
    def of_index(cls, index: PlanIndex) -> ScheduleMarks | None:
        """The marks of the indexed plan's schedule (None when its release graph has a cycle:
        float needs an acyclic plan, but the graph is still worth drawing)."""
        try:
            return cls.of_schedule(schedule_plan(index.plan, index=index))
        except DependencyCycleError:
            return None


def _encode_marks(marks: ScheduleMarks | None) -> str:
    if marks is None:
        return "null"
    return json.dumps(
        {"float_days": marks.float_days, "critical": sorted(marks.critical)},
        separators=(",", ":"),
    )


def _decode_marks(text: str) -> ScheduleMarks | None:
    data = json.loads(text)
    if data is None:
        return None
    floats = data["float_days"]
    if not all(v is None or type(v) is int for v in floats.values()):
        raise ValueError("float_days holds a value that is not a whole number of days")
    return ScheduleMarks(floats, frozenset(data["critical"]))


def schedule_marks(index: PlanIndex, cache: _Cache) -> ScheduleMarks | None:
    """The schedule marks of a whole plan's index, from the workspace's cache when current.

    The schedule reads the release edges (which the cache's ``links`` counter guards) and, of
    each release, its dates, status and train: these are digested into the entry's key, so an
    entry serves only the releases it was computed from.

    Args:
        index: The index of the whole plan, read in the same snapshot as the cache.
        cache: The workspace (:meth:`relplan.store.workspace.Workspace.cached`).

    Returns:
        The marks, or None when the release graph has a cycle; equal to
        ``ScheduleMarks.of_schedule(schedule_plan(plan, index=index))``.
    """
    digest = hashlib.blake2b(digest_size=16)
    for key, r in sorted(index.releases.items()):
        digest.update(f"{key}\x1f{r.start}\x1f{r.target}\x1f{r.status}\x1f{r.train}\x1e".encode())
    return cache.cached(
        MARKS_CACHE_NAME,
        lambda: ScheduleMarks.of_index(index),
        _encode_marks,
        _decode_marks,
        key=digest.hexdigest(),
    )
