"""Where the Timeline draws a release's lifecycle: monitoring period, rollout steps, blue-green
switch days and the release's feature flags (Qt-free geometry, x in days from an origin)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, NamedTuple

from relplan.domain.model import Flag, Plan, Release

if TYPE_CHECKING:
    from relplan.planning.check import Problem

__all__ = ["LifecycleMarks", "lifecycle_hits", "lifecycle_marks"]


class LifecycleMarks(NamedTuple):
    """What a release row adds for the lifecycle (x in days from the origin; ends exclusive).

    Attributes:
        monitoring: ``(x0, x1)`` of the monitoring period after the target, or None.
        steps: ``(x, percent)`` of every rollout step, x at the start of its day.
        switches: x of each blue-green switch day (its start).
        flags: ``(x0, x1, key, percents)`` per flag: first step to the day after the last,
            and the step percents in order.
    """

    monitoring: tuple[float, float] | None
    steps: tuple[tuple[float, int], ...]
    switches: tuple[float, ...]
    flags: tuple[tuple[float, float, str, tuple[int, ...]], ...]

    @property
    def empty(self) -> bool:
        """Whether there is nothing to draw."""
        return not (self.monitoring or self.steps or self.switches or self.flags)


def lifecycle_marks(
    release: Release, origin: dt.date, flags: Iterable[Flag] = ()
) -> LifecycleMarks:
    """The lifecycle marks of ``release`` (and of its ``flags``) for a timeline at ``origin``.

    Examples:
        >>> from relplan.domain.model import RolloutStep, Stage
        >>> d = dt.date(2026, 12, 1)
        >>> steps = (RolloutStep(d, 10), RolloutStep(d + dt.timedelta(2), 100))
        >>> r = Release("A", "A", "T", start=d, target=d + dt.timedelta(3), monitoring_days=2,
        ...             stages=(Stage("P", d, d + dt.timedelta(3), "canary", steps),))
        >>> m = lifecycle_marks(r, d)
        >>> m.monitoring, m.steps
        ((4.0, 6.0), ((0.0, 10), (2.0, 100)))
    """

    def x(day: dt.date) -> float:
        return float((day - origin).days)

    monitoring = None
    if release.target is not None and release.monitoring_days > 0:
        end = x(release.target) + 1
        monitoring = (end, end + release.monitoring_days)
    steps = tuple((x(p.date), p.percent) for s in release.stages for p in s.steps)
    switches = tuple(x(s.switch) for s in release.stages if s.switch is not None)
    marks = tuple(
        (x(f.steps[0].date), x(f.steps[-1].date) + 1, f.key, tuple(p.percent for p in f.steps))
        for f in flags
        if f.steps
    )
    return LifecycleMarks(monitoring, steps, switches, marks)


def lifecycle_hits(
    plan: Plan, problem: Problem, releases: Sequence[Release]
) -> list[tuple[str, dt.date]]:
    """The days a lifecycle problem flags in the calendar, as ``(release key, day)``: the stage
    start of a gate problem's environment, the start of a stage with an invalid rollout, and a
    flag's first step (the release's target for a stale flag)."""
    from relplan.planning.lifecycle import FLAG_PREFIX, rollout_problem

    env = next(
        (s.removeprefix("environment:") for s in problem.subjects if s.startswith("environment:")),
        None,
    )
    if problem.kind in ("gate_missing", "gate_late"):
        return [(r.key, s.start) for r in releases for s in r.stages if s.environment == env][:1]
    if problem.kind == "rollout_invalid":
        return [(r.key, s.start) for r in releases for s in r.stages if rollout_problem(s)]
    key = next(
        (s.removeprefix(FLAG_PREFIX) for s in problem.subjects if s.startswith(FLAG_PREFIX)), None
    )
    flag = next((f for f in plan.flags if f.key == key), None)
    if flag is None or not releases:
        return []
    if problem.kind == "flag_before_release" and flag.steps:
        return [(releases[0].key, flag.steps[0].date)]
    if problem.kind == "flag_stale" and releases[0].target is not None:
        return [(releases[0].key, releases[0].target)]
    return []
