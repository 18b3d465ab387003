"""Push local edits of synced objects back to their tracker (Jira versions and issues).

What is pushed (contracts W.1, W.2): a release from a Jira version sends ``start``/``target`` as
``startDate``/``releaseDate`` and status ``released`` as ``released: true``, one changed key per
PUT (Data Center rejects a body with both ``releaseDate`` and ``userReleaseDate``); a work item
moved to another release of the same connection sends ``fixVersions`` with ``update``/``set``.
Nothing else is written and nothing is deleted.

Safety: the base of each field is the value at the last sync (the source's snapshot). Jira has
no ETag, so each object is re-read immediately before its write and compared three ways: remote
already equal to local → nothing to write; remote still equal to the base → write; otherwise a
conflict is recorded and nothing is written. After each write the snapshot takes the pushed
value, so a second push writes nothing and an interrupted push resumes without repeating a
write; the snapshot and conflict edits made so far are saved as one command even when the push
fails half-way.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import replace
from typing import Any
from urllib.parse import quote

from relplan.errors import Cancelled, Issue, SyncError, ValidationError
from relplan.store import sync_state
from relplan.store.commands import Command, Edit
from relplan.store.entities import TABLES
from relplan.store.sync_state import Source, SyncConflict, SyncRun, now_iso
from relplan.store.workspace import Workspace
from relplan.sync import merge, push_batch, push_create, push_guard, push_links
from relplan.sync.credentials import CredentialStore
from relplan.sync.http import HttpClient
from relplan.sync.jira import JiraTracker
from relplan.sync.parallel import run_all
from relplan.sync.push_model import PushReport, RemoteChange
from relplan.sync.push_wire import ITERATION, read_azure, read_jira, write_azure, write_jira
from relplan.sync.tracker import CancelToken, ConnectionConfig

#: Release fields pushed to a Jira version, and the version's key for each.
_VERSION_KEYS = {"start": "startDate", "target": "releaseDate", "status": "released"}
_JIRA_KINDS = ("jira_cloud", "jira_dc")
#: Objects written at once: few, so that a 429 slows every writer (the client honours
#: Retry-After on each request) rather than multiplying the load.
WORKERS = 4
#: ``sync_runs.status`` of a push: ``changed`` counts the writes, ``fetched`` the changes.
PUSHED = "pushed"
PUSH_FAILED = "push failed"


def plan_push(ws: Workspace, name: str) -> list[RemoteChange]:
    """The remote changes that local edits of ``name``'s objects call for (no network).

    Raises:
        UnknownObjectError: no such connection.
        ValidationError: the connection's kind cannot be pushed yet.
    """
    config = _config(ws, name)
    # Releases and teams are few; of the many items only the moved ones are read (in SQL), so a
    # push with nothing to do stays fast on a large workspace.
    sources = _sources_of(ws, name, ("release", "team"))
    moved = _moved_items(ws, name)
    by_key = {(s.entity, s.key): s for s in sources}
    releases = sync_state.releases(ws.conn, [s.key for s in sources if s.entity == "release"])
    items = {s.key: release for s, release in moved}
    sources += [s for s, _ in moved]
    jira = config.kind in _JIRA_KINDS
    changes: list[RemoteChange] = []
    for s in sources:
        base = s.values() or {}
        if s.entity == "release" and s.key in releases and s.source_id.startswith("iteration:"):
            # An Azure iteration: its dates live on the classification node.
            local = merge.fields_of("release", releases[s.key])
            what = f"iteration {s.source_key or s.source_id}"
            for name_, attr in push_create.NODE_KEYS.items():
                if local[name_] != base.get(name_):
                    changes.append(
                        RemoteChange(
                            s.entity,
                            s.key,
                            s.source_id,
                            what,
                            name_,
                            attr,
                            base.get(name_),
                            local[name_],
                        )
                    )
        elif s.entity == "release" and s.key in releases and jira:
            local = merge.fields_of("release", releases[s.key])
            what = f"version {s.source_key or s.source_id}"
            for name_ in ("start", "target"):
                if local[name_] != base.get(name_):
                    changes.append(_change(s, what, name_, base.get(name_), local[name_]))
            # Only releasing is pushed: Jira has no other status a release can map to safely.
            if local["status"] == "released" and base.get("status") != "released":
                changes.append(_change(s, what, "status", base.get("status"), "released"))
        elif s.entity == "work_item" and s.key in items:
            new = items[s.key]
            old = base.get("release")
            target = by_key.get(("release", new)) if new else None
            kind = "version:" if jira else "iteration:"
            if new != old and target is not None and target.source_id.startswith(kind):
                what = f"{'issue' if jira else 'work item'} {s.source_key or s.source_id}"
                changes.append(_change(s, what, "release", old, new))
    links = push_links.plan_links(ws, name)
    kind = push_links.describe_field(config)
    changes.extend(replace(c, remote_field=kind) for c in links)
    changes.extend(push_create.plan_creates(ws, config, sources))
    return changes


_SOURCE_COLUMNS = ", ".join(f's."{c}"' for c in TABLES["source"].columns)


def _sources_of(ws: Workspace, name: str, entities: tuple[str, ...]) -> list[Source]:
    """The connection's live sources of these kinds."""
    rows = ws.conn.execute(
        f"SELECT {_SOURCE_COLUMNS} FROM sources s WHERE s.connection = ? AND s.deleted = 0 "
        "AND s.entity IN (SELECT value FROM json_each(?))",
        (name, json.dumps(entities)),
    )
    table = TABLES["source"]
    return [table.from_row(ws.conn, r) for r in rows]


