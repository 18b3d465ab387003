"""A stateful fake Jira (Cloud or Data Center) on 127.0.0.1, answering with the shapes in
shared/contracts/jira (search/jql with nextPageToken, legacy search with startAt, bulkfetch,
myself, field, project versions, issuelinks).

Also the small server base that fake_azure.py shares: request log, scripted faults (status,
headers, body, how many times) and slow answers.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo


@dataclass
class Recorded:
    """One request the fake received."""

    method: str
    path: str
    params: dict[str, str]
    body: Any
    headers: dict[str, str]
    #: When it arrived (``time.monotonic``), to see who waited for whom.
    at: float = field(default_factory=time.monotonic)


@dataclass
class Fault:
    """A scripted answer for the next ``times`` requests whose path contains ``path``."""

    path: str
    status: int
    times: int = 1
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    content_type: str = "application/json"
    delay_s: float = 0.0


@dataclass
class Reply:
    """What a route answers."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None
    content_type: str = "application/json; charset=utf-8"


class _Server(ThreadingHTTPServer):
    """Quiet about clients that hung up: a cancelled sync or a client timeout in a test, whose
    handler thread may write its late reply while a later test captures stderr."""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return
        super().handle_error(request, client_address)


class FakeServer:
    """A ThreadingHTTPServer in a thread with a request log, faults and delays."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.faults: list[Fault] = []
        self.delay_s = 0.0  # every data request
        self.lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- life cycle ------------------------------------------------------------------------------
    def start(self) -> FakeServer:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in two writes: without this, delayed ACK adds ~40 ms to
            # every small request (it showed in the push benchmark, one request per write).
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                owner._handle(self, "GET")

            def do_POST(self) -> None:
                owner._handle(self, "POST")

            def do_PUT(self) -> None:
                owner._handle(self, "PUT")

            def do_PATCH(self) -> None:
                owner._handle(self, "PATCH")

            def do_DELETE(self) -> None:
                owner._handle(self, "DELETE")

        self._server = _Server(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    # -- scripting -------------------------------------------------------------------------------
    def fail(self, path: str, status: int, **kwargs: Any) -> Fault:
        """Answer the next matching requests with ``status`` (see :class:`Fault`)."""
        fault = Fault(path, status, **kwargs)
        with self.lock:
            self.faults.append(fault)
        return fault

    def paths(self, method: str | None = None) -> list[str]:
        with self.lock:
            return [r.path for r in self.requests if method is None or r.method == method]

    # -- serving ---------------------------------------------------------------------------------
    def authorized(self, header: str) -> bool:
        raise NotImplementedError

    def unauthorized(self) -> Reply:
        raise NotImplementedError

    def route(self, method: str, path: str, params: dict[str, str], body: Any) -> Reply:
        raise NotImplementedError

    def _handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(handler.path)
        params = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        body = json.loads(raw) if raw else None
        headers = dict(handler.headers.items())
        with self.lock:
            self.requests.append(Recorded(method, parts.path, params, body, headers))
            fault = next((f for f in self.faults if f.path in parts.path and f.times > 0), None)
            if fault is not None:
                fault.times -= 1
        if fault is not None:
            time.sleep(fault.delay_s)
            if fault.status:
                reply = Reply(
                    fault.status,
                    raw=fault.body,
                    headers=fault.headers,
                    content_type=fault.content_type,
                )
                self._send(handler, reply)
                return
        if not self.authorized(handler.headers.get("Authorization", "")):
            self._send(handler, self.unauthorized())
            return
        if self.delay_s:
            time.sleep(self.delay_s)
        try:
            reply = self.route(method, parts.path, params, body)
        except Exception as exc:  # a bug in the fake: show it as a 500
            reply = Reply(500, {"errorMessages": [f"fake server error: {exc!r}"], "errors": {}})
        self._send(handler, reply)

    def _send(self, handler: BaseHTTPRequestHandler, reply: Reply) -> None:
        data = (
            reply.raw
            if reply.raw is not None
            else (b"" if reply.body is None else json.dumps(reply.body).encode())
        )
        handler.send_response(reply.status)
        handler.send_header("Content-Type", reply.content_type)
        handler.send_header("Content-Length", str(len(data)))
        for k, v in reply.headers.items():
            handler.send_header(k, v)
        handler.end_headers()
        handler.wfile.write(data)


def jira_time(when: dt.datetime, zone: str) -> str:
    """``2021-03-28T16:06:08.713+0800``: milliseconds and an offset without a colon."""
    local = when.astimezone(ZoneInfo(zone))
    return (
        local.strftime("%Y-%m-%dT%H:%M:%S.")
        + f"{local.microsecond // 1000:03d}"
        + local.strftime("%z")
    )


REMOVED = (
    "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. A full "
    "migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046"
)


def jira_error(status: int, message: str) -> Reply:
    """Jira's error body: ``{"errorMessages": [...], "errors": {}}``."""
    return Reply(status, {"errorMessages": [message], "errors": {}})


