"""Azure Pipelines deployments: the deployment records of a project's Production environments.

API contract: shared/contracts/API-NOTES-WRITE-DEPLOY.md D.3. ``--url`` is the organisation URL
(``https://dev.azure.com/ORG``), the PAT goes as Basic ``":" + PAT``.

- ``GET {project}/_apis/distributedtask/environments?name=ENV`` finds each environment's id.
- ``GET …/environments/{id}/environmentdeploymentrecords?top=&continuationToken=`` lists its
  records, newest first. The continuation token comes back **only in the
  ``x-ms-continuationtoken`` response header** (the SDKs drop it), so paging is hand-rolled.
- A re-run of a stage is a new record with ``stageAttempt`` > 1 for the same run (``owner.id``):
  records are keyed by (environment, run, stage), so the last attempt replaces the earlier one.
- The run's commit is ``sourceVersion`` of its build (``GET …/build/builds?buildIds=…``, 100 runs a
  request); the commits of a
  successful deployment are ``GET …/build/changes?fromBuildId=PREV&toBuildId=RUN`` where PREV is
  the run of the previous successful deployment to that environment (none for the first).

Incremental: the watermark is, per environment, the highest record id read; a listing stops at
the first record at or below it (records only appear once their whole run has finished).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import replace
from typing import Any, Final
from urllib.parse import quote

from relplan.errors import SyncError
from relplan.metrics.delivery import PulledCommit, PulledDeployment
from relplan.sync.delivery.common import PullContext, Pulled, parse_time, watermarks
from relplan.sync.http import HttpClient
from relplan.sync.parallel import run_all

__all__ = ["API_VERSION", "PAGE", "client", "pull", "run_of"]

API_VERSION: Final = "7.1"
#: Records asked for per page (the service's default is 25).
PAGE: Final = 100
_CHANGES_TOP: Final = 1000
#: Builds read per request (by ``buildIds``).
BUILD_BATCH: Final = 100
#: Parallel requests for the per-run reads (builds, changes); the records list is sequential.
WORKERS: Final = 8


def client(ctx: PullContext, secret: str) -> HttpClient:
    """A client on the organisation URL; a PAT goes as Basic with an empty user name."""
    basic = base64.b64encode(f":{secret}".encode()).decode("ascii")
    return HttpClient(ctx.url, f"Basic {basic}")


def run_of(source_id: str) -> int:
    """The run (build) id of a stored record key ``ENV_ID:RUN:STAGE``.

    Examples:
        >>> run_of("7:638:Deploy")
        638
    """
    return int(source_id.split(":", 2)[1])


def pull(http: HttpClient, ctx: PullContext) -> Pulled:
    """The new deployment records of the Production environments.

    Raises:
        SyncError: credentials rejected, project or environment not found, rate limit, network.
    """
    project = str(ctx.settings["project"])
    base = f"{quote(project, safe='')}/_apis"
    what = f"project {project}"
    marks = watermarks(ctx.watermark)
    new_marks = dict(marks)
    out: list[PulledDeployment] = []
    for env in ctx.production:
        env_id = _environment_id(http, base, env, what)
        mark = int(marks.get(env, "0"))
        records = _records(http, base, env_id, mark, f"environment {env} of {what}")
        if records:
            new_marks[env] = str(max(int(r["id"]) for r in records))
        latest: dict[str, Mapping[str, Any]] = {}
        for rec in sorted(records, key=lambda r: int(r["id"])):
            latest[_key(env_id, rec)] = rec  # a later attempt replaces an earlier one
        runs = sorted({int((rec.get("owner") or {}).get("id") or 0) for rec in latest.values()})
        builds = _builds(http, base, runs, what)
        pulled = [
            _deployment(
                key, rec, builds.get(int((rec.get("owner") or {}).get("id") or 0)), env, ctx
            )
            for key, rec in latest.items()
        ]
        pulled.sort(key=lambda d: d.finished or dt.datetime.max.replace(tzinfo=dt.UTC))
        # Each success's base is the latest success before it, stored or pulled now; a stage
        # re-run replaces its stored record, so it is never its own predecessor.
        stored = [
            d
            for d in ctx.stored
            if d.environment == env and d.source_id not in latest and d.outcome == "succeeded"
        ]
        timeline = sorted(
            [(d.finished, 0, -1, d) for d in stored if d.finished is not None]
            + [(d.finished, 1, i, d) for i, d in enumerate(pulled) if d.outcome == "succeeded"],
            key=lambda t: (t[0], t[1]),
        )
        pairs: list[tuple[int, int, int]] = []  # (index, previous success's run, this run)
        last: PulledDeployment | None = None
        for _, fresh, i, dep in timeline:
            if fresh and last is not None and last.sha != dep.sha:
                pairs.append((i, run_of(last.source_id), run_of(dep.source_id)))
            last = dep
        changes = run_all(
            lambda p: _changes(http, base, p[1], p[2], what), pairs, workers=WORKERS,
            cancel=http.cancel,
        )  # fmt: skip
        for (i, _, _), commits in zip(pairs, changes, strict=True):
            pulled[i] = replace(pulled[i], commits=commits)
        out.extend(pulled)
    return Pulled(out, [], json.dumps(new_marks, sort_keys=True) if new_marks else None)


def _builds(http: HttpClient, base: str, runs: list[int], what: str) -> dict[int, Any]:
    """The runs' builds, :data:`BUILD_BATCH` per ``GET build/builds?buildIds=…`` (in parallel)."""
    chunks = [runs[i : i + BUILD_BATCH] for i in range(0, len(runs), BUILD_BATCH)]

    def one(chunk: list[int]) -> list[Any]:
        params = {
            "buildIds": ",".join(map(str, chunk)), "$top": len(chunk),
            "api-version": API_VERSION,
        }  # fmt: skip
        body = http.get(f"{base}/build/builds", params=params, what=what)
        return list((body or {}).get("value") or []) if isinstance(body, dict) else []

    found = run_all(one, chunks, workers=WORKERS, cancel=http.cancel)
    return {int(b["id"]): b for page in found for b in page if isinstance(b, dict) and "id" in b}


