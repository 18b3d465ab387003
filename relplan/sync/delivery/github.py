"""GitHub deployments of a repository, per Production environment.

API contract: shared/contracts/API-NOTES-WRITE-DEPLOY.md D.1. Deployments are listed newest
first and paged by the ``Link`` header, whose URLs (``/repositories/{id}/…``) are followed
verbatim. A deployment has no status of its own: its statuses (newest first) are read and kept
oldest first, so that :func:`relplan.metrics.delivery.outcome_of` skips a later ``inactive``.
It finished when its first ``success`` (or its terminal ``failure``/``error``) status was
created, not at the deployment's ``updated_at``. The commits of a success are the compare of the
previous successful deployment's sha and its own.

Incremental: the listing stops at the first deployment created before the watermark (the
newest ``created_at`` of the previous pull); those older ones are already stored.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Final

from relplan.errors import SyncError
from relplan.metrics.delivery import PulledCommit, PulledDeployment
from relplan.sync.delivery.common import PullContext, Pulled, last_success, watermarks
from relplan.sync.http import HttpClient

__all__ = [
    "DEFAULT_URL",
    "HEADERS",
    "GitHubScope",
    "client",
    "next_link",
    "pull",
    "pull_deployments",
]

DEFAULT_URL: Final = "https://api.github.com"
#: Every request's headers besides the token.
HEADERS: Final = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}
_NEXT: Final = re.compile(r'<([^>]+)>\s*;\s*rel="next"')
_FAILED: Final = frozenset({"failure", "error"})


@dataclass(frozen=True, slots=True)
class GitHubScope:
    """What one ``github`` connection pulls: ``OWNER/REPO``, its team, its Production names."""

    connection: str
    repo: str
    team: str
    production: tuple[str, ...]


def next_link(header: str | None) -> str | None:
    """The ``rel="next"`` URL of a ``Link`` header, or None on the last page.

    Examples:
        >>> next_link('<https://x/repositories/1/d?page=2>; rel="next", <https://x/d>; rel="last"')
        'https://x/repositories/1/d?page=2'
    """
    match = _NEXT.search(header or "")
    return match.group(1) if match else None


def _time(value: Any) -> dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        return None


def pull_deployments(
    http: HttpClient,
    scope: GitHubScope,
    *,
    created_after: str | None = None,
    last_success: Mapping[str, str] | None = None,
) -> tuple[list[PulledDeployment], str | None]:
    """The deployments of the Production environments created after the watermark.

    Raises:
        SyncError: credentials rejected, repository not found, rate limit or network.
    """
    base = f"repos/{scope.repo}"
    what = f"repository {scope.repo}"
    watermark = created_after
    out: list[PulledDeployment] = []
    for env in scope.production:
        rows: list[Any] = []
        url: str | None = f"{base}/deployments"
        params: dict[str, Any] | None = {"environment": env, "per_page": 100}
        while url:
            body, headers = http.get_page(url, params=params, what=what)
            if not isinstance(body, list):
                raise SyncError(SyncError.REMOTE, f"{http.base_url}/{url}: expected a list")
            fresh = [r for r in body if created_after is None or r["created_at"] > created_after]
            rows.extend(fresh)
            url = next_link(headers.get("Link")) if len(fresh) == len(body) else None
            params = None  # the next link carries them
        pulled = []
        for row in rows:
            statuses = http.get(f"{base}/deployments/{row['id']}/statuses", what=what)
            pulled.append(_deployment(row, list(reversed(statuses or [])), scope, env))
            if watermark is None or row["created_at"] > watermark:
                watermark = row["created_at"]
        pulled.sort(key=lambda d: d.finished or dt.datetime.max.replace(tzinfo=dt.UTC))
        previous = (last_success or {}).get(env)
        for i, dep in enumerate(pulled):
            if dep.outcome != "succeeded":
                continue
            if previous is not None and previous != dep.sha:
                pulled[i] = replace(dep, commits=_compare(http, base, previous, dep.sha, what))
            previous = dep.sha
        out.extend(pulled)
    return out, watermark


def _states(statuses: list[Mapping[str, Any]]) -> tuple[tuple[str, ...], dt.datetime | None]:
    """The states (oldest first) and the finish time: the first success, else the last failure."""
    states = tuple(str(s.get("state")) for s in statuses)
    finished = None
    success = [s for s in statuses if s.get("state") == "success"]
    if success:
        finished = _time(success[0].get("created_at"))
    else:
        terminal = [s for s in statuses if s.get("state") in _FAILED]
        if terminal:
            finished = _time(terminal[-1].get("created_at"))
    return states, finished


def _deployment(
    row: Mapping[str, Any], statuses: list[Mapping[str, Any]], scope: GitHubScope, env: str
) -> PulledDeployment:
    states, finished = _states(statuses)
    return PulledDeployment(
        source=scope.connection,
        kind="github",
        source_id=str(row["id"]),
        environment=str(row.get("environment") or env),
        production=True,
        sha=str(row.get("sha") or ""),
        ref=str(row.get("ref") or ""),
        statuses=states,
        finished=finished,
        started=_time(row.get("created_at")),
        team=scope.team,
        url=str(row.get("url") or ""),
    )


def _compare(
    http: HttpClient, base: str, old: str, new: str, what: str
) -> tuple[PulledCommit, ...]:
    body = http.get(f"{base}/compare/{old}...{new}", what=what)
    commits = body.get("commits") if isinstance(body, dict) else None
    out = []
    for c in commits or []:
        commit = c.get("commit") or {}
        when = _time((commit.get("committer") or {}).get("date"))
        out.append(PulledCommit(str(c.get("sha")), when, str(commit.get("message") or "")))
    return tuple(out)


def client(ctx: PullContext, secret: str) -> HttpClient:
    """A client on the GitHub API with the token and GitHub's headers."""
    return HttpClient(ctx.url, f"Bearer {secret}", headers=HEADERS)