def _sources_for(
    ws: Workspace, name: str, changes: list[RemoteChange]
) -> dict[tuple[str, str], Source]:
    """The sources a push of ``changes`` reads: releases, teams and the changed objects."""
    wanted = json.dumps(sorted({f"{c.entity}|{c.key}" for c in changes}))
    rows = ws.conn.execute(
        f"SELECT {_SOURCE_COLUMNS} FROM sources s WHERE s.connection = ? AND (s.entity IN "
        "('release', 'team') OR s.entity || '|' || s.key IN (SELECT value FROM json_each(?)))",
        (name, wanted),
    )
    table = TABLES["source"]
    return {(r[0], r[1]): table.from_row(ws.conn, r) for r in rows}


def _moved_items(ws: Workspace, name: str) -> list[tuple[Source, str | None]]:
    """The connection's items whose release differs from the last synced one, with it."""
    rows = ws.conn.execute(
        f"SELECT {_SOURCE_COLUMNS}, w.release FROM sources s JOIN work_items w ON w.key = s.key "
        "WHERE s.connection = ? AND s.entity = 'work_item' AND s.deleted = 0 "
        "AND w.release IS NOT json_extract(s.snapshot, '$.release')",
        (name,),
    )
    table = TABLES["source"]
    return [(table.from_row(ws.conn, r[:-1]), r[-1]) for r in rows]


def _change(s: Source, what: str, name: str, base: Any, new: Any) -> RemoteChange:
    if name == "release":
        remote = "fixVersions" if what.startswith("issue") else ITERATION
    else:
        remote = _VERSION_KEYS[name]
    return RemoteChange(s.entity, s.key, s.source_id, what, name, remote, base, new)


def set_push(ws: Workspace, name: str, on: bool) -> ConnectionConfig:
    """Turn pushing on or off for a connection (a setting: not undoable, like the connection).

    Raises:
        UnknownObjectError: no such connection.
        ValidationError: ``on`` for a kind that cannot be pushed yet.
    """
    from relplan.sync.engine import load_config

    config = _config(ws, name) if on else load_config(ws, name)
    # Turning it on again starts with a preview again.
    new = replace(config, push=on, push_previewed=False)
    _store(ws, new)
    return new


def _store(ws: Workspace, config: ConnectionConfig) -> None:
    row = sync_state.connection(ws.conn, config.name)
    sync_state.save_connection(ws.conn, replace(row, settings=config.settings_json()))


def _config(ws: Workspace, name: str) -> ConnectionConfig:
    from relplan.sync.engine import load_config  # engine imports much; only needed here

    config = load_config(ws, name)
    if config.kind not in (*_JIRA_KINDS, "azure_boards"):
        raise ValidationError(
            [Issue(f"connection {name}", f"push to {config.kind} is not supported yet")]
        )
    return config


