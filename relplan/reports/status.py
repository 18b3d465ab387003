"""The weekly status report as data: everything it says, gathered from a workspace in one call.

Renderers (:mod:`relplan.reports.render`) turn a :class:`StatusReport` into HTML, Markdown or
PDF; the window and ``relplan report status`` both call :func:`status_report`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from relplan.domain.model import Plan, Release, Train
from relplan.errors import DependencyCycleError, Issue, ValidationError
from relplan.metrics.burnup import Burnup, burnup_of
from relplan.metrics.dora import DoraMetrics, WeeklyDora, dora_metrics, dora_weekly, is_production
from relplan.metrics.scope import Window, releases_in_scope
from relplan.planning.check import Problem, check_plan, sort_problems
from relplan.planning.freezes import occurrences
from relplan.planning.graph import PlanIndex
from relplan.planning.impact import problem_identity
from relplan.planning.portfolio_forecast import TrainOdds, portfolio_forecast
from relplan.planning.readiness import (
    VERDICTS,
    ItemFacts,
    Readiness,
    ReleaseReadiness,
    readiness_of,
)
from relplan.planning.schedule import schedule_plan
from relplan.planning.wording import verdict_words
from relplan.reports.changes import AuditChanges, read_changes, window_start
from relplan.store.workspace import Workspace

__all__ = [
    "AHEAD_DAYS",
    "DEFAULT_SINCE_DAYS",
    "Blocker",
    "Headline",
    "StatusReport",
    "Upcoming",
    "status_report",
    "train_headline",
]

#: ``--since`` defaults to this many days before today.
DEFAULT_SINCE_DAYS: Final = 7
#: The look-ahead: four weeks from today, today included.
AHEAD_DAYS: Final = 28
#: Burn-ups drawn: the riskiest open releases.
BURNUPS: Final = 3
_OPEN: Final = ("late", "at_risk", "on_track", "ready")
_RANK: Final = {v: i for i, v in enumerate(VERDICTS)}


@dataclass(frozen=True, slots=True)
class Headline:
    """One train in a sentence: its target, the forecast, the verdict in words.

    Attributes:
        train: The train key.
        name: Its name.
        target: The train's target day (else its releases' latest target).
        forecast: The day by which 85 % of runs finish its last open release; None when any
            open release has no forecast or none is open.
        verdict: The worst verdict of its releases (a code of ``VERDICTS``).
        words: The verdict and the reason of the release that sets it, for people.
        releases: How many releases it holds.
    """

    train: str
    name: str
    target: dt.date | None
    forecast: dt.date | None
    verdict: str
    words: str
    releases: int


@dataclass(frozen=True, slots=True)
class Blocker:
    """Open prerequisite items of one release held by a release of another team."""

    release: str
    team: str
    held_by: str
    held_by_team: str
    items: int


@dataclass(frozen=True, slots=True)
class Upcoming:
    """One thing in the next four weeks.

    Attributes:
        first: Its first day.
        last: Its last day (== ``first`` for one-day events).
        kind: ``milestone``, ``gate``, ``freeze`` or ``production``.
        subject: The release (or the freeze's name).
        text: What it is, for people.
    """

    first: dt.date
    last: dt.date
    kind: str
    subject: str
    text: str


@dataclass(frozen=True, slots=True)
class StatusReport:
    """The weekly status of a workspace (or of one train or team).

    Attributes:
        today: The day of the report (planning zone).
        since: The first day of "what changed".
        zone: The planning zone's name.
        train: The train it is restricted to, if any.
        team: The team it is restricted to, if any.
        releases: How many releases it looks at.
        headlines: One per train, in the order of their keys.
        changes: The audit log's release changes in the window (restricted to the scope).
        new_problems: Problems now that the plan of ``since`` did not have.
        resolved_problems: Problems the plan of ``since`` had that are gone.
        readiness: Readiness of the scope's releases.
        at_risk: The open releases late or at risk, most at risk first.
        critical_path: Release keys of the critical path (of the train, with ``train``).
        critical_note: Why there is no critical path, when there is none.
        blockers: Open blockers held by another team's release.
        upcoming: The next four weeks, by day.
        dora: DORA's four keys over ``since..today``.
        dora_weekly: Weekly DORA over the 90 days ending today (for the chart).
        burnups: Burn-ups of the riskiest open releases.
        deployments: Deployments stored in the workspace (any environment, whole history).
    """

    today: dt.date
    since: dt.date
    zone: str
    train: str | None
    team: str | None
    releases: int
    headlines: tuple[Headline, ...]
    changes: AuditChanges
    new_problems: tuple[Problem, ...]
    resolved_problems: tuple[Problem, ...]
    readiness: Readiness
    at_risk: tuple[ReleaseReadiness, ...]
    critical_path: tuple[str, ...]
    critical_note: str | None
    blockers: tuple[Blocker, ...]
    upcoming: tuple[Upcoming, ...]
    dora: DoraMetrics
    dora_weekly: WeeklyDora
    burnups: tuple[Burnup, ...]
    deployments: int

    @property
    def ahead(self) -> Window:
        """The next four weeks."""
        return Window(self.today, self.today + dt.timedelta(days=AHEAD_DAYS - 1))

    @property
    def open_releases(self) -> list[ReleaseReadiness]:
        """The scope's releases neither released nor cancelled, most at risk first."""
        return [r for r in self.readiness.by_risk() if r.verdict in _OPEN]


def train_headline(
    train: Train, releases: Sequence[ReleaseReadiness], odds: TrainOdds | None = None
) -> Headline:
    """A train's headline from its releases' readiness and its portfolio forecast.

    The forecast is the train's P85 finish from ``relplan forecast`` (the same figure as the
    command and the window's On time column), with its chance of making the target in the
    words; None without one (a dependency cycle, or a release with no forecast). The verdict
    is its releases' worst.
    """
    open_ = [r for r in releases if r.verdict in _OPEN]
    target = train.target or max((r.target for r in releases if r.target), default=None)
    forecast = odds.p85 if odds is not None and open_ else None
    if not releases:
        return Headline(train.key, train.name, target, None, "on_track", "no releases", 0)
    worst = min(releases, key=lambda r: (_RANK.get(r.verdict, 99), r.key))
    if worst.verdict in ("released", "cancelled") and open_:
        worst = open_[0]
    words = verdict_words(worst.verdict)
    if worst.verdict in ("late", "at_risk"):
        words = f"{words}: {worst.key} {worst.reason}"
    elif not open_:
        words = f"{words}: all {len(releases)} releases done"
    if open_ and odds is not None and odds.p_on_time is not None:
        words = f"{words} ({odds.p_on_time:.0%} chance of making the train's target)"
    return Headline(train.key, train.name, target, forecast, worst.verdict, words, len(releases))


def _then_plan(plan: Plan, changes: AuditChanges) -> Plan:
    """The release plan as it was at the window's start (other kinds as they are now)."""
    releases = {r.key: r for r in plan.releases}
    for key, release in changes.releases_then.items():
        if release is None:
            releases.pop(key, None)
        else:
            releases[key] = release
    return dataclasses.replace(plan, releases=tuple(releases[k] for k in sorted(releases)))


def _problem_changes(
    ws: Workspace, plan: Plan, index: PlanIndex, changes: AuditChanges, today: dt.date,
    since: dt.date, scope: set[str],
) -> tuple[list[Problem], list[Problem]]:  # fmt: skip
    now = check_plan(plan, today=today, index=index)
    if changes.releases_then:
        then_plan = _then_plan(plan, changes)
        then_index = PlanIndex.from_columns(then_plan, ws.item_releases(), ws.dependency_rows())
        then = check_plan(then_plan, today=since, index=then_index)
    else:
        then = check_plan(plan, today=since, index=index)

    def in_scope(p: Problem) -> bool:
        return any(s.removeprefix("release:") in scope for s in p.subjects)

    ids_then = {problem_identity(p) for p in then}
    ids_now = {problem_identity(p) for p in now}
    new = [p for p in now if problem_identity(p) not in ids_then and in_scope(p)]
    resolved = [p for p in then if problem_identity(p) not in ids_now and in_scope(p)]
    return sort_problems(new), sort_problems(resolved)


def _scoped(changes: AuditChanges, scope: set[str]) -> AuditChanges:
    return dataclasses.replace(
        changes,
        moves=tuple(m for m in changes.moves if m.release in scope),
        gates=tuple(g for g in changes.gates if g.release in scope),
        shipped=tuple(s for s in changes.shipped if s.release in scope),
    )


def _upcoming(plan: Plan, scope: dict[str, Release], ahead: Window) -> list[Upcoming]:
    out: list[Upcoming] = []
    for release in scope.values():
        if release.status in ("released", "cancelled"):
            continue
        for m in release.milestones:
            if m.date in ahead:
                out.append(Upcoming(m.date, m.date, "milestone", release.key, m.name))
        starts = {s.environment: s.start for s in release.stages}
        for gate in release.gates:
            if gate.status != "pending":
                continue
            due = starts.get(gate.environment or "", release.target)
            if due is not None and due in ahead:
                where = f" before {gate.environment}" if gate.environment else ""
                out.append(Upcoming(due, due, "gate", release.key, f"gate {gate.name}{where}"))
        for stage in release.stages:
            overlaps = stage.end >= ahead.start and stage.start <= ahead.end
            if is_production(stage.environment) and overlaps:
                text = f"{stage.environment} window ({stage.strategy.replace('_', ' ')})"
                out.append(Upcoming(stage.start, stage.end, "production", release.key, text))
    teams = {r.team for r in scope.values()}
    for freeze in plan.freezes:
        if freeze.teams and not teams & set(freeze.teams):
            continue
        for occ in occurrences(freeze, first=ahead.start, last=ahead.end, zone=plan.timezone):
            where = ", ".join(freeze.environments) or "all environments"
            out.append(
                Upcoming(occ.first_day, occ.last_day, "freeze", freeze.name, f"freeze: {where}")
            )
    return sorted(out, key=lambda u: (u.first, u.kind, u.subject, u.text))


def _blockers(readiness: Readiness, plan: Plan) -> list[Blocker]:
    team_of = {r.key: r.team for r in plan.releases}
    out = []
    for r in readiness.by_risk():
        if r.verdict not in _OPEN:
            continue
        for held_by, n in r.blockers_by_release:
            other = team_of.get(held_by, "")
            if other != r.team:
                out.append(Blocker(r.key, r.team, held_by or "(no release)", other, n))
    return out


def status_report(
    ws: Workspace,
    *,
    today: dt.date,
    since: dt.date | None = None,
    train: str | None = None,
    team: str | None = None,
) -> StatusReport:
    """Gather the weekly status of the workspace (of one train and/or team).

    Args:
        ws: The workspace (only read).
        today: The day of the report.
        since: The first day of "what changed" (default: 7 days before ``today``).
        train: Only this train's releases.
        team: Only this team's releases.

    Raises:
        UnknownObjectError: the train or team is not in the workspace.
        ValidationError: ``since`` is after ``today``.
    """
    since = since if since is not None else today - dt.timedelta(days=DEFAULT_SINCE_DAYS)
    if since > today:
        raise ValidationError([Issue("--since", f"{since} is after the report's day {today}")])
    base = ws.release_plan()
    scope = releases_in_scope(base, team=team, train=train)
    deployments = ws.deployments()
    plan = dataclasses.replace(
        base,
        work_items=ws.work_items(),
        dependencies=ws.dependencies_from_open_items(),
        deployments=deployments,
    )
    readiness = readiness_of(plan, today=today, team=team, train=train)
    index = PlanIndex.from_columns(base, ws.item_releases(), ws.dependency_rows())
    changes = read_changes(ws.conn, window_start(since, base.timezone))
    new, resolved = _problem_changes(ws, base, index, changes, today, since, set(scope))
    try:  # the trains' odds: what `relplan forecast` says of them
        facts = ItemFacts.of_plan(plan)  # kept from readiness_of above: not gathered again
        forecast = portfolio_forecast(base, today=today, index=index, facts=facts)
        odds = {t.key: t for t in forecast.trains}
    except DependencyCycleError:
        odds = {}
    headlines = []
    for t in sorted(base.trains, key=lambda t: t.key):
        if train is not None and t.key != train:
            continue
        mine = [r for r in readiness.releases if r.train == t.key]
        if team is not None and not mine:
            continue
        headlines.append(train_headline(t, mine, odds.get(t.key)))
    at_risk = tuple(r for r in readiness.by_risk() if r.verdict in ("late", "at_risk"))
    critical: tuple[str, ...] = ()
    note: str | None = None
    try:
        schedule = schedule_plan(base, train=train, index=index)
        critical = tuple(k for k in schedule.critical_path if team is None or k in scope)
        if not critical:
            note = "no open release is on a critical path"
    except DependencyCycleError:
        note = "the release dependencies have a cycle: run relplan check"
    dora = dora_metrics(plan, window=Window(since, today), team=team, train=train)
    weekly = dora_weekly(
        plan, window=Window(today - dt.timedelta(days=89), today), team=team, train=train
    )
    burnups = tuple(
        burnup_of(plan, r, today=today)
        for r in [r for r in readiness.by_risk() if r.verdict in _OPEN][:BURNUPS]
    )
    ahead = Window(today, today + dt.timedelta(days=AHEAD_DAYS - 1))
    return StatusReport(
        today=today,
        since=since,
        zone=base.timezone,
        train=train,
        team=team,
        releases=len(scope),
        headlines=tuple(headlines),
        changes=_scoped(changes, set(scope)),
        new_problems=tuple(new),
        resolved_problems=tuple(resolved),
        readiness=readiness,
        at_risk=at_risk,
        critical_path=critical,
        critical_note=note,
        blockers=tuple(_blockers(readiness, base)),
        upcoming=tuple(_upcoming(base, scope, ahead)),
        dora=dora,
        dora_weekly=weekly,
        burnups=burnups,
        deployments=len(deployments),
    )
