"""Write routes of the fake Jira and Azure servers for links, version/iteration creation and
iteration dates, with the real rules of the contracts (API-NOTES-WRITE-DEPLOY W.1, W.3-W.5).

Jira (W.3): ``POST /issueLink`` answers 201 with an EMPTY body (no link id) and 201 again for a
duplicate; Cloud's POST direction: the ``inwardIssue`` ends up showing the outward phrase
(``inwardIssue`` A, ``outwardIssue`` B of type Blocks: A blocks B), or the mirrored DC reading
with ``fake.link_post_mirrored``; ``DELETE /issueLink/{id}`` answers 204, 404 when gone.
``POST /version`` (W.1) needs ``name`` and ``projectId``, answers 201 with the Version.

Azure (W.4, W.5): ``/relations/-`` add and ``/relations/{index}`` remove in a JSON Patch (the
dependency shows mirrored on the other item); classification nodes: GET, PATCH attributes
(200), POST create (201 + ``Location``; 409 on a duplicate name); team iteration add (201).
"""

from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from tests.helpers.fake_jira import Reply, jira_error

if TYPE_CHECKING:
    from tests.helpers.fake_azure import FakeAzure
    from tests.helpers.fake_jira import FakeJira

#: The link types the fake knows (``GET /issueLinkType`` in the existing contracts).
LINK_TYPES = {"10000": "Blocks", "10001": "Cloners", "10002": "Duplicate", "10003": "Relates"}


# -- Jira ------------------------------------------------------------------------------------------
def jira_write(fake: FakeJira, method: str, path: str, body: Any) -> Reply | None:
    """Answer a link or version-create request, or None when ``path`` is not one."""
    api = fake.api
    if path == f"{api}/issueLink" and method == "POST":
        return _link_create(fake, body or {})
    match = re.fullmatch(rf"{api}/issueLink/(\d+)", path)
    if match and method == "DELETE":
        return _link_delete(fake, match.group(1))
    if path == f"{api}/version" and method == "POST":
        return _version_create(fake, body or {})
    return None


def _issue_by_ref(fake: FakeJira, ref: Any) -> dict[str, Any] | None:
    ref = ref or {}
    if "id" in ref:
        return fake.issues.get(str(ref["id"]))
    return next((i for i in fake.issues.values() if i["key"] == ref.get("key")), None)


def _link_create(fake: FakeJira, body: dict[str, Any]) -> Reply:
    kind = body.get("type") or {}
    name = LINK_TYPES.get(str(kind.get("id")), kind.get("name"))
    if name not in LINK_TYPES.values():
        return jira_error(404, f"No issue link type with name '{kind.get('name')}' found.")
    with fake.lock:
        inward = _issue_by_ref(fake, body.get("inwardIssue"))
        outward = _issue_by_ref(fake, body.get("outwardIssue"))
        if inward is None or outward is None:
            return jira_error(404, "Issue Does Not Exist")
        # Cloud: the POST's inwardIssue shows the outward phrase (it blocks the other one).
        blocker, blocked = (outward, inward) if fake.link_post_mirrored else (inward, outward)
        exists = any(
            link["type"]["name"] == name
            and (link.get("outwardIssue") or {}).get("id") == blocked["id"]
            for link in blocker["fields"]["issuelinks"]
        )
        if not exists:
            fake.link(blocker["key"], blocked["key"], name)
    return Reply(201)  # empty body: the id is not returned


def _link_delete(fake: FakeJira, link_id: str) -> Reply:
    with fake.lock:
        holders = [
            i
            for i in fake.issues.values()
            if any(x["id"] == link_id for x in i["fields"]["issuelinks"])
        ]
        if not holders:
            return jira_error(404, f"No issue link with id '{link_id}' exists.")
        for issue in holders:
            issue["fields"]["issuelinks"] = [
                x for x in issue["fields"]["issuelinks"] if x["id"] != link_id
            ]
        fake.tick()
    return Reply(204)