def run_push(
    ws: Workspace,
    name: str,
    credentials: CredentialStore,
    *,
    dry_run: bool = False,
    tracker: JiraTracker | None = None,
    cancel: CancelToken | None = None,
    progress: Callable[[int, int], None] | None = None,
    expected: str | None = None,
) -> PushReport:
    """Push ``name``'s local edits: re-read, compare three ways, write or record a conflict.

    With ``dry_run`` every object is re-read (to show the remote value now) and nothing is
    written. A push of a connection without ``push`` on is always a dry run. ``expected``: the
    :func:`~relplan.sync.push_guard.fingerprint` of the previewed changes; the push refuses
    (before any request) when the changes planned now differ.

    Raises:
        UnknownObjectError: no such connection.
        CredentialError: no token.
        PlanChangedError: the changes are not the ones previewed (``expected``).
        SyncError: the tracker failed; the report of what was written is on ``exc.report``
            (attribute ``push_report``) and the bookkeeping of those writes is saved.
    """
    from relplan.sync.engine import _secret  # one place reads the keyring

    config = _config(ws, name)
    # The first push after --push on only shows what it would do.
    first = config.push and not config.push_previewed
    dry_run = dry_run or not config.push or first
    report = PushReport(name, dry_run=dry_run, first=first)
    changes = plan_push(ws, name)
    push_guard.check(name, changes, expected)
    report.changes = list(changes)
    if first:
        _store(ws, replace(config, push_previewed=True))
    if not changes:
        return report
    if tracker is None:
        from relplan.sync.engine import tracker_for

        tracker = tracker_for(config.kind)  # type: ignore[assignment]
    assert tracker is not None
    token = cancel or CancelToken()
    sources = _sources_for(ws, name, changes)
    versions = {
        s.key: s.source_id.split(":", 1)[1]
        for s in sources.values()
        if s.entity == "release" and s.source_id.startswith("version:")
    }
    release_of_version = {v: k for k, v in versions.items()}
    if config.kind == "azure_boards":
        # Items name their iteration by path (no leading \\, no Iteration segment), as does the
        # team iteration a release came from (its source key).
        versions = {
            s.key: s.source_key or ""
            for s in sources.values()
            if s.entity == "release" and s.source_id.startswith("iteration:")
        }
        release_of_version = {v: k for k, v in versions.items()}
    snapshots: dict[tuple[str, str], dict[str, Any]] = {}
    #: Sources made or retired by link and create writes (the rest only update snapshots).
    made: dict[tuple[str, str], Source] = {}
    conflicts: list[SyncConflict] = []
    api = {"jira_cloud": "/rest/api/3", "jira_dc": "/rest/api/2"}.get(
        config.kind, quote(config.project, safe="")
    )
    azure = config.kind == "azure_boards"
    revs: dict[str, int] = {}
    # A field with an open conflict waits for the person to settle it (keep local pushes it).
    held = {
        (c.entity, c.key, "link" if c.field == "*" else c.field)
        for c in sync_state.conflicts(ws.conn, name)
    }
    remaining = {n for n, c in enumerate(changes) if (c.entity, c.key, c.field) not in held}
    if not dry_run:
        report.conflicts.extend(c for n, c in enumerate(changes) if n not in remaining)
    lock = threading.Lock()
    groups: dict[str, list[int]] = {}
    for n, change in enumerate(changes):
        if n not in remaining:
            continue
        groups.setdefault(change.group or f"{change.entity}|{change.key}", []).append(n)
    created = {c.key for c in changes if c.field == "create"}
    new_releases = sync_state.releases(ws.conn, created)
    team_sources = {s.source_id: s for s in sources.values() if s.entity == "team"}
    project_of_version = _projects_of_versions(
        ws, sources, {c.key for c in changes if c.entity == "release"}
    )

    def one_chunk(chunk: list[list[int]]) -> None:
        # One batch read for the chunk, immediately before its writes (push_batch).
        cache = push_batch.prefetch(
            http, api, config.kind, (changes[n] for g in chunk for n in g), project_of_version
        )
        for indexes in chunk:
            one_object(indexes, cache)

    def one_object(indexes: list[int], cache: push_batch.Prefetched) -> None:
        # The fields of one object go in order on one thread; objects go in parallel.
        for n in indexes:
            token.raise_if_cancelled()
            change = changes[n]
            stale = False
            new_source: Source | None = None
            if change.entity == "dependency":
                remote, stale = push_links.push_link(links, change, write=not dry_run, revs=revs)
            elif change.field == "create":
                remote, new_source = push_create.push_create(
                    nodes,
                    change,
                    new_releases[change.key],
                    team_sources[change.source_id],
                    write=not dry_run,
                )
            elif change.source_id.startswith("iteration:"):
                key = sources[(change.entity, change.key)].source_key or ""
                remote = push_create.push_node_date(
                    nodes, change, write=not dry_run, source_key=key
                )
            elif azure:
                item = cache.items.pop(change.source_id, None)
                remote = read_azure(http, api, change, release_of_version, revs, item)
                if not dry_run and remote != change.new and remote == change.base:
                    try:
                        write_azure(http, api, change, versions, revs)
                    except SyncError as exc:
                        if exc.status not in (409, 412):
                            raise
                        # Changed since the read: re-read, and it is a conflict, never a retry.
                        remote = read_azure(http, api, change, release_of_version, revs)
                        stale = True
            else:
                remote = read_jira(http, api, change, release_of_version, cache)
                if not dry_run and remote != change.new and remote == change.base:
                    try:
                        write_jira(http, api, change, versions)
                    except SyncError as exc:
                        if exc.status != 409:
                            raise
                        # "A conflicting update" (W.2): re-read; a conflict, never a retry.
                        remote = read_jira(http, api, change, release_of_version, None)
                        stale = True
            with lock:
                _record(n, change, remote, stale, new_source)

    def _record(
        n: int, change: RemoteChange, remote: Any, stale: bool, new_source: Source | None
    ) -> None:
        remaining.discard(n)
        if progress is not None:
            progress(len(changes) - len(remaining), len(changes))
        if dry_run:
            report.changes[n] = replace(change, remote_now=remote)
            return
        if stale or (remote != change.new and remote != change.base):
            report.conflicts.append(replace(change, remote_now=remote))
            field_, ours, theirs = change.field, change.new, remote
            if change.entity == "dependency":
                # The link itself: resolvable like a pulled link conflict (field "*").
                field_ = "*"
                ours = push_links.LINK_FIELDS if change.new is not None else None
                theirs = push_links.LINK_FIELDS if remote is not None else None
            conflicts.append(
                SyncConflict(
                    name, change.entity, change.key, field_, json.dumps(ours),
                    json.dumps(theirs), now_iso(),
                )
            )  # fmt: skip
            return
        (report.already if remote == change.new else report.written).append(change)
        ident = (change.entity, change.key)
        if change.entity == "dependency":
            made[ident] = push_links.source_after(change, name, sources.get(ident))
            return
        if new_source is not None:
            made[ident] = new_source
            return
        snap = snapshots.setdefault(ident, sources[ident].values() or {})
        snap[change.field] = change.new

    http: HttpClient = tracker.client(config, _secret(config, credentials), token)
    links = push_links.LinkContext(http, api, config)
    nodes = push_create.CreateContext(http, api, config, name)
    started = now_iso()
    try:
        batches = push_batch.chunks(list(groups.values()), push_batch.chunk_size(config.kind))
        run_all(one_chunk, batches, workers=WORKERS, cancel=token)
    except (SyncError, Cancelled) as exc:
        report.not_written = [changes[n] for n in sorted(remaining)]
        report.error = str(exc)
        exc.push_report = report  # type: ignore[union-attr]
        raise
    finally:
        http.close()
        if not dry_run:
            push_links.remember_direction(ws, name, links)
            _save(ws, name, sources, snapshots, conflicts, report, made)
            # The run log: never read back for a watermark, so its own statuses are safe.
            sync_state.record_run(
                ws.conn,
                SyncRun(
                    name, started, now_iso(), PUSHED if report.error is None else PUSH_FAILED,
                    report.error, fetched=len(changes), changed=len(report.written),
                ),
            )  # fmt: skip
    return report


