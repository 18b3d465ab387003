"""A fake GitLab deployments API, built from shared/contracts/deployments/gitlab.

Deployment rows are the contract's ``get_example`` with id, sha, status, environment and times
changed; commits are the recorded merge-request commits' shape. It pages with ``X-Next-Page``
(empty on the last page) and sends no totals (as GitLab above 10,000 records), refuses
``updated_after`` without ``order_by=updated_at`` with GitLab's own 400 message, and wants
``Authorization: Bearer TOKEN``.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

from tests.helpers.fake_jira import FakeServer, Reply

CONTRACTS = Path(__file__).resolve().parents[1] / "contracts" / "deployments" / "gitlab"
_DOC = json.loads((CONTRACTS / "deployments-GET.json").read_text(encoding="utf-8"))
_COMMIT = json.loads((CONTRACTS / "merge-request-commits-devlake.json").read_text("utf-8"))[
    "pages"
][0]["commits"][0]
UPDATED_AT_SORT = "400 Bad request - `updated_at` filter requires `updated_at` sort"


def gl_time(when: dt.datetime) -> str:
    """``2019-03-13T14:14:24.109Z``: milliseconds in UTC."""
    return (
        when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"
    )


class FakeGitLab(FakeServer):
    """Deployments of one project and the commits between shas."""

    def __init__(self, token: str = "glpat-secret", project: str = "group/app") -> None:
        super().__init__()
        self.token = token
        self.project = project
        self.deployments: list[dict[str, Any]] = []
        #: sha -> (commit time, message, parent sha)
        self.history: dict[str, tuple[dt.datetime, str, str | None]] = {}

    def commit(self, sha: str, when: dt.datetime, message: str, parent: str | None) -> None:
        self.history[sha] = (when, message, parent)

    def deploy(
        self,
        ident: int,
        sha: str,
        status: str,
        finished: dt.datetime,
        *,
        environment: str = "production",
        ref: str = "main",
    ) -> dict[str, Any]:
        row = copy.deepcopy(_DOC["get_example"])
        row.update(id=ident, iid=ident, sha=sha, ref=ref, status=status)
        row["created_at"] = gl_time(finished - dt.timedelta(minutes=5))
        row["updated_at"] = gl_time(finished)
        row["environment"]["name"] = environment
        row["deployable"].update(
            status=status,
            started_at=gl_time(finished - dt.timedelta(minutes=3)),
            finished_at=gl_time(finished),
        )
        row["deployable"]["commit"]["id"] = sha
        self.deployments.append(row)
        return row

    def authorized(self, header: str) -> bool:
        return header == f"Bearer {self.token}"

    def unauthorized(self) -> Reply:
        return Reply(401, {"message": "401 Unauthorized"})

    def route(self, method: str, path: str, params: dict[str, str], body: Any) -> Reply:
        prefix = "/api/v4/projects/" + self.project.replace("/", "%2F")
        if not path.startswith(prefix):
            return Reply(404, {"message": "404 Project Not Found"})
        rest = path[len(prefix) :]
        if rest == "":
            return Reply(200, {"id": 42, "path_with_namespace": self.project})
        if rest == "/deployments":
            return self._deployments(params)
        if rest == "/repository/compare":
            return self._compare(params["from"], params["to"])
        return Reply(404, {"message": "404 Not found"})

    def _deployments(self, params: dict[str, str]) -> Reply:
        if "updated_after" in params and params.get("order_by") != "updated_at":
            return Reply(400, {"message": UPDATED_AT_SORT})
        rows = [
            d
            for d in self.deployments
            if d["environment"]["name"] == params.get("environment", d["environment"]["name"])
            and d["updated_at"] > params.get("updated_after", "")
        ]
        if params.get("order_by") == "updated_at":
            rows.sort(key=lambda d: d["updated_at"])
        per_page = min(int(params.get("per_page", "20")), 100)
        page = int(params.get("page", "1"))
        chunk = rows[(page - 1) * per_page : page * per_page]
        more = page * per_page < len(rows)
        headers = {"X-Page": str(page), "X-Per-Page": str(per_page), "X-Next-Page": ""}
        if more:
            headers["X-Next-Page"] = str(page + 1)
        return Reply(200, chunk, headers)

    def _compare(self, old: str, new: str) -> Reply:
        commits = []
        sha: str | None = new
        while sha is not None and sha != old and sha in self.history:
            when, message, parent = self.history[sha]
            row = copy.deepcopy(_COMMIT)
            row.update(id=sha, short_id=sha[:8], message=message, title=message.splitlines()[0])
            row.update(created_at=gl_time(when), authored_date=gl_time(when))
            row["committed_date"] = gl_time(when)
            commits.append(row)
            sha = parent
        return Reply(200, {"commits": list(reversed(commits))})
