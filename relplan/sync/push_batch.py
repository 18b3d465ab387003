"""Batched re-reads before push writes: many objects per request instead of one GET each.

A push re-reads every object just before writing it (the three-way compare). Reading them one by
one doubled the requests of a push; here the objects are read in chunks, and each chunk is read
immediately before its own writes (one chunk per worker), so the window between read and write
stays the time of one chunk's writes:

- Jira Cloud: ``GET /rest/api/3/search/jql`` with ``jql=id in (...)`` and the fields needed,
  paged by ``nextPageToken``. The search is eventually consistent (API-NOTES A.2/A.7), so the
  chunk's ids also go in ``reconcileIssues`` (at most 50: "strong consistency issue ids"), which
  is why Cloud chunks hold 50 issues.
- Jira Data Center: ``GET /rest/api/2/search`` with ``jql=id in (...)``, paged by ``startAt``
  with the ``maxResults`` the server echoes.
- Jira versions: ``GET /project/{id}/versions`` (the bare array of the project's versions), once
  per project and chunk.
- Azure Boards: ``POST …/_apis/wit/workitemsbatch`` with at most 200 ids (API-NOTES B.2, B.5),
  ``fields`` ``System.IterationPath`` (``rev`` always comes along), ``errorPolicy: omit``.

An object the batch does not return (deleted, not visible) is read on its own as before, so its
404 reads as it always did. Jira has no optimistic locking (W.2): a change made between the
chunk's read and the write is not caught there, exactly as with a single GET before the PUT (the
window is longer, bounded by one chunk). Azure writes carry ``test /rev`` with the rev this read
returned, so a change after it answers 412 and becomes a conflict.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from relplan.sync.http import HttpClient
from relplan.sync.tracker import AZURE_BOARDS, JIRA_CLOUD

#: Issues per Jira Cloud read: ``reconcileIssues`` accepts at most 50 ids.
CLOUD_CHUNK = 50
#: Issues per Jira Data Center search page asked for (the server may cap it lower).
DC_CHUNK = 100
#: Work items per ``workitemsbatch`` call (more gives VS403474).
AZURE_CHUNK = 200
_ITERATION = "System.IterationPath"


@dataclass
class Prefetched:
    """What one chunk's batch read returned, by remote id."""

    issues: dict[str, dict[str, Any]] = field(default_factory=dict)
    versions: dict[str, dict[str, Any]] = field(default_factory=dict)
    items: dict[str, dict[str, Any]] = field(default_factory=dict)


def chunk_size(kind: str) -> int:
    """How many objects one batch read covers for a connection kind."""
    return {JIRA_CLOUD: CLOUD_CHUNK, AZURE_BOARDS: AZURE_CHUNK}.get(kind, DC_CHUNK)


def chunks(groups: Sequence[list[int]], size: int) -> list[list[list[int]]]:
    """The groups of a push, ``size`` groups a chunk (a group is one object's changes)."""
    return [list(groups[i : i + size]) for i in range(0, len(groups), size)]


def prefetch(
    http: HttpClient,
    api: str,
    kind: str,
    changes: Iterable[Any],
    project_of_version: dict[str, str],
) -> Prefetched:
    """Read the issues, versions and work items that ``changes`` (one chunk) will write."""
    out = Prefetched()
    issues: list[str] = []
    projects: set[str] = set()
    for c in changes:
        if c.entity == "work_item" and c.field == "release":
            issues.append(c.source_id)
        elif c.entity == "release" and c.source_id.startswith("version:"):
            project = project_of_version.get(c.source_id.split(":", 1)[1])
            if project:
                projects.add(project)
    ids = list(dict.fromkeys(issues))
    if kind == AZURE_BOARDS:
        if ids:
            out.items = _azure_items(http, api, ids)
        return out
    if ids:
        out.issues = (_cloud if kind == JIRA_CLOUD else _dc)(http, ids)
    for project in sorted(projects):
        listed = http.get(f"{api}/project/{project}/versions", what=f"project {project} versions")
        for version in listed or []:
            out.versions[str(version.get("id"))] = version
    return out


_ISSUE_FIELDS = "fixVersions,updated"


def _cloud(http: HttpClient, ids: list[str]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    token: str | None = None
    while True:
        params: dict[str, Any] = {
            "jql": f"id in ({','.join(ids)})",
            "fields": _ISSUE_FIELDS,
            "maxResults": len(ids),
            # Strongly consistent for these ids: a remote edit made just before is seen.
            "reconcileIssues": [int(i) for i in ids],
        }
        if token:
            params["nextPageToken"] = token
        page = http.get("rest/api/3/search/jql", params=params, what="issue re-read")
        for issue in page.get("issues") or []:
            found[str(issue.get("id"))] = issue
        token = page.get("nextPageToken")
        if page.get("isLast", token is None) or not token:
            return found


def _dc(http: HttpClient, ids: list[str]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    start = 0
    while True:
        params = {
            "jql": f"id in ({','.join(ids)})",
            "fields": _ISSUE_FIELDS,
            "startAt": start,
            "maxResults": len(ids),
        }
        page = http.get("rest/api/2/search", params=params, what="issue re-read")
        issues = page.get("issues") or []
        for issue in issues:
            found[str(issue.get("id"))] = issue
        # The server may cap maxResults: page by what it echoes, until startAt >= total.
        start += int(page.get("maxResults") or len(issues))
        if not issues or start >= int(page.get("total") or 0):
            return found


def _azure_items(http: HttpClient, project: str, ids: list[str]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for i in range(0, len(ids), AZURE_CHUNK):
        body = {
            "ids": [int(x) for x in ids[i : i + AZURE_CHUNK]],
            "fields": [_ITERATION],
            "errorPolicy": "omit",
        }
        page = http.post(
            f"{project}/_apis/wit/workitemsbatch", body, params={"api-version": "7.1"},
            what="work item re-read",
        )  # fmt: skip
        for item in page.get("value") or []:
            if item is not None:  # errorPolicy omit: a missing item is a null
                found[str(item.get("id"))] = item
    return found
