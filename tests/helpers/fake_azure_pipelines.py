"""A fake Azure Pipelines API (environments, deployment records, builds, build changes).

Built from shared/contracts/deployments/azure-devops: records carry exactly the fields of the
spec's ``EnvironmentDeploymentExecutionRecord`` (no live recording exists); builds are the
recorded ``POST _apis/build/Builds`` answer with id, status, result, sourceVersion and times
changed. Record lists are newest first, 25 per page unless ``top`` says otherwise, and the
continuation token travels only in the ``x-ms-continuationtoken`` response header (never the
body). Every answer carries Azure's ``X-RateLimit-*`` headers; it wants Basic ``":" + PAT``.
"""

from __future__ import annotations

import base64
import bisect
import copy
import datetime as dt
import json
import uuid
from pathlib import Path
from typing import Any

from tests.helpers.fake_jira import FakeServer, Reply

CONTRACTS = Path(__file__).resolve().parents[1] / "contracts" / "deployments" / "azure-devops"
_SPEC = json.loads(
    (CONTRACTS / "openapi-distributedtask-7.1-environments-fragment.json").read_text("utf-8")
)
#: The record fields the spec defines: the fake sends these and no others.
RECORD_FIELDS = frozenset(
    _SPEC["definitions"]["EnvironmentDeploymentExecutionRecord"]["properties"]
)
_BUILD = json.loads((CONTRACTS / "builds-exchanges.json").read_text("utf-8"))["exchanges"][0][
    "response"
]["body"]
LIMITS = {
    "X-RateLimit-Resource": "Core",
    "X-RateLimit-Limit": "200",
    "X-RateLimit-Remaining": "150",
    "X-RateLimit-Reset": "1893456000",
}


def az_time(when: dt.datetime) -> str:
    """``2026-04-01T10:45:13.0780198Z``: seven fractional digits, as Azure sends."""
    utc = when.astimezone(dt.UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond:06d}1Z"


