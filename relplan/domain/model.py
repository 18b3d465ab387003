"""The plan's value objects.

They mirror the workspace JSON format (shared/spec/workspace-format.md) one to one: dates are
calendar days (``datetime.date``) in the workspace's planning zone, times are aware
``datetime.datetime`` values. Objects are frozen; an edit makes a new object with
``dataclasses.replace``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Final

RELEASE_STATUSES: Final = ("planned", "in_progress", "released", "cancelled")
STAGE_STRATEGIES: Final = ("big_bang", "rolling", "blue_green", "canary")
GATE_KINDS: Final = ("manual", "automated")
GATE_STATUSES: Final = ("pending", "approved", "rejected")
ITEM_CATEGORIES: Final = ("todo", "in_progress", "done")
DEPENDENCY_TYPES: Final = ("FS", "SS", "FF", "SF")
DEPLOYMENT_OUTCOMES: Final = ("succeeded", "failed", "rolled_back")

RELEASE_PREFIX: Final = "release:"
ITEM_PREFIX: Final = "item:"


@dataclass(frozen=True, slots=True)
class Team:
    """A team that ships releases."""

    key: str
    name: str
    color: str | None = None


@dataclass(frozen=True, slots=True)
class Environment:
    """A deployment environment; ``capacity`` releases' stage windows may overlap in it."""

    name: str
    order: int
    capacity: int = 1
    requires_approval: bool = False


@dataclass(frozen=True, slots=True)
class Train:
    """A release train: releases of several teams aimed at one date."""

    key: str
    name: str
    target: dt.date | None = None


@dataclass(frozen=True, slots=True)
class RolloutStep:
    """One step of a canary or rolling rollout (or of a feature flag): ``percent`` from ``date``."""

    date: dt.date
    percent: int


@dataclass(frozen=True, slots=True)
class Stage:
    """A release's window in one environment, both days included.

    ``steps`` (canary, rolling) and ``switch`` (blue-green) are optional rollout details.
    """

    environment: str
    start: dt.date
    end: dt.date
    strategy: str = "big_bang"
    steps: tuple[RolloutStep, ...] = ()
    switch: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Milestone:
    """A named day in a release."""

    name: str
    date: dt.date


@dataclass(frozen=True, slots=True)
class Gate:
    """An approval gate of a release."""

    name: str
    environment: str | None = None
    kind: str = "manual"
    approvers: tuple[str, ...] = ()
    status: str = "pending"
    decided_by: str | None = None
    decided_at: dt.datetime | None = None
    comment: str | None = None


@dataclass(frozen=True, slots=True)
class Release:
    """A team's release; it occupies the days ``start..target`` when both are set."""

    key: str
    name: str
    team: str
    train: str | None = None
    start: dt.date | None = None
    target: dt.date | None = None
    status: str = "planned"
    stages: tuple[Stage, ...] = ()
    milestones: tuple[Milestone, ...] = ()
    gates: tuple[Gate, ...] = ()
    monitoring_days: int = 0

    @property
    def ref(self) -> str:
        """The node name of this release in the dependency graph (``release:KEY``)."""
        return RELEASE_PREFIX + self.key

    @property
    def has_dates(self) -> bool:
        """Whether the release takes part in date checks."""
        return self.start is not None and self.target is not None


@dataclass(frozen=True, slots=True)
class Freeze:
    """A window in which nothing may ship; empty scopes mean every environment or team.

    ``start``/``end`` are the days of the (first) window. ``start_time``/``end_time`` narrow it to
    times of day in the planning zone (whole days when None). ``rrule`` (RFC 5545, e.g.
    ``FREQ=WEEKLY;BYDAY=FR``) repeats the window; each occurrence is a freeze of its own.
    """

    name: str
    start: dt.date
    end: dt.date
    environments: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()
    rrule: str | None = None
    start_time: dt.time | None = None
    end_time: dt.time | None = None

    def covers(self, *, environment: str | None, team: str | None) -> bool:
        """Whether the freeze's scope includes this environment and team."""
        env_ok = not self.environments or environment is None or environment in self.environments
        team_ok = not self.teams or team is None or team in self.teams
        return env_ok and team_ok


