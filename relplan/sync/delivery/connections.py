"""Delivery-tool connections: ``relplan connection add KIND NAME ...`` and their pulls.

One shape for every delivery source: ``--url API_BASE`` (defaulting to the public service where
there is one; plain ``http://`` only on loopback, as for trackers), ``--team KEY``, one or more
``--production ENV`` (which environment names count as Production is this configuration, never
a guessed regex), and the source's own scope. The token goes to the OS keyring under the
connection's own entry; the workspace keeps the rest. A pull reads everything first and then
writes the deployments and the new watermark in one transaction: a fault writes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from relplan.errors import Issue, ValidationError
from relplan.store import delivery, sync_state
from relplan.sync.credentials import connection_key, require_secret
from relplan.sync.tracker import normalize_url

if TYPE_CHECKING:
    from relplan.metrics.delivery import PulledDeployment
    from relplan.store.workspace import Workspace
    from relplan.sync.credentials import CredentialStore
    from relplan.sync.http import HttpClient

__all__ = [
    "DEFAULT_URLS",
    "DELIVERY_KINDS",
    "PULLABLE",
    "SCOPE_OPTIONS",
    "add_delivery_connection",
    "is_delivery",
    "pull",
]

DELIVERY_KINDS: Final = ("github", "gitlab", "azure_pipelines", "jenkins", "pagerduty")
#: The kinds ``relplan sync`` can pull so far.
PULLABLE: Final = ("github", "gitlab")
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
}


def is_delivery(kind: str) -> bool:
    """Whether ``kind`` is a delivery source (not a tracker)."""
    return kind in DELIVERY_KINDS


@dataclass(frozen=True, slots=True)
class PullReport:
    """What one pull did."""

    connection: str
    fetched: int
    watermark: str | None

    def summary(self) -> str:
        """One line for people."""
        return f"{self.connection}: {self.fetched} deployments pulled"


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
    if kind != "pagerduty" and not production:
        issues.append(Issue("--production", "name at least one Production environment"))
    for option in SCOPE_OPTIONS.get(kind, ()):
        if not scope.get(option):
            issues.append(Issue(f"--{option}", f"{kind} needs --{option}"))
    base = url or DEFAULT_URLS.get(kind)
    if not base:
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
        **{k: v for k, v in scope.items() if k in SCOPE_OPTIONS.get(kind, ()) and v},
    }
    key = connection_key(ws.path, name)
    store.set(key, token)
    row = sync_state.ConnectionRow(
        name, kind, base, json.dumps(settings, ensure_ascii=False), sync_state.now_iso()
    )
    try:
        with ws.write():
            sync_state.save_connection(ws.conn, row)
    except BaseException:
        store.delete(key)  # nothing left behind
        raise
    return base


def _client(kind: str, url: str, token: str) -> HttpClient:
    from relplan.sync.http import HttpClient

    if kind == "gitlab":
        return HttpClient(url, f"Bearer {token}")
    if kind == "github":
        from relplan.sync.delivery.github import HEADERS

        return HttpClient(url, f"Bearer {token}", headers=HEADERS)
    raise ValidationError([Issue("kind", f"pulling {kind} is not supported yet")])


def pull(ws: Workspace, name: str, store: CredentialStore) -> PullReport:
    """Pull one delivery connection incrementally and store what came (all or nothing).

    Raises:
        SyncError: credentials rejected, not found, rate limit or network (nothing written).
        CredentialError: no token in the keyring.
        ValidationError: the kind cannot be pulled yet.
    """
    from relplan.sync.delivery import github, gitlab

    row = sync_state.connection(ws.conn, name)
    settings: dict[str, Any] = json.loads(row.settings or "{}")
    if row.kind not in PULLABLE:
        raise ValidationError([Issue("kind", f"pulling {row.kind} is not supported yet")])
    token = require_secret(store, connection_key(ws.path, name), name)
    previous = sync_state.state(ws.conn, name)
    watermark = None if previous is None else previous.watermark
    production = tuple(settings.get("production") or ())
    last_success = _last_success(ws, name, production)
    started = sync_state.now_iso()
    team = str(settings["team"])
    with _client(row.kind, row.url, token) as http:
        if row.kind == "github":
            hub = github.GitHubScope(name, str(settings["repo"]), team, production)
            pulled, new_mark = github.pull_deployments(
                http, hub, created_after=watermark, last_success=last_success
            )
        else:
            lab = gitlab.GitLabScope(name, str(settings["project"]), team, production)
            pulled, new_mark = gitlab.pull_deployments(
                http, lab, updated_after=watermark, last_success=last_success
            )
    with ws.write():
        pulled = _linked(ws, name, pulled)
        delivery.save_deployments(ws.conn, pulled)
        ws.conn.execute(
            "INSERT INTO sync_state (connection, watermark) VALUES (?, ?) ON CONFLICT(connection)"
            " DO UPDATE SET watermark = excluded.watermark",
            (name, new_mark),
        )
    sync_state.record_run(
        ws.conn,
        sync_state.SyncRun(
            name, started, sync_state.now_iso(), "ok", None, len(pulled), len(pulled), new_mark
        ),
    )
    return PullReport(name, len(pulled), new_mark)


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


def _last_success(ws: Workspace, name: str, production: tuple[str, ...]) -> dict[str, str]:
    """Per environment, the sha of the last successful deployment stored for the connection."""
    last: dict[str, tuple[dt.datetime, str]] = {}
    for dep in delivery.load_deployments(ws.conn, name):
        if dep.outcome == "succeeded" and dep.finished is not None:
            seen = last.get(dep.environment)
            if seen is None or dep.finished >= seen[0]:
                last[dep.environment] = (dep.finished, dep.sha)
    return {env: sha for env, (_, sha) in last.items() if env in production}
