"""Push Azure iteration dates and create versions/iterations for new local releases (W.1, W.5).

Iteration dates: a release from an Azure team iteration keeps its dates on the iteration's
classification node; ``start``/``target`` go there with ``PATCH …/classificationnodes/Iterations/
{path}`` ``{"attributes": {"startDate", "finishDate"}}`` (both dates are sent: the unchanged one
as just read). The node is re-read first and compared three ways like every other push.

Creating (``relplan connection set NAME --create-releases on``): a local release of a team this
connection syncs, that no connection syncs yet, becomes a Jira version (``POST /version``, 201)
or an Azure iteration (node ``POST``, 201, then added to the connection's team so the pull sees
it). It is then recorded as synced, with the snapshot the pull would make of it, so the next
pull adopts it instead of adding a copy. A version or iteration of that name found by the
re-read is adopted without writing (an earlier push made it but was cut off before recording).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from relplan.domain.model import Release
from relplan.errors import SyncError
from relplan.store import sync_state
from relplan.store.sync_state import Source, now_iso
from relplan.store.workspace import Workspace
from relplan.sync import merge
from relplan.sync.http import HttpClient
from relplan.sync.mapping import azure_release, jira_release, parse_day
from relplan.sync.push_model import RemoteChange
from relplan.sync.tracker import ConnectionConfig, RemoteTeam

#: Release fields of an Azure iteration and the node attribute for each.
NODE_KEYS = {"start": "startDate", "target": "finishDate"}
_V = {"api-version": "7.1"}


@dataclass
class CreateContext:
    """What creates and node writes of one push share."""

    http: HttpClient
    api: str
    config: ConnectionConfig
    name: str


def node_path(config: ConnectionConfig, source_key: str) -> str:
    """The URL path of a team iteration's node (``Proj\\R1\\S3`` → ``R1/S3``), quoted."""
    below = source_key.split("\\", 1)[1] if "\\" in source_key else source_key
    return quote(below.replace("\\", "/"), safe="/")


def _node_url(ctx: CreateContext, rel: str) -> str:
    return f"{ctx.api}/_apis/wit/classificationnodes/Iterations/{rel}"


def push_node_date(ctx: CreateContext, change: Any, *, write: bool, source_key: str) -> Any:
    """Read an iteration node's date; PATCH both dates when the three-way compare allows."""
    url = _node_url(ctx, node_path(ctx.config, source_key))
    node = ctx.http.get(url, params=_V, what=change.remote_object)
    attrs = node.get("attributes") or {}
    remote = _day(attrs.get(change.remote_field))
    if write and remote != change.new and remote == change.base:
        both = {k: attrs.get(k) for k in NODE_KEYS.values()}
        both[change.remote_field] = None if change.new is None else f"{change.new}T00:00:00Z"
        ctx.http.request(
            "PATCH", url, params=_V, body={"attributes": both}, what=change.remote_object
        )
    return remote  # the value before the write: it counts as written


def _day(value: Any) -> str | None:
    day = parse_day(value)
    return None if day is None else day.isoformat()


def set_create_releases(ws: Workspace, name: str, on: bool) -> ConnectionConfig:
    """Turn creating versions/iterations for new local releases on or off (a setting).

    Raises:
        UnknownObjectError: no such connection.
        ValidationError: ``on`` for a kind that cannot be pushed.
    """
    from dataclasses import replace

    from relplan.sync import push

    config = push._config(ws, name) if on else _load(ws, name)
    new = replace(config, create_releases=on)
    push._store(ws, new)
    return new


def normalize_root(project: str, text: str) -> str:
    """An iteration root as stored: the node path below the project's root iteration.

    Accepts ``Releases\\2026``, ``Releases/2026``, ``Proj\\Releases`` (a work item's form) and
    ``\\Proj\\Iteration\\Releases`` (a classification node's form); empty is the root itself.
    """
    parts = [p.strip() for p in text.replace("/", "\\").split("\\") if p.strip()]
    if parts and parts[0].casefold() == project.casefold():
        parts = parts[1:]
        if parts and parts[0].casefold() == "iteration":
            parts = parts[1:]
    return "\\".join(parts)


def set_iteration_root(ws: Workspace, name: str, root: str) -> ConnectionConfig:
    """Set where a push creates iterations for an Azure connection (a setting).

    Raises:
        UnknownObjectError: no such connection.
        ValidationError: not an Azure Boards connection.
    """
    from dataclasses import replace

    from relplan.errors import Issue, ValidationError
    from relplan.sync import push

    config = _load(ws, name)
    if config.kind != "azure_boards":
        raise ValidationError(
            [Issue("--iteration-root", f"connection {name} is not an Azure Boards connection")]
        )
    new = replace(config, iteration_root=normalize_root(config.project, root))
    push._store(ws, new)
    return new


def _load(ws: Workspace, name: str) -> ConnectionConfig:
    from relplan.sync.engine import load_config

    return load_config(ws, name)


