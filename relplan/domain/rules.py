"""Pure rules about single plan objects, shared by every client (window, command line, import)."""

from __future__ import annotations

import datetime as dt

from relplan.domain.bounds import day_problem
from relplan.domain.model import RELEASE_STATUSES, Gate, Release
from relplan.errors import Issue


def release_issues(release: Release) -> list[Issue]:
    """What is wrong with a release on its own (empty when nothing is).

    Examples:
        >>> import datetime as dt
        >>> r = Release("A-1", "A", "A", start=dt.date(2026, 12, 2), target=dt.date(2026, 12, 1))
        >>> [i.path for i in release_issues(r)]
        ['A-1.target']
    """
    issues = []
    for name, day in (("start", release.start), ("target", release.target)):
        problem = None if day is None else day_problem(day)
        if problem is not None:
            issues.append(Issue(f"{release.key}.{name}", problem))
    if release.start is not None and release.target is not None and release.start > release.target:
        issues.append(
            Issue(
                f"{release.key}.target",
                f"target {release.target} is before start {release.start} "
                "(a release needs start <= target)",
            )
        )
    if release.status not in RELEASE_STATUSES:
        issues.append(
            Issue(
                f"{release.key}.status",
                f"found {release.status!r}, expected one of: {', '.join(RELEASE_STATUSES)}",
            )
        )
    for i, stage in enumerate(release.stages):
        for name, day in (("start", stage.start), ("end", stage.end)):
            problem = day_problem(day)
            if problem is not None:
                issues.append(Issue(f"{release.key}.stages[{i}].{name}", problem))
        if stage.start > stage.end:
            issues.append(
                Issue(
                    f"{release.key}.stages[{i}].end",
                    f"end {stage.end} is before start {stage.start}",
                )
            )
    return issues


#: Gate statuses that still stand between a release and its production.
OPEN_GATE_STATUSES = ("pending", "rejected")


def open_gates(release: Release) -> tuple[Gate, ...]:
    """The gates of ``release`` that are not approved yet (``pending`` or ``rejected``).

    The window asks before a release with open gates is set to ``released``; ``check``
    reports a released one (``released_with_open_gates``).

    Examples:
        >>> r = Release("A-1", "A", "A", gates=(Gate("CAB"), Gate("QA", status="approved")))
        >>> [g.name for g in open_gates(r)]
        ['CAB']
    """
    return tuple(g for g in release.gates if g.status in OPEN_GATE_STATUSES)


def outside_release(release: Release) -> list[tuple[str, dt.date, dt.date]]:
    """The stage windows and milestones of ``release`` that lie partly or wholly outside its
    ``start..target``, as ``(what, first day, last day)`` in the release's order (stages first).

    A release without both dates has no window, so nothing lies outside it.

    Examples:
        >>> from relplan.domain.model import Milestone, Stage
        >>> d = dt.date(2026, 11, 2)
        >>> r = Release("A-1", "A", "A", start=d, target=d + dt.timedelta(9),
        ...             stages=(Stage("prod", d + dt.timedelta(8), d + dt.timedelta(12)),),
        ...             milestones=(Milestone("kick-off", d),))
        >>> outside_release(r)
        [('stage prod', datetime.date(2026, 11, 10), datetime.date(2026, 11, 14))]
    """
    start, target = release.start, release.target
    if start is None or target is None:
        return []
    found = [
        (f"stage {s.environment}", s.start, s.end)
        for s in release.stages
        if s.start < start or s.end > target
    ]
    found.extend(
        (f"milestone {m.name}", m.date, m.date)
        for m in release.milestones
        if not start <= m.date <= target
    )
    return found