def pull(http: HttpClient, ctx: PullContext) -> Pulled:
    """The connection's new deployments (or ``workflow`` runs) and, with ``incident_label``, its
    labelled issues.

    With a label the watermark is ``{"deployments": ..., "issues": ...}`` (JSON); a plain one
    (a connection pulled before it had a label) is the deployments' watermark.
    """
    from relplan.sync.delivery import github_issues

    marks = watermarks(ctx.watermark)
    mark = (
        marks.get("deployments")
        if ctx.watermark and ctx.watermark.startswith("{")
        else (ctx.watermark)
    )
    workflow = ctx.settings.get("workflow")
    if workflow:  # deploys are the runs of a workflow, not deployments
        from relplan.sync.delivery import github_actions

        deployments, new_mark = github_actions.pull_runs(http, ctx, str(workflow), watermark=mark)
    else:
        scope = GitHubScope(ctx.connection, str(ctx.settings["repo"]), ctx.team, ctx.production)
        refreshed, settled = _refresh(http, ctx, scope)
        shas = {env: d.sha for env, d in last_success(settled, ctx.production).items()}
        deployments, new_mark = pull_deployments(http, scope, created_after=mark, last_success=shas)
        deployments = refreshed + deployments
    label = ctx.settings.get("incident_label")
    if not label:
        return Pulled(deployments, [], new_mark)
    incidents, issues_mark, gone = github_issues.pull_incidents(
        http, ctx, str(label), since=marks.get("issues")
    )
    parts = {k: v for k, v in (("deployments", new_mark), ("issues", issues_mark)) if v}
    return Pulled(deployments, incidents, json.dumps(parts), gone)


def _refresh(
    http: HttpClient, ctx: PullContext, scope: GitHubScope
) -> tuple[list[PulledDeployment], tuple[PulledDeployment, ...]]:
    """Stored deployments that had not finished, with their statuses read again, and the stored
    deployments with those replaced (the base of the next compares).

    A deployment pending at the last pull is older than the watermark, so the listing would never
    show it again; a success among them gets the compare with the success before it.
    """
    base = f"repos/{scope.repo}"
    what = f"repository {scope.repo}"
    refreshed: dict[str, PulledDeployment] = {}
    for dep in ctx.stored:
        if dep.finished is not None or dep.source_id.startswith("run:"):
            continue
        statuses = http.get(f"{base}/deployments/{dep.source_id}/statuses", what=what)
        states, finished = _states(list(reversed(statuses or [])))
        if (states, finished) != (dep.statuses, dep.finished):
            refreshed[dep.source_id] = replace(dep, statuses=states, finished=finished)
    settled = tuple(refreshed.get(d.source_id, d) for d in ctx.stored)
    for ident, dep in list(refreshed.items()):
        if dep.outcome != "succeeded" or dep.finished is None:
            continue
        earlier = tuple(
            d
            for d in settled
            if d.source_id != ident and d.finished is not None and d.finished < dep.finished
        )
        previous = last_success(earlier, ctx.production).get(dep.environment)
        if previous is not None and previous.sha != dep.sha:
            commits = _compare(http, base, previous.sha, dep.sha, what)
            refreshed[ident] = replace(dep, commits=commits)
    settled = tuple(refreshed.get(d.source_id, d) for d in ctx.stored)
    return list(refreshed.values()), settled


def check(http: HttpClient, ctx: PullContext) -> str:
    """``GET /repos/{o}/{r}``: the repository the token can read."""
    repo = str(ctx.settings["repo"])
    body = http.get(f"repos/{repo}", what=f"repository {repo}")
    return f"repository {body.get('full_name') or repo}" if isinstance(body, dict) else repo