# -- Creating releases -------------------------------------------------------------------------
def plan_creates(ws: Workspace, config: ConnectionConfig, sources: list[Source]) -> list[Any]:
    """``create`` changes for local releases of this connection's teams that nothing syncs."""
    if not config.create_releases:
        return []
    teams = {s.key: s for s in sources if s.entity == "team" and not s.deleted}
    if config.kind != "azure_boards":
        teams = {k: s for k, s in teams.items() if s.source_id.startswith("project:")}
    if not teams:
        return []
    synced = set(sync_state.source_owners(ws.conn, "release"))
    rows = ws.conn.execute(
        "SELECT key FROM releases WHERE team IN (SELECT value FROM json_each(?))",
        (json.dumps(sorted(teams)),),
    )
    keys = [r[0] for r in rows if r[0] not in synced]
    changes = []
    what = "iteration" if config.kind == "azure_boards" else "version"
    for key, release in sorted(sync_state.releases(ws.conn, keys).items()):
        team = teams[release.team or ""]
        changes.append(
            RemoteChange(
                "release", key, team.source_id, f"{what} {release.name}", "create", what,
                None, release.name, group=f"create|{release.name}",
            )
        )  # fmt: skip
    return changes


def push_create(
    ctx: CreateContext, change: Any, release: Release, team: Source, *, write: bool
) -> tuple[Any, Source | None]:
    """Find or create the version/iteration; (remote value, the release's new source)."""
    if ctx.config.kind == "azure_boards":
        return _create_iteration(ctx, change, release, team, write=write)
    project_id = team.source_id.split(":", 1)[1]
    versions = ctx.http.get(f"{ctx.api}/project/{project_id}/versions", what=change.remote_object)
    found = next((v for v in versions or [] if str(v.get("name")).strip() == release.name), None)
    existed = found is not None
    if found is None and not write:
        return None, None
    if found is None:
        body: dict[str, Any] = {"name": release.name, "projectId": int(project_id)}
        # Only the keys with a value: optional keys are absent, not null (W.1).
        if release.start is not None:
            body["startDate"] = release.start.isoformat()
        if release.target is not None:
            body["releaseDate"] = release.target.isoformat()
        found = ctx.http.post(f"{ctx.api}/version", body, what=change.remote_object)
        if not isinstance(found, dict) or "id" not in found:
            raise SyncError(SyncError.REMOTE, f"{change.remote_object}: no version in the answer")
    made = jira_release(found, _team(team), team.source_key or "")
    return (None if write and not existed else release.name), _source(ctx, change, made, release)


def _create_iteration(
    ctx: CreateContext, change: Any, release: Release, team: Source, *, write: bool
) -> tuple[Any, Source | None]:
    # Under the connection's iteration root (set with --iteration-root), else the root itself.
    root = quote(ctx.config.iteration_root.replace("\\", "/"), safe="/")
    rel = "/".join(x for x in (root, quote(release.name, safe="")) if x)
    try:
        node = ctx.http.get(_node_url(ctx, rel), params=_V, what=change.remote_object)
    except SyncError as exc:
        if exc.status != 404:
            raise
        node = None
    if node is None and not write:
        return None, None
    existed = node is not None
    if node is None:
        attrs: dict[str, str] = {}
        if release.start is not None:
            attrs["startDate"] = f"{release.start.isoformat()}T00:00:00Z"
        if release.target is not None:
            attrs["finishDate"] = f"{release.target.isoformat()}T00:00:00Z"
        node = ctx.http.post(
            _node_url(ctx, root).rstrip("/"), {"name": release.name, "attributes": attrs},
            params=_V, what=change.remote_object,
        )  # fmt: skip
    # The team's iterations are what the pull reads: add the node to the team (by its GUID).
    team_path = f"{quote(ctx.config.project, safe='')}/{quote(ctx.config.team, safe='')}"
    add = f"{team_path}/_apis/work/teamsettings/iterations"
    try:
        iteration = ctx.http.post(
            add, {"id": node["identifier"]}, params=_V, what=change.remote_object
        )
    except SyncError as exc:
        # A new team has no backlog iteration: set it to the root node, then add again (W.5).
        if exc.status != 400 or "TF400497" not in str(exc):
            raise
        root = ctx.http.get(_node_url(ctx, "").rstrip("/"), params=_V, what="the root iteration")
        ctx.http.request(
            "PATCH", f"{team_path}/_apis/work/teamsettings", params=_V,
            body={"backlogIteration": root["identifier"]}, what=f"team {ctx.config.team}",
        )  # fmt: skip
        iteration = ctx.http.post(
            add, {"id": node["identifier"]}, params=_V, what=change.remote_object
        )
    made = azure_release(iteration, _team(team))
    return (release.name if existed else None), _source(ctx, change, made, release)


def _team(team: Source) -> RemoteTeam:
    return RemoteTeam(team.source_id, team.key, team.source_key or team.key)


def _source(ctx: CreateContext, change: Any, remote: Any, release: Release) -> Source:
    # The snapshot the pull would make, so the next pull sees it in sync (no copy, no undo).
    fields = merge.fields_of("release", remote) | {"team": release.team}
    return Source(
        "release", change.key, ctx.name, remote.source_id, remote.source_key, remote.url or None,
        None, now_iso(), False, json.dumps(fields, sort_keys=True, ensure_ascii=False),
    )  # fmt: skip
