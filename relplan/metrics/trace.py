"""Traceability from code to production: work item → release → commits → deployments → incidents.

``relplan trace ITEM`` and the release editor's Shipped tab both read a :class:`Trace` from
here (:func:`load_item_trace`, :func:`load_release_trace`); the rules are those of issue #15:

- A commit belongs to the work items whose keys its message names (:func:`items_named`): as a
  whole word, in the case the keys have (``PAY-12`` is not named by ``PAY-123`` nor ``pay-12``).
- A deployment belongs to its release by the link stored with it (:mod:`.delivery_links`):
  ``explicit``, ``inferred`` (only suggested by team and Production window), ``override`` (a
  person chose) or none.
- An incident belongs to the deployment it names; otherwise the last successful Production
  deployment of its team before it is only ``suggested`` (:func:`.delivery.link_incidents`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from relplan.metrics.delivery import IncidentLink, PulledDeployment, link_incidents

if TYPE_CHECKING:
    from relplan.store.workspace import Workspace

__all__ = [
    "Trace",
    "TracedCommit",
    "TracedDeployment",
    "TracedIncident",
    "item_trace",
    "items_named",
    "load_item_trace",
    "load_release_trace",
    "release_trace",
]

_ALNUM: Final = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


def items_named(message: str, keys: Collection[str], longest: int = 64) -> tuple[str, ...]:
    """The keys of ``keys`` that ``message`` names as whole words, in order of appearance.

    A key is named where it stands between characters that are not letters or digits (or the
    ends of the text); case counts. Only the candidate words of the message are looked up, so
    ``keys`` may be a set of every work item's key.

    Args:
        message: A commit message.
        keys: The work item keys (a set: membership is all that is asked).
        longest: No key is longer than this (bounds the words tried).

    Examples:
        >>> items_named("PAY-12: fix (PAY-7), not PAY-123 nor pay-7", {"PAY-12", "PAY-7"})
        ('PAY-12', 'PAY-7')
    """
    found: list[str] = []
    for run in message.split():
        n = len(run)
        starts = [i for i in range(n) if run[i] in _ALNUM and (i == 0 or run[i - 1] not in _ALNUM)]
        ends = [
            i + 1 for i in range(n) if run[i] in _ALNUM and (i + 1 == n or run[i + 1] not in _ALNUM)
        ]
        for s in starts:
            for e in ends:
                if s < e <= s + longest:
                    word = run[s:e]
                    if word in keys and word not in found:
                        found.append(word)
    return tuple(found)


@dataclass(frozen=True, slots=True)
class TracedCommit:
    """A commit, the work items it names and the deployments that carried it.

    Attributes:
        sha: The commit.
        committed: When it was committed, where known.
        message: Its message.
        items: The work items it names.
        deployments: ``(connection, id)`` of the deployments whose changes list it.
    """

    sha: str
    committed: dt.datetime | None
    message: str
    items: tuple[str, ...]
    deployments: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class TracedDeployment:
    """A deployment in a trace, with its release link's provenance.

    Attributes:
        deployment: The pulled deployment.
        outcome: ``succeeded``, ``failed``, or None (not a deployment: canceled, running ...).
        commits: The shas of its changes that the trace shows.
    """

    deployment: PulledDeployment
    outcome: str | None
    commits: tuple[str, ...]

    @property
    def ident(self) -> tuple[str, str]:
        """``(connection, id)``."""
        return (self.deployment.source, self.deployment.source_id)

    @property
    def provenance(self) -> str:
        """How it is linked to its release: explicit, inferred, override, or none."""
        return self.deployment.link or "none"


@dataclass(frozen=True, slots=True)
class TracedIncident:
    """An incident tied to a traced deployment.

    Attributes:
        link: The incident with its deployment and ``named`` or ``suggested``.
    """

    link: IncidentLink


@dataclass(frozen=True, slots=True)
class Trace:
    """The chain from a work item (or a release) to production.

    Attributes:
        item: ``(key, title, status)`` of the traced work item; None for a release's trace.
        release: ``(key, name, status)`` of the release; None when the item has none.
        commits: The commits (naming the item; for a release, every commit of its deployments).
        deployments: Per environment (by name), oldest finish first.
        incidents: Incidents named by or suggested for those deployments, oldest first.
    """

    item: tuple[str, str, str] | None
    release: tuple[str, str, str] | None
    commits: tuple[TracedCommit, ...]
    deployments: tuple[TracedDeployment, ...]
    incidents: tuple[TracedIncident, ...]

    def environments(self) -> dict[str, list[TracedDeployment]]:
        """The deployments grouped by environment, Production-flagged environments last."""
        groups: dict[str, list[TracedDeployment]] = {}
        for dep in sorted(
            self.deployments, key=lambda d: (d.deployment.production, d.deployment.environment)
        ):
            groups.setdefault(dep.deployment.environment, []).append(dep)
        return groups

    def to_json(self) -> dict[str, Any]:
        """The trace as ``relplan trace --json`` prints it."""
        item = None
        if self.item is not None:
            key, title, status = self.item
            item = {"key": key, "title": title, "status": status}
        release = None
        if self.release is not None:
            key, name, status = self.release
            release = {"key": key, "name": name, "status": status}
        return {
            "item": item,
            "release": release,
            "commits": [
                {
                    "sha": c.sha,
                    "committed": _iso(c.committed),
                    "message": c.message,
                    "items": list(c.items),
                    "deployments": [f"{conn}:{ident}" for conn, ident in c.deployments],
                }
                for c in self.commits
            ],
            "environments": {
                env: [_deployment_json(d) for d in deps]
                for env, deps in self.environments().items()
            },
            "incidents": [_incident_json(i.link) for i in self.incidents],
        }


def _iso(value: dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _deployment_json(traced: TracedDeployment) -> dict[str, Any]:
    d = traced.deployment
    return {
        "id": f"{d.source}:{d.source_id}",
        "environment": d.environment,
        "production": d.production,
        "outcome": traced.outcome,
        "finished": _iso(d.finished),
        "sha": d.sha,
        "ref": d.ref,
        "release": d.release,
        "link": traced.provenance,
        "url": d.url,
        "commits": list(traced.commits),
    }


def _incident_json(link: IncidentLink) -> dict[str, Any]:
    i = link.incident
    return {
        "id": f"{i.source}:{i.source_id}",
        "keys": list(i.keys),
        "created": i.created.isoformat(),
        "resolved": _iso(i.resolved),
        "deployment": None if link.deployment is None else ":".join(link.deployment),
        "provenance": link.provenance,
        "url": i.url,
    }


def _chain(
    deployments: Iterable[PulledDeployment],
    commits_of: dict[tuple[str, str], tuple[str, ...]],
    links: Iterable[IncidentLink],
) -> tuple[tuple[TracedDeployment, ...], tuple[TracedIncident, ...]]:
    traced = tuple(
        TracedDeployment(d, d.outcome, commits_of.get((d.source, d.source_id), ()))
        for d in sorted(deployments, key=lambda d: (d.environment, _order(d)))
    )
    idents = {t.ident for t in traced}
    incidents = tuple(TracedIncident(link) for link in links if link.deployment in idents)
    return traced, incidents


def _order(dep: PulledDeployment) -> tuple[dt.datetime, str, str]:
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    return (dep.finished or far, dep.source, dep.source_id)


def item_trace(
    item: tuple[str, str, str, str | None],
    release: tuple[str, str, str] | None,
    deployments: Sequence[PulledDeployment],
    links: Sequence[IncidentLink],
) -> Trace:
    """The trace of one work item.

    Args:
        item: ``(key, title, status, release key)``.
        release: ``(key, name, status)`` of its release, if it has one.
        deployments: Candidate deployments: those of its release and those with a commit that
            may name the item (others are ignored).
        links: Incident links over every deployment (:func:`.delivery.link_incidents`).
    """
    key, title, status, release_key = item
    commits: dict[str, TracedCommit] = {}
    carried: dict[str, list[tuple[str, str]]] = {}
    commits_of: dict[tuple[str, str], tuple[str, ...]] = {}
    chosen = []
    for dep in deployments:
        ident = (dep.source, dep.source_id)
        mine = [c for c in dep.commits if items_named(c.message, {key})]
        for c in mine:
            commits.setdefault(c.sha, TracedCommit(c.sha, c.committed, c.message, (key,), ()))
            carried.setdefault(c.sha, []).append(ident)
        if mine or (release_key is not None and dep.release == release_key):
            chosen.append(dep)
            commits_of[ident] = tuple(c.sha for c in mine)
    ordered = sorted(commits.values(), key=lambda c: (c.committed is None, c.committed, c.sha))
    final = {
        c.sha: TracedCommit(c.sha, c.committed, c.message, c.items, tuple(carried[c.sha]))
        for c in ordered
    }
    traced, incidents = _chain(chosen, commits_of, links)
    return Trace((key, title, status), release, tuple(final.values()), traced, incidents)


def release_trace(
    release: tuple[str, str, str],
    deployments: Sequence[PulledDeployment],
    links: Sequence[IncidentLink],
    item_keys: Collection[str],
) -> Trace:
    """The trace of a release: its deployments, their commits with the items they name, and
    the incidents tied to them.

    Args:
        release: ``(key, name, status)``.
        deployments: Candidate deployments (only those linked to the release are kept).
        links: Incident links over every deployment.
        item_keys: Every work item key (what commit messages may name).
    """
    mine = [d for d in deployments if d.release == release[0]]
    longest = max((len(k) for k in item_keys), default=0)
    commits: dict[str, TracedCommit] = {}
    carried: dict[str, list[tuple[str, str]]] = {}
    commits_of: dict[tuple[str, str], tuple[str, ...]] = {}
    for dep in mine:
        ident = (dep.source, dep.source_id)
        commits_of[ident] = tuple(c.sha for c in dep.commits)
        for c in dep.commits:
            if c.sha not in commits:
                named = items_named(c.message, item_keys, longest)
                commits[c.sha] = TracedCommit(c.sha, c.committed, c.message, named, ())
            carried.setdefault(c.sha, []).append(ident)
    ordered = sorted(commits.values(), key=lambda c: (c.committed is None, c.committed, c.sha))
    final = {
        c.sha: TracedCommit(c.sha, c.committed, c.message, c.items, tuple(carried[c.sha]))
        for c in ordered
    }
    traced, incidents = _chain(mine, commits_of, links)
    return Trace(None, release, tuple(final.values()), traced, incidents)


# -- reading a workspace -----------------------------------------------------------------------
def _links(ws: Workspace) -> list[IncidentLink]:
    """Every incident's link, against every deployment (read without their commits: cheap)."""
    from relplan.store import delivery

    incidents = delivery.load_incidents(ws.conn)
    if not incidents:
        return []
    return link_incidents(delivery.load_deployments(ws.conn, commits=False), incidents)