def _version_create(fake: FakeJira, body: dict[str, Any]) -> Reply:
    if not body.get("name"):
        return Reply(
            400, {"errorMessages": [], "errors": {"name": "You must specify a valid version name"}}
        )
    with fake.lock:
        project = next(
            (k for k, p in fake.projects.items() if p["id"] == str(body.get("projectId"))), None
        )
        if project is None:
            return jira_error(404, "Project not found or you do not have permission to see it.")
        if any(v["name"] == body["name"] for v in fake.versions[project]):
            return Reply(
                400,
                {
                    "errorMessages": [],
                    "errors": {"name": "A version with this name already exists in this project."},
                },
            )
        version = fake.add_version(
            project, body["name"], start=body.get("startDate"), release=body.get("releaseDate"),
            released=bool(body.get("released", False)),
        )  # fmt: skip
        fake.created_versions.append(version["id"])
        return Reply(201, dict(version))


# -- Azure -----------------------------------------------------------------------------------------
def relation_ops(fake: FakeAzure, item: dict[str, Any], ops: list[dict[str, Any]]) -> Reply | None:
    """Apply the ``/relations`` operations of a patch (already past ``test /rev``).

    Checked first, then applied, so a bad index changes nothing (the patch is atomic).
    """
    rels = item["relations"]
    removals: list[int] = []
    adds: list[dict[str, Any]] = []
    for op in ops:
        path = op.get("path", "")
        if not path.startswith("/relations/"):
            continue
        where = path.removeprefix("/relations/")
        if op["op"] == "add" and where == "-":
            adds.append(op["value"])
        elif op["op"] == "remove" and where.isdigit() and int(where) < len(rels):
            removals.append(int(where))
        else:
            return Reply(
                400,
                {"$id": "1", "innerException": None, "message": f"Invalid patch path {path}.",
                 "typeName": "Microsoft.VisualStudio.Services.WebApi.Patch."
                 "InvalidPatchFieldNameException, "
                 "Microsoft.VisualStudio.Services.WebApi",
                 "typeKey": "InvalidPatchFieldNameException", "errorCode": 0, "eventId": 3000},
            )  # fmt: skip
    me = int(item["id"])
    for index in sorted(removals, reverse=True):
        rel = rels[index]
        other = int(str(rel["url"]).rstrip("/").rsplit("/", 1)[-1])
        if rel["rel"].endswith("Dependency-Forward"):
            fake.link(me, other, active=False)
        elif rel["rel"].endswith("Dependency-Reverse"):
            fake.link(other, me, active=False)
        elif index < len(rels):
            del rels[index]
    for value in adds:
        other = int(str(value["url"]).rstrip("/").rsplit("/", 1)[-1])
        if other not in fake.items:
            return Reply(
                400,
                {
                    "message": f"TF201036: work item {other} does not exist.",
                    "typeKey": "WorkItemLinkInvalidException",
                },
            )
        if value["rel"] == "System.LinkTypes.Dependency-Forward":
            fake.link(me, other)
        elif value["rel"] == "System.LinkTypes.Dependency-Reverse":
            fake.link(other, me)
        else:
            rels.append(
                {
                    "rel": value["rel"],
                    "url": value["url"],
                    "attributes": value.get("attributes") or {},
                }
            )
    return None


def _node_of(fake: FakeAzure, iteration: dict[str, Any], number: int) -> dict[str, Any]:
    rel = iteration["path"].split("\\", 1)[1]
    attrs = {k: iteration["attributes"].get(k) for k in ("startDate", "finishDate")}
    return {
        "id": 10600 + number, "identifier": iteration["id"], "name": iteration["name"],
        "structureType": "iteration", "hasChildren": False,
        "path": f"\\{fake.project}\\Iteration\\{rel}",
        "attributes": {k: v for k, v in attrs.items() if v},
        "url": _node_url(fake, rel),
    }  # fmt: skip


def _node_url(fake: FakeAzure, rel: str) -> str:
    below = quote(rel.replace("\\", "/"))
    return f"{fake.url}/{fake.project_id}/_apis/wit/classificationNodes/Iterations/{below}"


def nodes(fake: FakeAzure) -> dict[str, dict[str, Any]]:
    """The iteration nodes by path below the project (``Sprint 1``), the team's included."""
    for n, iteration in enumerate(fake.iterations):
        rel = iteration["path"].split("\\", 1)[1]
        fake.nodes.setdefault(rel, _node_of(fake, iteration, n))
    return fake.nodes


