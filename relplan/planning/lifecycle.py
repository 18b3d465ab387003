"""The release lifecycle's analyses: its five check kinds and each release's phase on a day.

Check kinds (workspace-format.md, "The release lifecycle"): ``gate_missing``, ``gate_late``,
``rollout_invalid``, ``flag_before_release`` (errors) and ``flag_stale`` (a warning). Released
and cancelled releases are exempt from the first four; ``flag_stale`` skips only cancelled ones
(the debt of a shipped release's flag is what it is about).

A release's phase on a day: ``planning`` before its first stage starts, then the environment of
the stage whose window holds the day (between two windows, or after the last one up to the
target, the stage that started last), ``monitoring`` for ``monitoring_days`` after the target,
then ``done``; ``cancelled`` releases are cancelled, and a release without a target is
``unscheduled``.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from relplan.domain.model import Flag, Plan, Release, RolloutStep, Stage
from relplan.planning.problems import ENVIRONMENT_PREFIX, ERROR, WARNING, Problem

__all__ = [
    "FLAG_PREFIX",
    "FLAG_STALE_DAYS",
    "Phase",
    "lifecycle_problems",
    "phase_of",
    "portfolio",
]

FLAG_PREFIX: Final = "flag:"
#: Days after its release's target after which a flag below 100 % is stale.
FLAG_STALE_DAYS: Final = 30
_EXEMPT: Final = frozenset({"released", "cancelled"})


def lifecycle_problems(plan: Plan, *, today: dt.date) -> list[Problem]:
    """The five lifecycle kinds' problems of ``plan`` (unsorted)."""
    approval = {e.name for e in plan.environments if e.requires_approval}
    problems: list[Problem] = []
    for release in plan.releases:
        if release.status in _EXEMPT or not (release.stages or release.gates):
            continue
        problems += _gate_problems(release, approval, today)
        for stage in release.stages:
            message = rollout_problem(stage)
            if message is not None:
                subjects = (release.ref,)
                problems.append(Problem("rollout_invalid", ERROR, subjects, message))
    if plan.flags:
        releases = {r.key: r for r in plan.releases}
        for flag in plan.flags:
            owner = releases.get(flag.release)
            if owner is not None:
                problems += _flag_problems(flag, owner, today)
    return problems


def _gate_problems(release: Release, approval: set[str], today: dt.date) -> list[Problem]:
    problems = []
    first_start: dict[str, dt.date] = {}
    for s in release.stages:
        if s.environment not in first_start or s.start < first_start[s.environment]:
            first_start[s.environment] = s.start
    gated: dict[str, list[str]] = {}
    for g in release.gates:
        if g.environment is not None and g.status != "approved":
            gated.setdefault(g.environment, []).append(f"{g.name} ({g.status})")
    gated_envs = {g.environment for g in release.gates}
    for env in sorted(first_start):
        subjects = (ENVIRONMENT_PREFIX + env, release.ref)
        if env in approval and env not in gated_envs:
            message = (
                f"{release.key} has a stage in {env}, which requires approval, but no gate for it"
            )
            problems.append(Problem("gate_missing", ERROR, subjects, message))
        start = first_start[env]
        if env in gated and today >= start:
            message = (
                f"{release.key}'s {env} stage started {start} but its gate "
                f"{', '.join(gated[env])} is not approved"
            )
            problems.append(Problem("gate_late", ERROR, subjects, message))
    return problems


def steps_problem(steps: tuple[RolloutStep, ...]) -> str | None:
    """What is wrong with the order of rollout steps (None when nothing)."""
    for before, after in itertools.pairwise(steps):
        if after.date <= before.date:
            return f"step {after.date} is not after the step {before.date}"
        if after.percent <= before.percent:
            return f"step {after.date} at {after.percent} % is not above {before.percent} %"
    return None


def rollout_problem(stage: Stage) -> str | None:
    """Why a stage's rollout steps or switch day are invalid (None when they are not)."""
    where = f"{stage.environment} stage {stage.start}..{stage.end}"
    for step in stage.steps:
        if not stage.start <= step.date <= stage.end:
            return f"{where}: rollout step {step.date} ({step.percent} %) is outside the window"
    order = steps_problem(stage.steps)
    if order is not None:
        return f"{where}: {order}"
    if stage.steps and stage.steps[-1].percent != 100:
        return f"{where}: the rollout ends at {stage.steps[-1].percent} %, not 100 %"
    if stage.switch is not None and not stage.start <= stage.switch <= stage.end:
        return f"{where}: the blue-green switch {stage.switch} is outside the window"
    return None


