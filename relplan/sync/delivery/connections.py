"""Delivery-tool connections: ``relplan connection add KIND NAME ...`` and their pulls.

One shape for every delivery source: ``--url API_BASE`` (defaulting to the public service where
there is one; plain ``http://`` only on loopback, as for trackers), ``--team KEY``, one or more
``--production ENV`` (which environment names count as Production is this configuration, never
a guessed regex), and the source's own scope. The token goes to the OS keyring under the
connection's own entry; the workspace keeps the rest. A pull reads everything first and then
writes the deployments and the new watermark in one transaction: a fault writes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from relplan.errors import Issue, ValidationError
from relplan.store import delivery, sync_state
from relplan.sync.credentials import SecretRef, connection_key, read_secret, require_secret
from relplan.sync.tracker import normalize_url

if TYPE_CHECKING:
    from relplan.metrics.delivery import PulledDeployment
    from relplan.store.commands import ChangeSet
    from relplan.store.workspace import Workspace
    from relplan.sync.credentials import CredentialStore
    from relplan.sync.delivery.common import PullContext, Pulled
    from relplan.sync.tracker import CancelToken

__all__ = [
    "DEFAULT_URLS",
    "DELIVERY_KINDS",
    "PULLABLE",
    "SCOPE_OPTIONS",
    "SOURCES",
    "DeliveryJob",
    "add_delivery_connection",
    "apply",
    "check",
    "fetch",
    "is_delivery",
    "prepare",
    "pull",
]

DELIVERY_KINDS: Final = (
    "github", "gitlab", "azure_pipelines", "jenkins", "pagerduty", "jira_incidents",
)  # fmt: skip
#: The kinds ``relplan sync`` can pull.
PULLABLE: Final = DELIVERY_KINDS
#: Kinds that give only incidents, and kinds that give incidents only when asked to.
INCIDENTS_ONLY: Final = ("pagerduty", "jira_incidents")
DEPLOYMENTS_ONLY: Final = ("github", "gitlab", "azure_pipelines", "jenkins")
DEFAULT_URLS: Final = {
    "github": "https://api.github.com",
    "gitlab": "https://gitlab.com/api/v4",
    "pagerduty": "https://api.pagerduty.com",
}
#: Per kind, the scope options it needs (``--repo`` ...), as settings keys.
SCOPE_OPTIONS: Final[dict[str, tuple[str, ...]]] = {
    "github": ("repo",),
    "gitlab": ("project",),
    "azure_pipelines": ("project",),
    "jenkins": ("job", "user"),
    "pagerduty": ("service",),
    "jira_incidents": ("from", "issue_type"),
}
#: Per kind, options it may have besides its scope.
EXTRA_OPTIONS: Final[dict[str, tuple[str, ...]]] = {"github": ("incident_label", "workflow")}


def is_delivery(kind: str) -> bool:
    """Whether ``kind`` is a delivery source (not a tracker)."""
    return kind in DELIVERY_KINDS


@dataclass(frozen=True, slots=True)
class PullReport:
    """What one pull did."""

    connection: str
    fetched: int
    watermark: str | None
    incidents: int | None = None
    incidents_only: bool = False
    removed: int = 0

    @property
    def changes(self) -> ChangeSet:
        """No plan change: pulled deployments and incidents are not undoable plan edits."""
        from relplan.store.commands import ChangeSet

        return ChangeSet()

    def summary(self) -> str:
        """One line for people."""
        if self.incidents_only:
            line = f"{self.connection}: {self.incidents or 0} incidents pulled"
        else:
            line = f"{self.connection}: {self.fetched} deployments pulled"
            if self.incidents is not None:
                line += f", {self.incidents} incidents"
        if self.removed:
            line += f", {self.removed} removed (no longer incidents)"
        return line


def add_delivery_connection(
    ws: Workspace,
    *,
    kind: str,
    name: str,
    url: str | None,
    team: str | None,
    production: tuple[str, ...],
    scope: Mapping[str, str | None],
    token: str,
    store: CredentialStore,
) -> str:
    """Keep a new delivery connection; its token goes to the keyring. Returns its URL.

    Raises:
        ValidationError: a missing or wrong option (one line each, naming the option).
    """
    issues = []
    if kind not in DELIVERY_KINDS:
        kinds = ", ".join(DELIVERY_KINDS)
        issues.append(Issue("kind", f"unknown kind {kind!r} (expected one of: {kinds})"))
    if not team:
        issues.append(Issue("--team", "give the team whose deployments these are"))
    if kind not in INCIDENTS_ONLY and not production:
        issues.append(Issue("--production", "name at least one Production environment"))
    for option in SCOPE_OPTIONS.get(kind, ()):
        if not scope.get(option):
            flag = "--" + option.replace("_", "-")
            issues.append(Issue(flag, f"{kind} needs {flag}"))
    base = url or DEFAULT_URLS.get(kind)
    if kind == "jira_incidents":
        from relplan.sync.delivery.jira_incidents import jira_url

        base, problem = jira_url(ws, str(scope.get("from") or ""))
        if problem:
            issues.append(problem)
    elif not base:
        issues.append(Issue("--url", f"{kind} has no public service: give --url"))
    if any(c.name == name for c in sync_state.connections(ws.conn)):
        issues.append(Issue("name", f"a connection {name!r} exists already"))
    if issues:
        raise ValidationError(issues)
    assert base is not None
    assert team is not None
    base = normalize_url(base)
    settings = {
        "team": team,
        "production": list(production),
        **{
            k: v
            for k, v in scope.items()
            if k in SCOPE_OPTIONS.get(kind, ()) + EXTRA_OPTIONS.get(kind, ()) and v
        },
    }
    key = connection_key(ws.path, name)
    if kind != "jira_incidents":  # signs in with its Jira connection's token
        store.set(key, token)
    row = sync_state.ConnectionRow(
        name, kind, base, json.dumps(settings, ensure_ascii=False), sync_state.now_iso()
    )
    try:
        with ws.write():
            sync_state.save_connection(ws.conn, row)
    except BaseException:
        if kind != "jira_incidents":
            store.delete(key)  # nothing left behind
        raise
    return base


#: Per kind, the module under relplan/sync/delivery that pulls it.
SOURCES: Final = {
    "github": "github",
    "gitlab": "gitlab",
    "azure_pipelines": "azure_pipelines",
    "jenkins": "jenkins",
    "pagerduty": "pagerduty",
    "jira_incidents": "jira_incidents",
}


@dataclass(frozen=True, slots=True)
class DeliveryJob:
    """One pull between its steps: what it read from the workspace, where its token is.

    Attributes:
        kind: The connection's kind.
        ctx: The pull context.
        secret: The keyring entry of its own token, or the reference to another connection's
            (``jira_incidents`` signs in as its Jira connection).
        started: When the run started.
    """

    kind: str
    ctx: PullContext
    secret: str | SecretRef
    started: str


def prepare(ws: Workspace, name: str) -> DeliveryJob:
    """Read what a pull of connection ``name`` needs from the workspace (database lane).

    Raises:
        UnknownObjectError: no such connection.
        ValidationError: the kind cannot be pulled.
    """
    from relplan.sync.delivery.common import PullContext

    row = sync_state.connection(ws.conn, name)
    settings: dict[str, Any] = json.loads(row.settings or "{}")
    if row.kind not in SOURCES:
        raise ValidationError([Issue("kind", f"pulling {row.kind} is not supported")])
    previous = sync_state.state(ws.conn, name)
    ctx = PullContext(
        name, row.url, settings, None if previous is None else previous.watermark,
        delivery.load_deployments(ws.conn, name), delivery.load_incidents(ws.conn, name),
    )  # fmt: skip
    secret: str | SecretRef = connection_key(ws.path, name)
    source = _source(row.kind)
    if hasattr(source, "resolve"):  # a source that signs in through another connection
        ctx, secret = source.resolve(ws, ctx)
    return DeliveryJob(row.kind, ctx, secret, sync_state.now_iso())


def fetch(job: DeliveryJob, store: CredentialStore, cancel: CancelToken | None = None) -> Pulled:
    """Read the source (network lane; never touches the workspace).

    Raises:
        SyncError: credentials rejected, not found, rate limit or network.
        CredentialError: no token in the keyring.
        Cancelled: ``cancel`` was set.
    """
    token = _token(job, store)
    with _source(job.kind).client(job.ctx, token) as http:
        if cancel is not None:
            http.cancel = cancel
        got: Pulled = _source(job.kind).pull(http, job.ctx)
    if cancel is not None:
        cancel.raise_if_cancelled()
    return got


def apply(ws: Workspace, job: DeliveryJob, got: Pulled) -> PullReport:
    """Write what a pull read, and its watermark, in one transaction (database lane)."""
    name = job.ctx.connection
    with ws.write():
        pulled = _linked(ws, name, got.deployments)
        delivery.save_deployments(ws.conn, pulled)
        delivery.save_incidents(ws.conn, got.incidents)
        removed = delivery.delete_incidents(ws.conn, name, got.gone_incidents)
        ws.conn.execute(
            "INSERT INTO sync_state (connection, watermark) VALUES (?, ?) ON CONFLICT(connection)"
            " DO UPDATE SET watermark = excluded.watermark",
            (name, got.watermark),
        )
    count = len(pulled) + len(got.incidents)
    sync_state.record_run(
        ws.conn,
        sync_state.SyncRun(
            name, job.started, sync_state.now_iso(), "ok", None, count, count, got.watermark
        ),
    )
    labelled = bool(job.ctx.settings.get("incident_label"))
    incidents = None if job.kind in DEPLOYMENTS_ONLY and not labelled else len(got.incidents)
    return PullReport(
        name, len(pulled), got.watermark, incidents, job.kind in INCIDENTS_ONLY, removed
    )


def check(ws: Workspace, name: str, store: CredentialStore) -> str:
    """Sign in to the source with the stored token and read the connection's scope once.

    Returns:
        What was reached, for people ("repository acme/app").

    Raises:
        SyncError: credentials rejected, scope not found, rate limit or network.
        CredentialError: no token in the keyring.
    """
    job = prepare(ws, name)
    token = _token(job, store)
    with _source(job.kind).client(job.ctx, token) as http:
        return str(_source(job.kind).check(http, job.ctx))


def _token(job: DeliveryJob, store: CredentialStore) -> str:
    if isinstance(job.secret, str):
        return require_secret(store, job.secret, job.ctx.connection)
    return read_secret(store, job.secret)


def pull(ws: Workspace, name: str, store: CredentialStore) -> PullReport:
    """Pull one delivery connection incrementally and store what came (all or nothing).

    Raises:
        SyncError: credentials rejected, not found, rate limit or network (nothing written).
        CredentialError: no token in the keyring.
        ValidationError: the kind cannot be pulled.
    """
    job = prepare(ws, name)
    return apply(ws, job, fetch(job, store))


def _source(kind: str) -> Any:
    import importlib

    return importlib.import_module(f"relplan.sync.delivery.{SOURCES[kind]}")


def _linked(ws: Workspace, name: str, pulled: list[PulledDeployment]) -> list[PulledDeployment]:
    """The deployments linked to releases; a person's override of a stored one is kept."""
    from dataclasses import replace

    from relplan.metrics.delivery_links import link_releases
    from relplan.planning.readiness import plan_zone

    overrides = {
        d.source_id: d.release
        for d in delivery.load_deployments(ws.conn, name)
        if d.link == "override"
    }
    kept = [
        replace(d, release=overrides[d.source_id], link="override")
        if d.source_id in overrides
        else d
        for d in pulled
    ]
    plan = ws.release_plan()
    return link_releases(kept, plan.releases, plan_zone(plan))
