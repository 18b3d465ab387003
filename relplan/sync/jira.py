"""Jira Cloud (REST v3, ``/search/jql`` with ``nextPageToken``) and Data Center (REST v2,
``/search`` with ``startAt``) clients.

Incremental runs query ``updated >= "yyyy/MM/dd HH:mm"``. JQL reads that literal in the
*searching user's* time zone with minute precision, so the watermark is converted to the zone
``/myself`` reports, floored to the minute and moved back by an overlap; results are de-duplicated
by issue id. Deletions never show in JQL, so every run also lists the ids in scope (``fields=id``,
where Cloud allows pages of 5,000) and the engine marks what is gone.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from relplan.errors import SyncError
from relplan.sync import mapping, release_facts
from relplan.sync.http import HttpClient
from relplan.sync.parallel import Counter, run_all
from relplan.sync.ratelimit import RetryPolicy
from relplan.sync.tracker import (
    JIRA_CLOUD,
    CancelToken,
    ConnectionConfig,
    Fetched,
    FetchRequest,
    Identity,
    ProgressFn,
    RemoteItem,
    RemoteRelease,
    RemoteTeam,
    newest,
)

#: How far back an incremental query reaches before the last watermark.
OVERLAP: Final = dt.timedelta(minutes=5)
#: Without a known time zone, reach back far enough for any UTC offset (-12:00..+14:00).
UNKNOWN_ZONE_MARGIN: Final = dt.timedelta(hours=14)
#: Cloud returns up to 5,000 issues a page when only ids are asked for.
ID_PAGE: Final = 5000
#: Issues per page with fields (and per bulk fetch, whose limit is 100).
ISSUE_PAGE: Final = 100
#: The fields the mapping reads.
BASE_FIELDS: Final = (
    "summary", "status", "issuetype", "project", "fixVersions", "issuelinks", "created",
    "updated", "resolutiondate",
)  # fmt: skip
_ORDER_BY = re.compile(r"\border\s+by\b.*$", re.IGNORECASE | re.DOTALL)


def scope_jql(jql: str) -> str:
    """The user's JQL without its ORDER BY, in parentheses, ready to be AND-ed.

    Examples:
        >>> scope_jql("project = EE ORDER BY rank")
        '(project = EE)'
    """
    return f"({_ORDER_BY.sub('', jql).strip()})"


def jql_since(watermark: str, time_zone: str, overlap: dt.timedelta = OVERLAP) -> str:
    """The JQL datetime literal for "updated since ``watermark``", in the user's zone.

    Examples:
        >>> jql_since("2026-03-01T00:03:30+00:00", "America/Los_Angeles")
        '2026/02/28 15:58'
        >>> jql_since("2026-03-01T00:03:30+00:00", "")
        '2026/02/28 09:58'
    """
    when = dt.datetime.fromisoformat(watermark) - overlap
    zone: dt.tzinfo | None = None
    if time_zone:
        try:
            zone = ZoneInfo(time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            zone = None
    # Unknown zone: a literal early enough whatever zone the server reads it in.
    local = when.astimezone(zone) if zone else (when - UNKNOWN_ZONE_MARGIN).astimezone(dt.UTC)
    return local.strftime("%Y/%m/%d %H:%M")


def _chunks(values: Sequence[str], size: int) -> list[list[str]]:
    return [list(values[i : i + size]) for i in range(0, len(values), size)]


class JiraTracker:
    """Fetches issues, versions and Blocks links from Jira Cloud or Data Center.

    Args:
        policy: retry policy of every request.
        timeout_s: per-request timeout.
        workers: parallel requests where the API allows them.
    """

    def __init__(
        self, *, policy: RetryPolicy | None = None, timeout_s: float = 30.0, workers: int = 8
    ) -> None:
        self.policy = policy or RetryPolicy()
        self.timeout_s = timeout_s
        self.workers = workers

    @staticmethod
    def authorization(config: ConnectionConfig, secret: str) -> str:
        """Cloud: Basic with e-mail and API token; Data Center: Bearer personal access token."""
        if config.kind == JIRA_CLOUD:
            pair = f"{config.user}:{secret}".encode()
            return "Basic " + base64.b64encode(pair).decode("ascii")
        return f"Bearer {secret}"

    def client(self, config: ConnectionConfig, secret: str, cancel: CancelToken) -> HttpClient:
        """An HTTP client for this connection."""
        return HttpClient(
            config.url, self.authorization(config, secret), policy=self.policy, cancel=cancel,
            timeout_s=self.timeout_s, max_connections=self.workers,
        )  # fmt: skip

    @staticmethod
    def _api(config: ConnectionConfig) -> str:
        return "rest/api/3" if config.kind == JIRA_CLOUD else "rest/api/2"

    def identity(self, config: ConnectionConfig, secret: str) -> Identity:
        """``GET /rest/api/{3|2}/myself``: who the token belongs to.

        Raises:
            SyncError: the call failed (AUTH when the credentials are rejected).
        """
        with self.client(config, secret, CancelToken()) as http:
            return self._myself(http, config)

    def _myself(self, http: HttpClient, config: ConnectionConfig) -> Identity:
        me = http.get(f"{self._api(config)}/myself", what="the signed-in user")
        account = me.get("emailAddress") or me.get("name") or me.get("accountId") or ""
        return Identity(
            str(me.get("displayName") or account), str(account), str(me.get("timeZone") or "")
        )

    def fetch(self, request: FetchRequest, *, progress: ProgressFn, cancel: CancelToken) -> Fetched:
        """Fetch what changed since the watermark (everything on a first or full run).

        Raises:
            SyncError: a request failed for good.
            Cancelled: ``cancel`` was set.
        """
        counter = Counter(progress, request.config.name)
        with self.client(request.config, request.secret, cancel) as http:
            counter.start("identity")
            me = self._myself(http, request.config)
            fields = http.get(f"{self._api(request.config)}/field", what="the field list")
            # Fields may be named by their (site-specific) names: use their ids from here on.
            config = mapping.jira_resolve_fields(request.config, fields)
            points = mapping.jira_points_field(fields, config.mapping.points_field)
            wanted_fields = [*BASE_FIELDS, *([points] if points else [])]
            for extra in mapping.item_date_fields(config.mapping):
                if extra not in wanted_fields:
                    wanted_fields.append(extra)
            if config.mapping.team_from.startswith("field:"):
                wanted_fields.append(config.mapping.team_from.removeprefix("field:"))
            scope = scope_jql(config.jql)
            full = request.watermark is None
            counter.start("ids")
            issues: list[Mapping[str, Any]]
            if config.kind == JIRA_CLOUD:
                scope_ids = self._cloud_ids(http, f"{scope} ORDER BY key ASC", counter)
                if full:
                    wanted = scope_ids
                else:
                    assert request.watermark is not None
                    since = jql_since(request.watermark, me.time_zone)
                    changed = self._cloud_ids(
                        http, f'{scope} AND updated >= "{since}" ORDER BY updated ASC', counter
                    )
                    wanted = _union(changed, _missing(scope_ids, request.known_ids))
                counter.start("items", len(wanted))
                issues = self._bulkfetch(http, wanted, wanted_fields, counter, cancel)
            else:
                if full:
                    counter.start("items")
                    issues = self._dc_search(
                        http, f"{scope} ORDER BY key ASC", wanted_fields, counter, cancel
                    )
                    scope_ids = [str(i["id"]) for i in issues]
                else:
                    assert request.watermark is not None
                    scope_ids = [
                        str(i["id"])
                        for i in self._dc_search(
                            http,
                            f"{scope} ORDER BY key ASC",
                            ["id"],
                            counter,
                            cancel,
                            page=1000,
                        )
                    ]
                    since = jql_since(request.watermark, me.time_zone)
                    counter.start("items")
                    issues = self._dc_search(
                        http,
                        f'{scope} AND updated >= "{since}" ORDER BY updated ASC',
                        wanted_fields,
                        counter,
                        cancel,
                    )
                    seen = {str(i["id"]) for i in issues}
                    missing = [i for i in _missing(scope_ids, request.known_ids) if i not in seen]
                    issues += self._dc_by_ids(http, missing, wanted_fields, counter, cancel)
            return self._build(config, request, http, issues, scope_ids, points, counter, cancel)

    # -- Cloud ----------------------------------------------------------------------------------
    def _cloud_ids(self, http: HttpClient, jql: str, counter: Counter) -> list[str]:
        """Every issue id a JQL query matches, by ``nextPageToken`` (sequential by design)."""
        ids: list[str] = []
        token: str | None = None
        while True:
            params: dict[str, Any] = {"jql": jql, "fields": "id", "maxResults": ID_PAGE}
            if token:
                params["nextPageToken"] = token
            page = http.get("rest/api/3/search/jql", params=params, what="issue search")
            ids.extend(str(issue["id"]) for issue in page.get("issues") or [])
            counter.add()
            token = page.get("nextPageToken")
            if page.get("isLast", token is None) or not token:
                return list(dict.fromkeys(ids))

    def _bulkfetch(
        self,
        http: HttpClient,
        ids: Sequence[str],
        fields: Sequence[str],
        counter: Counter,
        cancel: CancelToken,
    ) -> list[Mapping[str, Any]]:
        """Issues by id, 100 per ``POST /issue/bulkfetch``, several requests at once."""

        def one(chunk: list[str]) -> list[Mapping[str, Any]]:
            body = {"issueIdsOrKeys": chunk, "fields": list(fields)}
            page = http.post("rest/api/3/issue/bulkfetch", body, what="issues")
            issues = list(page.get("issues") or [])
            counter.add(items=len(issues))
            return issues

        pages = run_all(one, _chunks(ids, ISSUE_PAGE), workers=self.workers, cancel=cancel)
        return [issue for page in pages for issue in page]

    # -- Data Center --------------------------------------------------------------------------
    def _dc_search(
        self,
        http: HttpClient,
        jql: str,
        fields: Sequence[str],
        counter: Counter,
        cancel: CancelToken,
        *,
        page: int = ISSUE_PAGE,
    ) -> list[Mapping[str, Any]]:
        """Every issue of a query by ``startAt``; once ``total`` is known, pages in parallel."""

        def one(start: int, size: int = page) -> Mapping[str, Any]:
            params = {"jql": jql, "startAt": start, "maxResults": size, "fields": ",".join(fields)}
            result: Mapping[str, Any] = http.get("rest/api/2/search", params=params, what="search")
            counter.add(items=len(result.get("issues") or []))
            return result

        first = one(0)
        issues = list(first.get("issues") or [])
        # The server may cap maxResults: page by what it echoes.
        size = int(first.get("maxResults") or len(issues) or page)
        total = int(first.get("total") or 0)
        if counter.total is None:
            counter.total = total
        if size <= 0 or not issues:
            return issues
        starts = list(range(size, total, size))
        rest = run_all(lambda s: one(s, size), starts, workers=self.workers, cancel=cancel)
        for result in rest:
            issues.extend(result.get("issues") or [])
        # The total can grow while paging: read on while the latest total says there is more.
        latest = max([total, *(int(r.get("total") or 0) for r in rest)])
        start = starts[-1] + size if starts else size
        while start < latest:
            more = one(start, size)
            issues.extend(more.get("issues") or [])
            if not more.get("issues"):
                break
            latest = int(more.get("total") or 0)
            start += size
        return list({str(i["id"]): i for i in issues}.values())

    def _dc_by_ids(
        self,
        http: HttpClient,
        ids: Sequence[str],
        fields: Sequence[str],
        counter: Counter,
        cancel: CancelToken,
    ) -> list[Mapping[str, Any]]:
        """Issues by id on Data Center (``id in (...)``, 100 a query, in parallel)."""

        def one(chunk: list[str]) -> list[Mapping[str, Any]]:
            return self._dc_search(
                http, f"id in ({','.join(chunk)})", fields, counter, CancelToken(), page=len(chunk)
            )

        pages = run_all(one, _chunks(ids, ISSUE_PAGE), workers=self.workers, cancel=cancel)
        return [issue for page in pages for issue in page]

    # -- both -------------------------------------------------------------------------------------
    def _build(
        self,
        config: ConnectionConfig,
        request: FetchRequest,
        http: HttpClient,
        issues: Iterable[Mapping[str, Any]],
        scope_ids: Sequence[str],
        points: str,
        counter: Counter,
        cancel: CancelToken,
    ) -> Fetched:
        teams: dict[str, RemoteTeam] = {}
        items: dict[str, RemoteItem] = {}
        facts: dict[str, release_facts.ReleaseFact | None] = {}
        projects: dict[str, dict[str, str]] = dict(request.state.get("projects") or {})
        for issue in issues:
            item, team = mapping.jira_item(config, issue, points)
            items[item.source_id] = item
            if team is not None:
                teams[team.source_id] = team
            facts[item.source_id] = release_facts.release_fact(
                config, item, issue.get("fields") or {}, team, created_field=mapping.JIRA_CREATED
            )
            project = (issue.get("fields") or {}).get("project") or {}
            if project.get("key"):
                projects[str(project["key"])] = {
                    "id": str(project.get("id")),
                    "name": str(project.get("name") or project["key"]),
                }
        releases: list[RemoteRelease] = []
        if config.mapping.release_from != "none" and not config.mapping.release_field:
            counter.start("releases")
            found = run_all(
                lambda key: self._versions(http, config, key, counter),
                sorted(projects),
                workers=self.workers,
                cancel=cancel,
            )
            for key, versions in zip(sorted(projects), found, strict=True):
                if versions is None:
                    del projects[key]
                    continue
                team = mapping.jira_project_team({"key": key, **projects[key]})
                teams[team.source_id] = team
                releases.extend(mapping.jira_release(v, team, key) for v in versions)
        # Issues the bulk fetch did not return (deleted meanwhile) are out of scope.
        fetched_ids = set(items)
        scope = set(scope_ids)
        if request.watermark is None:
            scope &= fetched_ids
        state: dict[str, Any] = {"projects": projects}
        if config.mapping.uses_item_dates:
            previous = None if request.watermark is None else request.state.get("release_facts")
            kept = release_facts.merge_facts(previous, facts, scope | fetched_ids)
            if config.mapping.release_field:
                releases = release_facts.field_releases(kept)
            else:
                releases = release_facts.with_item_targets(releases, kept)
            state["release_facts"] = release_facts.facts_json(kept)
        return Fetched(
            teams=list(teams.values()),
            releases=releases,
            items=list(items.values()),
            scope_ids=scope | fetched_ids,
            full=request.watermark is None,
            watermark=newest([i.updated for i in items.values()], request.watermark),
            state=state,
            pages=counter.pages,
        )

    def _versions(
        self, http: HttpClient, config: ConnectionConfig, project: str, counter: Counter
    ) -> list[Mapping[str, Any]] | None:
        """A project's versions (the bare array of ``/project/{key}/versions``); None: gone."""
        try:
            versions = http.get(
                f"{self._api(config)}/project/{project}/versions", what=f"project {project}"
            )
        except SyncError as exc:
            if exc.status == 404:
                return None
            raise
        counter.add()
        return list(versions or [])


def _missing(scope_ids: Sequence[str], known: frozenset[str]) -> list[str]:
    """Ids in scope that were never synced (or were deleted and came back)."""
    return [i for i in scope_ids if i not in known]


def _union(*groups: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(i for group in groups for i in group))
