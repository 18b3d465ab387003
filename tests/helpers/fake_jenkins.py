"""A fake Jenkins JSON API for one job's builds, built from shared/contracts/deployments/jenkins.

Builds are the recorded freestyle build (``builds-devlake.json``) with number, result, times,
sha and commits changed; ``actions[]`` keeps the recorded padding of empty ``{}`` objects.
Pipeline builds (``WorkflowRun``) carry ``changeSets`` (an array), freestyle ones ``changeSet``.
``tree=allBuilds[…]{M,N}`` answers builds M..N-1, newest first; ``allBuilds`` without a range is
refused with a 500, as a big job times out. It sends no rate-limit headers (Jenkins has none) and
wants Basic ``user:token``; an unknown job is Jenkins' HTML 404 page.
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from tests.helpers.fake_jira import FakeServer, Reply

CONTRACTS = Path(__file__).resolve().parents[1] / "contracts" / "deployments" / "jenkins"
_BUILD = json.loads((CONTRACTS / "builds-devlake.json").read_text("utf-8"))["pages"][0]["builds"][0]
_RANGE = re.compile(r"\{(\d+),(\d+)\}$")


def ms(when: dt.datetime) -> int:
    """Epoch milliseconds."""
    return int(when.timestamp() * 1000)


class FakeJenkins(FakeServer):
    """One job (inside folders) and its builds."""

    def __init__(self, user: str = "mia", token: str = "jenkins-token", job: str = "pay/deploy"):
        super().__init__()
        self.user = user
        self.token = token
        self.job = job
        self.builds: dict[int, dict[str, Any]] = {}

    def build(
        self, number: int, result: str | None, started: dt.datetime, minutes: float, sha: str,
        commits: list[tuple[str, dt.datetime, str]] = (),  # type: ignore[assignment]
        *, pipeline: bool = False,
    ) -> dict[str, Any]:  # fmt: skip
        """A build; ``result`` None: still building (duration 0)."""
        row = copy.deepcopy(_BUILD)
        row["number"] = number
        row["url"] = f"https://ci.example.com/job/pay/job/deploy/{number}/"
        row["fullDisplayName"] = f"pay » deploy #{number}"
        row["result"] = result
        row["building"] = result is None
        row["timestamp"] = ms(started)
        row["duration"] = 0 if result is None else int(minutes * 60_000)
        git = next(a for a in row["actions"] if a.get("_class", "").endswith("BuildData"))
        git["lastBuiltRevision"]["SHA1"] = sha
        items = [
            {"commitId": c, "timestamp": ms(when), "msg": msg, "author": {"fullName": "Dev"},
             "date": when.strftime("%Y-%m-%d %H:%M:%S +0000")}
            for c, when, msg in commits
        ]  # fmt: skip
        change_set = {
            "_class": "hudson.plugins.git.GitChangeSetList",
            "kind": "git",
            "items": items,
        }
        if pipeline:
            row["_class"] = "org.jenkinsci.plugins.workflow.job.WorkflowRun"
            row.pop("changeSet", None)
            row["changeSets"] = [change_set] if items else []
        else:
            row["changeSet"] = change_set
        self.builds[number] = row
        return row

    def finish(self, number: int, result: str, minutes: float) -> None:
        """A running build ends."""
        self.builds[number].update(result=result, building=False, duration=int(minutes * 60_000))

    def authorized(self, header: str) -> bool:
        pair = base64.b64encode(f"{self.user}:{self.token}".encode()).decode("ascii")
        return header == f"Basic {pair}"

    def unauthorized(self) -> Reply:
        page = b"<html><body>Invalid password/token for user</body></html>"
        return Reply(401, raw=page, content_type="text/html;charset=utf-8")

    def route(self, method: str, path: str, params: dict[str, str], body: Any) -> Reply:
        job = "/" + "/".join(f"job/{p}" for p in self.job.split("/")) + "/api/json"
        if unquote(path) != job:
            page = b"<html><body><h2>HTTP ERROR 404 Not Found</h2></body></html>"
            return Reply(404, raw=page, content_type="text/html;charset=utf-8")
        tree = params.get("tree", "")
        if tree == "fullName":
            return Reply(200, {"_class": "hudson.model.FreeStyleProject", "fullName": self.job})
        if not tree.startswith("allBuilds["):
            return Reply(400, raw=b"tree expected", content_type="text/plain")
        match = _RANGE.search(tree)
        if match is None:
            return Reply(
                500, raw=b"java.util.concurrent.TimeoutException", content_type="text/plain"
            )
        start, end = int(match.group(1)), int(match.group(2))
        numbers = sorted(self.builds, reverse=True)[start:end]
        names = _top_level(tree[len("allBuilds[") :])
        shaped = [
            {k: v for k, v in self.builds[n].items() if k in names or k == "_class"}
            for n in numbers
        ]
        cls = "hudson.model.FreeStyleProject"
        return Reply(200, {"_class": cls, "allBuilds": shaped})


def _top_level(inner: str) -> set[str]:
    """The top-level field names of a ``tree`` (Jenkins leaves the others out)."""
    return set(re.findall(r"(?:^|,)(\w+)", _flatten(inner)))


def _flatten(text: str) -> str:
    """Drop nested ``[...]`` groups, innermost first, leaving the top-level names."""
    previous = None
    while previous != text:
        previous = text
        text = re.sub(r"\[[^\[\]]*\]", "", text)
    return text
