"""Pure translation of Jira and Azure Boards payloads into the sync records.

Field names follow shared/contracts (recorded payloads): Jira ``fields.summary``, ``status``
(mapped on ``statusCategory.key``, never on the localised name), ``fixVersions``, ``issuelinks``;
Azure ``System.*`` fields and ``relations``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

from relplan.sync.tracker import ConnectionConfig, RemoteItem, RemoteLink, RemoteRelease, RemoteTeam

#: Jira status category keys -> relplan categories ("undefined" is Jira's "No Category").
JIRA_CATEGORIES: Final = {
    "new": "todo",
    "indeterminate": "in_progress",
    "done": "done",
    "undefined": "todo",
}
#: Azure state categories (from ``workitemtypes/{type}/states``) -> relplan categories.
AZURE_CATEGORIES: Final = {
    "Proposed": "todo",
    "InProgress": "in_progress",
    "Resolved": "in_progress",
    "Completed": "done",
    "Removed": "done",
}
#: Azure state names of the stock processes, for when the states endpoint is not available.
AZURE_STATE_NAMES: Final = {
    "new": "todo",
    "proposed": "todo",
    "to do": "todo",
    "approved": "todo",
    "design": "todo",
    "active": "in_progress",
    "committed": "in_progress",
    "in progress": "in_progress",
    "doing": "in_progress",
    "resolved": "in_progress",
    "closed": "done",
    "done": "done",
    "completed": "done",
    "removed": "done",
}
#: Story-point fields by name, in order of preference, when the mapping names none.
JIRA_POINT_NAMES: Final = ("story points", "story point estimate")
AZURE_POINT_FIELDS: Final = (
    "Microsoft.VSTS.Scheduling.StoryPoints",
    "Microsoft.VSTS.Scheduling.Effort",
    "Microsoft.VSTS.Scheduling.Size",
)
_UNSAFE = re.compile(r"[\s|>\\/]+")


def make_key(*parts: str) -> str:
    """A workspace key from parts: joined with ``-``, without spaces, bars, ``>`` or slashes.

    Examples:
        >>> make_key("EE", "v2.7.0")
        'EE-v2.7.0'
        >>> make_key("Fabrikam\\\\Web Team")
        'Fabrikam-Web-Team'
    """
    text = "-".join(p.strip() for p in parts if p and p.strip())
    return _UNSAFE.sub("-", text).strip("-") or "unnamed"


def parse_time(value: Any) -> dt.datetime | None:
    """A Jira or Azure timestamp (``2021-03-28T16:06:08.713+0800``, ``…26.23Z``) as aware time."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=dt.UTC)


