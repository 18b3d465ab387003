"""Pure translation of Jira and Azure Boards payloads into the sync records.

Field names follow shared/contracts (recorded payloads): Jira ``fields.summary``, ``status``
(mapped on ``statusCategory.key``, never on the localised name), ``fixVersions``, ``issuelinks``;
Azure ``System.*`` fields and ``relations``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any, Final

from relplan.domain import bounds
from relplan.sync.tracker import (
    ConnectionConfig,
    FieldMapping,
    RemoteItem,
    RemoteLink,
    RemoteRelease,
    RemoteTeam,
)

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
#: ``start_field`` value: field releases get no start date.
NO_FIELD: Final = "none"
#: The created-date field of each tracker, the default start of field releases.
JIRA_CREATED: Final = "created"
AZURE_CREATED: Final = "System.CreatedDate"
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]+")
_UNSAFE = re.compile(r"[\s|>\\/\x00-\x1f\x7f-\x9f\ud800-\udfff]+")


def make_key(*parts: str) -> str:
    """A workspace key from parts: joined with ``-``, without spaces, bars, ``>`` or slashes.

    Control characters become ``-`` too, and the key is cut to :data:`bounds.MAX_KEY_LENGTH`, so
    whatever a tracker sends follows :data:`bounds.KEY_RULE`.

    Examples:
        >>> make_key("EE", "v2.7.0")
        'EE-v2.7.0'
        >>> make_key("Fabrikam\\\\Web Team")
        'Fabrikam-Web-Team'
    """
    text = "-".join(p.strip() for p in parts if p and p.strip())
    key = _UNSAFE.sub("-", text).strip("-")[: bounds.MAX_KEY_LENGTH].strip("-")
    return key or "unnamed"


def parse_time(value: Any) -> dt.datetime | None:
    """A Jira or Azure timestamp (``2021-03-28T16:06:08.713+0800``, ``…26.23Z``) as aware time."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    parsed = parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=dt.UTC)
    # A time outside the bounds (year 9999, say) is dropped, as an unreadable one is.
    return parsed if bounds.time_problem(parsed) is None else None


def parse_day(value: Any) -> dt.date | None:
    """A ``yyyy-mm-dd`` day, the day of an ISO time, or epoch milliseconds (doc examples)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        try:
            day = dt.datetime.fromtimestamp(value / 1000, dt.UTC).date()
        except (ValueError, OverflowError, OSError):
            return None
    elif not isinstance(value, str) or not value:
        return None
    else:
        try:
            day = dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    # A day outside the bounds (a release in 9999, say) is dropped, as an unreadable one is.
    return day if bounds.day_problem(day) is None else None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if not 0 <= value <= bounds.MAX_POINTS:  # also NaN
        return None
    return float(value)


def bounded_name(value: Any, fallback: str) -> str:
    """A tracker's title or name as a workspace name: control characters dropped, cut to
    :data:`bounds.MAX_NAME_LENGTH` (an ellipsis marks the cut), ``fallback`` when empty."""
    text = _CONTROLS.sub(" ", str(value or "")).strip() or fallback
    if len(text) > bounds.MAX_NAME_LENGTH:
        text = text[: bounds.MAX_NAME_LENGTH - 1].rstrip() + "…"
    return text


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


def field_text(value: Any) -> str:
    """A field value as a release name: text, an option's value or name, or a whole number.

    Examples:
        >>> field_text({"self": "…", "value": "Train 5", "id": "10100"})
        'Train 5'
        >>> field_text(12.0)
        '12'
    """
    if isinstance(value, bool):
        return ""
    if isinstance(value, int | float):
        return str(int(value)) if float(value).is_integer() else str(value)
    return _text(value).strip()


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


def jira_field_id(fields: Sequence[Mapping[str, Any]], wanted: str) -> str:
    """The id of a field named by id, key, name or JQL clause name (``GET /field``).

    Names compare without case; a field the list does not know is returned as given.

    Examples:
        >>> listed = [{"id": "customfield_10050", "name": "Release train",
        ...            "clauseNames": ["cf[10050]", "Release train"]}]
        >>> jira_field_id(listed, "release TRAIN"), jira_field_id(listed, "duedate")
        ('customfield_10050', 'duedate')
    """
    text = wanted.strip()
    if not text or text == NO_FIELD:
        return text
    for f in fields:
        if text in (str(f.get("id", "")), str(f.get("key", ""))):
            return str(f.get("id"))
    folded = text.casefold()
    for attribute in ("name", "clauseNames"):
        for f in fields:
            value = f.get(attribute)
            names = value if isinstance(value, list) else [value]
            if any(isinstance(n, str) and n.casefold() == folded for n in names):
                return str(f.get("id"))
    return text


def jira_resolve_fields(
    config: ConnectionConfig, fields: Sequence[Mapping[str, Any]]
) -> ConnectionConfig:
    """The connection with its configured fields (release, target, start, points) as ids."""
    m = config.mapping
    release_from = m.release_from
    if m.release_field:
        release_from = "field:" + jira_field_id(fields, m.release_field)
    resolved = replace(
        m,
        release_from=release_from,
        target_field=jira_field_id(fields, m.target_field),
        start_field=jira_field_id(fields, m.start_field),
        points_field=jira_field_id(fields, m.points_field),
    )
    return replace(config, mapping=resolved)


def item_date_fields(m: FieldMapping) -> list[str]:
    """The extra fields releases from item fields read (to ask the source for)."""
    wanted = [m.release_field, m.target_field]
    if m.release_field and m.start_field != NO_FIELD:
        wanted.append(m.start_field)
    return [f for f in wanted if f]


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
    if config.mapping.release_field:
        value = field_text(fields.get(config.mapping.release_field))
        release = field_release(team, value)[0] if team and value else None
    elif versions and config.mapping.release_from != "none":
        release = f"version:{versions[0]['id']}"
    item = RemoteItem(
        source_id=str(issue.get("id")),
        source_key=key,
        url=f"{config.url}/browse/{key}",
        updated=parse_time(fields.get("updated")),
        key=make_key(key),
        title=bounded_name(fields.get("summary"), key),
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
    name = bounded_name(version.get("name") or version.get("id"), "version")
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
    release = iterations.get(iteration)
    if config.mapping.release_field:
        value = field_text(fields.get(config.mapping.release_field))
        owner = team or azure_connection_team(config)
        release = field_release(owner, value)[0] if value else None
    remote = RemoteItem(
        source_id=ident,
        source_key=ident,
        url=f"{config.url}/{project}/_workitems/edit/{ident}",
        updated=parse_time(fields.get("System.ChangedDate")),
        key=(config.mapping.key_prefix or "") + ident,
        title=bounded_name(fields.get("System.Title"), ident),
        team=team.source_id if team else None,
        release=release,
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
    name = bounded_name(iteration.get("name") or path, "iteration")
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


def field_release(team: RemoteTeam, value: str) -> tuple[str, str]:
    """The source id and proposed key of the release named ``value`` in a field, for a team.

    Examples:
        >>> field_release(RemoteTeam("project:1", "EE", "Engine"), "Train 5")
        ('field:project:1|Train 5', 'EE-Train-5')
    """
    return f"field:{team.source_id}|{value}", make_key(team.key, value)
