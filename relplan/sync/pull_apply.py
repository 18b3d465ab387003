"""Step 3 of a sync run: merge what a tracker returned into the workspace as one command.

:mod:`relplan.sync.engine` reads the connection and fetches (steps 1 and 2); :func:`apply` compares
the fetch with the workspace and the last synced values and writes teams, releases, work items,
dependency links and the bookkeeping in one transaction, as the undoable command "Sync NAME".
A field edited here and changed at the source is kept and listed as a conflict.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any

from relplan.planning.wording import count
from relplan.store import sync_state
from relplan.store.commands import ChangeSet, Command, Edit
from relplan.store.entities import TABLES, dependency_key_of
from relplan.store.sync_state import Source, SyncConflict, SyncRun, SyncState, now_iso
from relplan.store.workspace import Workspace
from relplan.sync import merge
from relplan.sync.tracker import (
    ConnectionConfig,
    Fetched,
    RemoteItem,
)

#: Plan kinds in the order their edits are written.
_ORDER = ("team", "release", "work_item", "dependency", "source", "sync_conflict", "sync_state")


@dataclass(frozen=True, slots=True)
class SyncJob:
    """What :func:`relplan.sync.engine.prepare` read for a run."""

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