def parse_day(value: Any) -> dt.date | None:
    """A ``yyyy-mm-dd`` day, the day of an ISO time, or epoch milliseconds (doc examples)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return dt.datetime.fromtimestamp(value / 1000, dt.UTC).date()
    if not isinstance(value, str) or not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _text(value: Any) -> str:
    """A field value as text: strings as they are, options by ``value`` or ``name``."""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        for key in ("value", "name", "displayName"):
            if isinstance(value.get(key), str):
                return str(value[key])
    if isinstance(value, Sequence) and value:
        return _text(value[0])
    return ""


def category_of(status: str, source_category: str | None, overrides: Mapping[str, str]) -> str:
    """The relplan category of a status: an override by name first, then the source's category.

    Examples:
        >>> category_of("已完成", "done", {})
        'done'
        >>> category_of("Review", "in_progress", {"Review": "done"})
        'done'
    """
    if status in overrides:
        return overrides[status]
    return source_category or AZURE_STATE_NAMES.get(status.casefold(), "todo")


# -- Jira -------------------------------------------------------------------------------------
def jira_points_field(fields: Sequence[Mapping[str, Any]], configured: str = "") -> str:
    """The story-point field id, from ``GET /field`` (the configured one when given).

    Examples:
        >>> jira_points_field([{"id": "customfield_10016", "name": "Story point estimate"}])
        'customfield_10016'
    """
    if configured:
        return configured
    by_name = {str(f.get("name", "")).casefold(): str(f.get("id", "")) for f in fields}
    for name in JIRA_POINT_NAMES:
        if by_name.get(name):
            return by_name[name]
    return ""


def jira_team(config: ConnectionConfig, issue_fields: Mapping[str, Any]) -> RemoteTeam | None:
    """The team of an issue: its project, or the value of a field (``field:ID``)."""
    how = config.mapping.team_from or "project"
    if how.startswith("field:"):
        value = _text(issue_fields.get(how.removeprefix("field:")))
        if not value:
            return None
        return RemoteTeam(f"field:{value}", make_key(value), value)
    project = issue_fields.get("project") or {}
    return jira_project_team(project) if project.get("id") else None


def jira_project_team(project: Mapping[str, Any]) -> RemoteTeam:
    """The team a Jira project stands for."""
    key = str(project.get("key", ""))
    return RemoteTeam(
        f"project:{project.get('id')}", make_key(key), str(project.get("name") or key)
    )


def jira_links(issue: Mapping[str, Any], link_types: Sequence[str]) -> tuple[RemoteLink, ...]:
    """The dependency links of an issue.

    A Blocks link with ``outwardIssue`` Y on issue X means X blocks Y: X is the prerequisite.
    With ``inwardIssue`` Y, X is blocked by Y. Types match by name or id, not by the
    (renameable) inward/outward words.
    """
    me = str(issue.get("id"))
    wanted = set(link_types)
    links: list[RemoteLink] = []
    for link in (issue.get("fields") or {}).get("issuelinks") or []:
        kind = link.get("type") or {}
        if kind.get("name") not in wanted and str(kind.get("id")) not in wanted:
            continue
        if link.get("outwardIssue"):
            links.append(RemoteLink(me, str(link["outwardIssue"]["id"])))
        elif link.get("inwardIssue"):
            links.append(RemoteLink(str(link["inwardIssue"]["id"]), me))
    return tuple(links)


def jira_item(
    config: ConnectionConfig, issue: Mapping[str, Any], points_field: str
) -> tuple[RemoteItem, RemoteTeam | None]:
    """A Jira issue (v2 or v3 JSON) as a remote item, with its team."""
    fields: Mapping[str, Any] = issue.get("fields") or {}
    key = str(issue.get("key"))
    status = fields.get("status") or {}
    status_name = str(status.get("name") or "")
    source_category = JIRA_CATEGORIES.get(str((status.get("statusCategory") or {}).get("key")))
    team = jira_team(config, fields)
    versions = fields.get("fixVersions") or []
    release = None
    if versions and config.mapping.release_from != "none":
        release = f"version:{versions[0]['id']}"
    item = RemoteItem(
        source_id=str(issue.get("id")),
        source_key=key,
        url=f"{config.url}/browse/{key}",
        updated=parse_time(fields.get("updated")),
        key=make_key(key),
        title=str(fields.get("summary") or key),
        team=team.source_id if team else None,
        release=release,
        type=str((fields.get("issuetype") or {}).get("name") or "Issue"),
        status=status_name or "Unknown",
        category=category_of(status_name, source_category, config.mapping.states),
        points=_number(fields.get(points_field)) if points_field else None,
        created=parse_time(fields.get("created")),
        resolved=parse_time(fields.get("resolutiondate")),
        links=jira_links(issue, config.links),
    )
    return item, team


def jira_release(version: Mapping[str, Any], team: RemoteTeam, project_key: str) -> RemoteRelease:
    """A Jira version as a release of its project's team."""
    name = str(version.get("name") or version.get("id"))
    if version.get("released"):
        status = "released"
    elif version.get("archived"):
        status = "cancelled"
    else:
        status = "planned"
    return RemoteRelease(
        source_id=f"version:{version.get('id')}",
        source_key=name,
        url=str(version.get("self") or ""),
        key=make_key(project_key, name),
        name=name,
        team=team.source_id,
        start=parse_day(version.get("startDate")),
        target=parse_day(version.get("releaseDate")),
        status=status,
    )


# -- Azure Boards -------------------------------------------------------------------------------
def azure_path(path: str) -> str:
    """An area or iteration path in work item form: no leading ``\\``, no ``Iteration`` level.

    Examples:
        >>> azure_path("\\\\Proj\\\\Iteration\\\\Sprint 3")
        'Proj\\\\Sprint 3'
        >>> azure_path("Proj\\\\Sprint 3")
        'Proj\\\\Sprint 3'
    """
    parts = [p for p in path.split("\\") if p]
    if path.startswith("\\") and len(parts) > 1 and parts[1] in ("Iteration", "Area"):
        del parts[1]
    return "\\".join(parts)


