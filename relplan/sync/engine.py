"""The sync engine: fetch everything first, then apply it as one undoable command.

A run has three steps, so the window can put each on the right lane (STYLE §6):

1. :func:`prepare` (database): read the connection, the watermark and the synced ids.
2. :func:`fetch` (network, no database): the tracker client pages through the source.
3. :func:`apply` (database): compare with the workspace and the last synced values, then write
   teams, releases, work items, dependency links and the bookkeeping in one transaction, as the
   command "Sync NAME" (undoable). A field edited here and changed at the source is kept and
   listed as a conflict.

A run that fails or is cancelled writes nothing but its ``sync_runs`` row (:func:`record_failure`).
:func:`run_sync` does all three in one thread, for the command line and tests.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from relplan.domain.bounds import clip
from relplan.errors import Cancelled, RelplanError, SyncError
from relplan.planning.wording import count
from relplan.store import sync_state
from relplan.store.commands import ChangeSet, Command, Edit
from relplan.store.entities import TABLES, dependency_key_of
from relplan.store.sync_state import Source, SyncConflict, SyncRun, SyncState, now_iso
from relplan.store.workspace import Workspace
from relplan.sync import merge
from relplan.sync.credentials import (
    CredentialStore,
    SecretRef,
    connection_key,
    forget_secret,
    read_secret,
    require_secret,
)
from relplan.sync.tracker import (
    AZURE_BOARDS,
    CancelToken,
    ConnectionConfig,
    Fetched,
    FetchRequest,
    Identity,
    ProgressFn,
    RemoteItem,
    Tracker,
    no_progress,
)

log = logging.getLogger(__name__)

#: Plan kinds in the order their edits are written.
_ORDER = ("team", "release", "work_item", "dependency", "source", "sync_conflict", "sync_state")


def tracker_for(kind: str) -> Tracker:
    """The client of a connection kind."""
    if kind == AZURE_BOARDS:
        from relplan.sync.azure import AzureTracker

        return AzureTracker()
    from relplan.sync.jira import JiraTracker

    return JiraTracker()


def load_config(ws: Workspace, name: str) -> ConnectionConfig:
    """A connection of the workspace, with where its secret is kept.

    Raises:
        UnknownObjectError: there is none of that name.
    """
    row = sync_state.connection(ws.conn, name)
    config = ConnectionConfig.from_row(row.name, row.kind, row.url, row.settings)
    return replace(config, secret=secret_ref(ws, config))


def secret_ref(ws: Workspace, config: ConnectionConfig) -> SecretRef:
    """Where the secret of ``config`` (a connection of ``ws``, or about to be) is kept."""
    others = tuple(
        connection_key(ws.path, row.name)
        for row in sync_state.connections(ws.conn)
        if row.name != config.name
        and ConnectionConfig.from_row(row.name, row.kind, row.url, row.settings).credential_key
        == config.credential_key
    )
    own = connection_key(ws.path, config.name)
    return SecretRef(config.name, own, config.credential_key, others)


def add_connection(
    ws: Workspace, config: ConnectionConfig, token: str, store: CredentialStore
) -> None:
    """Keep a new connection: its token in the keyring (its own entry), the rest in the
    workspace.

    The token goes first; if the workspace refuses the connection (say, the name is taken), the
    token is taken out of the keyring again, so nothing is left behind. Another connection's
    secret is never touched, even one to the same site and account.
    """
    ref = secret_ref(ws, config)
    store.set(ref.key, token)
    row = sync_state.ConnectionRow(
        config.name, config.kind, config.url, config.settings_json(), now_iso()
    )
    try:
        sync_state.save_connection(ws.conn, row)
    except BaseException:
        store.delete(ref.key)
        raise


def remove_connection(ws: Workspace, name: str, store: CredentialStore) -> None:
    """Forget a connection and its token; what it synced stays in the workspace.

    A legacy shared keyring entry is deleted only when no other connection still relies on it.

    Raises:
        UnknownObjectError: there is no connection of that name.
    """
    config = load_config(ws, name)
    forget_secret(store, secret_ref(ws, config))
    sync_state.delete_connection(ws.conn, name)


def _secret(config: ConnectionConfig, credentials: CredentialStore) -> str:
    """The stored secret of ``config`` (moved to its own entry on first use)."""
    if config.secret is None:  # a connection not read from a workspace: the legacy entry
        return require_secret(credentials, config.credential_key, config.name)
    return read_secret(credentials, config.secret)


def check_connection(
    config: ConnectionConfig, credentials: CredentialStore, secret: str | None = None
) -> Identity:
    """Call the tracker's identity endpoint with the stored (or given) token.

    Raises:
        CredentialError: no token is stored, or the keyring failed.
        SyncError: the call failed (AUTH: credentials rejected).
    """
    token = secret or _secret(config, credentials)
    return tracker_for(config.kind).identity(config, token)


@dataclass(frozen=True, slots=True)
class SyncJob:
    """What :func:`prepare` read for a run."""

    config: ConnectionConfig
    started: str
    watermark: str | None
    state: dict[str, Any]
    known_ids: frozenset[str]
    run_id: int | None = None
    interrupted: tuple[SyncRun, ...] = ()


@dataclass(slots=True)
class SyncReport:
    """What a run did.

    Attributes:
        connection: the connection's name.
        fetched: items fetched.
        pages: data requests made.
        added: objects added (teams, releases, items).
        updated: objects changed.
        deleted: objects marked as deleted or moved out at the source.
        links_added: dependency links added.
        links_removed: dependency links removed.
        conflicts: new conflicts (local value kept).
        changes: what the command touched (empty when nothing changed).
    """

    connection: str
    fetched: int = 0
    pages: int = 0
    added: int = 0
    updated: int = 0
    deleted: int = 0
    links_added: int = 0
    links_removed: int = 0
    conflicts: int = 0
    changes: ChangeSet = field(default_factory=ChangeSet)
    interrupted: tuple[SyncRun, ...] = ()

    @property
    def changed(self) -> int:
        """Objects and links changed."""
        return self.added + self.updated + self.deleted + self.links_added + self.links_removed

    def summary(self) -> str:
        """One line for people."""
        fetched = f"{count(self.fetched, 'item')} fetched"
        if not self.changed and not self.conflicts:
            return f"{self.connection}: {fetched}, nothing changed"
        parts = [f"{self.added} added", f"{self.updated} updated"]
        if self.deleted:
            parts.append(f"{self.deleted} deleted or moved out at the source (kept, marked)")
        if self.links_added or self.links_removed:
            parts.append(f"links +{self.links_added}/-{self.links_removed}")
        if self.conflicts:
            parts.append(f"{count(self.conflicts, 'conflict')} (local values kept)")
        return f"{self.connection}: {fetched}; " + ", ".join(parts)


def prepare(ws: Workspace, name: str, *, full: bool = False) -> SyncJob:
    """Read what a run of connection ``name`` needs from the workspace (database lane).

    Args:
        ws: the workspace.
        name: the connection.
        full: ignore the watermark and fetch everything.

    Raises:
        UnknownObjectError: no such connection.
    """
    config = load_config(ws, name)
    saved = sync_state.state(ws.conn, name)
    data = saved.data() if saved else {}
    # A changed scope starts over: items now in scope may be older than the watermark.
    watermark = (
        None if full or data.get("scope") != config.scope_signature() else saved and saved.watermark
    )
    known = frozenset(
        s.source_id
        for s in sync_state.sources(ws.conn, name)
        if s.entity == "work_item" and not s.deleted
    )
    # A run logged as started and never ended was killed (or crashed): say so, once.
    interrupted = tuple(sync_state.mark_interrupted(ws.conn, name))
    started = now_iso()
    run_id = sync_state.start_run(ws.conn, name, started)
    return SyncJob(config, started, watermark or None, data, known, run_id, interrupted)


def fetch(
    job: SyncJob,
    credentials: CredentialStore,
    *,
    progress: ProgressFn = no_progress,
    cancel: CancelToken | None = None,
    tracker: Tracker | None = None,
) -> Fetched:
    """Fetch from the source (network lane; never touches the database).

    Raises:
        CredentialError: no token, or the keyring failed.
        SyncError: the source failed.
        Cancelled: ``cancel`` was set.
    """
    token = cancel or CancelToken()
    secret = _secret(job.config, credentials)
    client = tracker or tracker_for(job.config.kind)
    request = FetchRequest(job.config, secret, job.watermark, job.known_ids, job.state)
    try:
        fetched = client.fetch(request, progress=progress, cancel=token)
    except RelplanError:
        raise
    except (TypeError, AttributeError, KeyError, IndexError, ValueError, RecursionError) as exc:
        # The tracker answered 200 with JSON of a shape its API never has ([1, 2, 3], say).
        raise SyncError(
            SyncError.REMOTE,
            f"{job.config.url}: the tracker's answer has an unexpected shape "
            f"({type(exc).__name__}: {clip(str(exc), 120)})",
        ) from None
    token.raise_if_cancelled()
    return fetched


def record_failure(ws: Workspace, job: SyncJob | str, error: BaseException) -> None:
    """Log a failed or cancelled run in ``sync_runs`` (the plan itself is untouched)."""
    name, started = (job.config.name, job.started) if isinstance(job, SyncJob) else (job, now_iso())
    status = "cancelled" if isinstance(error, Cancelled) else "failed"
    message = str(error) if isinstance(error, RelplanError) else f"{type(error).__name__}: {error}"
    run = SyncRun(name, started, now_iso(), status, clip(message, 1000))
    if isinstance(job, SyncJob) and job.run_id is not None:
        sync_state.finish_run(ws.conn, job.run_id, run)
    else:
        sync_state.record_run(ws.conn, run)


def _dump(value: Any) -> str | None:
    return None if value is None else json.dumps(value, sort_keys=True, ensure_ascii=False)


class _Plan:
    """The edits of one run, built object by object."""

    def __init__(self, ws: Workspace, job: SyncJob, now: str) -> None:
        self.conn = ws.conn
        self.name = job.config.name
        self.now = now
        self.report = SyncReport(self.name)
        self.edits: dict[str, list[Edit]] = {kind: [] for kind in _ORDER}
        self.sources = {
            (s.entity, s.source_id): s for s in sync_state.sources(self.conn, self.name)
        }
        self.open_conflicts = {
            sync_state.conflict_key(c): c for c in sync_state.conflicts(self.conn, self.name)
        }
        self.allocated: dict[str, set[str]] = {}

    def key_for(self, entity: str, source_id: str, proposed: str) -> str:
        """The local key of a remote object: its synced key, else a free one."""
        known = self.sources.get((entity, source_id))
        if known is not None:
            return known.key
        owners = self.allocated.setdefault(entity, set())
        if not owners:
            owners.update(sync_state.source_owners(self.conn, entity))
        key, n = proposed, 1
        # A key held by an object from a source is not ours to take; local objects are linked.
        while key in owners:
            n += 1
            key = f"{proposed}~{self.name}" if n == 2 else f"{proposed}~{self.name}-{n - 1}"
        owners.add(key)
        return key

    def sync_object(
        self,
        entity: str,
        key: str,
        local: Any,
        remote: merge.Fields,
        source: Source,
        *,
        adopt_quietly: bool = False,
    ) -> None:
        """Merge one remote object into the workspace and record its source."""
        old = self.sources.get((entity, source.source_id))
        base = old.values() if old is not None and not old.deleted else None
        local_fields = merge.fields_of(entity, local) if local is not None else None
        if old is not None and old.deleted and local is not None:
            base = old.values()
        if adopt_quietly and base is None and local_fields is not None:
            kept: merge.Fields | None = local_fields
            conflicts: list[merge.Conflict] = []
        else:
            kept, conflicts = merge.merge(local_fields, remote, base)
        if kept is not None and kept != local_fields:
            after = merge.build(entity, key, kept, local)
            self.edits[entity].append(Edit(entity, key, local, after))
            if local is None:
                self.report.added += 1
                if entity == "dependency":
                    self.report.links_added += 1
                    self.report.added -= 1
            else:
                self.report.updated += 1
        for name, ours, theirs in conflicts:
            self.conflict(entity, key, name, ours, theirs)
        self.put_source(old, source)

    def put_source(self, old: Source | None, new: Source) -> None:
        """Record a source row when it differs from the stored one (ignoring ``synced``)."""
        if old is not None and _same(old, new):
            return
        self.edits["source"].append(Edit("source", sync_state.source_key(new), old, new))

    def conflict(self, entity: str, key: str, name: str, ours: Any, theirs: Any) -> None:
        """List a conflict (once: an open one with the same values is left alone)."""
        new = SyncConflict(self.name, entity, key, name, _dump(ours), _dump(theirs), self.now)
        ident = sync_state.conflict_key(new)
        old = self.open_conflicts.get(ident)
        if old is not None and (old.local_value, old.remote_value) == (
            new.local_value,
            new.remote_value,
        ):
            return
        before = TABLES["sync_conflict"].load(self.conn, [ident]).get(ident)
        self.edits["sync_conflict"].append(Edit("sync_conflict", ident, before, new))
        self.report.conflicts += 1

    def command_edits(self) -> list[Edit]:
        """Every edit, in write order."""
        return [e for kind in _ORDER for e in self.edits[kind]]


def _same(a: Source, b: Source) -> bool:
    return (a.key, a.source_key, a.url, a.updated, a.deleted, a.snapshot) == (
        b.key, b.source_key, b.url, b.updated, b.deleted, b.snapshot,
    )  # fmt: skip


def _source(
    plan: _Plan,
    entity: str,
    key: str,
    source_id: str,
    fields: merge.Fields,
    *,
    source_key: str | None = None,
    url: str | None = None,
    updated: str | None = None,
    deleted: bool = False,
) -> Source:
    return Source(
        entity, key, plan.name, source_id, source_key, url, updated, plan.now, deleted,
        _dump(fields),
    )  # fmt: skip


def apply(ws: Workspace, job: SyncJob, fetched: Fetched) -> SyncReport:
    """Write what ``fetched`` changed as one command and log the run (database lane).

    The merge reads the workspace inside the write transaction, so a change another process
    made meanwhile is merged, never overwritten unseen.

    Raises:
        sqlite3.Error: the write failed; nothing was written (the caller logs the failure).
    """
    with ws.write():
        return _apply(ws, job, fetched)


def _apply(ws: Workspace, job: SyncJob, fetched: Fetched) -> SyncReport:
    now = now_iso()
    plan = _Plan(ws, job, now)
    plan.report.fetched = len(fetched.items)
    plan.report.pages = fetched.pages
    team_keys = _sync_teams(plan, fetched)
    release_keys = _sync_releases(plan, fetched, team_keys)
    item_keys, gone = _sync_items(plan, fetched, team_keys, release_keys)
    _sync_links(plan, fetched, item_keys, gone)
    new_state = SyncState(
        job.config.name,
        fetched.watermark or job.watermark,
        json.dumps({**fetched.state, "scope": job.config.scope_signature()}, sort_keys=True),
    )
    old_state = sync_state.state(ws.conn, job.config.name)
    edits = plan.command_edits()
    if edits:
        if old_state != new_state:
            edits.append(Edit("sync_state", job.config.name, old_state, new_state))
        plan.report.changes = ws.execute(Command(f"Sync {job.config.name}", tuple(edits)))
    elif old_state != new_state:
        # Only cursors moved: nothing to undo, so no command.
        TABLES["sync_state"].upsert(ws.conn, [new_state])
    report = plan.report
    report.interrupted = job.interrupted
    run = SyncRun(
        job.config.name, job.started, now_iso(), "ok", None, report.fetched, report.changed,
        new_state.watermark,
    )  # fmt: skip
    if job.run_id is not None:
        sync_state.finish_run(ws.conn, job.run_id, run)
    else:
        sync_state.record_run(ws.conn, run)
    return report


def _sync_teams(plan: _Plan, fetched: Fetched) -> dict[str, str]:
    wanted = {t.source_id: t for t in fetched.teams}
    keys = {sid: plan.key_for("team", sid, t.key) for sid, t in wanted.items()}
    local = sync_state.teams(plan.conn, keys.values())
    for sid, team in wanted.items():
        key = keys[sid]
        fields = {"name": team.name}
        plan.sync_object(
            "team",
            key,
            local.get(key),
            fields,
            _source(plan, "team", key, sid, fields, source_key=team.key),
            adopt_quietly=True,
        )
    # Teams synced before keep their keys even when this run did not see them.
    for (entity, sid), s in plan.sources.items():
        if entity == "team":
            keys.setdefault(sid, s.key)
    return keys


def _sync_releases(plan: _Plan, fetched: Fetched, team_keys: dict[str, str]) -> dict[str, str]:
    keys: dict[str, str] = {}
    remote = [r for r in fetched.releases if r.team in team_keys]
    for r in remote:
        keys[r.source_id] = plan.key_for("release", r.source_id, r.key)
    local = sync_state.releases(plan.conn, keys.values())
    for r in remote:
        key = keys[r.source_id]
        fields = merge.fields_of("release", r) | {"team": team_keys[r.team]}
        source = _source(
            plan, "release", key, r.source_id, fields, source_key=r.source_key, url=r.url
        )
        plan.sync_object("release", key, local.get(key), fields, source)
    seen = set(keys)
    for (entity, sid), s in list(plan.sources.items()):
        if entity != "release":
            continue
        keys.setdefault(sid, s.key)
        if sid not in seen and not s.deleted:
            plan.put_source(s, _replace_source(s, deleted=True, synced=plan.now))
            plan.report.deleted += 1
    return keys


def _replace_source(s: Source, **changes: Any) -> Source:
    return replace(s, **changes)


def _sync_items(
    plan: _Plan, fetched: Fetched, team_keys: dict[str, str], release_keys: dict[str, str]
) -> tuple[dict[str, str], set[str]]:
    """Merge the fetched items; mark items gone from the scope. Returns the live keys by source
    id and the source ids just marked gone."""
    keys: dict[str, str] = {}
    for item in fetched.items:
        keys[item.source_id] = plan.key_for("work_item", item.source_id, item.key)
    local = sync_state.work_items(plan.conn, keys.values())
    for item in fetched.items:
        key = keys[item.source_id]
        fields = _item_fields(item, team_keys, release_keys)
        source = _source(
            plan, "work_item", key, item.source_id, fields, source_key=item.source_key,
            url=item.url, updated=item.updated.isoformat() if item.updated else None,
        )  # fmt: skip
        plan.sync_object("work_item", key, local.get(key), fields, source)
    gone: set[str] = set()
    for (entity, sid), s in plan.sources.items():
        if entity != "work_item" or sid in keys:
            continue
        if not s.deleted and sid not in fetched.scope_ids:
            plan.put_source(s, _replace_source(s, deleted=True, synced=plan.now))
            plan.report.deleted += 1
            gone.add(sid)
        elif not s.deleted:
            keys[sid] = s.key
    return keys, gone


def _item_fields(
    item: RemoteItem, team_keys: dict[str, str], release_keys: dict[str, str]
) -> merge.Fields:
    return {
        "title": item.title,
        "team": team_keys.get(item.team) if item.team else None,
        "release": release_keys.get(item.release) if item.release else None,
        "type": item.type,
        "status": item.status,
        "category": item.category,
        "points": item.points,
        "created": item.created.isoformat() if item.created else None,
        "resolved": item.resolved.isoformat() if item.resolved else None,
    }


def _sync_links(plan: _Plan, fetched: Fetched, item_keys: dict[str, str], gone: set[str]) -> None:
    """Add links the fetched items list; remove synced links they no longer list."""
    affected = {i.source_id for i in fetched.items} | gone
    remote: dict[str, tuple[str, str]] = {}
    for item in fetched.items:
        for link in item.links:
            if link.before in item_keys and link.after in item_keys and link.before != link.after:
                remote[f"{link.before}->{link.after}"] = (link.before, link.after)
    dep_key = {
        sid: dependency_key_of(f"item:{item_keys[a]}", f"item:{item_keys[b]}")
        for sid, (a, b) in remote.items()
    }
    stale = [
        s for (entity, sid), s in plan.sources.items()
        if entity == "dependency" and not s.deleted and sid not in remote
        and set(sid.split("->", 1)) & affected
    ]  # fmt: skip
    local = sync_state.dependencies(plan.conn, [*dep_key.values(), *(s.key for s in stale)])
    fields = {"type": "FS", "lag_days": 0}
    for sid, key in dep_key.items():
        source = _source(plan, "dependency", key, sid, fields)
        plan.sync_object("dependency", key, local.get(key), fields, source, adopt_quietly=True)
    for s in stale:
        dep = local.get(s.key)
        if dep is not None:
            if merge.fields_of("dependency", dep) == s.values():
                plan.edits["dependency"].append(Edit("dependency", s.key, dep, None))
                plan.report.links_removed += 1
            else:
                plan.conflict("dependency", s.key, "*", merge.fields_of("dependency", dep), None)
        plan.put_source(s, _replace_source(s, deleted=True, synced=plan.now))


def run_sync(
    ws: Workspace,
    name: str,
    credentials: CredentialStore,
    *,
    progress: ProgressFn = no_progress,
    cancel: CancelToken | None = None,
    full: bool = False,
    tracker: Tracker | None = None,
) -> SyncReport:
    """Prepare, fetch and apply one connection's run in this thread.

    Raises:
        UnknownObjectError: no such connection.
        CredentialError: no token, or the keyring failed.
        SyncError: the source failed; the run was logged, the plan untouched.
        Cancelled: ``cancel`` was set; the run was logged, the plan untouched.
    """
    job = prepare(ws, name, full=full)
    try:
        fetched = fetch(job, credentials, progress=progress, cancel=cancel, tracker=tracker)
        return apply(ws, job, fetched)
    except Exception as exc:
        record_failure(ws, job, exc)
        raise


def resolve_conflict(ws: Workspace, ident: str, keep: str, value: str | None = None) -> ChangeSet:
    """Settle a conflict: keep ``local``, take ``remote``, or ``edit`` to ``value`` (undoable).

    The code lives in :mod:`relplan.sync.conflicts`, which the window's Conflicts panel uses too.

    Raises:
        ValidationError: ``keep`` is unknown, no open conflict has this id, or the value is bad.
    """
    from relplan.sync import conflicts

    return conflicts.resolve(ws, ident, keep, value)


def names(ws: Workspace, wanted: Iterable[str] = ()) -> list[str]:
    """The connections to sync: ``wanted``, or every one."""
    chosen = list(wanted)
    return chosen or [c.name for c in sync_state.connections(ws.conn)]