CATEGORIES = {
    "new": {"id": 2, "key": "new", "colorName": "blue-gray", "name": "To Do"},
    "indeterminate": {
        "id": 4,
        "key": "indeterminate",
        "colorName": "yellow",
        "name": "In Progress",
    },
    "done": {"id": 3, "key": "done", "colorName": "green", "name": "Done"},
}
_CLAUSES = [
    ("project_eq", re.compile(r'\bproject\s*=\s*"?([\w-]+)"?', re.I)),
    ("project_in", re.compile(r"\bproject\s+in\s*\(([^)]*)\)", re.I)),
    ("updated", re.compile(r'\bupdated\s*>=\s*"([^"]+)"', re.I)),
    ("id_in", re.compile(r"\bid\s+in\s*\(([^)]*)\)", re.I)),
    ("issuetype_eq", re.compile(r'\bissuetype\s*=\s*"([^"]+)"', re.I)),
]


class FakeJira(FakeServer):
    """A stateful Jira.

    Args:
        cloud: Cloud (REST v3, ``/search/jql``) or Data Center (REST v2, ``/search``).
        email: Cloud account e-mail; ``token``: the API token or PAT that is accepted.
        time_zone: the user's profile zone, in which JQL date literals are read.
        page_max: largest page with fields; ``id_page_max``: with ``fields=id`` only.
    """

    def __init__(
        self,
        *,
        cloud: bool = True,
        email: str = "mia@example.com",
        token: str = "jira-secret-token",
        time_zone: str = "Australia/Sydney",
        page_max: int = 100,
        id_page_max: int | None = None,
    ) -> None:
        super().__init__()
        self.cloud = cloud
        self.email = email
        self.token = token
        self.time_zone = time_zone
        self.page_max = page_max
        self.id_page_max = id_page_max or (5000 if cloud else 1000)
        self.issues: dict[str, dict[str, Any]] = {}  # id -> issue JSON
        self.projects: dict[str, dict[str, str]] = {}
        self.versions: dict[str, list[dict[str, Any]]] = {}
        self.points_field = "customfield_10016" if cloud else "customfield_10106"
        self.custom_fields: list[dict[str, Any]] = []  # more GET /field entries (add_field)
        self._options: dict[str, str] = {}
        self.clock = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
        self._next_id = 10000
        self._next_link = 20000
        self._cache: tuple[str, str, list[dict[str, Any]]] | None = None
        #: Issue fields not on the edit screen: a PUT setting one answers 400 (W.2).
        self.not_editable: set[str] = set()
        #: ``POST /issueLink`` reads inward/outward the DC way (W.3), not Cloud's.
        self.link_post_mirrored = False
        #: Ids of versions made by ``POST /version``.
        self.created_versions: list[str] = []

    def _version(self) -> str:
        """Changes whenever an issue changes (every change moves the clock)."""
        return f"{self.clock.isoformat()}|{len(self.issues)}|{self._next_id}"

    @property
    def api(self) -> str:
        return "/rest/api/3" if self.cloud else "/rest/api/2"

    def tick(self, minutes: float = 1) -> dt.datetime:
        """Move the fake's clock on (each change gets a later ``updated``)."""
        with self.lock:
            self.clock += dt.timedelta(minutes=minutes)
            return self.clock

    # -- state -----------------------------------------------------------------------------------
    def add_project(self, key: str, name: str) -> None:
        with self.lock:
            self._next_id += 1
            self.projects[key] = {"id": str(self._next_id), "key": key, "name": name}
            self.versions.setdefault(key, [])

    # fmt: off
    def add_version(
        self, project: str, name: str, *, start: str | None = None, release: str | None = None,
        released: bool = False, archived: bool = False,
    ) -> dict[str, Any]:
        with self.lock:
            self._next_id += 1
            version = {"self": f"{self.url}{self.api}/version/{self._next_id}",
                       "id": str(self._next_id), "description": "", "name": name,
                       "archived": archived, "released": released,
                       "projectId": int(self.projects[project]["id"])}
            if start:
                version["startDate"] = start
            if release:
                version["releaseDate"] = release
            self.versions[project].append(version)
            return version
    # fmt: on

    def add_field(self, ident: str, name: str, kind: str = "option") -> str:
        """A custom field listed by ``GET /field``: ``option`` (single select), ``date`` or
        ``string``; issues carry values set with ``add_issue(fields=...)``."""
        custom = {
            "option": "com.atlassian.jira.plugin.system.customfieldtypes:select",
            "date": "com.atlassian.jira.plugin.system.customfieldtypes:datepicker",
            "string": "com.atlassian.jira.plugin.system.customfieldtypes:textfield",
        }[kind]
        number = int(ident.rsplit("_", 1)[1])
        # fmt: off
        self.custom_fields.append(
            {"id": ident, "key": ident, "name": name, "untranslatedName": name, "custom": True,
             "orderable": True, "navigable": True, "searchable": True,
             "clauseNames": [f"cf[{number}]", name],
             "schema": {"type": kind, "custom": custom, "customId": number}}
        )
        # fmt: on
        return ident

    def option(self, value: str) -> dict[str, str]:
        """A select list value as issues carry it: ``{self, value, id}``."""
        with self.lock:
            ident = self._options.setdefault(value, str(10100 + len(self._options)))
        return {"self": f"{self.url}{self.api}/customFieldOption/{ident}", "value": value,
                "id": ident}  # fmt: skip

    def key_to_id(self, key: str) -> str:
        return next(i for i, issue in self.issues.items() if issue["key"] == key)

    # fmt: off
    def add_issue(
        self, key: str, summary: str, *, status: str = "To Do", category: str = "new",
        issue_type: str = "Story", version: str | None = None, points: float | None = None,
        updated: dt.datetime | None = None, fields: dict[str, Any] | None = None,
    ) -> str:
        """An issue; ``fields``: more field values by id (``duedate``, ``customfield_…``)."""
        with self.lock:
            project = self.projects[key.split("-")[0]]
            self._next_id += 1
            ident = str(self._next_id)
            when = jira_time(updated or self.tick(), self.time_zone)
            fields: dict[str, Any] = {
                "summary": summary,
                "issuetype": {"self": f"{self.url}{self.api}/issuetype/10001", "id": "10001",
                              "name": issue_type, "subtask": False},
                "project": {"self": f"{self.url}{self.api}/project/{project['id']}", **project},
                "fixVersions": [], "issuelinks": [], "created": when, "updated": when,
                "resolutiondate": None, self.points_field: points, "duedate": None,
                **{f["id"]: None for f in self.custom_fields}, **(fields or {}),
            }
            self.issues[ident] = {
                "expand": "operations,versionedRepresentations,editmeta,changelog,renderedFields",
                "id": ident, "self": f"{self.url}{self.api}/issue/{ident}", "key": key,
                "fields": fields,
            }
            # fmt: on
            self._set_status(fields, status, category)
            if version:
                self._set_version(fields, key.split("-")[0], version)
            return ident

    def _set_status(self, fields: dict[str, Any], status: str, category: str) -> None:
        fields["status"] = {
            "self": f"{self.url}{self.api}/status/1",
            "description": "",
            "name": status,
            "id": str(abs(hash(status)) % 10000),
            "statusCategory": {
                "self": f"{self.url}{self.api}/statuscategory/{CATEGORIES[category]['id']}",
                **CATEGORIES[category],
            },
        }
        if category == "done" and not fields.get("resolutiondate"):
            fields["resolutiondate"] = fields["updated"]

    def _set_version(self, fields: dict[str, Any], project: str, name: str) -> None:
        version = next(v for v in self.versions[project] if v["name"] == name)
        embedded = {
            k: version[k] for k in ("self", "id", "description", "name", "archived", "released")
        }
        if "releaseDate" in version:
            embedded["releaseDate"] = version["releaseDate"]
        fields["fixVersions"] = [embedded]

    def update_issue(self, key: str, *, when: dt.datetime | None = None, **changes: Any) -> None:
        """Change ``summary``, ``status`` (+``category``), ``version``, ``points`` or
        ``fields`` (values by field id)."""
        with self.lock:
            issue = self.issues[self.key_to_id(key)]
            fields = issue["fields"]
            fields["updated"] = jira_time(when or self.tick(), self.time_zone)
            if "summary" in changes:
                fields["summary"] = changes["summary"]
            if "status" in changes:
                self._set_status(
                    fields, changes["status"], changes.get("category", "indeterminate")
                )
            if "version" in changes:
                self._set_version(fields, key.split("-")[0], changes["version"])
            if "points" in changes:
                fields[self.points_field] = changes["points"]
            fields.update(changes.get("fields") or {})

    def delete_issue(self, key: str) -> None:
        with self.lock:
            ident = self.key_to_id(key)
            del self.issues[ident]
            for issue in self.issues.values():
                issue["fields"]["issuelinks"] = [
                    link
                    for link in issue["fields"]["issuelinks"]
                    if (link.get("inwardIssue") or link.get("outwardIssue"))["id"] != ident
                ]

    def link(self, blocker: str, blocked: str, type_name: str = "Blocks") -> str:
        """``blocker`` blocks ``blocked`` (both issues list the link, mirrored)."""
        with self.lock:
            self._next_link += 1
            kind = {
                "id": "10000",
                "name": type_name,
                "inward": "is blocked by",
                "outward": "blocks",
                "self": f"{self.url}{self.api}/issueLinkType/10000",
            }
            a, b = self.issues[self.key_to_id(blocker)], self.issues[self.key_to_id(blocked)]
            when = jira_time(self.tick(), self.time_zone)

            def stub(i: dict[str, Any]) -> dict[str, Any]:
                fields = {"summary": i["fields"]["summary"], "status": i["fields"]["status"]}
                return {"id": i["id"], "key": i["key"], "self": i["self"], "fields": fields}

            link_id = str(self._next_link)
            a["fields"]["issuelinks"].append(
                {
                    "id": link_id,
                    "self": f"{self.url}{self.api}/issueLink/{link_id}",
                    "type": kind,
                    "outwardIssue": stub(b),
                }
            )
            b["fields"]["issuelinks"].append(
                {
                    "id": link_id,
                    "self": f"{self.url}{self.api}/issueLink/{link_id}",
                    "type": kind,
                    "inwardIssue": stub(a),
                }
            )
            a["fields"]["updated"] = b["fields"]["updated"] = when
            return link_id

    def unlink(self, blocker: str, blocked: str) -> None:
        with self.lock:
            a, b = self.issues[self.key_to_id(blocker)], self.issues[self.key_to_id(blocked)]
            a["fields"]["issuelinks"] = [
                link
                for link in a["fields"]["issuelinks"]
                if (link.get("outwardIssue") or {}).get("id") != b["id"]
            ]
            b["fields"]["issuelinks"] = [
                link
                for link in b["fields"]["issuelinks"]
                if (link.get("inwardIssue") or {}).get("id") != a["id"]
            ]
            a["fields"]["updated"] = b["fields"]["updated"] = jira_time(self.tick(), self.time_zone)

    # -- HTTP ------------------------------------------------------------------------------------
    def authorized(self, header: str) -> bool:
        if self.cloud:
            expected = base64.b64encode(f"{self.email}:{self.token}".encode()).decode()
            return header == f"Basic {expected}"
        return header == f"Bearer {self.token}"

    def unauthorized(self) -> Reply:
        headers = {"X-Seraph-LoginReason": "AUTHENTICATED_FAILED"} if not self.cloud else {}
        return Reply(
            401,
            raw=b"Client must be authenticated to access this resource.",
            headers=headers,
            content_type="text/plain;charset=UTF-8",
        )

    def route(self, method: str, path: str, params: dict[str, str], body: Any) -> Reply:
        api = self.api
        if path == f"{api}/myself":
            return Reply(200, self._myself())
        if path == f"{api}/field":
            return Reply(200, self._fields())
        if self.cloud and path == "/rest/api/3/search/jql" and method == "GET":
            return self._search_jql(params)
        if path in ("/rest/api/3/search", "/rest/api/2/search") and self.cloud:
            return jira_error(410, REMOVED)
        if not self.cloud and path == "/rest/api/2/search" and method == "GET":
            return self._search_legacy(params)
        if self.cloud and path == "/rest/api/3/issue/bulkfetch" and method == "POST":
            return self._bulkfetch(body)
        from tests.helpers.fake_writes import jira_write

        written = jira_write(self, method, path, body)
        if written is not None:
            return written
        match = re.fullmatch(rf"{api}/version/(\d+)", path)
        if match and method in ("GET", "PUT"):
            return _version_write(self, match.group(1), method, body)
        match = re.fullmatch(rf"{api}/issue/([^/]+)", path)
        if match and method in ("GET", "PUT"):
            return _issue_write(self, match.group(1), method, params, body)
        match = re.fullmatch(rf"{api}/project/([^/]+)/versions", path)
        if match:
            project = match.group(1)
            # projectIdOrKey: an id names the project too.
            project = next((k for k, p in self.projects.items() if p["id"] == project), project)
            if project not in self.projects:
                return jira_error(404, f"No project could be found with key '{project}'.")
            with self.lock:
                return Reply(200, [dict(v) for v in self.versions[project]])
        return jira_error(404, "null for uri: " + path)

    def _myself(self) -> dict[str, Any]:
        # fmt: off
        if self.cloud:
            return {"self": f"{self.url}/rest/api/3/user?accountId=5b10a2844c20165700ede21g",
                    "accountId": "5b10a2844c20165700ede21g", "accountType": "atlassian",
                    "emailAddress": self.email, "displayName": "Mia Krystof", "active": True,
                    "timeZone": self.time_zone, "groups": {"size": 3, "items": []},
                    "applicationRoles": {"size": 1, "items": []}}
        return {"self": f"{self.url}/rest/api/2/user?username=mia", "key": "JIRAUSER10000",
                "name": "mia", "emailAddress": self.email, "displayName": "Mia Krystof",
                "active": True, "timeZone": self.time_zone, "locale": "en_US"}
        # fmt: on

    def _fields(self) -> list[dict[str, Any]]:
        name = "Story point estimate" if self.cloud else "Story Points"
        number = self.points_field.rsplit("_", 1)[1]
        # fmt: off
        return [
            {"id": "summary", "key": "summary", "name": "Summary", "custom": False,
             "orderable": True, "navigable": True, "searchable": True,
             "clauseNames": ["summary"],
             "schema": {"type": "string", "system": "summary"}},
            {"id": "customfield_10020", "key": "customfield_10020", "name": "Sprint",
             "custom": True, "clauseNames": ["cf[10020]", "Sprint"],
             "schema": {"type": "array", "items": "json", "customId": 10020,
                        "custom": "com.pyxis.greenhopper.jira:gh-sprint"}},
            {"id": self.points_field, "key": self.points_field, "name": name, "custom": True,
             "clauseNames": [f"cf[{number}]", name],
             "schema": {"type": "number", "customId": int(number),
                        "custom": "com.atlassian.jira.plugin.system.customfieldtypes:float"}},
            {"id": "created", "key": "created", "name": "Created", "custom": False,
             "orderable": False, "navigable": True, "searchable": True,
             "clauseNames": ["created", "createdDate"],
             "schema": {"type": "datetime", "system": "created"}},
            {"id": "duedate", "key": "duedate", "name": "Due date", "custom": False,
             "orderable": True, "navigable": True, "searchable": True,
             "clauseNames": ["due", "duedate"], "schema": {"type": "date", "system": "duedate"}},
            *self.custom_fields,
        ]
        # fmt: on

    def matching(self, jql: str) -> list[dict[str, Any]] | Reply:
        """The issues a JQL query of the supported subset matches, by id."""
        with self.lock:
            cached = self._cache
            if cached is not None and cached[:2] == (self._version(), jql):
                return cached[2]
        text = re.split(r"\border\s+by\b", jql, flags=re.I)[0]
        rest = text
        checks = []
        for name, pattern in _CLAUSES:
            for match in pattern.finditer(text):
                checks.append((name, match.group(1)))
            rest = pattern.sub(" ", rest)
        if re.sub(r"(?i)\band\b|[()\s]", "", rest):
            return jira_error(400, f"Error in the JQL Query: cannot read {rest.strip()!r}")
        if not checks:
            return jira_error(400, "Unbounded JQL queries are not allowed here.")
        zone = ZoneInfo(self.time_zone)
        out = []
        with self.lock:
            # ``id in (...)`` is looked up, like a real index, not checked against every issue.
            idents: Any = self.issues
            for name, value in checks:
                if name == "id_in":
                    wanted = {v.strip() for v in value.split(",")}
                    idents = [i for i in wanted if i in self.issues]
            for ident in sorted(idents, key=int):
                issue = self.issues[ident]
                f = issue["fields"]
                ok = True
                for name, value in checks:
                    if name == "project_eq":
                        ok &= f["project"]["key"] == value
                    elif name == "project_in":
                        ok &= f["project"]["key"] in {
                            v.strip().strip('"') for v in value.split(",")
                        }
                    elif name == "id_in":
                        ok &= ident in {v.strip() for v in value.split(",")}
                    elif name == "issuetype_eq":
                        ok &= f["issuetype"]["name"] == value
                    else:  # updated >= "yyyy/MM/dd HH:mm", read in the user's zone
                        since = dt.datetime.strptime(value.replace("-", "/"), "%Y/%m/%d %H:%M")
                        ok &= dt.datetime.fromisoformat(f["updated"]) >= since.replace(tzinfo=zone)
                if ok:
                    out.append(issue)
            self._cache = (self._version(), jql, out)
        return out

    def _shape(self, issue: dict[str, Any], fields: str | list[str] | None) -> dict[str, Any]:
        wanted = fields.split(",") if isinstance(fields, str) else (fields or ["id"])
        if "*all" in wanted or "*navigable" in wanted:
            return issue
        kept = {k: v for k, v in issue["fields"].items() if k in wanted}
        return {
            "expand": "",
            "id": issue["id"],
            "self": issue["self"],
            "key": issue["key"],
            "fields": kept,
        }

    def _page_size(self, fields: str | None, asked: str | None) -> int:
        cap = (
            self.id_page_max if set((fields or "id").split(",")) <= {"id", "key"} else self.page_max
        )
        return max(1, min(int(asked or 50), cap))

    def _search_jql(self, params: dict[str, str]) -> Reply:
        found = self.matching(params.get("jql", ""))
        if isinstance(found, Reply):
            return found
        size = self._page_size(params.get("fields"), params.get("maxResults"))
        token = params.get("nextPageToken")
        start = int(base64.b64decode(token).decode().split(":")[1]) if token else 0
        page = found[start : start + size]
        result: dict[str, Any] = {
            "issues": [self._shape(i, params.get("fields")) for i in page],
            "isLast": start + size >= len(found),
        }
        if not result["isLast"]:
            result["nextPageToken"] = base64.b64encode(f"offset:{start + size}".encode()).decode()
        return Reply(200, result)

    def _search_legacy(self, params: dict[str, str]) -> Reply:
        found = self.matching(params.get("jql", ""))
        if isinstance(found, Reply):
            return found
        size = self._page_size(params.get("fields"), params.get("maxResults"))
        start = int(params.get("startAt") or 0)
        page = found[start : start + size]
        issues = [self._shape(i, params.get("fields")) for i in page]
        body = {"expand": "names,schema", "startAt": start, "maxResults": size}
        return Reply(200, {**body, "total": len(found), "issues": issues})

    def _bulkfetch(self, body: dict[str, Any]) -> Reply:
        ids = [str(i) for i in body.get("issueIdsOrKeys") or []]
        if len(ids) > 100:
            return jira_error(400, "The number of issues requested exceeds 100.")
        with self.lock:
            issues = [self.issues[i] for i in ids if i in self.issues]
        shaped = [self._shape(i, body.get("fields")) for i in issues]
        return Reply(200, {"expand": "", "issues": shaped, "issueErrors": []})


