"""GitHub Actions runs of a named workflow as deployments (``github`` with ``--workflow FILE``).

API contract: shared/contracts/API-NOTES-WRITE-DEPLOY.md D.1 "Actions runs", for repositories that
deploy from a workflow instead of the deployments API. The workflow deploys to the connection's
first Production environment.

- ``GET /repos/{o}/{r}/actions/workflows/{file}/runs?status=completed&created=A..B&per_page=100``
  returns ``{total_count, workflow_runs[]}``, paged by the ``Link`` header.
- Filtered queries return **at most 1,000 runs**: a range whose ``total_count`` is above that is
  split in halves until each fits.
- A re-run keeps ``id`` and ``created_at`` and raises ``run_attempt``: runs are keyed by id, so
  the last attempt replaces the earlier one. Since ``created`` never moves, each pull reads
  again the runs created in the :data:`RERUN_DAYS` before the watermark (re-runs are allowed
  for 30 days).
- A completed run finished at its ``updated_at`` (unverified as exact, per the notes);
  ``conclusion`` ``success`` / ``failure`` map as the deployment statuses of the same name, and
  ``timed_out`` is failed (the deploy ran and did not finish); the others (cancelled, skipped,
  startup_failure …) make no deployment (see :func:`relplan.metrics.delivery.outcome_of`).
- The commits of a success are the compare with the previous successful run's ``head_sha``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import replace
from typing import Any, Final
from urllib.parse import quote

from relplan.errors import SyncError
from relplan.metrics.delivery import PulledDeployment
from relplan.sync.delivery.common import PullContext, last_success, parse_time
from relplan.sync.http import HttpClient

__all__ = ["CAP", "LOOKBACK", "RERUN_DAYS", "pull_runs"]

#: The most runs a filtered query returns.
CAP: Final = 1000
#: How far back the first pull reads (Actions keeps runs 400 days at most).
LOOKBACK: Final = dt.timedelta(days=400)
RERUN_DAYS: Final = dt.timedelta(days=30)


def _iso(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def pull_runs(
    http: HttpClient, ctx: PullContext, workflow: str, *, watermark: str | None
) -> tuple[list[PulledDeployment], str | None]:
    """The workflow's completed runs created since the watermark (less the re-run margin).

    Raises:
        SyncError: credentials rejected, workflow not found, rate limit or network.
    """
    from relplan.sync.delivery.github import _compare

    repo = str(ctx.settings["repo"])
    env = ctx.production[0]
    mark = parse_time(watermark)
    since = ctx.now - LOOKBACK if mark is None else mark - RERUN_DAYS
    path = f"repos/{repo}/actions/workflows/{quote(workflow, safe='')}/runs"
    rows = _range(http, path, since, ctx.now, f"workflow {workflow} of {repo}")
    runs = {int(r["id"]): r for r in rows}
    new_mark = watermark
    for row in runs.values():
        created = str(row.get("created_at") or "")
        if created and (new_mark is None or created > new_mark):
            new_mark = created
    pulled = [_deployment(r, ctx, env) for r in runs.values()]
    pulled.sort(key=lambda d: d.finished or dt.datetime.max.replace(tzinfo=dt.UTC))
    # The base of the compare: the last success stored before this pull's range.
    before = [d for d in ctx.stored if d.finished is not None and d.finished < since]
    previous = last_success(tuple(before), ctx.production).get(env)
    sha = None if previous is None else previous.sha
    for i, dep in enumerate(pulled):
        if dep.outcome != "succeeded":
            continue
        if sha is not None and sha != dep.sha:
            commits = _compare(http, f"repos/{repo}", sha, dep.sha, f"repository {repo}")
            pulled[i] = replace(dep, commits=commits)
        sha = dep.sha
    return pulled, new_mark


def _range(
    http: HttpClient, path: str, start: dt.datetime, end: dt.datetime, what: str
) -> list[Mapping[str, Any]]:
    """Every completed run created in ``start..end``, split while a query would pass the cap."""
    from relplan.sync.delivery.github import next_link

    params: dict[str, Any] | None = {
        "status": "completed", "created": f"{_iso(start)}..{_iso(end)}", "per_page": 100,
        "exclude_pull_requests": "true",
    }  # fmt: skip
    url: str | None = path
    rows: list[Mapping[str, Any]] = []
    first = True
    while url:
        body, headers = http.get_page(url, params=params, what=what)
        if not isinstance(body, dict) or not isinstance(body.get("workflow_runs"), list):
            raise SyncError(SyncError.REMOTE, f"{http.base_url}/{path}: expected workflow_runs")
        if (
            first
            and int(body.get("total_count") or 0) > CAP
            and end - start > dt.timedelta(seconds=2)
        ):
            middle = (start + (end - start) / 2).replace(microsecond=0)
            return _range(http, path, start, middle, what) + _range(http, path, middle, end, what)
        first = False
        rows.extend(body["workflow_runs"])
        url = next_link(headers.get("Link"))
        params = None  # the next link carries them
    return rows


def _deployment(row: Mapping[str, Any], ctx: PullContext, env: str) -> PulledDeployment:
    conclusion = str(row.get("conclusion") or "")
    completed = row.get("status") == "completed"
    return PulledDeployment(
        source=ctx.connection,
        kind="github",
        source_id=f"run:{row['id']}",
        environment=env,
        production=True,
        sha=str(row.get("head_sha") or ""),
        ref=str(row.get("head_branch") or ""),
        statuses=(conclusion,) if completed and conclusion else (),
        finished=parse_time(row.get("updated_at")) if completed else None,
        started=parse_time(row.get("run_started_at")),
        team=ctx.team,
        url=str(row.get("html_url") or ""),
    )
