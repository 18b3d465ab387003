"""The reads and writes of one pushed field on the wire: Jira versions and issues (contract W.1),
Azure Boards work items' iteration (W.2), each re-read right before its write.
"""

from __future__ import annotations

from typing import Any, Final

from relplan.sync import push_batch
from relplan.sync.http import HttpClient
from relplan.sync.push_model import RemoteChange

__all__ = ["ITERATION", "read_azure", "read_jira", "write_azure", "write_jira"]

ITERATION: Final = "System.IterationPath"
PATCH_HEADERS: Final = {"Content-Type": "application/json-patch+json"}


def read_jira(
    http: HttpClient,
    api: str,
    change: RemoteChange,
    release_of_version: dict[str, str],
    cache: push_batch.Prefetched | None,
) -> Any:
    """The remote value of ``change``'s field now, in local form.

    ``cache``: the chunk's batch read; an object it lacks is read on its own. A version read
    there serves each of its fields (a PUT changes only the key it sends); an issue serves once.
    """
    if change.entity == "release":
        ident = change.source_id.split(":", 1)[1]
        version = (cache.versions.get(ident) if cache else None) or http.get(
            f"{api}/version/{ident}", what=change.remote_object
        )
        if change.field == "status":
            return "released" if version.get("released") else change.base
        return version.get(change.remote_field)
    issue = (cache.issues.pop(change.source_id, None) if cache else None) or http.get(
        f"{api}/issue/{change.source_id}", params={"fields": "fixVersions,updated"},
        what=change.remote_object,
    )  # fmt: skip
    fix = (issue.get("fields") or {}).get("fixVersions") or []
    if not fix:
        return None
    # Several fix versions: the local release is the first one, as the pull maps it.
    return release_of_version.get(str(fix[0].get("id")), f"version:{fix[0].get('id')}")


def read_azure(
    http: HttpClient,
    project: str,
    change: RemoteChange,
    release_of_path: dict[str, str],
    revs: dict[str, int],
    item: dict[str, Any] | None = None,
) -> Any:
    """A work item's iteration now (as a release key, or ``iteration:PATH``); keeps its rev.

    ``item``: the item as the chunk's batch read returned it (None: read it now).
    """
    if item is None:
        item = http.get(
            f"{project}/_apis/wit/workitems/{change.source_id}", params={"api-version": "7.1"},
            what=change.remote_object,
        )  # fmt: skip
    revs[change.source_id] = int(item.get("rev") or 0)
    path = str((item.get("fields") or {}).get(ITERATION) or "")
    if path in release_of_path:
        return release_of_path[path]
    # The project root (no iteration) reads as no release, as the pull maps it.
    return None if "\\" not in path else f"iteration:{path}"


def write_azure(
    http: HttpClient,
    project: str,
    change: RemoteChange,
    paths: dict[str, str],
    revs: dict[str, int],
) -> None:
    """PATCH the item's IterationPath, guarded by ``test /rev`` (the patch is atomic)."""
    value = paths[change.new]  # plan_push only moves items to a synced iteration
    item = http.request(
        "PATCH", f"{project}/_apis/wit/workitems/{change.source_id}",
        params={"api-version": "7.1"}, headers=PATCH_HEADERS, what=change.remote_object,
        body=[{"op": "test", "path": "/rev", "value": revs[change.source_id]},
              {"op": "add", "path": f"/fields/{ITERATION}", "value": value}],
    )  # fmt: skip
    if isinstance(item, dict) and item.get("rev") is not None:
        revs[change.source_id] = int(item["rev"])  # the next write of this item tests this rev


def write_jira(http: HttpClient, api: str, change: RemoteChange, versions: dict[str, str]) -> None:
    if change.entity == "release":
        value: Any = True if change.field == "status" else change.new
        http.request(
            "PUT", f"{api}/version/{change.source_id.split(':', 1)[1]}",
            body={change.remote_field: value}, what=change.remote_object,
        )  # fmt: skip
        return
    refs = [{"id": versions[change.new]}] if change.new else []
    http.request(
        "PUT", f"{api}/issue/{change.source_id}",
        body={"update": {"fixVersions": [{"set": refs}]}}, what=change.remote_object,
    )  # fmt: skip