def _z(value: Any) -> Any:
    # Dates sent without a zone come back with Z (recorded).
    return f"{value}Z" if isinstance(value, str) and not value.endswith("Z") else value


def azure_write(fake: FakeAzure, method: str, path: str, body: Any) -> Reply | None:
    """Answer a classification node or team iteration write, or None when not one."""
    project, team = f"/{fake.project}", f"/{fake.project}/{fake.team}"
    if path == f"{team}/_apis/work/teamsettings/iterations" and method == "POST":
        return _team_add(fake, str((body or {}).get("id") or ""))
    match = re.fullmatch(
        rf"(?i){re.escape(project)}/_apis/wit/classificationnodes/iterations(/.*)?", path
    )
    if not match:
        return None
    rel = (match.group(1) or "").replace("\\", "/").strip("/").replace("/", "\\")
    with fake.lock:
        known = nodes(fake)
        if method == "POST":
            return _node_create(fake, rel, body or {})
        node = known.get(rel)
        if node is None:
            return Reply(
                404,
                {
                    "message": f"VS402485: The node name or path {rel} does not exist.",
                    "typeKey": "WorkItemClassificationNodeDoesNotExistException",
                },
            )
        if method == "PATCH":
            attrs = {k: _z(v) for k, v in ((body or {}).get("attributes") or {}).items()}
            node["attributes"] = {**node.get("attributes", {}), **attrs}
            for iteration in fake.iterations:
                if iteration["id"] == node["identifier"]:
                    iteration["attributes"].update(attrs)
            fake.node_patches += 1
        return Reply(200, dict(node))


def _node_create(fake: FakeAzure, parent: str, body: dict[str, Any]) -> Reply:
    name = str(body.get("name") or "")
    if not name:
        return Reply(
            400,
            {
                "message": "You must specify a classification node in the body of your request.",
                "typeKey": "ArgumentException",
            },
        )
    rel = f"{parent}\\{name}" if parent else name
    if parent and parent not in fake.nodes:
        return Reply(
            404,
            {
                "message": f"VS402485: The node name or path {parent} does not exist.",
                "typeKey": "WorkItemClassificationNodeDoesNotExistException",
            },
        )
    if rel in fake.nodes:
        return Reply(
            409,
            {
                "message": f"VS402371: Classification node name {name} is already in use by a "
                "different child of parent classification node.",
                "typeKey": "ClassificationNodeDuplicateNameException",
            },
        )
    attrs = {k: _z(v) for k, v in (body.get("attributes") or {}).items() if v}
    node = {
        "id": 10900 + len(fake.nodes), "identifier": str(uuid.uuid4()), "name": name,
        "structureType": "iteration", "hasChildren": False,
        "path": f"\\{fake.project}\\Iteration\\{rel}", "attributes": attrs,
        "url": _node_url(fake, rel),
    }  # fmt: skip
    fake.nodes[rel] = node
    return Reply(201, dict(node), headers={"Location": node["url"]})


def add_node(fake: FakeAzure, parent: str, name: str) -> dict[str, Any]:
    """An iteration node made as ``POST …/classificationnodes/Iterations/{parent}`` would."""
    with fake.lock:
        nodes(fake)
        reply = _node_create(fake, parent, {"name": name})
    assert reply.status == 201, reply.body
    return dict(reply.body)


def _team_add(fake: FakeAzure, identifier: str) -> Reply:
    with fake.lock:
        node = next((n for n in nodes(fake).values() if n["identifier"] == identifier), None)
        if node is None:
            return Reply(
                400,
                {
                    "message": f"VS403104: The iteration {identifier} does not exist.",
                    "typeKey": "InvalidTeamSettingsException",
                },
            )
        rel = node["path"].split("\\Iteration\\", 1)[1]
        existing = next((i for i in fake.iterations if i["id"] == identifier), None)
        if existing is None:
            attrs = node.get("attributes") or {}
            existing = {
                "id": identifier, "name": node["name"], "path": f"{fake.project}\\{rel}",
                "attributes": {**{k: attrs.get(k) for k in ("startDate", "finishDate")},
                               "timeFrame": "future"},
                "url": f"{fake.url}/{fake.project_id}/_apis/work/teamsettings/iterations/"
                + identifier,
            }  # fmt: skip
            fake.iterations.append(existing)
        return Reply(201, dict(existing))