def _key(env_id: int, rec: Mapping[str, Any]) -> str:
    run = (rec.get("owner") or {}).get("id")
    return f"{env_id}:{run}:{rec.get('stageName') or ''}"


def _environment_id(http: HttpClient, base: str, env: str, what: str) -> int:
    body = http.get(
        f"{base}/distributedtask/environments",
        params={"name": env, "api-version": API_VERSION},
        what=what,
    )
    for row in (body or {}).get("value") or []:
        if str(row.get("name", "")).casefold() == env.casefold():
            return int(row["id"])
    raise SyncError(SyncError.REMOTE, f"not found: environment {env!r} in {what}")


def _records(
    http: HttpClient, base: str, env_id: int, mark: int, what: str
) -> list[Mapping[str, Any]]:
    """The records above ``mark``, newest first, paged by the header's continuation token."""
    path = f"{base}/distributedtask/environments/{env_id}/environmentdeploymentrecords"
    rows: list[Mapping[str, Any]] = []
    token: str | None = None
    while True:
        params: dict[str, Any] = {"top": PAGE, "api-version": API_VERSION}
        if token:
            params["continuationToken"] = token
        body, headers = http.get_page(path, params=params, what=what)
        page = (body or {}).get("value") if isinstance(body, dict) else None
        if not isinstance(page, list):
            raise SyncError(SyncError.REMOTE, f"{http.base_url}/{path}: expected a value list")
        fresh = [r for r in page if int(r.get("id") or 0) > mark]
        rows.extend(fresh)
        token = headers.get("x-ms-continuationtoken")
        if not token or len(fresh) < len(page):
            return rows


def _deployment(
    key: str, rec: Mapping[str, Any], build: Any, env: str, ctx: PullContext
) -> PulledDeployment:
    build = build if isinstance(build, dict) else {}
    web = ((build.get("_links") or {}).get("web") or {}).get("href") or ""
    return PulledDeployment(
        source=ctx.connection,
        kind="azure_pipelines",
        source_id=key,
        environment=env,
        production=True,
        sha=str(build.get("sourceVersion") or ""),
        ref=str(build.get("sourceBranch") or ""),
        statuses=(str(rec.get("result") or ""),),
        finished=parse_time(rec.get("finishTime")),
        started=parse_time(rec.get("startTime")),
        team=ctx.team,
        url=str(web),
    )


def _changes(
    http: HttpClient, base: str, old: int, new: int, what: str
) -> tuple[PulledCommit, ...]:
    body = http.get(
        f"{base}/build/changes",
        params={
            "fromBuildId": old,
            "toBuildId": new,
            "$top": _CHANGES_TOP,
            "api-version": API_VERSION,
        },
        what=what,
    )
    rows = (body or {}).get("value") if isinstance(body, dict) else None
    return tuple(
        PulledCommit(str(c.get("id")), parse_time(c.get("timestamp")), str(c.get("message") or ""))
        for c in rows or []
        if isinstance(c, dict)
    )


def check(http: HttpClient, ctx: PullContext) -> str:
    """The Production environments' ids (``GET …/distributedtask/environments?name=``)."""
    project = str(ctx.settings["project"])
    base = f"{quote(project, safe='')}/_apis"
    found = [
        f"{env} (id {_environment_id(http, base, env, f'project {project}')})"
        for env in ctx.production
    ]
    return f"project {project}, environments " + ", ".join(found)