def _projects_of_versions(
    ws: Workspace, sources: dict[tuple[str, str], Source], releases: set[str]
) -> dict[str, str]:
    """Version id -> its project's id, for the releases a push writes (from their team)."""
    keys = [
        k for (entity, k), s in sources.items()
        if entity == "release" and k in releases and s.source_id.startswith("version:")
    ]  # fmt: skip
    project_of_team = {
        s.key: s.source_id.split(":", 1)[1]
        for s in sources.values()
        if s.entity == "team" and s.source_id.startswith("project:")
    }
    out = {}
    for key, release in sync_state.releases(ws.conn, keys).items():
        project = project_of_team.get(release.team or "")
        if project:
            out[sources[("release", key)].source_id.split(":", 1)[1]] = project
    return out


def _save(
    ws: Workspace,
    name: str,
    sources: dict[tuple[str, str], Source],
    snapshots: dict[tuple[str, str], dict[str, Any]],
    conflicts: list[SyncConflict],
    report: PushReport,
    made: dict[tuple[str, str], Source],
) -> None:
    """Record the pushed values as synced and the conflicts, as one undoable command."""
    edits: list[Edit] = []
    with ws.write():
        for ident, new in made.items():
            old = sources.get(ident)
            edits.append(Edit("source", sync_state.source_key(new), old, new))
        for ident, values in snapshots.items():
            old = sources[ident]
            new = replace(old, snapshot=json.dumps(values), synced=now_iso())
            edits.append(Edit("source", sync_state.source_key(new), old, new))
        table = TABLES["sync_conflict"]
        for c in conflicts:
            ident_ = sync_state.conflict_key(c)
            before = table.load(ws.conn, [ident_]).get(ident_)
            if (
                before is not None
                and before.resolved is None
                and (before.local_value, before.remote_value) == (c.local_value, c.remote_value)
            ):
                continue
            edits.append(Edit("sync_conflict", ident_, before, c))
        if edits:
            ws.execute(Command(f"Push {name}: {report.summary()}", tuple(edits)))