def azure_team(config: ConnectionConfig, fields: Mapping[str, Any]) -> RemoteTeam | None:
    """The team of a work item: its area path (default), its project, or a field's value."""
    how = config.mapping.team_from or "area"
    if how.startswith("field:"):
        value = _text(fields.get(how.removeprefix("field:")))
        return RemoteTeam(f"field:{value}", make_key(value), value) if value else None
    project = str(fields.get("System.TeamProject") or config.project)
    if how == "project":
        return RemoteTeam(f"project:{project}", make_key(project), project)
    area = azure_path(str(fields.get("System.AreaPath") or project))
    below = area.split("\\")[1:]
    key = make_key(*below) if below else make_key(project)
    return RemoteTeam(f"area:{area}", key, (below or [project])[-1])


def azure_connection_team(config: ConnectionConfig) -> RemoteTeam:
    """The team of the connection, which owns the iterations."""
    name = config.team or f"{config.project} Team"
    return RemoteTeam(f"team:{config.project}\\{name}", make_key(name), name)


def azure_target_id(relation: Mapping[str, Any]) -> str | None:
    """The work item id at the other end of a relation (its URL's last segment)."""
    url = str(relation.get("url") or "")
    if "/_apis/wit/workitems/" not in url.lower():
        return None
    last = url.rstrip("/").rsplit("/", 1)[-1]
    return last if last.isdigit() else None


def azure_links(item: Mapping[str, Any], rels: Sequence[str]) -> tuple[RemoteLink, ...]:
    """The dependency links of a work item.

    ``Dependency-Forward`` ("Successor"): the target comes after this item. ``-Reverse``
    ("Predecessor"): the target comes first. Relation names compare without case.
    """
    me = str(item.get("id"))
    wanted = {r.casefold() for r in rels}
    links: list[RemoteLink] = []
    for relation in item.get("relations") or []:
        rel = str(relation.get("rel") or "").casefold()
        target = azure_target_id(relation)
        if rel not in wanted or target is None:
            continue
        links.append(RemoteLink(target, me) if rel.endswith("-reverse") else RemoteLink(me, target))
    return tuple(links)


def azure_item(
    config: ConnectionConfig,
    item: Mapping[str, Any],
    *,
    iterations: Mapping[str, str],
    categories: Mapping[str, Mapping[str, str]],
) -> tuple[RemoteItem, RemoteTeam | None]:
    """An Azure work item (``$expand=relations``) as a remote item, with its team.

    Args:
        config: the connection.
        item: the work item JSON.
        iterations: iteration path (work item form) -> release source id.
        categories: work item type -> state name -> relplan category.
    """
    fields: Mapping[str, Any] = item.get("fields") or {}
    ident = str(item.get("id"))
    state = str(fields.get("System.State") or "")
    kind = str(fields.get("System.WorkItemType") or "Work Item")
    points_field = config.mapping.points_field
    points = None
    for name in (points_field,) if points_field else AZURE_POINT_FIELDS:
        points = _number(fields.get(name))
        if points is not None:
            break
    team = azure_team(config, fields)
    project = str(fields.get("System.TeamProject") or config.project)
    iteration = azure_path(str(fields.get("System.IterationPath") or ""))
    remote = RemoteItem(
        source_id=ident,
        source_key=ident,
        url=f"{config.url}/{project}/_workitems/edit/{ident}",
        updated=parse_time(fields.get("System.ChangedDate")),
        key=(config.mapping.key_prefix or "") + ident,
        title=str(fields.get("System.Title") or ident),
        team=team.source_id if team else None,
        release=iterations.get(iteration),
        type=kind,
        status=state or "Unknown",
        category=category_of(state, categories.get(kind, {}).get(state), config.mapping.states),
        points=points,
        created=parse_time(fields.get("System.CreatedDate")),
        resolved=parse_time(fields.get("Microsoft.VSTS.Common.ClosedDate")),
        links=azure_links(item, config.links),
    )
    return remote, team


def azure_release(iteration: Mapping[str, Any], team: RemoteTeam) -> RemoteRelease:
    """A team iteration as a release of the connection's team."""
    attributes = iteration.get("attributes") or {}
    path = azure_path(str(iteration.get("path") or iteration.get("name")))
    name = str(iteration.get("name") or path)
    status = {"past": "released", "current": "in_progress"}.get(
        str(attributes.get("timeFrame")), "planned"
    )
    below = path.split("\\")[1:] or [name]
    return RemoteRelease(
        source_id=f"iteration:{iteration.get('id')}",
        source_key=path,
        url=str(iteration.get("url") or ""),
        key=make_key(*below),
        name=name,
        team=team.source_id,
        start=parse_day(attributes.get("startDate")),
        target=parse_day(attributes.get("finishDate")),
        status=status,
    )