def load_item_trace(ws: Workspace, key: str) -> Trace:
    """The trace of work item ``key`` in a workspace.

    Raises:
        UnknownObjectError: no work item has that key.
    """
    from relplan.errors import UnknownObjectError
    from relplan.store import delivery

    row = ws.conn.execute(
        "SELECT key, title, status, release FROM work_items WHERE key = ?", (key,)
    ).fetchone()
    if row is None:
        raise UnknownObjectError("work item", key)
    release = _release_row(ws, row[3])
    # SQLite narrows the candidates (the key anywhere in the commits' text); items_named decides.
    candidates = delivery.select_deployments(
        ws.conn, "instr(commits, ?) > 0 OR release IS ?", (key, row[3])
    )
    return item_trace((row[0], row[1] or "", row[2] or "", row[3]), release, candidates, _links(ws))


def load_release_trace(ws: Workspace, key: str) -> Trace:
    """The trace of release ``key`` in a workspace (its Shipped tab).

    Raises:
        UnknownObjectError: no release has that key.
    """
    from relplan.errors import UnknownObjectError
    from relplan.store import delivery

    release = _release_row(ws, key)
    if release is None:
        raise UnknownObjectError("release", key)
    deployments = delivery.select_deployments(ws.conn, "release = ?", (key,))
    item_keys = {str(r[0]) for r in ws.conn.execute("SELECT key FROM work_items")}
    return release_trace(release, deployments, _links(ws), item_keys)


def _release_row(ws: Workspace, key: str | None) -> tuple[str, str, str] | None:
    if key is None:
        return None
    row = ws.conn.execute("SELECT key, name, status FROM releases WHERE key = ?", (key,)).fetchone()
    return None if row is None else (str(row[0]), str(row[1] or ""), str(row[2] or ""))
