"""GitLab deployments of a project, per Production environment, pulled incrementally.

API contract: shared/contracts/API-NOTES-WRITE-DEPLOY.md D.2. Deployments are listed with
``order_by=updated_at`` (GitLab refuses ``updated_after`` with any other order) and paged by
``X-Next-Page`` (above 10,000 records GitLab sends no totals, so totals are never read). The
commits of a successful deployment are the ``repository/compare`` of the previous successful
deployment's sha and its own; the first one the source reports gets none.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import quote

from relplan.errors import SyncError
from relplan.metrics.delivery import PulledCommit, PulledDeployment
from relplan.sync.delivery.common import PullContext, Pulled, last_success
from relplan.sync.http import HttpClient

__all__ = ["DEFAULT_URL", "GitLabScope", "client", "pull", "pull_deployments"]

#: ``--url`` when none is given.
DEFAULT_URL: Final = "https://gitlab.com/api/v4"
_PER_PAGE: Final = 100


@dataclass(frozen=True, slots=True)
class GitLabScope:
    """What one ``gitlab`` connection pulls.

    Attributes:
        connection: The connection's name.
        project: The numeric id or ``group/project`` path.
        team: The team its deployments belong to.
        production: The environment names that count as Production.
    """

    connection: str
    project: str
    team: str
    production: tuple[str, ...]


def _time(value: Any) -> dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        return None


def _pages(http: HttpClient, path: str, params: Mapping[str, Any], what: str) -> list[Any]:
    rows: list[Any] = []
    page = "1"
    while page:
        body, headers = http.get_page(path, params={**params, "page": page}, what=what)
        if not isinstance(body, list):
            raise SyncError(SyncError.REMOTE, f"{http.base_url}/{path}: expected a list")
        rows.extend(body)
        page = headers.get("X-Next-Page", "").strip()
    return rows


def pull_deployments(
    http: HttpClient,
    scope: GitLabScope,
    *,
    updated_after: str | None = None,
    last_success: Mapping[str, str] | None = None,
) -> tuple[list[PulledDeployment], str | None]:
    """The deployments of the scope's Production environments updated since the watermark.

    Args:
        http: A client on the GitLab API base (``…/api/v4``).
        scope: What to pull.
        updated_after: The watermark of the previous pull (ISO 8601), or None for everything.
        last_success: Per environment, the sha of the last successful deployment already stored
            (the base of the next compare).

    Returns:
        The deployments, and the new watermark (the latest ``updated_at`` seen).

    Raises:
        SyncError: credentials rejected, project not found, rate limit or network.
    """
    project = quote(scope.project, safe="")
    base = f"projects/{project}"
    watermark = updated_after
    out: list[PulledDeployment] = []
    for env in scope.production:
        params: dict[str, Any] = {
            "environment": env,
            "order_by": "updated_at",
            "sort": "asc",
            "per_page": _PER_PAGE,
        }
        if updated_after:
            params["updated_after"] = updated_after
        rows = _pages(http, f"{base}/deployments", params, f"project {scope.project}")
        pulled = [_deployment(row, scope, env) for row in rows]
        pulled.sort(key=lambda d: d.finished or dt.datetime.max.replace(tzinfo=dt.UTC))
        previous = (last_success or {}).get(env)
        for i, dep in enumerate(pulled):
            if dep.outcome != "succeeded":
                continue
            if previous is not None and previous != dep.sha:
                commits = _compare(http, base, previous, dep.sha, scope.project)
                pulled[i] = _with_commits(dep, commits)
            previous = dep.sha
        out.extend(pulled)
        for row in rows:
            updated = row.get("updated_at")
            if isinstance(updated, str) and (watermark is None or updated > watermark):
                watermark = updated
    return out, watermark


def _deployment(row: Mapping[str, Any], scope: GitLabScope, env: str) -> PulledDeployment:
    job = row.get("deployable") or {}
    status = str(row.get("status") or "")
    finished = _time(job.get("finished_at"))
    if finished is None and status in ("success", "failed"):
        finished = _time(row.get("updated_at"))  # null job: created through the API
    return PulledDeployment(
        source=scope.connection,
        kind="gitlab",
        source_id=str(row["id"]),
        environment=str((row.get("environment") or {}).get("name") or env),
        production=True,
        sha=str(row.get("sha") or ""),
        ref=str(row.get("ref") or ""),
        statuses=(status,),
        finished=finished,
        started=_time(job.get("started_at")),
        team=scope.team,
        url=str((row.get("environment") or {}).get("external_url") or ""),
    )


def _compare(
    http: HttpClient, base: str, old: str, new: str, project: str
) -> Sequence[PulledCommit]:
    body = http.get(
        f"{base}/repository/compare", params={"from": old, "to": new}, what=f"project {project}"
    )
    commits = body.get("commits") if isinstance(body, dict) else None
    return [
        PulledCommit(
            str(c.get("id")),
            _time(c.get("committed_date")) or _time(c.get("created_at")),
            str(c.get("message") or ""),
        )
        for c in commits or []
        if isinstance(c, dict)
    ]


def _with_commits(dep: PulledDeployment, commits: Sequence[PulledCommit]) -> PulledDeployment:
    from dataclasses import replace

    return replace(dep, commits=tuple(commits))


def client(ctx: PullContext, secret: str) -> HttpClient:
    """A client on the GitLab API with the token."""
    return HttpClient(ctx.url, f"Bearer {secret}")


def pull(http: HttpClient, ctx: PullContext) -> Pulled:
    """The connection's deployments updated since the watermark."""
    scope = GitLabScope(ctx.connection, str(ctx.settings["project"]), ctx.team, ctx.production)
    shas = {env: d.sha for env, d in last_success(ctx.stored, ctx.production).items()}
    deployments, mark = pull_deployments(
        http, scope, updated_after=ctx.watermark, last_success=shas
    )
    return Pulled(deployments, [], mark)


def check(http: HttpClient, ctx: PullContext) -> str:
    """``GET /projects/:id``: the project the token can read."""
    project = str(ctx.settings["project"])
    body = http.get(f"projects/{quote(project, safe='')}", what=f"project {project}")
    name = body.get("path_with_namespace") if isinstance(body, dict) else None
    return f"project {name or project}"
