"""Deployments and incidents pulled from delivery tools, turned into DORA's deployments.

The rules are those of shared/spec/analysis.md (``relplan metrics``, amended 2026-12-04):

- *Outcome*: each source's own status is mapped by :func:`outcome_of`; canceled, skipped, aborted
  or unfinished deployments are not deployments at all.
- *Changes*: the commits between the previous successful deployment of the same source and
  environment and this one. The first deployment a source ever reports has none (it is not given
  all history), a failed deployment ships nothing, and a re-deploy of a sha that an earlier
  successful deployment already shipped adds no lead-time sample.
- *Incidents*: an incident that names a deployment (its sha, its release key or its URL) is
  linked to it; that deployment counts as failed and, without a restore time of its own, is
  restored when the incident is resolved. Otherwise the last successful Production deployment of
  the same team before the incident is only *suggested*, and never counted.
- *Rework*: a deployment whose ref or commit messages name an incident linked to an earlier
  deployment was caused by that incident.

Everything here is pure: the store reads the pulled rows, :func:`derive` gives the
:class:`~relplan.domain.model.Deployment` objects that :mod:`relplan.metrics.dora` counts.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Final

from relplan.domain.model import Change, Deployment

__all__ = [
    "IncidentLink",
    "PulledCommit",
    "PulledDeployment",
    "PulledIncident",
    "derive",
    "link_incidents",
    "outcome_of",
]

#: The environment name pulled Production deployments get (what ``dora.is_production`` wants).
PRODUCTION: Final = "Production"

# Per kind: status -> outcome; statuses absent here (canceled, skipped, aborted, running ...) make
# no deployment. GitHub's later ``inactive`` and the not-yet-terminal states are skipped over.
_OUTCOMES: Final[dict[str, dict[str, str]]] = {
    "github": {
        "success": "succeeded",
        "failure": "failed",
        "error": "failed",
        # An Actions run (``--workflow``) that timed out ran and did not finish: failed. Its
        # ``startup_failure`` never ran a job, so it stays unmapped: no deployment.
        "timed_out": "failed",
    },
    "gitlab": {"success": "succeeded", "failed": "failed"},
    "azure_pipelines": {
        "succeeded": "succeeded",
        "failed": "failed",
        # API-NOTES-WRITE-DEPLOY D.3: "Count succeeded and succeededWithIssues as deployed".
        "succeededWithIssues": "succeeded",
    },
    "jenkins": {"SUCCESS": "succeeded", "FAILURE": "failed", "UNSTABLE": "failed"},
}
_GITHUB_SKIPPED: Final = frozenset({"inactive", "queued", "pending", "in_progress"})


def outcome_of(kind: str, statuses: Sequence[str]) -> str | None:
    """The outcome of a pulled deployment from its statuses, oldest first; None: no deployment.

    Examples:
        >>> outcome_of("github", ["pending", "success", "inactive"])
        'succeeded'
        >>> outcome_of("gitlab", ["canceled"]), outcome_of("jenkins", ["ABORTED"])
        (None, None)
    """
    if kind not in _OUTCOMES:
        raise ValueError(f"unknown delivery source kind {kind!r}")
    if kind == "github":
        statuses = [s for s in statuses if s not in _GITHUB_SKIPPED]
    if not statuses:
        return None
    return _OUTCOMES[kind].get(statuses[-1])


@dataclass(frozen=True, slots=True)
class PulledCommit:
    """A commit a source reports for a deployment (the compare with the previous success)."""

    sha: str
    committed: dt.datetime | None = None
    message: str = ""


@dataclass(frozen=True, slots=True)
class PulledDeployment:
    """One deployment as a delivery tool reports it.

    Attributes:
        source: The connection it came from.
        kind: ``github``, ``gitlab``, ``azure_pipelines`` or ``jenkins``.
        source_id: Its id at the source.
        environment: The source's environment name.
        production: Whether the connection names that environment as Production.
        sha: The commit deployed.
        ref: The ref or tag deployed.
        statuses: Every status it went through, oldest first.
        finished: When it finished (None while running).
        started: When it started, where known.
        commits: The commits the source reports between the previous success and this one.
        team: The connection's team.
        release: The release it belongs to, if linked.
        link: How: ``explicit``, ``inferred``, ``override`` or ``""`` (not linked).
        url: Where people can see it.
    """

    source: str
    kind: str
    source_id: str
    environment: str
    production: bool
    sha: str
    ref: str
    statuses: tuple[str, ...]
    finished: dt.datetime | None
    started: dt.datetime | None = None
    commits: tuple[PulledCommit, ...] = ()
    team: str = ""
    release: str | None = None
    link: str = ""
    url: str = ""

    @property
    def outcome(self) -> str | None:
        """``succeeded``, ``failed``, or None when it is no deployment."""
        if self.finished is None:
            return None
        return outcome_of(self.kind, self.statuses)


@dataclass(frozen=True, slots=True)
class PulledIncident:
    """One incident (PagerDuty, a labelled GitHub issue, a Jira issue of a type).

    Attributes:
        source: The connection it came from.
        source_id: Its id at the source.
        keys: The names people use for it in refs and commit messages (``INC-7``, ``#42``).
        created: When it started.
        resolved: When it was resolved, if it was.
        team: The team of its service.
        text: Its title and description, searched for the deployment it names.
        url: Where people can see it.
    """

    source: str
    source_id: str
    keys: tuple[str, ...]
    created: dt.datetime
    resolved: dt.datetime | None = None
    team: str = ""
    text: str = ""
    url: str = ""


@dataclass(frozen=True, slots=True)
class IncidentLink:
    """Which deployment an incident belongs to, and how sure that is.

    Attributes:
        incident: The incident.
        deployment: ``(source, source_id)`` of the deployment, or None.
        provenance: ``named`` (it names the deployment: counted) or ``suggested`` (only the last
            successful Production deployment of its team before it: shown, never counted).
    """

    incident: PulledIncident
    deployment: tuple[str, str] | None
    provenance: str


@dataclass(slots=True)
class _Derived:
    dep: PulledDeployment
    outcome: str
    changes: tuple[Change, ...] = ()
    incidents: list[PulledIncident] = field(default_factory=list)
    rework: bool = False


def _names(text: str, needle: str) -> bool:
    """Whether ``text`` names ``needle`` as a whole word (``INC-7`` is not named by ``INC-70``)."""
    if not needle:
        return False
    pattern = rf"(?<![A-Za-z0-9]){re.escape(needle)}(?![A-Za-z0-9])"
    return re.search(pattern, text, re.IGNORECASE) is not None


def _key(dep: PulledDeployment) -> tuple[str, str]:
    return (dep.source, dep.source_id)


def link_incidents(
    deployments: Iterable[PulledDeployment], incidents: Iterable[PulledIncident]
) -> list[IncidentLink]:
    """Each incident with the deployment it names, else the suggested one (or none).

    An incident names a deployment by its full sha (or a prefix of 7 or more characters), the key
    of its release, or its URL; where it names several, the last one before the incident wins.
    """
    real = sorted(
        (d for d in deployments if d.outcome is not None and d.finished is not None),
        key=lambda d: (d.finished, d.source, d.source_id),
    )
    links = []
    for incident in sorted(incidents, key=lambda i: (i.created, i.source, i.source_id)):
        named = [
            d
            for d in real
            if d.finished is not None
            and d.finished <= incident.created
            and (
                (d.url and d.url in incident.text)
                or _names_sha(incident.text, d.sha)
                or (d.release is not None and _names(incident.text, d.release))
            )
        ]
        if named:
            links.append(IncidentLink(incident, _key(named[-1]), "named"))
            continue
        before = [
            d
            for d in real
            if d.production
            and d.outcome == "succeeded"
            and d.team == incident.team
            and d.finished is not None
            and d.finished <= incident.created
        ]
        links.append(IncidentLink(incident, _key(before[-1]) if before else None, "suggested"))
    return links


def _names_sha(text: str, sha: str) -> bool:
    if len(sha) < 7:
        return False
    return any(
        len(word) >= 7 and sha.lower().startswith(word.lower())
        for word in re.findall(r"\b[0-9a-fA-F]{7,40}\b", text)
    )


def derive(
    deployments: Iterable[PulledDeployment], incidents: Iterable[PulledIncident] = ()
) -> tuple[Deployment, ...]:
    """The deployments DORA counts, by the spec's rules, oldest first.

    Only Production deployments are returned; the others still matter for nothing here because
    every rule is per source and environment.
    """
    pulled = [d for d in deployments if d.outcome is not None]
    pulled.sort(key=lambda d: (d.finished, d.source, d.source_id))
    derived: list[_Derived] = []
    shipped: dict[tuple[str, str], set[str]] = {}
    for dep in pulled:
        outcome = dep.outcome
        assert outcome is not None
        stream = (dep.source, dep.environment)
        item = _Derived(dep, outcome)
        if outcome == "succeeded":
            seen = shipped.get(stream)
            if seen is not None and dep.sha not in seen:
                # Commits already shipped (a rollback's compare) never count twice either.
                item.changes = tuple(
                    Change(c.sha, c.committed) for c in dep.commits if c.sha not in seen
                )
            shipped.setdefault(stream, set()).update({dep.sha, *(c.sha for c in dep.commits)})
        derived.append(item)
    by_key = {_key(d.dep): d for d in derived}
    counted: list[tuple[PulledIncident, _Derived]] = []
    for link in link_incidents(pulled, incidents):
        if link.provenance == "named" and link.deployment in by_key:
            target = by_key[link.deployment]
            target.incidents.append(link.incident)
            counted.append((link.incident, target))
    for item in derived:
        text = " ".join([item.dep.ref, *(c.message for c in item.dep.commits)])
        item.rework = any(
            cause.dep.finished is not None
            and item.dep.finished is not None
            and cause.dep.finished < item.dep.finished
            and any(_names(text, k) for k in incident.keys)
            for incident, cause in counted
        )
    return tuple(_deployment(d) for d in derived if d.dep.production)


def _deployment(item: _Derived) -> Deployment:
    dep = item.dep
    assert dep.finished is not None
    outcome = item.outcome
    restored = None
    incident = None
    if item.incidents:
        first = min(item.incidents, key=lambda i: i.created)
        incident = first.keys[0] if first.keys else first.source_id
        resolved = [i.resolved for i in item.incidents if i.resolved is not None]
        restored = max(resolved) if resolved and len(resolved) == len(item.incidents) else None
    return Deployment(
        release=dep.release or "",
        environment=PRODUCTION,
        started=dep.started,
        finished=dep.finished,
        outcome=outcome,
        restored=restored,
        changes=item.changes,
        incident=incident,
        source=dep.source,
        rework=item.rework,
    )
