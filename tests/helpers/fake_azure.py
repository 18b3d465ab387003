"""A stateful fake Azure Boards organisation on 127.0.0.1, answering with the shapes in
shared/contracts/azure: WIQL (ids only, the 20,000 cap, date precision unless
``timePrecision=true``), workitemsbatch (200 ids, ``$expand=relations``, ``errorPolicy=omit``),
team iterations, work item type states, reporting/workitemlinks, connectionData. Bad
credentials get Azure's 203 HTML sign-in page (or a 401, when ``auth_failure=401``).
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import json
import re
import uuid
from typing import Any
from urllib.parse import unquote

from tests.helpers.fake_jira import FakeServer, Reply

STATES = {
    "User Story": [
        ("New", "Proposed"),
        ("Active", "InProgress"),
        ("Resolved", "Resolved"),
        ("Closed", "Completed"),
        ("Removed", "Removed"),
    ],
    "Bug": [
        ("New", "Proposed"),
        ("Active", "InProgress"),
        ("Resolved", "Resolved"),
        ("Closed", "Completed"),
    ],
}
SIGN_IN_PAGE = (
    b"<!DOCTYPE html><html><head><title>Azure DevOps Services | Sign In</title></head>"
    b"<body>Sign in to your account</body></html>"
)


def azure_time(when: dt.datetime) -> str:
    """``2025-01-10T12:13:07.26Z``: UTC, trailing zeros of the fraction trimmed."""
    text = when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f").rstrip("0").rstrip(".")
    return text + "Z"


def _error(status: int, message: str, type_key: str, event: int = 3000) -> Reply:
    return Reply(
        status,
        {
            "$id": "1",
            "innerException": None,
            "message": message,
            "typeName": f"Microsoft.TeamFoundation.WorkItemTracking.Server.{type_key}, "
            "Microsoft.TeamFoundation.WorkItemTracking.Server",
            "typeKey": type_key,
            "errorCode": 0,
            "eventId": event,
        },
    )


class FakeAzure(FakeServer):
    """A stateful Azure Boards organisation with one project and team."""

    def __init__(
        self,
        *,
        project: str = "Fabrikam",
        team: str = "Fabrikam Team",
        pat: str = "azure-pat",
        auth_failure: int = 203,
        wiql_cap: int = 20000,
    ) -> None:
        super().__init__()
        self.project = project
        self.team = team
        self.pat = pat
        self.auth_failure = auth_failure
        self.wiql_cap = wiql_cap
        self.project_id = str(uuid.uuid5(uuid.NAMESPACE_DNS, project))
        self.items: dict[int, dict[str, Any]] = {}
        self.iterations: list[dict[str, Any]] = []
        self.link_log: list[dict[str, Any]] = []
        #: Iteration classification nodes by path below the project (see fake_writes.nodes).
        self.nodes: dict[str, dict[str, Any]] = {}
        self.node_patches = 0
        self.clock = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
        self._next = 0

    def tick(self, minutes: float = 1) -> dt.datetime:
        with self.lock:
            self.clock += dt.timedelta(minutes=minutes)
            return self.clock

    # -- state ---------------------------------------------------------------------------------
    def add_iteration(
        self, name: str, start: str | None, finish: str | None, time_frame: str
    ) -> str:
        ident = str(uuid.uuid5(uuid.NAMESPACE_URL, name))
        self.iterations.append(
            {
                "id": ident,
                "name": name,
                "path": f"{self.project}\\{name}",
                "attributes": {
                    "startDate": f"{start}T00:00:00Z" if start else None,
                    "finishDate": f"{finish}T00:00:00Z" if finish else None,
                    "timeFrame": time_frame,
                },
                "url": f"{self.url}/{self.project_id}/_apis/work/teamsettings/iterations/{ident}",
            }
        )
        return ident

    def add_item(
        self,
        title: str,
        *,
        kind: str = "User Story",
        state: str = "New",
        area: str = "",
        iteration: str = "",
        points: float | None = None,
        ident: int | None = None,
        fields: dict[str, Any] | None = None,
    ) -> int:
        """A work item; ``fields``: more values by reference name (``Custom.Release``, dates as
        ``2026-04-01T00:00:00Z``)."""
        with self.lock:
            self._next = max(self._next + 1, ident or 0)
            ident = ident or self._next
            when = self.tick(0.01)
            values: dict[str, Any] = {
                "System.AreaPath": f"{self.project}\\{area}" if area else self.project,
                "System.TeamProject": self.project,
                "System.IterationPath": f"{self.project}\\{iteration}"
                if iteration
                else self.project,
                "System.WorkItemType": kind,
                "System.State": state,
                "System.Reason": "New",
                "System.CreatedDate": azure_time(when),
                "System.ChangedDate": azure_time(when),
                "System.Title": title,
                "System.CommentCount": 0,
                "Microsoft.VSTS.Common.Priority": 2,
            }
            if points is not None:
                values["Microsoft.VSTS.Scheduling.StoryPoints"] = points
            values.update(fields or {})
            self.items[ident] = {
                "id": ident,
                "rev": 1,
                "fields": values,
                "relations": [],
                "url": f"{self.url}/{self.project_id}/_apis/wit/workItems/{ident}",
            }
            return ident

    def update_item(self, ident: int, **fields: Any) -> None:
        """Set fields by reference name (None removes one); bumps rev and ChangedDate."""
        with self.lock:
            item = self.items[ident]
            for name, value in fields.items():
                if value is None:
                    item["fields"].pop(name, None)
                else:
                    item["fields"][name] = value
            item["rev"] += 1
            item["fields"]["System.ChangedDate"] = azure_time(self.tick())

    def delete_item(self, ident: int) -> None:
        with self.lock:
            del self.items[ident]

    def link(self, predecessor: int, successor: int, *, active: bool = True) -> None:
        """Add (or remove) a dependency; like the live service, neither rev nor ChangedDate move."""
        with self.lock:
            pairs = (
                (predecessor, successor, "Forward", "Successor"),
                (successor, predecessor, "Reverse", "Predecessor"),
            )
            for me, other, way, name in pairs:
                rel = f"System.LinkTypes.Dependency-{way}"
                url = f"{self.url}/{self.project_id}/_apis/wit/workItems/{other}"
                rels = self.items[me]["relations"]
                rels[:] = [r for r in rels if not (r["rel"] == rel and r["url"] == url)]
                if active:
                    rels.append(
                        {"rel": rel, "url": url, "attributes": {"isLocked": False, "name": name}}
                    )
            self.link_log.append(
                {
                    "rel": "System.LinkTypes.Dependency",
                    "sourceId": predecessor,
                    "targetId": successor,
                    "changedDate": azure_time(self.tick()),
                    "isActive": active,
                }
            )

    # -- HTTP ------------------------------------------------------------------------------------
    def authorized(self, header: str) -> bool:
        if not header.startswith("Basic "):
            return False
        user_pass = base64.b64decode(header[6:]).decode()
        return user_pass.split(":", 1)[1] == self.pat

    def unauthorized(self) -> Reply:
        if self.auth_failure == 203:
            return Reply(203, raw=SIGN_IN_PAGE, content_type="text/html; charset=utf-8")
        return _error(
            401,
            "TF400813: The user '' is not authorized to access this resource.",
            "UnauthorizedRequestException",
        )

    def route(self, method: str, path: str, params: dict[str, str], body: Any) -> Reply:
        path = unquote(path)
        project, team = f"/{self.project}", f"/{self.project}/{self.team}"
        if path == "/_apis/connectionData":
            user = {
                "id": "22157d54-1821-6536-a446-928b06348385",
                "descriptor": "aad.MjIx",
                "subjectDescriptor": "aad.MjIx",
                "providerDisplayName": "Jamal Hartnett",
                "isActive": True,
                "properties": {
                    "Account": {"$type": "System.String", "$value": "jamal@fabrikam.com"}
                },
                "resourceVersion": 2,
                "metaTypeId": 0,
            }
            return Reply(
                200,
                {
                    "authenticatedUser": user,
                    "authorizedUser": user,
                    "instanceId": str(uuid.uuid4()),
                    "deploymentId": str(uuid.uuid4()),
                    "deploymentType": "hosted",
                },
            )
        if params.get("api-version") != "7.1":
            return _error(
                400,
                "VS800071: api-version is missing or not supported",
                "VssInvalidApiVersionException",
            )
        if path == f"{team}/_apis/work/teamsettings/iterations" and method == "GET":
            return Reply(200, {"count": len(self.iterations), "value": self.iterations})
        if path in (f"{team}/_apis/wit/wiql", f"{project}/_apis/wit/wiql") and method == "POST":
            return self._wiql(body.get("query", ""), params)
        if path == f"{project}/_apis/wit/workitemsbatch" and method == "POST":
            return self._batch(body)
        match = re.fullmatch(rf"{re.escape(project)}/_apis/wit/workitemtypes/([^/]+)/states", path)
        if match and match.group(1) in STATES:
            states = [
                {"name": n, "color": "b2b2b2", "category": c} for n, c in STATES[match.group(1)]
            ]
            return Reply(200, {"count": len(states), "value": states})
        match = re.fullmatch(rf"{re.escape(project)}/_apis/wit/workitems/(\d+)", path)
        if match and method in ("GET", "PATCH"):
            return _item_write(self, int(match.group(1)), method, body)
        from tests.helpers.fake_writes import azure_write

        written = azure_write(self, method, path, body)
        if written is not None:
            return written
        if path == f"{project}/_apis/wit/reporting/workitemlinks":
            return self._links(params)
        if path.startswith(("/Nowhere", f"/{self.project}-missing")):
            return _error(
                404,
                f"TF200016: The following project does not exist: {path.split('/')[1]}.",
                "ProjectDoesNotExistWithNameException",
            )
        return Reply(
            404,
            raw=f"The controller for path '{path}' was not found or does not "
            "implement IController.".encode(),
            content_type="text/plain; charset=utf-8",
        )

    def _wiql(self, query: str, params: dict[str, str]) -> Reply:
        match = re.match(
            r"(?is)^\s*select\b.*?\bfrom\s+workitems\s+where\s+(.*?)(?:\border\s+by\b.*)?$", query
        )
        if not match:
            return _error(
                400, "TF51005: The query references a field that does not exist.", "QueryException"
            )
        clauses = [
            c.strip().strip("()").strip() for c in re.split(r"(?i)\s+and\s+", match.group(1))
        ]
        precise = params.get("timePrecision") == "true"
        found = []
        with self.lock:
            for ident in sorted(self.items):
                f = self.items[ident]["fields"]
                ok = True
                for clause in clauses:
                    result = self._clause(clause, ident, f, precise)
                    if isinstance(result, Reply):
                        return result
                    ok &= result
                if ok:
                    found.append(ident)
        top = int(params.get("$top") or 0)
        if not top and len(found) > self.wiql_cap:
            return _error(
                400,
                "VS402337: The number of work items returned exceeds the size limit "
                "of 20000. Change the query to return fewer items.",
                "WorkItemTrackingQueryResultSizeLimitExceededException",
                3200,
            )
        if top:
            found = found[:top]
        column = {
            "referenceName": "System.Id",
            "name": "ID",
            "url": f"{self.url}/_apis/wit/fields/System.Id",
        }
        return Reply(
            200,
            {
                "queryType": "flat",
                "queryResultType": "workItem",
                "asOf": azure_time(self.clock),
                "columns": [column],
                "sortColumns": [{"field": column, "descending": False}],
                "workItems": [
                    {"id": i, "url": f"{self.url}/{self.project_id}/_apis/wit/workItems/{i}"}
                    for i in found
                ],
            },
        )

    def _clause(self, clause: str, ident: int, f: dict[str, Any], precise: bool) -> bool | Reply:
        if re.fullmatch(r"(?i)\[System\.TeamProject\]\s*=\s*@project", clause):
            return bool(f["System.TeamProject"] == self.project)
        if m := re.fullmatch(r"\[System\.Id\]\s*>\s*(\d+)", clause):
            return ident > int(m.group(1))
        if m := re.fullmatch(r"\[System\.ChangedDate\]\s*>=\s*'([^']+)'", clause):
            value = m.group(1)
            changed = dt.datetime.fromisoformat(f["System.ChangedDate"])
            if not precise:
                if "T" in value:
                    return _error(
                        400,
                        "You cannot supply a time with the date when running a "
                        "query using date precision.",
                        "InvalidQueryTextException",
                    )
                return changed.date() >= dt.date.fromisoformat(value)
            return changed >= dt.datetime.fromisoformat(value)
        if m := re.fullmatch(r"\[(System\.\w+)\]\s*(=|<>)\s*'([^']*)'", clause):
            equal = str(f.get(m.group(1), "")) == m.group(3)
            return equal if m.group(2) == "=" else not equal
        if m := re.fullmatch(r"(?i)\[System\.WorkItemType\]\s+in\s+\(([^)]*)\)", clause):
            return f["System.WorkItemType"] in {v.strip().strip("'") for v in m.group(1).split(",")}
        if m := re.fullmatch(r"(?i)\[System\.AreaPath\]\s+under\s+'([^']*)'", clause):
            return bool(
                f["System.AreaPath"] == m.group(1)
                or f["System.AreaPath"].startswith(m.group(1) + "\\")
            )
        return _error(
            400,
            f"TF51006: The query statement is not supported by the fake: {clause}",
            "QueryException",
        )

    def _batch(self, body: dict[str, Any]) -> Reply:
        ids = body.get("ids") or []
        if len(ids) > 200:
            return _error(
                400,
                f"VS403474: You requested {len(ids)} work items which exceeds the limit of 200",
                "WorkItemTrackingBadRequestException",
            )
        if body.get("fields") and body.get("$expand"):
            return _error(
                400,
                "The expand parameter can not be used with the fields parameter.",
                "ConflictingParametersException",
            )
        out: list[Any] = []
        with self.lock:
            for i in ids:
                item = self.items.get(int(i))
                if item is None:
                    if body.get("errorPolicy") != "omit":
                        return _error(
                            404,
                            f"TF401232: Work item {i} does not exist.",
                            "WorkItemDoesNotExistException",
                        )
                    out.append(None)
                    continue
                copy = json.loads(json.dumps(item))
                if (
                    str(body.get("$expand", "")).lower() not in ("relations", "all")
                    or not copy["relations"]
                ):
                    copy.pop("relations")
                out.append(copy)
        return Reply(200, {"count": len(out), "value": out})

    def _links(self, params: dict[str, str]) -> Reply:
        with self.lock:
            if params.get("continuationToken"):
                start = int(params["continuationToken"])
            elif params.get("startDateTime"):
                since = dt.datetime.fromisoformat(params["startDateTime"].replace("Z", "+00:00"))
                start = next(
                    (
                        n
                        for n, v in enumerate(self.link_log)
                        if dt.datetime.fromisoformat(v["changedDate"].replace("Z", "+00:00"))
                        >= since
                    ),
                    len(self.link_log),
                )
            else:
                start = 0
            page = self.link_log[start : start + 2]
            end = start + len(page)
            last = end >= len(self.link_log)
            return Reply(
                200,
                {
                    "values": page,
                    "continuationToken": str(end),
                    "nextLink": f"{self.url}/{self.project_id}/_apis/wit/reporting/"
                    f"workItemLinks?continuationToken={end}&api-version=7.1",
                    "isLastBatch": last,
                },
            )


def _item_write(fake: FakeAzure, ident: int, method: str, body: Any) -> Reply:
    """``GET``/``PATCH …/wit/workitems/{id}`` (W.4): JSON Patch, atomic, ``test /rev`` → 412."""
    with fake.lock:
        item = fake.items.get(ident)
        if item is None:
            return _error(
                404,
                f"TF401232: Work item {ident} does not exist, or you do not have permissions "
                "to read it.",
                "WorkItemUnauthorizedAccessException",
            )
        if method == "GET":
            return Reply(200, copy.deepcopy(item))
        for op in body:
            if op["op"] == "test" and op["path"] == "/rev" and op["value"] != item["rev"]:
                message = (
                    f"VS403351: Test Operation for path /rev failed, value {item['rev']} was "
                    f"not equal to test value {op['value']}."
                )
                return Reply(
                    412,
                    {
                        "$id": "1",
                        "innerException": None,
                        "message": message,
                        "typeName": "Microsoft.VisualStudio.Services.WebApi.Patch."
                        "TestPatchOperationFailedException, Microsoft.VisualStudio.Services."
                        "WebApi",
                        "typeKey": "TestPatchOperationFailedException",
                        "errorCode": 0,
                        "eventId": 3000,
                    },
                )
        from tests.helpers.fake_writes import relation_ops

        refused = relation_ops(fake, item, body)
        if refused is not None:
            return refused
        for op in body:
            if op["op"] in ("add", "replace") and op["path"].startswith("/fields/"):
                item["fields"][op["path"].removeprefix("/fields/")] = op["value"]
        item["rev"] += 1
        item["fields"]["System.ChangedDate"] = azure_time(fake.tick())
        return Reply(200, copy.deepcopy(item))
