"""A fake GitHub deployments API, built from shared/contracts/deployments/github.

Deployments and statuses are the contract's doc examples with ids, shas, states and times
changed; compare commits are the recorded compare's first commit, re-dated. Lists are newest
first and paged by a ``Link`` header pointing at ``/repositories/{id}/…`` (as GitHub does), with
``X-RateLimit-*`` headers; it wants ``Authorization: Bearer TOKEN``.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from tests.helpers.fake_jira import FakeServer, Reply

CONTRACTS = Path(__file__).resolve().parents[1] / "contracts" / "deployments" / "github"
_DOC = json.loads((CONTRACTS / "deployment-and-status-doc.json").read_text(encoding="utf-8"))
_COMPARE = json.loads((CONTRACTS / "compare-and-commits-exchanges.json").read_text("utf-8"))
_COMMIT = _COMPARE["exchanges"][0]["response"]["body"]["commits"][0]
_RUN = json.loads((CONTRACTS / "workflow-runs-devlake.json").read_text("utf-8"))["workflow_runs"][0]
#: Filtered run queries give at most this many (GitHub: 1,000).
RUN_CAP = 1000
_ISSUES = (CONTRACTS.parent / "incidents" / "github-issues-labelled-devlake.json").read_text(
    "utf-8"
)
_ISSUE = next(i for i in json.loads(_ISSUES)["issues"] if "pull_request" not in i and i["labels"])
REPO_ID = 4242


def gh_time(when: dt.datetime) -> str:
    """``2022-06-27T01:29:54Z``."""
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class FakeGitHub(FakeServer):
    """Deployments of one repository, their statuses, and compares."""

    def __init__(self, token: str = "ghp-secret", repo: str = "acme/app") -> None:
        super().__init__()
        self.token = token
        self.repo = repo
        self.deployments: list[dict[str, Any]] = []  # oldest first
        self.statuses: dict[int, list[dict[str, Any]]] = {}  # oldest first
        self.history: dict[str, tuple[dt.datetime, str, str | None]] = {}
        self.issues: list[dict[str, Any]] = []  # GET /issues rows (issues and pull requests)
        self.runs: dict[int, dict[str, Any]] = {}  # Actions workflow runs by id

    def commit(self, sha: str, when: dt.datetime, message: str, parent: str | None) -> None:
        self.history[sha] = (when, message, parent)

    def deploy(
        self, ident: int, sha: str, created: dt.datetime, *states: tuple[str, dt.datetime],
        environment: str = "production", ref: str = "main",
    ) -> None:  # fmt: skip
        row = copy.deepcopy(_DOC["deployment"])
        row.update(id=ident, sha=sha, ref=ref, environment=environment)
        row.update(created_at=gh_time(created), updated_at=gh_time(created))
        row["url"] = f"https://api.github.com/repos/{self.repo}/deployments/{ident}"
        self.deployments.append(row)
        self.statuses[ident] = []
        for state, when in states:
            self.set_status(ident, state, when)

    def set_status(self, ident: int, state: str, when: dt.datetime) -> None:
        status = copy.deepcopy(_DOC["deployment_status"])
        status.update(id=len(self.statuses[ident]) + 1, state=state, created_at=gh_time(when))
        status["updated_at"] = gh_time(when)
        self.statuses[ident].append(status)

    def authorized(self, header: str) -> bool:
        return header == f"Bearer {self.token}"

    def unauthorized(self) -> Reply:
        return Reply(401, {"message": "Bad credentials", "documentation_url": "https://docs"})

    def route(self, method: str, path: str, params: dict[str, str], body: Any) -> Reply:
        limits = {"X-RateLimit-Limit": "5000", "X-RateLimit-Remaining": "4999",
                  "X-RateLimit-Reset": "1893456000", "X-RateLimit-Resource": "core"}  # fmt: skip
        repo = f"/repos/{self.repo}"
        if path in (f"{repo}/deployments", f"/repositories/{REPO_ID}/deployments"):
            rows = [
                d
                for d in reversed(self.deployments)
                if d["environment"] == params.get("environment", d["environment"])
            ]
            per_page = min(int(params.get("per_page", "30")), 100)
            page = int(params.get("page", "1"))
            chunk = rows[(page - 1) * per_page : page * per_page]
            if page * per_page < len(rows):
                nxt = (
                    f"http://{self._host()}/repositories/{REPO_ID}/deployments?"
                    f"environment={params.get('environment', '')}&per_page={per_page}"
                    f"&page={page + 1}"
                )
                limits["Link"] = f'<{nxt}>; rel="next"'
            return Reply(200, chunk, limits)
        if path.startswith(f"{repo}/deployments/") and path.endswith("/statuses"):
            ident = int(path.split("/")[-2])
            return Reply(200, list(reversed(self.statuses[ident])), limits)
        if path == repo:  # the repository (fields kept to what relplan reads)
            return Reply(200, {"id": REPO_ID, "full_name": self.repo, "private": True}, limits)
        for prefix in (f"{repo}/actions/workflows/", f"/repositories/{REPO_ID}/actions/workflows/"):
            if path.startswith(prefix) and path.endswith("/runs"):
                return self._runs(path[len(prefix) : -len("/runs")], params, limits)
        if path in (f"{repo}/issues", f"/repositories/{REPO_ID}/issues"):
            return self._issues(params, limits)
        if path.startswith(f"{repo}/compare/"):
            old, new = path.rsplit("/", 1)[1].split("...")
            commits = []
            sha: str | None = new
            while sha is not None and sha != old and sha in self.history:
                when, message, parent = self.history[sha]
                row = copy.deepcopy(_COMMIT)
                row["sha"] = sha
                row["commit"]["message"] = message
                row["commit"]["committer"]["date"] = gh_time(when)
                row["commit"]["author"]["date"] = gh_time(when)
                commits.append(row)
                sha = parent
            answer = {"status": "ahead", "total_commits": len(commits), "files": []}
            answer["commits"] = list(reversed(commits))
            return Reply(200, answer, limits)
        return Reply(404, {"message": "Not Found", "documentation_url": "https://docs"})

    def _host(self) -> str:
        return self.url.split("://", 1)[1]

    def issue(
        self, number: int, labels: list[str], created: dt.datetime,
        closed: dt.datetime | None = None, *, title: str = "Outage", reason: str | None = None,
        pull_request: bool = False,
    ) -> dict[str, Any]:  # fmt: skip
        """An issue (or pull request) as ``GET /issues`` returns it (the recorded row's shape)."""
        row = copy.deepcopy(_ISSUE)
        row.update(number=number, title=title, body="", state="closed" if closed else "open")
        row["labels"] = [{**row["labels"][0], "name": name} for name in labels] if labels else []
        row.update(created_at=gh_time(created), closed_at=gh_time(closed) if closed else None)
        row["updated_at"] = gh_time(closed or created)
        row["state_reason"] = reason or ("completed" if closed else None)
        row["html_url"] = f"https://github.com/{self.repo}/issues/{number}"
        if pull_request:
            row["pull_request"] = {
                "url": f"https://api.github.com/repos/{self.repo}/pulls/{number}"
            }
        else:
            row.pop("pull_request", None)
        self.issues.append(row)
        return row

    def _issues(self, params: dict[str, str], limits: dict[str, str]) -> Reply:
        label = params.get("labels")
        rows = [
            i
            for i in self.issues
            if (label is None or label in {x["name"] for x in i["labels"]})
            and i["updated_at"] >= params.get("since", "")
        ]
        per_page = min(int(params.get("per_page", "30")), 100)
        page = int(params.get("page", "1"))
        if page * per_page < len(rows):  # GitHub's next links carry every query parameter
            query = {**params, "page": str(page + 1)}
            nxt = f"http://{self._host()}/repositories/{REPO_ID}/issues?" + urlencode(query)
            limits = {**limits, "Link": f'<{nxt}>; rel="next"'}
        return Reply(200, rows[(page - 1) * per_page : page * per_page], limits)

    def run(
        self, ident: int, sha: str, created: dt.datetime, conclusion: str | None,
        finished: dt.datetime, *, attempt: int = 1, workflow: str = "deploy.yml",
    ) -> dict[str, Any]:  # fmt: skip
        """A workflow run (again with a higher ``attempt``: a re-run keeps id and created_at)."""
        row = copy.deepcopy(_RUN)
        row.update(id=ident, head_sha=sha, head_branch="main", event="push", run_attempt=attempt)
        row.update(path=f".github/workflows/{workflow}", name="Deploy", run_number=ident)
        row.update(status="completed" if conclusion else "in_progress", conclusion=conclusion)
        row.update(created_at=gh_time(created), updated_at=gh_time(finished))
        row["run_started_at"] = gh_time(finished - dt.timedelta(minutes=4))
        row["html_url"] = f"https://github.com/{self.repo}/actions/runs/{ident}"
        row["head_commit"]["id"] = sha
        self.runs[ident] = row
        return row

    def _runs(self, workflow: str, params: dict[str, str], limits: dict[str, str]) -> Reply:
        low, _, high = params.get("created", "..").partition("..")
        rows = sorted(
            (
                r
                for r in self.runs.values()
                if r["path"].endswith("/" + workflow)
                and r["status"] == params.get("status", r["status"])
                and (not low or r["created_at"] >= low)
                and (not high or r["created_at"] <= high)
            ),
            key=lambda r: (r["created_at"], r["id"]),
            reverse=True,
        )
        reachable = rows[:RUN_CAP]  # filtered queries stop at 1,000 whatever total_count says
        per_page = min(int(params.get("per_page", "30")), 100)
        page = int(params.get("page", "1"))
        if page * per_page < len(reachable):
            query = {**params, "page": str(page + 1)}
            nxt = (
                f"http://{self._host()}/repositories/{REPO_ID}/actions/workflows/{workflow}/runs?"
                + urlencode(query)
            )
            limits = {**limits, "Link": f'<{nxt}>; rel="next"'}
        chunk = reachable[(page - 1) * per_page : page * per_page]
        return Reply(200, {"total_count": len(rows), "workflow_runs": chunk}, limits)