class FakeAzurePipelines(FakeServer):
    """One organisation's project with environments, runs and their commits."""

    def __init__(self, pat: str = "azpat-secret", org: str = "acme", project: str = "Pay") -> None:
        super().__init__()
        self.pat = pat
        self.org = org
        self.project = project
        self.environments: dict[int, str] = {}
        self.records: list[dict[str, Any]] = []  # in creation order (ids grow)
        self.builds: dict[int, dict[str, Any]] = {}
        #: build id -> the commits it brought: (sha, time, message)
        self.changes: dict[int, list[tuple[str, dt.datetime, str]]] = {}
        self._built: list[int] = []
        self._by_env: dict[int, tuple[int, list[dict[str, Any]]]] = {}

    # -- scripting ---------------------------------------------------------------------------
    def environment(self, ident: int, name: str) -> None:
        self.environments[ident] = name

    def run(
        self, ident: int, sha: str, finished: dt.datetime,
        commits: list[tuple[str, dt.datetime, str]] = (),  # type: ignore[assignment]
        branch: str = "refs/heads/main",
    ) -> None:  # fmt: skip
        build = copy.deepcopy(_BUILD)
        base = f"https://dev.azure.com/{self.org}/{self.project}"
        build.update(id=ident, buildNumber=f"20261102.{ident}", status="completed")
        build.update(result="succeeded", sourceVersion=sha, sourceBranch=branch)
        build.update(queueTime=az_time(finished - dt.timedelta(minutes=20)))
        build.update(startTime=az_time(finished - dt.timedelta(minutes=19)))
        build.update(finishTime=az_time(finished))
        build["_links"]["web"]["href"] = f"{base}/_build/results?buildId={ident}"
        self.builds[ident] = build
        self.changes[ident] = list(commits)

    def record(
        self, env_id: int, run: int, result: str, finished: dt.datetime, *,
        stage: str = "Deploy", attempt: int = 1,
    ) -> dict[str, Any]:  # fmt: skip
        rec = {
            "id": len(self.records) + 1,
            "environmentId": env_id,
            "requestIdentifier": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{run}/{stage}/{attempt}")),
            "planId": str(uuid.uuid5(uuid.NAMESPACE_URL, f"plan/{run}")),
            "planType": "Build",
            "stageName": stage,
            "stageAttempt": attempt,
            "jobName": "DeployWeb",
            "jobAttempt": 1,
            "definition": {"id": 178, "name": "pay-cd"},
            "owner": {"id": run, "name": f"20261102.{run}"},
            "result": result,
            "queueTime": az_time(finished - dt.timedelta(minutes=12)),
            "startTime": az_time(finished - dt.timedelta(minutes=10)),
            "finishTime": az_time(finished),
            "scopeId": str(uuid.uuid5(uuid.NAMESPACE_URL, self.project)),
            "serviceOwner": "00025394-6065-48ca-87d9-7f5672854ef7",
            "resourceId": 0,
        }
        assert set(rec) <= RECORD_FIELDS
        self.records.append(rec)
        return rec

    # -- serving -----------------------------------------------------------------------------
    def authorized(self, header: str) -> bool:
        expected = base64.b64encode(f":{self.pat}".encode()).decode("ascii")
        return header == f"Basic {expected}"

    def unauthorized(self) -> Reply:
        return Reply(401, raw=b"", content_type="text/plain")

    def route(self, method: str, path: str, params: dict[str, str], body: Any) -> Reply:
        prefix = f"/{self.project}/_apis/"
        if not path.startswith(prefix):
            return self._not_found(f"project {path.split('/')[1]!r}")
        rest = path[len(prefix) :]
        if params.get("api-version") != "7.1":
            return Reply(400, {"message": "api-version 7.1 expected", "typeKey": "Version"})
        if rest == "distributedtask/environments":
            name = params.get("name")
            rows = [
                {"id": i, "name": n, "description": "", "createdOn": "2026-01-01T00:00:00Z"}
                for i, n in self.environments.items()
                if name is None or n.casefold() == name.casefold()
            ]
            return Reply(200, {"count": len(rows), "value": rows}, LIMITS)
        if rest.startswith("distributedtask/environments/") and rest.endswith(
            "/environmentdeploymentrecords"
        ):
            env_id = int(rest.split("/")[2])
            if env_id not in self.environments:
                return self._not_found(f"environment {env_id}")
            return self._records(env_id, params)
        if rest == "build/builds":
            wanted = [int(i) for i in params.get("buildIds", "").split(",") if i]
            rows = [self.builds[i] for i in wanted if i in self.builds]
            rows = rows[: int(params.get("$top", "1000"))]
            return Reply(200, {"count": len(rows), "value": rows}, LIMITS)
        if rest.startswith("build/builds/"):
            ident = int(rest.split("/")[2])
            if ident not in self.builds:
                return self._not_found(f"build {ident}")
            return Reply(200, self.builds[ident], LIMITS)
        if rest == "build/changes":
            return self._changes(int(params["fromBuildId"]), int(params["toBuildId"]), params)
        return self._not_found(rest)

    def _env_records(self, env_id: int) -> list[dict[str, Any]]:
        """The environment's records, newest first (built once per count of records: paging
        20,000 of them re-filtered the whole list per page)."""
        with self.lock:
            cached = self._by_env.get(env_id)
            if cached is None or cached[0] != len(self.records):
                rows = [r for r in reversed(self.records) if r["environmentId"] == env_id]
                cached = (len(self.records), rows)
                self._by_env[env_id] = cached
            return cached[1]

    def _records(self, env_id: int, params: dict[str, str]) -> Reply:
        rows = self._env_records(env_id)
        top = int(params.get("top", "25"))
        start = int(params.get("continuationToken") or "0")
        chunk = rows[start : start + top]
        headers = dict(LIMITS)
        if start + top < len(rows):
            headers["x-ms-continuationtoken"] = str(start + top)
        return Reply(200, {"count": len(chunk), "value": chunk}, headers)

    def _changes(self, old: int, new: int, params: dict[str, str]) -> Reply:
        with self.lock:  # the builds with commits, sorted once per count (not per request)
            if len(self._built) != len(self.changes):
                self._built = sorted(self.changes)
            built = self._built
        rows = []
        for build in built[bisect.bisect_right(built, old) : bisect.bisect_right(built, new)]:
            for sha, when, message in self.changes[build]:
                rows.append({
                    "id": sha, "message": message, "type": "TfsGit", "timestamp": az_time(when),
                    "author": {"displayName": "Dev"}, "pusher": "Dev",
                    "location": f"https://dev.azure.com/{self.org}/_apis/git/commits/{sha}",
                })  # fmt: skip
        rows = rows[: int(params.get("$top", "50"))]
        return Reply(200, {"count": len(rows), "value": rows}, LIMITS)

    def _not_found(self, what: str) -> Reply:
        message = f"TF200016: The following project does not exist: {what}."
        return Reply(404, {"$id": "1", "message": message, "typeKey": "ProjectDoesNotExist"})
