"""Jenkins deployments: the builds of one deploying job.

API contract: shared/contracts/API-NOTES-WRITE-DEPLOY.md D.4. ``--url`` is the Jenkins root,
``--job a/b`` the job inside folders (``/job/a/job/b/``, names percent-encoded), the token an API
token sent as Basic ``user:token``. The job deploys to the connection's (first) Production
environment.

- ``GET {job}/api/json?tree=allBuilds[…]{M,N}``: builds newest first, read in ranges of 100
  (``allBuilds`` without a range loads every build and can time out).
- ``timestamp`` is the start in epoch ms, ``duration`` ms (0 while running); finish = both
  added. ``result`` is null while ``building``: such a build is stored unfinished and read again
  next time (the watermark stays below it).
- The sha is in the ``actions[]`` element of class ``hudson.plugins.git.util.BuildData``;
  ``actions[]`` is padded with ``{}``.
- ``changeSet`` (freestyle) or ``changeSets`` (pipeline) hold the commits since the previous
  build *of the job*, whatever its result: a successful build's changes are its own plus those of
  the failed builds since the previous success (what the compare of the two shas gives).
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any, Final
from urllib.parse import quote

from relplan.errors import SyncError
from relplan.metrics.delivery import PulledCommit, PulledDeployment
from relplan.sync.delivery.common import PullContext, Pulled
from relplan.sync.http import HttpClient

__all__ = ["PAGE", "TREE", "client", "job_path", "pull"]

#: Builds per ``{M,N}`` range.
PAGE: Final = 100
_ITEMS: Final = "items[commitId,timestamp,msg]"
#: Only the fields read: big ``tree`` queries load the server.
TREE: Final = (
    "allBuilds[number,url,timestamp,duration,building,result,"
    "actions[_class,lastBuiltRevision[SHA1,branch[name]]],"
    f"changeSet[kind,{_ITEMS}],changeSets[kind,{_ITEMS}]]"
)
_GIT: Final = "hudson.plugins.git.util.BuildData"


def client(ctx: PullContext, secret: str) -> HttpClient:
    """A client on the Jenkins root, Basic ``user:token``."""
    pair = f"{ctx.settings['user']}:{secret}".encode()
    return HttpClient(ctx.url, "Basic " + base64.b64encode(pair).decode("ascii"))


def job_path(job: str) -> str:
    """The URL path of a job inside folders.

    Examples:
        >>> job_path("payments/deploy prod")
        'job/payments/job/deploy%20prod'
    """
    return "/".join(f"job/{quote(part, safe='')}" for part in job.strip("/").split("/") if part)


def _ms(value: Any) -> dt.datetime | None:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    return dt.datetime.fromtimestamp(value / 1000, dt.UTC)


def pull(http: HttpClient, ctx: PullContext) -> Pulled:
    """The builds after the watermark (a build number), finished or not.

    Raises:
        SyncError: credentials rejected, job not found, rate limit or network.
    """
    job = str(ctx.settings["job"])
    env = ctx.production[0]
    mark = int(ctx.watermark or 0)
    rows = _builds(http, job, mark)
    builds = sorted(rows, key=lambda b: int(b["number"]))
    pulled = [_deployment(b, ctx, env) for b in builds]
    # What is settled in the store (at or below the watermark) is the base of the changes.
    settled = sorted(
        (d for d in ctx.stored if int(d.source_id) <= mark), key=lambda d: int(d.source_id)
    )
    successes = [i for i, d in enumerate(settled) if d.outcome == "succeeded"]
    known = bool(successes)
    carried: list[PulledCommit] = []
    if successes:
        for dep in settled[successes[-1] + 1 :]:
            carried.extend(dep.commits)
    for i, dep in enumerate(pulled):
        if dep.finished is None:
            continue
        if dep.outcome == "succeeded":
            commits = (*carried, *dep.commits) if known else ()
            pulled[i] = replace(dep, commits=_unique(commits))
            carried, known = [], True
        else:
            carried.extend(dep.commits)
    running = [int(b["number"]) for b, d in zip(builds, pulled, strict=True) if d.finished is None]
    top = max([mark, *(int(b["number"]) for b in builds)])
    new_mark = min(top, min(running) - 1) if running else top
    return Pulled(pulled, [], str(max(new_mark, mark)))


def _builds(http: HttpClient, job: str, mark: int) -> list[Mapping[str, Any]]:
    path = f"{job_path(job)}/api/json"
    out: list[Mapping[str, Any]] = []
    start = 0
    while True:
        body = http.get(
            path, params={"tree": f"{TREE}{{{start},{start + PAGE}}}"}, what=f"job {job}"
        )
        page = body.get("allBuilds") if isinstance(body, dict) else None
        if not isinstance(page, list):
            raise SyncError(SyncError.REMOTE, f"{http.base_url}/{path}: expected allBuilds")
        fresh = [b for b in page if int(b.get("number") or 0) > mark]
        out.extend(fresh)
        if len(page) < PAGE or len(fresh) < len(page):
            return out
        start += PAGE


def _sha(build: Mapping[str, Any]) -> tuple[str, str]:
    for action in build.get("actions") or []:
        if isinstance(action, dict) and action.get("_class") == _GIT:
            revision = action.get("lastBuiltRevision") or {}
            branches = revision.get("branch") or [{}]
            return str(revision.get("SHA1") or ""), str(branches[0].get("name") or "")
    return "", ""


def _commits(build: Mapping[str, Any]) -> tuple[PulledCommit, ...]:
    sets = list(build.get("changeSets") or [])
    if isinstance(build.get("changeSet"), dict):
        sets.append(build["changeSet"])
    return tuple(
        PulledCommit(str(item.get("commitId")), _ms(item.get("timestamp")), str(item.get("msg")))
        for change_set in sets
        for item in change_set.get("items") or []
        if isinstance(item, dict) and item.get("commitId")
    )


def _unique(commits: Sequence[PulledCommit]) -> tuple[PulledCommit, ...]:
    return tuple({c.sha: c for c in commits}.values())


def _deployment(build: Mapping[str, Any], ctx: PullContext, env: str) -> PulledDeployment:
    started = _ms(build.get("timestamp"))
    result = build.get("result")
    finished = None
    if started is not None and result is not None and not build.get("building"):
        finished = started + dt.timedelta(milliseconds=int(build.get("duration") or 0))
    sha, branch = _sha(build)
    return PulledDeployment(
        source=ctx.connection,
        kind="jenkins",
        source_id=str(build["number"]),
        environment=env,
        production=True,
        sha=sha,
        ref=branch,
        statuses=(str(result),) if result is not None else (),
        finished=finished,
        started=started,
        commits=_commits(build),
        team=ctx.team,
        url=str(build.get("url") or ""),
    )


def check(http: HttpClient, ctx: PullContext) -> str:
    """``GET {job}/api/json?tree=fullName``: the job the token can read."""
    job = str(ctx.settings["job"])
    body = http.get(f"{job_path(job)}/api/json", params={"tree": "fullName"}, what=f"job {job}")
    name = body.get("fullName") if isinstance(body, dict) else None
    return f"job {name or job}"
