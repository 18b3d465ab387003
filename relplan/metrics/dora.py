"""``relplan metrics``: DORA's four keys over the Production deployments of a window.

Definitions are those of shared/spec/analysis.md (``metrics``); the bands come from
:mod:`relplan.metrics.benchmark`. A deployment belongs to the window when its ``finished`` day in
the planning zone lies in it. Besides the spec's figures the result lists ``notes`` on where the
data is thin ("4 failed deployments without a restore time"); ``metrics --json`` prints them as an
extra ``notes`` key.

The weekly series behind the DORA chart uses the same definitions on 7-day buckets that end on
the window's last day (the first bucket may be shorter).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, NamedTuple, TypedDict

from relplan.domain.model import Deployment, Plan
from relplan.domain.zone import plan_zone
from relplan.metrics import benchmark
from relplan.metrics.delivery_facts import Pulled
from relplan.metrics.quality import NO_NOTES, DataQuality, DataQualityJSON
from relplan.metrics.scope import Window, releases_in_scope

__all__ = [
    "FAILED_OUTCOMES",
    "PRODUCTION",
    "DoraMetrics",
    "DoraMetricsJSON",
    "WeeklyDora",
    "dora_metrics",
    "dora_weekly",
    "is_production",
    "median",
]

#: The environment whose deployments count (compared without case).
PRODUCTION: Final = "Production"
FAILED_OUTCOMES: Final = frozenset({"failed", "rolled_back"})
#: Fewer samples than this behind a median earn a note.
_THIN: Final = 3
_HOUR: Final = 3600.0


class _FrequencyJSON(TypedDict):
    per_day: float
    per_week: float
    band: str | None


class _MedianJSON(TypedDict):
    median: float | None
    band: str | None


class _RateJSON(TypedDict):
    value: float | None
    band: str | None


DoraMetricsJSON = TypedDict(
    "DoraMetricsJSON",
    {
        "from": str,
        "to": str,
        "deployments": int,
        "benchmark": str,
        "deployment_frequency": _FrequencyJSON,
        "lead_time_hours": _MedianJSON,
        "change_failure_rate": _RateJSON,
        "time_to_restore_hours": _MedianJSON,
        "rework_rate": _RateJSON,
        "notes": list[str],
        "quality": DataQualityJSON,
    },
)


def median(values: Sequence[float]) -> float | None:
    """The middle value, or the mean of the two middle ones; None for no values.

    Examples:
        >>> median([3.0, 1.0, 2.0]), median([4.0, 1.0, 2.0, 3.0]), median([])
        (2.0, 2.5, None)
    """
    if not values:
        return None
    # Not statistics.median: importing statistics costs `relplan metrics` more than this does.
    ordered = sorted(values)
    mid = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[mid])
    return (ordered[mid - 1] + ordered[mid]) / 2


def is_production(environment: str) -> bool:
    """Whether deployments to this environment count for DORA."""
    return environment.casefold() == PRODUCTION.casefold()


class _Facts(NamedTuple):
    """What one deployment contributes (a tuple: 20,000 of them are built per command)."""

    day: dt.date
    failed: bool
    lead_hours: tuple[float, ...]
    restore_hours: float | None
    non_positive: int  # lead times of zero or less, left out
    untimed_changes: int  # changes without a commit time
    from_items: bool  # no changes: lead time from the release's resolved items
    incident_on_success: bool
    rework: bool  # a pulled deployment caused by a production incident
    inferred: bool = False  # pulled, linked to its release only by inference
    unlinked: bool = False  # pulled, linked to no release
    no_commits: bool = False  # pulled and successful, its source listed no commits


@dataclass(frozen=True, slots=True)
class DoraMetrics:
    """The four keys over one window.

    Attributes:
        window: The days looked at.
        deployments: Production deployments finished in the window.
        failed: Those whose outcome is ``failed`` or ``rolled_back``.
        per_day: Deployments per day of the window.
        lead_time_hours: Median lead time for changes; None without data.
        lead_time_samples: How many lead times the median is over.
        change_failure_rate: ``failed / deployments`` (0..1); None without deployments.
        time_to_restore_hours: Median time to restore; None without data.
        restore_samples: How many restore times the median is over.
        rework_rate: Pulled deployments caused by a production incident, over all of them.
        notes: Where the data is thin, one line each.
        report: The DORA report whose bands rate the figures.
        quality: What makes the figures less sure (inferred links, incidents naming no
            deployment, deployments without commits), with the notes under each figure.
    """

    window: Window
    deployments: int
    failed: int
    per_day: float
    lead_time_hours: float | None
    lead_time_samples: int
    change_failure_rate: float | None
    time_to_restore_hours: float | None
    restore_samples: int
    rework_rate: float | None = None
    notes: tuple[str, ...] = ()
    report: benchmark.Report = benchmark.DEFAULT_REPORT
    quality: DataQuality = NO_NOTES

    @property
    def per_week(self) -> float:
        """Deployments per week (``per_day * 7``)."""
        return self.per_day * 7

    @property
    def frequency_band(self) -> str | None:
        """The band of the deployment frequency."""
        return self.report.frequency.band(self.per_day)

    @property
    def lead_time_band(self) -> str | None:
        """The band of the lead time."""
        return self.report.lead_time.band(self.lead_time_hours)

    @property
    def failure_band(self) -> str | None:
        """The band of the change failure rate."""
        return self.report.failure_rate.band(self.change_failure_rate)

    @property
    def restore_band(self) -> str | None:
        """The band of the time to restore."""
        return self.report.restore.band(self.time_to_restore_hours)

    @property
    def rework_band(self) -> str | None:
        """The band of the rework rate (None: the report gives none)."""
        bands = self.report.rework_rate
        return None if bands is None else bands.band(self.rework_rate)

    def to_json(self) -> DoraMetricsJSON:
        """The metrics as ``metrics --json`` prints them (the spec's keys plus ``notes``)."""
        return {
            "from": self.window.start.isoformat(),
            "to": self.window.end.isoformat(),
            "deployments": self.deployments,
            "benchmark": self.report.name,
            "deployment_frequency": {
                "per_day": self.per_day,
                "per_week": self.per_week,
                "band": self.frequency_band,
            },
            "lead_time_hours": {"median": self.lead_time_hours, "band": self.lead_time_band},
            "change_failure_rate": {
                "value": self.change_failure_rate,
                "band": self.failure_band,
            },
            "time_to_restore_hours": {
                "median": self.time_to_restore_hours,
                "band": self.restore_band,
            },
            "rework_rate": {"value": self.rework_rate, "band": self.rework_band},
            "notes": list(self.notes),
            "quality": self.quality.to_json(),
        }


@dataclass(frozen=True, slots=True)
class WeeklyDora:
    """The four keys per 7-day bucket of a window, oldest first, and over the whole window.

    Attributes:
        buckets: One :class:`DoraMetrics` per bucket (without notes).
        overall: The figures over the whole window (what ``metrics`` prints).
    """

    buckets: tuple[DoraMetrics, ...]
    overall: DoraMetrics


def _facts(
    plan: Plan,
    deployments: Iterable[Deployment],
    window: Window,
    fetched: Pulled | None = None,
    scope: Container[str] | None = None,
) -> list[_Facts]:
    """The facts of the deployments finished in ``window`` (of the pulled ones, those whose
    release is in ``scope`` when one is given)."""
    zone = plan_zone(plan)
    resolved: dict[str, list[dt.datetime]] | None = None
    out = []
    for dep in deployments:
        day = dep.finished.astimezone(zone).date()
        if day not in window:
            continue
        pulled = dep.source is not None
        if dep.outcome != "succeeded":
            # Amended 2026-12-04: a failed deployment shipped nothing; a later success ships it.
            starts, untimed = [], 0
        elif dep.changes or pulled:
            starts = [c.committed for c in dep.changes if c.committed is not None]
            untimed = len(dep.changes) - len(starts)
        else:
            if resolved is None:  # built once, and only when some deployment needs it
                resolved = defaultdict(list)
                for item in plan.work_items:
                    if item.release is not None and item.resolved is not None:
                        resolved[item.release].append(item.resolved)
            starts, untimed = resolved.get(dep.release, []), 0
        hours = [(dep.finished - start).total_seconds() / _HOUR for start in starts]
        lead = tuple(h for h in hours if h > 0)
        restore = None
        if dep.restored is not None:
            restore = (dep.restored - dep.finished).total_seconds() / _HOUR
        # A pulled deployment that an incident names counts as failed (the spec's incident rule).
        failed = dep.outcome in FAILED_OUTCOMES or (pulled and dep.incident is not None)
        out.append(
            _Facts(
                day=day,
                failed=failed,
                lead_hours=lead,
                restore_hours=restore,
                non_positive=len(hours) - len(lead),
                untimed_changes=untimed,
                from_items=not dep.changes and not pulled and dep.outcome == "succeeded",
                incident_on_success=dep.incident is not None and not failed,
                rework=dep.rework,
            )
        )
    first, last = window.start, window.end
    for p in fetched.deployments if fetched is not None else ():
        day = p.finished.astimezone(zone).date()
        if not first <= day <= last or (scope is not None and p.release not in scope):
            continue
        succeeded = p.outcome == "succeeded"
        restore = None
        if p.restored is not None:
            restore = (p.restored - p.finished).total_seconds() / _HOUR
        out.append(
            _Facts(
                day=day,
                failed=p.outcome in FAILED_OUTCOMES or p.incident is not None,
                lead_hours=p.lead_hours,
                restore_hours=restore,
                non_positive=p.non_positive,
                untimed_changes=p.untimed if succeeded else 0,
                from_items=False,
                incident_on_success=False,
                rework=p.rework,
                inferred=p.link == "inferred",
                unlinked=p.release is None,
                no_commits=succeeded and p.commits == 0,
            )
        )
    return out


def _quality(
    facts: Sequence[_Facts],
    window: Window,
    pulled: Pulled | None,
    zone: dt.tzinfo,
    scope: Container[str] | None,
) -> DataQuality:
    """The data-quality counts of a window."""
    unlinked = suggested = 0
    for incident in pulled.incidents if pulled is not None else ():
        if incident.provenance == "named" or incident.created.astimezone(zone).date() not in window:
            continue
        if scope is not None and incident.release not in scope:
            continue
        unlinked += 1
        suggested += incident.provenance == "suggested"
    return DataQuality(
        inferred_links=sum(f.inferred for f in facts),
        unlinked_deployments=sum(f.unlinked for f in facts),
        without_commits=sum(f.no_commits for f in facts),
        unlinked_incidents=unlinked,
        suggested_incidents=suggested,
    )


def _aggregate(
    facts: Sequence[_Facts],
    window: Window,
    *,
    with_notes: bool,
    report: benchmark.Report = benchmark.DEFAULT_REPORT,
    quality: DataQuality = NO_NOTES,
) -> DoraMetrics:
    n = len(facts)
    failed = sum(f.failed for f in facts)
    lead = [h for f in facts for h in f.lead_hours]
    restores = [f.restore_hours for f in facts if f.restore_hours is not None]
    return DoraMetrics(
        window=window,
        deployments=n,
        failed=failed,
        per_day=n / window.days,
        lead_time_hours=median(lead),
        lead_time_samples=len(lead),
        change_failure_rate=failed / n if n else None,
        rework_rate=sum(f.rework for f in facts) / n if n else None,
        time_to_restore_hours=median(restores),
        restore_samples=len(restores),
        notes=(*_notes(facts, lead, restores), *quality.notes()) if with_notes else (),
        report=report,
        quality=quality,
    )


def _notes(
    facts: Sequence[_Facts], lead: Sequence[float], restores: Sequence[float]
) -> tuple[str, ...]:
    """Where the figures rest on thin or partial data."""
    if not facts:
        return ("no Production deployments in the window",)
    notes = []
    unrestored = sum(f.failed and f.restore_hours is None for f in facts)
    if unrestored:
        notes.append(f"{_count(unrestored, 'failed deployment')} without a restore time")
    untimed = sum(f.untimed_changes for f in facts)
    if untimed:
        notes.append(f"{_count(untimed, 'change')} without a commit time (left out of lead time)")
    from_items = sum(f.from_items for f in facts)
    if from_items:
        notes.append(
            f"{_count(from_items, 'deployment')} without changes: lead time counts the resolved "
            "work items of their releases"
        )
    blind = sum(not f.lead_hours for f in facts)
    if blind:
        notes.append(f"{_count(blind, 'deployment')} with no lead time to count")
    non_positive = sum(f.non_positive for f in facts)
    if non_positive:
        notes.append(f"{_count(non_positive, 'lead time')} of zero or less left out")
    if 0 < len(lead) < _THIN:
        notes.append(f"lead time rests on only {_count(len(lead), 'change')}")
    if 0 < len(restores) < _THIN:
        notes.append(f"time to restore rests on only {_count(len(restores), 'deployment')}")
    linked = sum(f.incident_on_success for f in facts)
    if linked:
        notes.append(
            f"{_count(linked, 'succeeded deployment')} linked to an incident "
            "(the change failure rate counts outcomes only)"
        )
    return tuple(notes)


def _production(
    plan: Plan, team: str | None, train: str | None
) -> tuple[list[Deployment], Container[str] | None]:
    """The Production deployments of the team's or train's releases (all without a filter),
    and the keys of those releases (None without a filter)."""
    deployments = [d for d in plan.deployments if is_production(d.environment)]
    if team is None and train is None:
        return deployments, None
    scope: Mapping[str, object] = releases_in_scope(plan, team=team, train=train)
    return [d for d in deployments if d.release in scope], scope


def dora_metrics(
    plan: Plan,
    *,
    window: Window,
    team: str | None = None,
    train: str | None = None,
    report: benchmark.Report = benchmark.DEFAULT_REPORT,
    pulled: Pulled | None = None,
) -> DoraMetrics:
    """DORA's four keys over the Production deployments finished in ``window``.

    Args:
        plan: The plan.
        window: The days to look at.
        team: Only deployments of this team's releases.
        train: Only deployments of this train's releases.
        report: The DORA report whose bands rate the figures (``--benchmark``).
        pulled: Deployments and incidents pulled from delivery tools
            (:func:`~relplan.metrics.delivery_facts.load_pulled`), counted with the plan's.

    Returns:
        The figures, with notes on thin data and on the quality of the pulled data.

    Raises:
        UnknownObjectError: ``team`` or ``train`` is not in the plan.
    """
    deployments, scope = _production(plan, team, train)
    facts = _facts(plan, deployments, window, pulled, scope)
    quality = _quality(facts, window, pulled, plan_zone(plan), scope)
    return _aggregate(facts, window, with_notes=True, report=report, quality=quality)


def dora_weekly(
    plan: Plan,
    *,
    window: Window,
    team: str | None = None,
    train: str | None = None,
    report: benchmark.Report = benchmark.DEFAULT_REPORT,
    pulled: Pulled | None = None,
) -> WeeklyDora:
    """The four keys per 7-day bucket ending on ``window.end``, and over the whole window;
    each bucket carries the data quality of its own days (for the chart's tooltips).

    Raises:
        UnknownObjectError: ``team`` or ``train`` is not in the plan.
    """
    deployments, scope = _production(plan, team, train)
    facts = _facts(plan, deployments, window, pulled, scope)
    zone = plan_zone(plan)
    by_bucket: dict[int, list[_Facts]] = defaultdict(list)
    for fact in facts:
        by_bucket[(window.end - fact.day).days // 7].append(fact)
    buckets = []
    for k in reversed(range((window.days + 6) // 7)):
        end = window.end - dt.timedelta(days=7 * k)
        start = max(window.start, end - dt.timedelta(days=6))
        week, days = by_bucket.get(k, []), Window(start, end)
        quality = _quality(week, days, pulled, zone, scope)
        buckets.append(_aggregate(week, days, with_notes=False, report=report, quality=quality))
    overall = _aggregate(
        facts, window, with_notes=True, report=report,
        quality=_quality(facts, window, pulled, zone, scope),
    )  # fmt: skip
    return WeeklyDora(tuple(buckets), overall)


def _count(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