def _find_version(fake: FakeJira, ident: str) -> dict[str, Any] | None:
    return next((v for vs in fake.versions.values() for v in vs if v["id"] == ident), None)


def _version_write(self: FakeJira, ident: str, method: str, body: Any) -> Reply:
    """``GET``/``PUT /version/{id}`` (W.1): a PUT changes only the keys it carries."""
    with self.lock:
        version = _find_version(self, ident)
        if version is None:
            return jira_error(404, f"Could not find version for id '{ident}'")
        if method == "PUT":
            if "releaseDate" in body and "userReleaseDate" in body:
                return jira_error(
                    400,
                    "Only one of 'releaseDate' and 'userReleaseDate' can be specified when "
                    "editing a version.",
                )
            for name in ("startDate", "releaseDate"):
                if name in body:
                    if body[name] is None:
                        version.pop(name, None)
                    else:
                        version[name] = body[name]
            for name in ("released", "archived", "name", "description"):
                if name in body:
                    version[name] = body[name]
        return Reply(200, dict(version))


def _issue_write(self: FakeJira, ref: str, method: str, params: dict[str, str], body: Any) -> Reply:
    """``GET``/``PUT /issue/{idOrKey}`` (W.2): fixVersions by ``update`` set/add/remove."""
    with self.lock:
        ident = (
            ref
            if ref in self.issues
            else next((i for i, v in self.issues.items() if v["key"] == ref), None)
        )
        if ident is None:
            return jira_error(404, "Issue does not exist or you do not have permission to see it.")
        issue = self.issues[ident]
        if method == "GET":
            return Reply(200, self._shape(issue, params.get("fields")))
        update = dict(body.get("update") or {})
        fields = dict(body.get("fields") or {})
        for name in set(update) | set(fields):
            if name in self.not_editable or name != "fixVersions":
                return Reply(
                    400,
                    {
                        "errorMessages": [],
                        "errors": {
                            name: f"Field '{name}' cannot be set. It is "
                            "not on the appropriate screen, or unknown."
                        },
                    },
                )
        if set(update) & set(fields):
            return jira_error(400, "Field may appear in fields or update, not both.")
        current = list(issue["fields"].get("fixVersions") or [])
        ops = update.get("fixVersions") or ([{"set": fields["fixVersions"]}] if fields else [])
        for op in ops:
            for verb, value in op.items():
                refs = value if isinstance(value, list) else [value]
                found = [_find_version(self, str(r.get("id"))) for r in refs]
                if any(v is None for v in found):
                    return jira_error(400, "Version id not found.")
                embedded = [
                    {k: v[k] for k in ("self", "id", "description", "name", "archived", "released")}
                    for v in found
                    if v is not None
                ]
                if verb == "set":
                    current = embedded
                elif verb == "add":
                    current += [e for e in embedded if e["id"] not in {c["id"] for c in current}]
                elif verb == "remove":
                    current = [c for c in current if c["id"] not in {e["id"] for e in embedded}]
        issue["fields"]["fixVersions"] = current
        issue["fields"]["updated"] = jira_time(self.tick(), self.time_zone)
        self._cache = None
        return Reply(204)
