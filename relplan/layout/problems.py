"""The Problems panel's rows: which problems the window's filter keeps, and which release a
problem is about first.

- A problem passes the team/train filter when one of the releases it names passes it (an item
  counts as its release, or its team when it is in no release); a problem that names no
  release or item (say, an environment alone) shows only without a filter.
- The release a problem opens is the one whose dates break the rule: for a dependency violation
  the successor (the release that starts or ends too early), for anything else the first release
  it names.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Final

from relplan.domain.model import ITEM_PREFIX, RELEASE_PREFIX, Plan, Release
from relplan.layout.graph import ViewFilter

if TYPE_CHECKING:
    from relplan.planning.check import Problem

__all__ = ["ProblemScope"]

_CUT: Final = len(RELEASE_PREFIX)


class ProblemScope:
    """Problems of one plan seen through the window's filter.

    Args:
        plan: The plan the problems were found in.

    Examples:
        >>> import datetime as dt
        >>> from relplan.domain.model import Dependency, Plan, Release
        >>> from relplan.planning.check import check_plan
        >>> day = dt.date(2026, 11, 2)
        >>> plan = Plan(releases=(Release("A", "A", "PAY", start=day, target=day),
        ...                       Release("B", "B", "WEB", start=day, target=day)),
        ...             dependencies=(Dependency("release:B", "release:A"),))
        >>> [problem] = check_plan(plan, today=day)
        >>> scope = ProblemScope(plan)
        >>> scope.focus(problem), len(scope.shown([problem], ViewFilter(frozenset({"WEB"}))))
        ('A', 1)
    """

    def __init__(self, plan: Plan) -> None:
        self._plan = plan
        self._releases: dict[str, Release] = {r.key: r for r in plan.releases}
        self._items: dict[str, tuple[str | None, str | None]] | None = None
        self._successors: dict[frozenset[str], list[tuple[str, str, str, int]]] | None = None

    # -- the filter -------------------------------------------------------------------------
    def shown(self, problems: Iterable[Problem], flt: ViewFilter) -> list[Problem]:
        """The problems the filter keeps (its team and train; dates and environment aside).

        Args:
            problems: The problems, in the order to keep.
            flt: The window's filter.

        Returns:
            The problems that name a release (or item) of the filter's teams and train.
        """
        if not flt.teams and flt.train is None:
            return list(problems)
        only = ViewFilter(flt.teams, flt.train)
        return [p for p in problems if self._kept(p, only)]

    def _kept(self, problem: Problem, flt: ViewFilter) -> bool:
        for subject in problem.subjects:
            if subject.startswith(RELEASE_PREFIX):
                release = self._releases.get(subject[_CUT:])
                if release is not None and flt.keeps(release):
                    return True
            elif subject.startswith(ITEM_PREFIX):
                release_key, team = self._item(subject[len(ITEM_PREFIX) :])
                release = None if release_key is None else self._releases.get(release_key)
                if release is not None:
                    if flt.keeps(release):
                        return True
                elif team is not None and flt.train is None and team in flt.teams:
                    return True
        return False

    def _item(self, key: str) -> tuple[str | None, str | None]:
        if self._items is None:  # built on first use: most problems name releases only
            self._items = {i.key: (i.release, i.team) for i in self._plan.work_items}
        return self._items.get(key, (None, None))

    # -- the release a problem opens --------------------------------------------------------
    def focus(self, problem: Problem) -> str | None:
        """The key of the release a problem is about first, or None when it names none.

        For a ``dependency_violation``, the successor of the broken edge between its two
        releases (with edges both ways, which is a cycle, the one whose dates break it).
        """
        keys = [s[_CUT:] for s in problem.subjects if s.startswith(RELEASE_PREFIX)]
        if not keys:
            return None
        if problem.kind == "dependency_violation" and len(keys) == 2:
            successor = self._successor(keys)
            if successor is not None:
                return successor
        return keys[0]

    def _successor(self, pair: Sequence[str]) -> str | None:
        if self._successors is None:
            from relplan.planning.graph import index_plan

            # Explicit and implied release edges by unordered pair (one index per plan).
            self._successors = {}
            for edge in index_plan(self._plan).edge_tuples():
                self._successors.setdefault(frozenset(edge[:2]), []).append(edge)
        edges = self._successors.get(frozenset(pair), [])
        if not edges:
            return None
        if len({edge[1] for edge in edges}) > 1:
            from relplan.planning.check import active_releases, broken_edges, day_ordinals

            days = day_ordinals(active_releases(self._releases[k] for k in pair).values())
            broken = broken_edges(edges, days)
            if broken:
                return broken[0][1]
        return edges[0][1]
