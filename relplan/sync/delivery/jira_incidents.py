"""Incidents from the Jira issues of a type, read through an existing Jira connection.

``relplan connection add jira_incidents NAME --from JIRA_CONN --issue-type Incident --team KEY``:
the connection keeps no token of its own; it signs in with ``JIRA_CONN``'s (from the keyring) and
searches that connection's scope (its JQL) for ``issuetype = "TYPE"``, as API-NOTES A.2 and D.5
say: Cloud pages ``/rest/api/3/search/jql`` by ``nextPageToken``, Data Center ``/rest/api/2/search``
by ``startAt``. Start = ``created``, restore = ``resolutiondate``; an incident is named by its
issue key. Incremental: only issues updated since the latest ``updated`` seen (less Jira's
overlap), in the signed-in user's time zone.

An incident stored earlier that stops qualifying is removed on the next pull: its type changed,
it left the Jira connection's scope, or it was deleted. None of these shows in an ``updated >=``
query, so a pull with incidents stored also lists the ids that qualify now (``fields=id``, the
tracker sync's way of finding what is gone) and drops the stored ones missing from it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Final

from relplan.errors import Issue
from relplan.metrics.delivery import PulledIncident
from relplan.sync.delivery.common import PullContext, Pulled, parse_time
from relplan.sync.http import HttpClient

if TYPE_CHECKING:
    from relplan.store.workspace import Workspace
    from relplan.sync.credentials import SecretRef

__all__ = ["client", "incident_of", "jira_url", "pull", "resolve"]

_FIELDS: Final = "summary,issuetype,created,updated,resolutiondate"
_PAGE: Final = 100
#: Ids per Data Center page with ``fields=id`` (the tracker sync asks as many).
_ID_PAGE_DC: Final = 1000
_JIRA_KINDS: Final = ("jira_cloud", "jira_dc")


def jira_url(ws: Workspace, name: str) -> tuple[str | None, Issue | None]:
    """The site URL of the Jira connection ``name``, or the problem with it."""
    from relplan.store import sync_state

    for row in sync_state.connections(ws.conn):
        if row.name == name:
            if row.kind not in _JIRA_KINDS:
                return None, Issue("--from", f"{name!r} is a {row.kind} connection, not Jira")
            return row.url, None
    if not name:
        return None, None  # the missing --from is reported on its own
    return None, Issue("--from", f"there is no Jira connection {name!r}")


def resolve(ws: Workspace, ctx: PullContext) -> tuple[PullContext, SecretRef]:
    """The Jira connection's site, kind, account and scope, and where its token is kept."""
    from relplan.sync import engine

    config = engine.load_config(ws, str(ctx.settings["from"]))
    assert config.secret is not None
    settings = {**ctx.settings, "jira_kind": config.kind, "jira_user": config.user}
    settings["jql"] = config.jql
    return replace(ctx, url=config.url, settings=settings), config.secret


def client(ctx: PullContext, secret: str) -> HttpClient:
    """A client signed in as the Jira connection (Cloud: Basic e-mail + token; DC: Bearer)."""
    from relplan.sync.jira import JiraTracker
    from relplan.sync.tracker import CancelToken, ConnectionConfig

    config = ConnectionConfig(
        name=ctx.connection,
        kind=str(ctx.settings["jira_kind"]),
        url=ctx.url,
        user=str(ctx.settings.get("jira_user") or ""),
    )
    return JiraTracker().client(config, secret, CancelToken())


def incident_of(issue: Mapping[str, Any], ctx: PullContext) -> PulledIncident | None:
    """The incident a Jira issue is (None without a creation time)."""
    fields = issue.get("fields") or {}
    created = parse_time(fields.get("created"))
    if created is None:
        return None
    key = str(issue.get("key") or issue.get("id"))
    site = ctx.url.rstrip("/")
    return PulledIncident(
        source=ctx.connection,
        source_id=str(issue.get("id")),
        keys=(key,),
        created=created,
        resolved=parse_time(fields.get("resolutiondate")),
        team=ctx.team,
        text=str(fields.get("summary") or ""),
        url=f"{site}/browse/{key}",
    )


