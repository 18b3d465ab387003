"""Push dependency links between two synced items (contracts W.3, W.4).

A link is pushed when a local dependency ``item:A -> item:B`` (A first) joins two items of the
same connection and no connection has synced it yet (added), or when a dependency relplan synced
from this connection is gone locally (removed). Nothing else is ever deleted remotely.

Jira: an issue link of the connection's first link type. ``POST /issueLink`` answers 201 with
an empty body, so the link is read back from the issue to learn that it exists (and its id);
the POST direction differs between tenants (W.3), so the first link made is checked: when it
reads backwards it is deleted by id and made again the other way, and that direction holds for
the rest of the push. Removal is ``DELETE /issueLink/{id}`` of the id read just before.

Azure: a ``System.LinkTypes.Dependency-Forward`` relation on A pointing at B, added with
``add /relations/-`` and removed by its index in the relations just read, always after
``test /rev``; a 412/409 is re-read and becomes a conflict, never an overwrite.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from typing import Any

from relplan.errors import SyncError
from relplan.store.entities import dependency_key_of
from relplan.store.sync_state import Source, now_iso
from relplan.store.workspace import Workspace
from relplan.sync.http import HttpClient
from relplan.sync.push_model import RemoteChange
from relplan.sync.tracker import ConnectionConfig

FORWARD = "System.LinkTypes.Dependency-Forward"
#: ``ConnectionConfig.link_direction``: Cloud's reading of a POST (W.3), and the reverse one.
INWARD_BLOCKS = "inward-blocks"
MIRRORED = "mirrored"
#: What the pull stores for a synced link (the trackers carry no type or lag).
LINK_FIELDS = {"type": "FS", "lag_days": 0}
_PATCH = {"Content-Type": "application/json-patch+json"}


@dataclass
class LinkContext:
    """What link writes of one push share.

    Attributes:
        http: the tracker client.
        api: ``/rest/api/3`` or ``/rest/api/2`` (Jira), the URL-quoted project (Azure).
        config: the connection.
        mirrored: Jira: this tenant reads a POST's inward/outward the other way round (as
            the connection last found out, until a link made here reads back otherwise).
        detected: Jira: a link made in this push read back the way ``mirrored`` says.
    """

    http: HttpClient
    api: str
    config: ConnectionConfig
    mirrored: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)
    detected: bool = False

    def __post_init__(self) -> None:
        self.mirrored = self.config.link_direction == MIRRORED

    @property
    def azure(self) -> bool:
        return self.config.kind == "azure_boards"

    @property
    def link_type(self) -> str:
        """The Jira link type new links get (the first of the connection's link types)."""
        return self.config.links[0]


def plan_links(ws: Workspace, name: str) -> list[Any]:
    """The link adds and removals local edits call for (``RemoteChange`` objects)."""
    # Plain tuples and SQL joins: a push with nothing to do must stay fast on 20,000 items.
    synced: dict[str, str] = {}
    owned: set[str] = set()
    rows = ws.conn.execute(
        "SELECT key, connection, deleted, source_id FROM sources WHERE entity = 'dependency'"
    )
    for key, connection, deleted, source_id in rows:
        if connection == name and not deleted:
            synced[key] = source_id
        # Another connection's links are never pushed here; a link this connection once
        # synced and saw removed remotely may be added again.
        if not deleted or connection != name:
            owned.add(key)
    local: set[str] = set()
    changes: list[RemoteChange] = []
    rows = ws.conn.execute(
        # CROSS JOIN keeps SQLite's order: each dependency, then two primary-key lookups.
        "SELECT d.from_ref, d.to_ref, a.source_id, a.source_key, b.source_id, b.source_key "
        "FROM dependencies d "
        "CROSS JOIN sources a ON a.entity = 'work_item' AND a.key = substr(d.from_ref, 6) "
        "CROSS JOIN sources b ON b.entity = 'work_item' AND b.key = substr(d.to_ref, 6) "
        "WHERE d.from_ref LIKE 'item:%' AND d.to_ref LIKE 'item:%' AND d.from_ref <> d.to_ref "
        "AND a.connection = ?1 AND b.connection = ?1 AND a.deleted = 0 AND b.deleted = 0",
        (name,),
    )
    for from_ref, to_ref, a_id, a_key, b_id, b_key in rows:
        key = dependency_key_of(from_ref, to_ref)
        local.add(key)
        if key not in owned:
            changes.append(_change(RemoteChange, key, (a_id, a_key), (b_id, b_key), add=True))
    gone = [(key, sid) for key, sid in synced.items() if key not in local]
    if gone:
        found = ws.conn.execute(
            "SELECT source_id, source_key FROM sources WHERE connection = ? "
            "AND entity = 'work_item'",
            (name,),
        )
        by_id = {sid: (sid, skey) for sid, skey in found}
        for key, sid in gone:
            before, _, after = sid.partition("->")
            a_ = by_id.get(before, (before, None))
            b_ = by_id.get(after, (after, None))
            changes.append(_change(RemoteChange, key, a_, b_, add=False))
    return changes


def _change(
    cls: Any, key: str, a: tuple[str, str | None], b: tuple[str, str | None], *, add: bool
) -> Any:
    """A link change; ``a`` and ``b`` are the ends' (remote id, remote key)."""
    text = f"{a[1] or a[0]} -> {b[1] or b[0]}"
    return cls(
        "dependency", key, f"{a[0]}->{b[0]}", f"link {text}", "link", "link",
        None if add else text, text if add else None, group=f"work_item|{a[0]}",
    )  # fmt: skip


def describe_field(config: ConnectionConfig) -> str:
    """The remote field a link change writes (a Jira link type, an Azure relation)."""
    return FORWARD if config.kind == "azure_boards" else f"issue link {config.links[0]}"


def push_link(
    ctx: LinkContext, change: Any, *, write: bool, revs: dict[str, int]
) -> tuple[Any, bool]:
    """Read a link, write it when the three-way compare allows; (remote value, stale)."""
    before, _, after = change.source_id.partition("->")
    text = change.new if change.new is not None else change.base
    if ctx.azure:
        index = _azure_read(ctx, before, after, change.remote_object, revs)
        remote = text if index is not None else None
        if not (write and remote != change.new and remote == change.base):
            return remote, False
        try:
            _azure_write(ctx, before, after, index, revs[before], change.remote_object)
        except SyncError as exc:
            if exc.status not in (409, 412):
                raise
            index = _azure_read(ctx, before, after, change.remote_object, revs)
            return (text if index is not None else None), True
        return remote, False  # the value before the write: it counts as written
    ids, _ = _jira_read(ctx, before, after, change.remote_object)
    remote = text if ids else None
    if write and remote != change.new and remote == change.base:
        if change.new is None:
            for link_id in ids:
                _jira_delete(ctx, link_id, change.remote_object)
        else:
            _jira_create(ctx, before, after, change.remote_object)
    return remote, False


# -- Jira --------------------------------------------------------------------------------------
def _jira_read(ctx: LinkContext, before: str, after: str, what: str) -> tuple[list[str], list[str]]:
    """Ids of links of the type where ``before`` blocks ``after``, and of the reverse ones."""
    issue = ctx.http.get(f"{ctx.api}/issue/{before}", params={"fields": "issuelinks"}, what=what)
    wanted = set(ctx.config.links)
    forward: list[str] = []
    backward: list[str] = []
    for link in (issue.get("fields") or {}).get("issuelinks") or []:
        kind = link.get("type") or {}
        if kind.get("name") not in wanted and str(kind.get("id")) not in wanted:
            continue
        # On the issue read, outwardIssue Y means "this blocks Y" (unambiguous on GET).
        if str((link.get("outwardIssue") or {}).get("id")) == after:
            forward.append(str(link.get("id")))
        elif str((link.get("inwardIssue") or {}).get("id")) == after:
            backward.append(str(link.get("id")))
    return forward, backward


def _jira_post(ctx: LinkContext, before: str, after: str, mirrored: bool, what: str) -> None:
    kind = ctx.link_type
    ref = {"id": kind} if kind.isdigit() else {"name": kind}
    # Cloud: the POST's inwardIssue is the one that shows the outward phrase ("blocks").
    first, second = (after, before) if mirrored else (before, after)
    ctx.http.post(
        f"{ctx.api}/issueLink",
        {"type": ref, "inwardIssue": {"id": first}, "outwardIssue": {"id": second}},
        what=what,
    )


def _jira_create(ctx: LinkContext, before: str, after: str, what: str) -> None:
    """Create the link and read it back; turn it round once if the tenant reads POSTs mirrored."""
    _, old_backward = _jira_read(ctx, before, after, what)
    with ctx.lock:
        mirrored = ctx.mirrored
    _jira_post(ctx, before, after, mirrored, what)
    forward, backward = _jira_read(ctx, before, after, what)
    if forward:
        with ctx.lock:
            ctx.detected = True
        return
    wrong = [i for i in backward if i not in old_backward]
    if not wrong:
        raise SyncError(SyncError.REMOTE, f"{what}: the new link could not be read back")
    # The tenant reads inward/outward the other way: undo our own link and make it right.
    for link_id in wrong:
        _jira_delete(ctx, link_id, what)
    with ctx.lock:
        ctx.mirrored = not mirrored
    _jira_post(ctx, before, after, not mirrored, what)
    forward, _ = _jira_read(ctx, before, after, what)
    if not forward:
        raise SyncError(SyncError.REMOTE, f"{what}: the new link could not be read back")
    with ctx.lock:
        ctx.detected = True


def remember_direction(ws: Workspace, name: str, ctx: LinkContext) -> None:
    """Save the POST direction a push found (a setting), so later pushes start with it and
    never make a wrong-way link to find it out again."""
    if ctx.azure or not ctx.detected:
        return
    from relplan.sync import push
    from relplan.sync.engine import load_config

    found = MIRRORED if ctx.mirrored else INWARD_BLOCKS
    config = load_config(ws, name)  # as stored now (the push may have changed other settings)
    if config.link_direction != found:
        push._store(ws, replace(config, link_direction=found))


def _jira_delete(ctx: LinkContext, link_id: str, what: str) -> None:
    try:
        ctx.http.request("DELETE", f"{ctx.api}/issueLink/{link_id}", what=what)
    except SyncError as exc:
        if exc.status != 404:  # already gone: what was wanted
            raise


# -- Azure -------------------------------------------------------------------------------------
def _azure_read(
    ctx: LinkContext, before: str, after: str, what: str, revs: dict[str, int]
) -> int | None:
    """The index of ``before``'s Forward relation to ``after`` (None: none); keeps the rev."""
    item = ctx.http.get(
        f"{ctx.api}/_apis/wit/workitems/{before}",
        params={"api-version": "7.1", "$expand": "relations"}, what=what,
    )  # fmt: skip
    revs[before] = int(item.get("rev") or 0)
    for n, relation in enumerate(item.get("relations") or []):
        target = str(relation.get("url") or "").rstrip("/").rsplit("/", 1)[-1]
        if str(relation.get("rel") or "").casefold() == FORWARD.casefold() and target == after:
            return n
    return None


def _azure_write(
    ctx: LinkContext, before: str, after: str, index: int | None, rev: int, what: str
) -> None:
    if index is None:
        url = f"{ctx.config.url}/_apis/wit/workItems/{after}"
        op: dict[str, Any] = {
            "op": "add",
            "path": "/relations/-",
            "value": {"rel": FORWARD, "url": url},
        }
    else:
        # The index is only valid for the relations just read: the rev test guards it.
        op = {"op": "remove", "path": f"/relations/{index}"}
    ctx.http.request(
        "PATCH", f"{ctx.api}/_apis/wit/workitems/{before}", params={"api-version": "7.1"},
        headers=_PATCH, what=what, body=[{"op": "test", "path": "/rev", "value": rev}, op],
    )  # fmt: skip


def source_after(change: Any, name: str, old: Source | None) -> Source:
    """The link's bookkeeping after it was pushed (or found already so)."""
    if change.new is None:
        assert old is not None
        return replace(old, deleted=True, synced=now_iso())
    import json

    return Source(
        "dependency", change.key, name, change.source_id, None, None, None, now_iso(), False,
        json.dumps(LINK_FIELDS),
    )  # fmt: skip
