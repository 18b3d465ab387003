"""Pure rules about single plan objects, shared by every client (window, command line, import)."""

from __future__ import annotations

from relplan.domain.bounds import day_problem
from relplan.domain.model import RELEASE_STATUSES, Release
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
