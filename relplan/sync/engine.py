"""The sync engine: fetch everything first, then apply it as one undoable command.

A run has three steps, so the window can put each on the right lane (STYLE §6):

1. :func:`prepare` (database): read the connection, the watermark and the synced ids.
2. :func:`fetch` (network, no database): the tracker client pages through the source.
3. :func:`apply` (database; its code is in :mod:`relplan.sync.pull_apply`): compare with the
   workspace and the last synced values, then write teams, releases, work items, dependency
   links and the bookkeeping in one transaction, as the command "Sync NAME" (undoable). A field
   edited here and changed at the source is kept and listed as a conflict.

A run that fails or is cancelled writes nothing but its ``sync_runs`` row (:func:`record_failure`).
:func:`run_sync` does all three in one thread, for the command line and tests.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import replace

from relplan.domain.bounds import clip
from relplan.errors import Cancelled, RelplanError, SyncError
from relplan.store import sync_state
from relplan.store.commands import ChangeSet
from relplan.store.sync_state import SyncRun, now_iso
from relplan.store.workspace import Workspace
from relplan.sync.credentials import (
    CredentialStore,
    SecretRef,
    connection_key,
    forget_secret,
    read_secret,
    require_secret,
)
from relplan.sync.pull_apply import SyncJob as SyncJob
from relplan.sync.pull_apply import SyncReport as SyncReport
from relplan.sync.pull_apply import apply as apply
from relplan.sync.tracker import (
    AZURE_BOARDS,
    CancelToken,
    ConnectionConfig,
    Fetched,
    FetchRequest,
    Identity,
    ProgressFn,
    Tracker,
    no_progress,
)

log = logging.getLogger(__name__)


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
