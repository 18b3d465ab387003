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
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from relplan.errors import Issue, ValidationError
from relplan.store import delivery, sync_state
from relplan.sync.credentials import SecretRef, connection_key, read_secret, require_secret
from relplan.sync.tracker import normalize_url, url_problem

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
    "DeliverySpec",
    "PullReport",
    "add_delivery_connection",
    "apply",
    "check",
    "fetch",
    "is_delivery",
    "prepare",
    "prepare_unsaved",
    "probe",
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

    @property
    def wrote(self) -> bool:
        """Whether it stored or removed anything (the views showing deployments read again)."""
        return bool(self.fetched or self.incidents or self.removed)

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


@dataclass(frozen=True, slots=True)
class DeliverySpec:
    """A delivery connection as people describe it: the CLI's options, the window's fields.

    Attributes:
        kind: One of :data:`DELIVERY_KINDS`.
        name: The connection's name.
        url: The API base (None: the public service, or the Jira connection's site).
        team: The team whose deployments and incidents these are.
        production: The environment names that count as Production.
        scope: The source's own options (:data:`SCOPE_OPTIONS`, :data:`EXTRA_OPTIONS`), by
            settings key (``repo``, ``project``, ``from`` …).
    """

    kind: str
    name: str
    url: str | None = None
    team: str | None = None
    production: tuple[str, ...] = ()
    scope: Mapping[str, str | None] = field(default_factory=dict)

    @classmethod
    def from_row(cls, row: sync_state.ConnectionRow) -> DeliverySpec:
        """The spec of a stored connection."""
        settings: dict[str, Any] = json.loads(row.settings or "{}")
        keys = SCOPE_OPTIONS.get(row.kind, ()) + EXTRA_OPTIONS.get(row.kind, ())
        return cls(
            row.kind, row.name, row.url, str(settings.get("team") or ""),
            tuple(settings.get("production") or ()),
            {k: str(settings[k]) for k in keys if settings.get(k)},
        )  # fmt: skip

    def issues(self) -> list[Issue]:
        """What is missing or wrong, found without the workspace (one line each, naming the
        option)."""
        kind, issues = self.kind, []
        if kind not in DELIVERY_KINDS:
            kinds = ", ".join(DELIVERY_KINDS)
            issues.append(Issue("kind", f"unknown kind {kind!r} (expected one of: {kinds})"))
        if not self.name or any(c in self.name for c in "|\n") or self.name != self.name.strip():
            issues.append(Issue("name", f"{self.name!r} is not a usable connection name"))
        if not self.team:
            issues.append(Issue("--team", "give the team whose deployments these are"))
        if kind not in INCIDENTS_ONLY and not self.production:
            issues.append(Issue("--production", "name at least one Production environment"))
        for option in SCOPE_OPTIONS.get(kind, ()):
            if not self.scope.get(option):
                flag = "--" + option.replace("_", "-")
                issues.append(Issue(flag, f"{kind} needs {flag}"))
        base = self.url or DEFAULT_URLS.get(kind)
        if kind == "jira_incidents":
            pass  # the Jira connection's site: checked with the workspace
        elif not base:
            issues.append(Issue("--url", f"{kind} has no public service: give --url"))
        else:
            problem = url_problem(base)
            if problem:
                issues.append(Issue("--url", problem))
        return issues

    def settings(self) -> dict[str, Any]:
        """What the workspace keeps besides name, kind and URL."""
        keys = SCOPE_OPTIONS.get(self.kind, ()) + EXTRA_OPTIONS.get(self.kind, ())
        return {
            "team": self.team,
            "production": list(self.production),
            **{k: v for k, v in self.scope.items() if k in keys and v},
        }

    def resolved(self, ws: Workspace, *, new: bool = True) -> tuple[str, list[Issue]]:
        """Its URL (the default, or the Jira connection's site) and the problems found with
        the workspace too (no such Jira connection; with ``new``, the name taken)."""
        issues = self.issues()
        base = self.url or DEFAULT_URLS.get(self.kind) or ""
        if self.kind == "jira_incidents":
            from relplan.sync.delivery.jira_incidents import jira_url

            site, problem = jira_url(ws, str(self.scope.get("from") or ""))
            if problem:
                issues.append(problem)
            base = site or ""
        if new and any(c.name == self.name for c in sync_state.connections(ws.conn)):
            issues.append(Issue("name", f"a connection {self.name!r} exists already"))
        return base, issues


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

    ``relplan connection add KIND ...`` and the window's Connections dialog both call this.

    Raises:
        ValidationError: a missing or wrong option (one line each, naming the option).
    """
    spec = DeliverySpec(kind, name, url, team, tuple(production), scope)
    base, issues = spec.resolved(ws)
    if issues:
        raise ValidationError(issues)
    base = normalize_url(base)
    key = connection_key(ws.path, name)
    if kind != "jira_incidents":  # signs in with its Jira connection's token
        store.set(key, token)
    row = sync_state.ConnectionRow(
        name, kind, base, json.dumps(spec.settings(), ensure_ascii=False), sync_state.now_iso()
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


def prepare(ws: Workspace, name: str, *, history: bool = True) -> DeliveryJob:
    """Read what a pull of connection ``name`` needs from the workspace (database lane).

    Args:
        ws: The workspace.
        name: The connection.
        history: Whether to read what is stored already (a test of the connection needs not).

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
        delivery.load_deployments(ws.conn, name) if history else (),
        delivery.load_incidents(ws.conn, name) if history else (),
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
    """Sign in to the source with the stored token and read the connection's scope once
    (``relplan connection test NAME``; the window runs its two steps on their own lanes).

    Returns:
        What was reached, for people ("repository acme/app").

    Raises:
        SyncError: credentials rejected, scope not found, rate limit or network.
        CredentialError: no token in the keyring.
    """
    return probe(prepare(ws, name, history=False), store)


def prepare_unsaved(ws: Workspace, spec: DeliverySpec) -> DeliveryJob:
    """What testing a connection that is not stored yet needs (database lane).

    Raises:
        ValidationError: a missing or wrong field, or no such Jira connection.
    """
    from relplan.sync.delivery.common import PullContext

    base, issues = spec.resolved(ws, new=False)
    if issues:
        raise ValidationError(issues)
    ctx = PullContext(spec.name, normalize_url(base), spec.settings())
    secret: str | SecretRef = connection_key(ws.path, spec.name)
    source = _source(spec.kind)
    if hasattr(source, "resolve"):
        ctx, secret = source.resolve(ws, ctx)
    return DeliveryJob(spec.kind, ctx, secret, sync_state.now_iso())


def probe(job: DeliveryJob, store: CredentialStore, token: str | None = None) -> str:
    """Sign in and read the scope once (network lane; never touches the workspace).

    Args:
        job: From :func:`prepare` or :func:`prepare_unsaved`.
        store: The keyring.
        token: A token typed but not stored yet (None: the keyring's). A connection that signs
            in as another (``jira_incidents``) always uses that one's.

    Raises:
        SyncError: credentials rejected, scope not found, rate limit or network.
        CredentialError: no token in the keyring.
    """
    secret = token if token and isinstance(job.secret, str) else _token(job, store)
    with _source(job.kind).client(job.ctx, secret) as http:
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