def _flag_problems(flag: Flag, release: Release, today: dt.date) -> list[Problem]:
    subjects = (FLAG_PREFIX + flag.key, release.ref)
    problems = []
    if release.status not in _EXEMPT and flag.steps:
        starts = [s.start for s in release.stages if s.environment == flag.environment]
        first = min(starts, default=release.target)
        if first is not None and flag.steps[0].date < first:
            what = f"its {flag.environment} stage starts" if starts else "its target is"
            message = (
                f"flag {flag.key} turns on {flag.steps[0].date} in {flag.environment}, before "
                f"{release.key} ships there ({what} {first})"
            )
            problems.append(Problem("flag_before_release", ERROR, subjects, message))
    last = flag.steps[-1].percent if flag.steps else 0
    if (
        release.status != "cancelled"
        and release.target is not None
        and last < 100
        and today > release.target + dt.timedelta(days=FLAG_STALE_DAYS)
    ):
        days = (today - release.target).days
        message = (
            f"flag {flag.key} is still at {last} % {days} days after {release.key}'s target "
            f"{release.target} (finish the rollout or remove the flag)"
        )
        problems.append(Problem("flag_stale", WARNING, subjects, message))
    return problems


# -- phases --------------------------------------------------------------------------------------
PLANNING: Final = "planning"
MONITORING: Final = "monitoring"
DONE: Final = "done"
CANCELLED: Final = "cancelled"
UNSCHEDULED: Final = "unscheduled"


@dataclass(frozen=True, slots=True)
class Phase:
    """A release's phase on a day: ``name`` is a phase word or a stage's environment."""

    name: str
    is_stage: bool = False

    def __str__(self) -> str:
        return self.name


def phase_of(release: Release, day: dt.date) -> Phase:
    """The lifecycle phase of ``release`` on ``day``.

    Examples:
        >>> d = dt.date(2026, 12, 1)
        >>> r = Release("A", "A", "T", start=d, target=d + dt.timedelta(9), monitoring_days=7,
        ...             stages=(Stage("QA", d + dt.timedelta(2), d + dt.timedelta(5)),))
        >>> [str(phase_of(r, d + dt.timedelta(n))) for n in (0, 2, 9, 10, 16, 17)]
        ['planning', 'QA', 'QA', 'monitoring', 'monitoring', 'done']
    """
    if release.status == "cancelled":
        return Phase(CANCELLED)
    if release.target is None:
        return Phase(UNSCHEDULED)
    if day > release.target:
        end = release.target + dt.timedelta(days=release.monitoring_days)
        return Phase(MONITORING if day <= end else DONE)
    started = [s for s in release.stages if s.start <= day]
    if not started:
        return Phase(PLANNING)
    holding = [s for s in started if day <= s.end] or started
    latest = max(holding, key=lambda s: (s.start, s.end, s.environment))
    return Phase(latest.environment, is_stage=True)


@dataclass(frozen=True, slots=True)
class PhaseGroup:
    """The releases in one phase on a day."""

    phase: str
    releases: tuple[str, ...]


def portfolio(plan: Plan, day: dt.date) -> list[PhaseGroup]:
    """Releases by phase on ``day``, in lifecycle order: planning, the stages by environment
    order, monitoring, done, then unscheduled and cancelled; keys sorted within a phase."""
    order: dict[str, int] = {PLANNING: 0}
    for i, env in enumerate(sorted(plan.environments, key=lambda e: (e.order, e.name))):
        order[env.name] = 1 + i
    tail = len(order)
    for i, name in enumerate((MONITORING, DONE, UNSCHEDULED, CANCELLED)):
        order.setdefault(name, tail + 1 + i)
    groups: dict[str, list[str]] = {}
    for release in plan.releases:
        groups.setdefault(phase_of(release, day).name, []).append(release.key)
    ranked = sorted(groups, key=lambda name: (order.get(name, tail), name))
    return [PhaseGroup(name, tuple(sorted(groups[name]))) for name in ranked]


def phases(releases: Iterable[Release], day: dt.date) -> Mapping[str, str]:
    """Each release's phase name on ``day``, by key (for tables and tooltips)."""
    return {r.key: phase_of(r, day).name for r in releases}