@dataclass(frozen=True, slots=True)
class WorkItem:
    """A unit of work (story, bug, task) that belongs to a release."""

    key: str
    title: str
    team: str | None = None
    release: str | None = None
    type: str = "Story"
    status: str = "To Do"
    category: str = "todo"
    points: float | None = None
    created: dt.datetime | None = None
    resolved: dt.datetime | None = None

    @property
    def ref(self) -> str:
        """The node name of this item in the dependency graph (``item:KEY``)."""
        return ITEM_PREFIX + self.key


@dataclass(frozen=True, slots=True)
class Dependency:
    """``from_ref`` (the prerequisite) must happen before ``to_ref`` (the dependent).

    Each end is ``release:KEY`` or ``item:KEY`` (the JSON's ``from`` and ``to``); ``type`` is FS,
    SS, FF or SF.
    """

    from_ref: str
    to_ref: str
    type: str = "FS"
    lag_days: int = 0

    @property
    def pair(self) -> tuple[str, str]:
        """The (prerequisite, dependent) pair; at most one dependency exists per pair."""
        return (self.from_ref, self.to_ref)


@dataclass(frozen=True, slots=True)
class Change:
    """A change (commit) shipped by a deployment."""

    id: str
    committed: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class Deployment:
    """One deployment of a release to an environment."""

    release: str
    environment: str
    started: dt.datetime | None
    finished: dt.datetime
    outcome: str = "succeeded"
    restored: dt.datetime | None = None
    changes: tuple[Change, ...] = ()
    incident: str | None = None
    #: The delivery-tool connection it was pulled from; None for an imported or typed one.
    source: str | None = None
    #: Pulled deployments only: caused by a production incident (counts for the rework rate).
    rework: bool = False

    @property
    def identity(self) -> tuple[str, str, str]:
        """What makes a deployment unique: release, environment and finish time."""
        return (self.release, self.environment, self.finished.isoformat())


@dataclass(frozen=True, slots=True)
class TemplateStage:
    """A template's stage: it lasts ``days`` days and ends ``ends_before_target`` days before
    the target day."""

    environment: str
    days: int
    ends_before_target: int = 0
    strategy: str = "big_bang"


@dataclass(frozen=True, slots=True)
class TemplateMilestone:
    """A template's milestone, ``before_target`` days before the target day."""

    name: str
    before_target: int = 0


@dataclass(frozen=True, slots=True)
class TemplateGate:
    """A template's gate (a release made from the template gets it as ``pending``)."""

    name: str
    environment: str | None = None
    kind: str = "manual"
    approvers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Template:
    """A release lifecycle template: stages, milestones and gates relative to a target day."""

    key: str
    name: str
    stages: tuple[TemplateStage, ...] = ()
    milestones: tuple[TemplateMilestone, ...] = ()
    gates: tuple[TemplateGate, ...] = ()
    monitoring_days: int = 0


@dataclass(frozen=True, slots=True)
class Flag:
    """A feature flag turned on by steps in one environment, shipped with a release."""

    key: str
    release: str
    environment: str
    owner: str | None = None
    steps: tuple[RolloutStep, ...] = ()


@dataclass(frozen=True, slots=True)
class Plan:
    """A whole workspace: what the JSON format holds, as domain objects."""

    timezone: str = "UTC"
    teams: tuple[Team, ...] = ()
    environments: tuple[Environment, ...] = ()
    trains: tuple[Train, ...] = ()
    releases: tuple[Release, ...] = ()
    freezes: tuple[Freeze, ...] = ()
    work_items: tuple[WorkItem, ...] = ()
    dependencies: tuple[Dependency, ...] = ()
    deployments: tuple[Deployment, ...] = ()
    templates: tuple[Template, ...] = ()
    flags: tuple[Flag, ...] = ()
    _release_index: dict[str, Release] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def release(self, key: str) -> Release | None:
        """The release with this key, or None."""
        if not self._release_index and self.releases:
            self._release_index.update((r.key, r) for r in self.releases)
        return self._release_index.get(key)