def pull(http: HttpClient, ctx: PullContext) -> Pulled:
    """The incident issues updated since the watermark.

    Raises:
        SyncError: credentials rejected, not found, rate limit or network.
    """
    from relplan.sync.jira import jql_since, scope_jql

    cloud = ctx.settings["jira_kind"] == "jira_cloud"
    api = "rest/api/3" if cloud else "rest/api/2"
    issue_type = str(ctx.settings["issue_type"]).replace('"', '\\"')
    jql = f'issuetype = "{issue_type}"'
    if ctx.settings.get("jql"):
        jql = f"{scope_jql(str(ctx.settings['jql']))} AND {jql}"
    qualifying = jql  # what makes an issue an incident of this connection
    if ctx.watermark:
        me = http.get(f"{api}/myself", what="the signed-in user")
        since = jql_since(ctx.watermark, str((me or {}).get("timeZone") or ""))
        jql += f' AND updated >= "{since}"'
    jql += " ORDER BY updated ASC"
    issues = _search_cloud(http, jql) if cloud else _search_dc(http, jql)
    mark = ctx.watermark
    out = []
    for issue in issues:
        updated = parse_time((issue.get("fields") or {}).get("updated"))
        if updated is not None and (mark is None or updated.isoformat() > mark):
            mark = updated.isoformat()
        incident = incident_of(issue, ctx)
        if incident is not None:
            out.append(incident)
    gone: tuple[str, ...] = ()
    if ctx.stored_incidents:
        ids = f"{qualifying} ORDER BY key ASC"
        now = set(_ids_cloud(http, ids) if cloud else _ids_dc(http, ids))
        now.update(i.source_id for i in out)  # read just now: they qualify
        gone = tuple(i.source_id for i in ctx.stored_incidents if i.source_id not in now)
    return Pulled([], out, mark, gone)


def _search_cloud(http: HttpClient, jql: str) -> list[Mapping[str, Any]]:
    issues: list[Mapping[str, Any]] = []
    token: str | None = None
    while True:
        params: dict[str, Any] = {"jql": jql, "fields": _FIELDS, "maxResults": _PAGE}
        if token:
            params["nextPageToken"] = token
        page = http.get("rest/api/3/search/jql", params=params, what="incident search")
        issues.extend(page.get("issues") or [])
        token = page.get("nextPageToken")
        if page.get("isLast", token is None) or not token:
            return issues


def _ids_cloud(http: HttpClient, jql: str) -> list[str]:
    """Every issue id a query matches (``fields=id``, Cloud's large id pages)."""
    from relplan.sync.jira import ID_PAGE

    ids: list[str] = []
    token: str | None = None
    while True:
        params: dict[str, Any] = {"jql": jql, "fields": "id", "maxResults": ID_PAGE}
        if token:
            params["nextPageToken"] = token
        page = http.get("rest/api/3/search/jql", params=params, what="incident ids")
        ids.extend(str(i.get("id")) for i in page.get("issues") or [])
        token = page.get("nextPageToken")
        if page.get("isLast", token is None) or not token:
            return ids


def _ids_dc(http: HttpClient, jql: str) -> list[str]:
    """Every issue id a query matches (``fields=id``, by ``startAt``)."""
    ids: list[str] = []
    start = 0
    while True:
        params = {"jql": jql, "fields": "id", "maxResults": _ID_PAGE_DC, "startAt": start}
        page = http.get("rest/api/2/search", params=params, what="incident ids")
        got = [str(i.get("id")) for i in page.get("issues") or []]
        ids.extend(got)
        start += len(got)
        if not got or start >= int(page.get("total") or 0):
            return ids


def _search_dc(http: HttpClient, jql: str) -> list[Mapping[str, Any]]:
    issues: list[Mapping[str, Any]] = []
    start = 0
    while True:
        params = {"jql": jql, "fields": _FIELDS, "maxResults": _PAGE, "startAt": start}
        page = http.get("rest/api/2/search", params=params, what="incident search")
        got = list(page.get("issues") or [])
        issues.extend(got)
        start += len(got)
        if not got or start >= int(page.get("total") or 0):
            return issues


def check(http: HttpClient, ctx: PullContext) -> str:
    """``GET /myself`` as the Jira connection."""
    api = "rest/api/3" if ctx.settings["jira_kind"] == "jira_cloud" else "rest/api/2"
    me = http.get(f"{api}/myself", what="the signed-in user")
    who = (me or {}).get("displayName") or (me or {}).get("name") or "?"
    return f"Jira as {who} (through {ctx.settings['from']})"
