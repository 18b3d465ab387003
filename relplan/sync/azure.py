"""Azure Boards client (REST 7.1): WIQL for ids, ``workitemsbatch`` for items, team iterations.

WIQL answers ids only and refuses more than 20,000 (VS402337), so ids are read in partitions of
``[System.Id] > last ORDER BY [System.Id]`` with ``$top``. Items come 200 per ``workitemsbatch``
(several at once) with ``$expand=relations``. Incremental runs use ``timePrecision=true`` (WIQL
compares dates at day precision otherwise and refuses a time). Link-only edits do not bump
``System.ChangedDate``, so ``reporting/workitemlinks`` since the last run names the items whose
dependency links changed, and those are fetched again.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Any, Final
from urllib.parse import parse_qs, quote, urlsplit

from relplan.errors import SyncError
from relplan.sync import mapping, release_facts
from relplan.sync.http import HttpClient
from relplan.sync.parallel import Counter, run_all
from relplan.sync.ratelimit import RetryPolicy
from relplan.sync.tracker import (
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

API: Final = {"api-version": "7.1"}
#: Ids per WIQL partition (the service refuses results over 20,000).
WIQL_PAGE: Final = 19_000
#: Ids per workitemsbatch (the service's limit).
BATCH: Final = 200
OVERLAP: Final = dt.timedelta(minutes=5)
_QUERY = re.compile(
    r"^\s*select\b.*?\bfrom\s+workitems\b(?:\s+where\s+(?P<where>.*?))?"
    r"(?:\s+order\s+by\b.*)?\s*$",
    re.IGNORECASE | re.DOTALL,
)


def scope_condition(wiql: str) -> str:
    """The WHERE condition of the scope (a whole SELECT query or a bare condition).

    Examples:
        >>> scope_condition("SELECT [System.Id] FROM WorkItems WHERE [System.State] <> 'Removed'")
        "[System.State] <> 'Removed'"
        >>> scope_condition("")
        ''
    """
    match = _QUERY.match(wiql)
    if match:
        return (match.group("where") or "").strip()
    return wiql.strip()


def wiql_query(condition: str, after_id: int, since: str | None = None) -> str:
    """One WIQL partition: the project, the scope, ids after ``after_id``, changed since."""
    parts = ["[System.TeamProject] = @project"]
    if condition:
        parts.append(f"({condition})")
    parts.append(f"[System.Id] > {after_id}")
    if since:
        parts.append(f"[System.ChangedDate] >= '{since}'")
    return f"SELECT [System.Id] FROM WorkItems WHERE {' AND '.join(parts)} ORDER BY [System.Id]"


def _since(watermark: str) -> str:
    when = dt.datetime.fromisoformat(watermark).astimezone(dt.UTC) - OVERLAP
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def _link_base(rel: str) -> str:
    return re.sub(r"-(forward|reverse)$", "", rel, flags=re.IGNORECASE)


class AzureTracker:
    """Fetches work items, dependency links and team iterations from Azure Boards.

    Args:
        policy: retry policy of every request.
        timeout_s: per-request timeout.
        workers: parallel batch requests.
    """

    def __init__(
        self, *, policy: RetryPolicy | None = None, timeout_s: float = 30.0, workers: int = 8
    ) -> None:
        self.policy = policy or RetryPolicy()
        self.timeout_s = timeout_s
        self.workers = workers

    @staticmethod
    def authorization(secret: str) -> str:
        """A PAT goes as Basic with an empty user name."""
        return "Basic " + base64.b64encode(f":{secret}".encode()).decode("ascii")

    def client(self, config: ConnectionConfig, secret: str, cancel: CancelToken) -> HttpClient:
        """An HTTP client for this organisation."""
        return HttpClient(
            config.url, self.authorization(secret), policy=self.policy, cancel=cancel,
            timeout_s=self.timeout_s, max_connections=self.workers,
            # Ask for 401 instead of a redirect to the sign-in page.
            headers={"X-TFS-FedAuthRedirect": "Suppress"},
        )  # fmt: skip

    def identity(self, config: ConnectionConfig, secret: str) -> Identity:
        """``GET _apis/connectionData``: the authenticated user.

        Raises:
            SyncError: the call failed (AUTH when the credentials are rejected).
        """
        with self.client(config, secret, CancelToken()) as http:
            data = http.get("_apis/connectionData", what="the organisation")
        user = data.get("authenticatedUser") or {}
        account = ((user.get("properties") or {}).get("Account") or {}).get("$value") or ""
        name = user.get("providerDisplayName") or user.get("customDisplayName") or account
        return Identity(str(name or "unknown user"), str(account))

    @staticmethod
    def _project(config: ConnectionConfig) -> str:
        return quote(config.project, safe="")

    def _team_path(self, config: ConnectionConfig) -> str:
        team = config.team or f"{config.project} Team"
        return f"{self._project(config)}/{quote(team, safe='')}"

    def fetch(self, request: FetchRequest, *, progress: ProgressFn, cancel: CancelToken) -> Fetched:
        """Fetch what changed since the watermark (everything on a first run).

        Raises:
            SyncError: a request failed for good.
            Cancelled: ``cancel`` was set.
        """
        config = request.config
        counter = Counter(progress, config.name)
        with self.client(config, request.secret, cancel) as http:
            counter.start("releases")
            team = mapping.azure_connection_team(config)
            releases: list[RemoteRelease] = []
            if config.mapping.release_from != "none" and not config.mapping.release_field:
                iterations = http.get(
                    f"{self._team_path(config)}/_apis/work/teamsettings/iterations",
                    params=API,
                    what=f"team {config.team!r} of project {config.project!r}",
                )
                counter.add()
                releases = [mapping.azure_release(i, team) for i in iterations.get("value") or []]
            condition = scope_condition(config.wiql)
            counter.start("ids")
            scope_ids, as_of = self._ids(http, config, condition, None, counter)
            full = request.watermark is None
            if full:
                wanted = scope_ids
            else:
                assert request.watermark is not None
                changed, _ = self._ids(http, config, condition, _since(request.watermark), counter)
                linked = self._link_changes(http, config, request.state.get("links_since"), counter)
                scope = set(scope_ids)
                missing = [i for i in scope_ids if i not in request.known_ids]
                wanted = list(
                    dict.fromkeys([*changed, *(i for i in linked if i in scope), *missing])
                )
            counter.start("items", len(wanted))
            raw = self._batch(http, config, wanted, counter, cancel)
            categories = self._categories(
                http, config, {str(w["fields"].get("System.WorkItemType")) for w in raw}, cancel
            )
        paths = {r.source_key: r.source_id for r in releases}
        teams: dict[str, RemoteTeam] = {team.source_id: team}
        items: dict[str, RemoteItem] = {}
        facts: dict[str, release_facts.ReleaseFact | None] = {}
        for work_item in raw:
            item, item_team = mapping.azure_item(
                config, work_item, iterations=paths, categories=categories
            )
            items[item.source_id] = item
            if item_team is not None:
                teams[item_team.source_id] = item_team
            facts[item.source_id] = release_facts.release_fact(
                config, item, work_item.get("fields") or {}, item_team or team,
                created_field=mapping.AZURE_CREATED,
            )  # fmt: skip
        # Ids the batch did not return (deleted meanwhile) are out of scope.
        gone = set(wanted) - set(items)
        in_scope = {i for i in scope_ids if i not in gone}
        state: dict[str, Any] = {"links_since": as_of or request.state.get("links_since")}
        if config.mapping.uses_item_dates:
            previous = None if full else request.state.get("release_facts")
            kept = release_facts.merge_facts(previous, facts, in_scope)
            if config.mapping.release_field:
                releases = release_facts.field_releases(kept)
            else:
                releases = release_facts.with_item_targets(releases, kept)
            state["release_facts"] = release_facts.facts_json(kept)
        return Fetched(
            teams=list(teams.values()),
            releases=releases,
            items=list(items.values()),
            scope_ids=in_scope,
            full=full,
            watermark=newest([i.updated for i in items.values()], request.watermark),
            state=state,
            pages=counter.pages,
        )

    def _ids(
        self,
        http: HttpClient,
        config: ConnectionConfig,
        condition: str,
        since: str | None,
        counter: Counter,
    ) -> tuple[list[str], str | None]:
        """Every id the scope matches (changed since ``since``), and the first answer's asOf."""
        ids: list[str] = []
        after, as_of = 0, None
        params: dict[str, Any] = {**API, "$top": WIQL_PAGE}
        if since:
            params["timePrecision"] = "true"
        while True:
            result = http.post(
                f"{self._team_path(config)}/_apis/wit/wiql",
                {"query": wiql_query(condition, after, since)},
                params=params,
                what=f"project {config.project!r} or team {config.team!r}",
            )
            counter.add()
            as_of = as_of or result.get("asOf")
            got = [int(w["id"]) for w in result.get("workItems") or []]
            ids.extend(str(i) for i in got)
            if len(got) < WIQL_PAGE:
                return ids, as_of
            after = max(got)

    def _link_changes(
        self, http: HttpClient, config: ConnectionConfig, since: str | None, counter: Counter
    ) -> list[str]:
        """Ids at either end of dependency links added or removed since ``since``."""
        if not since:
            return []
        start = dt.datetime.fromisoformat(since.replace("Z", "+00:00")) - OVERLAP
        params: dict[str, Any] = {
            **API,
            "linkTypes": ",".join(sorted({_link_base(r) for r in config.links})),
            "startDateTime": start.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        ids: list[str] = []
        while True:
            page = http.get(
                f"{self._project(config)}/_apis/wit/reporting/workitemlinks",
                params=params,
                what="link changes",
            )
            counter.add()
            for link in page.get("values") or []:
                ids.extend((str(link.get("sourceId")), str(link.get("targetId"))))
            token = page.get("continuationToken")
            if not token and page.get("nextLink"):
                query = parse_qs(urlsplit(str(page["nextLink"])).query)
                token = next(iter(query.get("continuationToken", [])), None)
            if page.get("isLastBatch", True) or not token:
                return list(dict.fromkeys(ids))
            params = {**API, "linkTypes": params["linkTypes"], "continuationToken": token}

    def _batch(
        self,
        http: HttpClient,
        config: ConnectionConfig,
        ids: Sequence[str],
        counter: Counter,
        cancel: CancelToken,
    ) -> list[Mapping[str, Any]]:
        """Work items by id, 200 per ``workitemsbatch``, several at once (deleted ones omitted)."""

        def one(chunk: list[int]) -> list[Mapping[str, Any]]:
            body = {"ids": chunk, "$expand": "relations", "errorPolicy": "omit"}
            result = http.post(
                f"{self._project(config)}/_apis/wit/workitemsbatch",
                body,
                params=API,
                what=f"work items of project {config.project!r}",
            )
            # errorPolicy=omit answers deleted ids with null entries.
            values = [v for v in result.get("value") or [] if v]
            counter.add(items=len(values))
            return values

        chunks = [[int(i) for i in ids[n : n + BATCH]] for n in range(0, len(ids), BATCH)]
        pages = run_all(one, chunks, workers=self.workers, cancel=cancel)
        return [item for page in pages for item in page]

    def _categories(
        self, http: HttpClient, config: ConnectionConfig, types: set[str], cancel: CancelToken
    ) -> dict[str, dict[str, str]]:
        """State name -> relplan category per work item type (empty where unavailable)."""

        def one(kind: str) -> dict[str, str]:
            path = f"{self._project(config)}/_apis/wit/workitemtypes/{quote(kind, safe='')}/states"
            try:
                states = http.get(
                    path,
                    params=API,
                    what=f"states of {kind}",
                )
            except SyncError as exc:
                if exc.status == 404:
                    return {}
                raise
            return {
                str(s.get("name")): mapping.AZURE_CATEGORIES[str(s.get("category"))]
                for s in states.get("value") or []
                if str(s.get("category")) in mapping.AZURE_CATEGORIES
            }

        kinds = sorted(types)
        found = run_all(one, kinds, workers=self.workers, cancel=cancel)
        return dict(zip(kinds, found, strict=True))
