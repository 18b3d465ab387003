"""What the sync engine and the tracker clients share: connections, records, progress, cancel."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Protocol
from urllib.parse import urlsplit

from relplan.errors import Cancelled, Issue, ValidationError
from relplan.sync.credentials import SecretRef

JIRA_CLOUD: Final = "jira_cloud"
JIRA_DC: Final = "jira_dc"
AZURE_BOARDS: Final = "azure_boards"
CONNECTION_KINDS: Final = (JIRA_CLOUD, JIRA_DC, AZURE_BOARDS)

#: Link types that become dependencies unless a connection says otherwise.
DEFAULT_LINKS: Final[dict[str, tuple[str, ...]]] = {
    JIRA_CLOUD: ("Blocks",),
    JIRA_DC: ("Blocks",),
    AZURE_BOARDS: (
        "System.LinkTypes.Dependency-Forward",
        "System.LinkTypes.Dependency-Reverse",
    ),
}


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def normalize_url(url: str) -> str:
    """The base URL of a tracker, without a trailing slash.

    Plain ``http://`` is accepted only for loopback hosts (local proxies and tests), so a token
    never crosses a network unencrypted.

    Raises:
        ValidationError: the URL is not http(s), has no host, carries credentials, or is plain
            http to a non-loopback host.
    """
    text = url.strip()
    problem = url_problem(text)
    if not problem and (urlsplit(text).query or urlsplit(text).fragment):
        problem = "the URL must not have a query or fragment"
    if problem:
        raise ValidationError([Issue("url", problem)])
    return text.rstrip("/")


def url_problem(url: str, *, secret: str = "token") -> str:
    """Why a secret must not be sent to ``url`` (empty when it may): the rule for every server
    relplan sends a secret to (trackers, CalDAV).

    The URL must be http(s) with a host and no credentials in it, and plain ``http://`` only
    to a loopback host, so a secret never crosses a network unencrypted.

    Args:
        url: The server URL.
        secret: What would be sent, for the message (``token``, ``password``).
    """
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"{url!r} is not an http(s) URL with a host"
    if parts.username or parts.password:
        return f"the URL must not contain a user name or password; the {secret} goes in the keyring"
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        return (
            f"plain http:// to {parts.hostname} would send the {secret} unencrypted; "
            "use https:// (http:// is allowed only for localhost)"
        )
    return ""


@dataclass(frozen=True, slots=True)
class FieldMapping:
    """How a connection's payloads become plan objects.

    Attributes:
        links: link types that are dependencies (Jira link type names or ids; Azure relation
            reference names). Empty: the kind's default.
        team_from: Jira ``project`` (default) or ``field:ID``; Azure ``area`` (default, the area
            path below the project), ``project`` or ``field:REFNAME``.
        release_from: Jira ``versions`` (fixVersions and project versions, default); Azure
            ``iterations`` (the team's iterations, default); either ``field:FIELD`` (releases
            are the distinct values of that field, one per team and value) or ``none``.
        points_field: the story-point field id; empty: found from the instance's field list.
        target_field: the field carrying target dates (Jira id or name, e.g. ``duedate``;
            Azure reference name). A version or iteration without its own end date takes the
            latest value over its items; with ``release_from=field:…`` it gives the target.
            Empty: versions' ``releaseDate`` / iterations' ``finishDate`` only.
        start_field: with ``release_from=field:…``, the field whose earliest value over the
            items is the release's start; empty: the items' created date; ``none``: undated.
        states: status name -> ``todo|in_progress|done``, overriding the source's category.
        key_prefix: Azure only: work item keys are ``PREFIX + id`` (default ``AB#``).
    """

    links: tuple[str, ...] = ()
    team_from: str = ""
    release_from: str = ""
    points_field: str = ""
    states: Mapping[str, str] = field(default_factory=dict)
    key_prefix: str = "AB#"
    target_field: str = ""
    start_field: str = ""

    @property
    def release_field(self) -> str:
        """The field releases come from (``release_from=field:FIELD``), else empty."""
        how = self.release_from
        return how.removeprefix("field:").strip() if how.startswith("field:") else ""

    @property
    def uses_item_dates(self) -> bool:
        """Whether releases need facts from every item in scope (kept between runs)."""
        return bool(self.release_field or self.target_field)

    def to_json(self) -> dict[str, Any]:
        """The mapping as stored in the connection's settings."""
        return {
            "links": list(self.links),
            "team_from": self.team_from,
            "release_from": self.release_from,
            "points_field": self.points_field,
            "states": dict(self.states),
            "key_prefix": self.key_prefix,
            "target_field": self.target_field,
            "start_field": self.start_field,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FieldMapping:
        """The mapping back from :meth:`to_json` (missing keys take defaults)."""
        return cls(
            links=tuple(str(x) for x in data.get("links", ())),
            team_from=str(data.get("team_from", "")),
            release_from=str(data.get("release_from", "")),
            points_field=str(data.get("points_field", "")),
            states={str(k): str(v) for k, v in dict(data.get("states", {})).items()},
            key_prefix=str(data.get("key_prefix", "AB#")),
            target_field=str(data.get("target_field", "")),
            start_field=str(data.get("start_field", "")),
        )


@dataclass(frozen=True, slots=True)
class ConnectionConfig:
    """A connection to one tracker (no secret: that lives in the keyring).

    Attributes:
        name: the connection's name in the workspace.
        kind: ``jira_cloud``, ``jira_dc`` or ``azure_boards``.
        url: the site (Jira) or organisation (Azure) URL.
        user: the e-mail address (Jira Cloud); empty for token-only kinds.
        jql: the Jira scope.
        wiql: the Azure scope: a WIQL WHERE condition or a whole ``SELECT`` query.
        project: the Azure project.
        team: the Azure team (its iterations become releases).
        mapping: how payloads become plan objects.
        push: local edits may be written back (``relplan connection set NAME --push on``).
    """

    name: str
    kind: str
    url: str
    user: str = ""
    jql: str = ""
    wiql: str = ""
    project: str = ""
    team: str = ""
    mapping: FieldMapping = field(default_factory=FieldMapping)
    push: bool = False
    #: The first push after ``--push on`` was shown as a preview; the next one writes.
    push_previewed: bool = False
    #: A push also creates a version/iteration for a new local release of a synced team.
    create_releases: bool = False
    #: Azure: where a push creates iterations, below the project's root iteration
    #: (``Releases\\2026``); empty: directly under the root.
    iteration_root: str = ""
    #: Jira: how this tenant reads a ``POST /issueLink`` (W.3), once a push found out:
    #: ``inward-blocks`` (Cloud: the inwardIssue shows the outward phrase) or ``mirrored``.
    link_direction: str = ""
    #: Where its secret is kept, when read from a workspace (``engine.load_config``).
    secret: SecretRef | None = field(default=None, compare=False, repr=False)

    @property
    def credential_key(self) -> str:
        """The legacy keyring name of this connection's secret, ``kind:url:user``, shared by
        connections to the same site and account (see :mod:`relplan.sync.credentials`)."""
        return f"{self.kind}:{self.url}:{self.user}"

    @property
    def links(self) -> tuple[str, ...]:
        """The link types that are dependencies."""
        return self.mapping.links or DEFAULT_LINKS[self.kind]

    def settings_json(self) -> str:
        """Everything but name, kind and URL, as stored in ``connections.settings``."""
        data: dict[str, Any] = {
            "user": self.user,
            "jql": self.jql,
            "wiql": self.wiql,
            "project": self.project,
            "team": self.team,
            "mapping": self.mapping.to_json(),
        }
        if self.push:  # absent when off, so older settings stay byte-identical
            data["push"] = True
        if self.push_previewed:
            data["push_previewed"] = True
        if self.create_releases:
            data["create_releases"] = True
        if self.iteration_root:
            data["iteration_root"] = self.iteration_root
        if self.link_direction:
            data["link_direction"] = self.link_direction
        return json.dumps(data, sort_keys=True, ensure_ascii=False)

    def scope_signature(self) -> str:
        """What makes two scopes the same; a changed scope starts over with a full sync."""
        parts: list[Any] = [self.kind, self.url, self.jql, self.wiql, self.project, self.team]
        m = self.mapping
        if m.uses_item_dates:
            # Releases from item fields need every item: a new mapping starts over too.
            parts.append([m.release_from, m.target_field, m.start_field])
        return json.dumps(parts)

    @classmethod
    def from_row(cls, name: str, kind: str, url: str, settings: str) -> ConnectionConfig:
        """A connection from its ``connections`` row."""
        data = json.loads(settings or "{}")
        return cls(
            name=name,
            kind=kind,
            url=url,
            user=str(data.get("user", "")),
            jql=str(data.get("jql", "")),
            wiql=str(data.get("wiql", "")),
            project=str(data.get("project", "")),
            team=str(data.get("team", "")),
            mapping=FieldMapping.from_json(data.get("mapping", {})),
            push=bool(data.get("push", False)),
            push_previewed=bool(data.get("push_previewed", False)),
            create_releases=bool(data.get("create_releases", False)),
            iteration_root=str(data.get("iteration_root", "")),
            link_direction=str(data.get("link_direction", "")),
        )

    def validate(self) -> None:
        """Check what each kind needs.

        Raises:
            ValidationError: listing every missing or wrong part.
        """
        issues: list[Issue] = []
        if not self.name or any(c in self.name for c in "|\n") or self.name != self.name.strip():
            issues.append(Issue("name", f"{self.name!r} is not a usable connection name"))
        if self.kind not in CONNECTION_KINDS:
            kinds = ", ".join(CONNECTION_KINDS)
            issues.append(Issue("kind", f"unknown kind {self.kind!r} (expected one of: {kinds})"))
        try:
            normalize_url(self.url)
        except ValidationError as exc:
            issues.extend(exc.issues)
        if self.kind == JIRA_CLOUD and "@" not in self.user:
            issues.append(Issue("email", "Jira Cloud needs the account's e-mail address"))
        if self.kind in (JIRA_CLOUD, JIRA_DC) and not self.jql.strip():
            issues.append(Issue("jql", "a JQL query is needed (a bounded one, e.g. project = ABC)"))
        if self.kind == AZURE_BOARDS and not self.project:
            issues.append(Issue("project", "Azure Boards needs the project"))
        how = self.mapping.release_from
        native = "iterations" if self.kind == AZURE_BOARDS else "versions"
        if how not in ("", native, "none") and not self.mapping.release_field:
            issues.append(
                Issue("release_from", f"expected {native}, field:FIELD or none, found {how!r}")
            )
        if issues:
            raise ValidationError(issues, source=f"connection {self.name}")


@dataclass(frozen=True, slots=True)
class Identity:
    """Who a connection's credentials belong to (from the tracker's identity endpoint)."""

    display_name: str
    account: str = ""
    time_zone: str = ""

    def __str__(self) -> str:
        return f"{self.display_name} ({self.account})" if self.account else self.display_name


@dataclass(frozen=True, slots=True)
class Progress:
    """How far a sync got; sent often, from any thread.

    Attributes:
        connection: the connection's name.
        phase: what is being done (``identity``, ``ids``, ``items``, ``releases``, ``store``...).
        pages: pages (requests for data) done so far.
        items: items fetched so far.
        total: items expected, when known.
    """

    connection: str
    phase: str
    pages: int = 0
    items: int = 0
    total: int | None = None


ProgressFn = Callable[[Progress], None]


def no_progress(_progress: Progress) -> None:
    """A progress callback that ignores everything."""


class CancelToken:
    """Asks long work to stop; the work checks it between pages and never gets killed."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        """Ask the work to stop as soon as it can."""
        self._event.set()

    @property
    def cancelled(self) -> bool:
        """Whether :meth:`cancel` was called."""
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        """Stop here when cancelled.

        Raises:
            Cancelled: :meth:`cancel` was called.
        """
        if self._event.is_set():
            raise Cancelled("sync cancelled")

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds``, or less when cancelled meanwhile.

        Raises:
            Cancelled: :meth:`cancel` was called before or during the wait.
        """
        if self._event.wait(max(0.0, seconds)):
            raise Cancelled("sync cancelled")


@dataclass(frozen=True, slots=True)
class RemoteTeam:
    """A team as the source defines it (a Jira project, an Azure area or team)."""

    source_id: str
    key: str
    name: str


@dataclass(frozen=True, slots=True)
class RemoteRelease:
    """A Jira version or an Azure iteration; ``team`` is a :class:`RemoteTeam` source id."""

    source_id: str
    source_key: str
    url: str
    key: str
    name: str
    team: str
    start: dt.date | None
    target: dt.date | None
    status: str


@dataclass(frozen=True, slots=True)
class RemoteLink:
    """A dependency between two items, by source ids: ``before`` must happen before ``after``."""

    before: str
    after: str


@dataclass(frozen=True, slots=True)
class RemoteItem:
    """A work item as mapped from its source.

    ``team`` and ``release`` are source ids of a :class:`RemoteTeam` and :class:`RemoteRelease`;
    ``links`` are every dependency link the source lists on this item.
    """

    source_id: str
    source_key: str
    url: str
    updated: dt.datetime | None
    key: str
    title: str
    team: str | None
    release: str | None
    type: str
    status: str
    category: str
    points: float | None
    created: dt.datetime | None
    resolved: dt.datetime | None
    links: tuple[RemoteLink, ...] = ()


@dataclass(slots=True)
class Fetched:
    """Everything one run fetched; the engine compares it with the workspace.

    Attributes:
        teams: teams seen (of the items fetched, and of the releases).
        releases: every release of the scope (versions and iterations are always read whole).
        items: the items new or changed since the watermark (all of them when ``full``).
        scope_ids: the source id of every item in scope now, for deletion detection.
        full: whether ``items`` holds every item in scope.
        watermark: the newest ``updated`` time seen (ISO, UTC), for the next run.
        state: cursors and facts for the next run (stored with the watermark).
        pages: data requests made.
    """

    teams: list[RemoteTeam] = field(default_factory=list)
    releases: list[RemoteRelease] = field(default_factory=list)
    items: list[RemoteItem] = field(default_factory=list)
    scope_ids: set[str] = field(default_factory=set)
    full: bool = True
    watermark: str | None = None
    state: dict[str, Any] = field(default_factory=dict)
    pages: int = 0


@dataclass(frozen=True, slots=True)
class FetchRequest:
    """What the engine asks a client to fetch.

    Attributes:
        config: the connection.
        secret: its token.
        watermark: the newest ``updated`` time of the last run (None: fetch everything).
        known_ids: source ids of the items synced before and not deleted.
        state: what the last run left for this one.
    """

    config: ConnectionConfig
    secret: str
    watermark: str | None
    known_ids: frozenset[str]
    state: Mapping[str, Any]


class Tracker(Protocol):
    """A tracker client: one per kind."""

    def identity(self, config: ConnectionConfig, secret: str) -> Identity:
        """Who the credentials belong to (a cheap identity call)."""
        ...

    def fetch(self, request: FetchRequest, *, progress: ProgressFn, cancel: CancelToken) -> Fetched:
        """Fetch what changed since ``request.watermark``."""
        ...


def newest(times: Sequence[dt.datetime | None], current: str | None) -> str | None:
    """The newest of ``times`` and ``current`` (ISO, UTC), for the next watermark."""
    best = dt.datetime.fromisoformat(current) if current else None
    for t in times:
        if t is not None and (best is None or t > best):
            best = t
    return best.astimezone(dt.UTC).isoformat() if best is not None else None
