"""The mapping reads recorded Jira and Azure payloads (tests/contracts, from shared/contracts)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from relplan.sync import mapping
from relplan.sync.azure import scope_condition, wiql_query
from relplan.sync.jira import jql_since, scope_jql
from relplan.sync.tracker import ConnectionConfig, FieldMapping, RemoteLink

CONTRACTS = Path(__file__).resolve().parents[2] / "contracts"


def load(relative: str) -> Any:
    return json.loads((CONTRACTS / relative).read_text(encoding="utf-8"))


JIRA = ConnectionConfig("j", "jira_dc", "https://jira.example.com", jql="project = X")


def test_dc_issues_with_blocks_links() -> None:
    issues = load("jira/recorded/issues-server-dc-issuelinks.json")["issues"]
    by_id = {i["id"]: i for i in issues}
    links = {link for i in issues for link in mapping.jira_links(i, ["Blocks"])}
    # Each Blocks link is listed on both issues, mirrored: one pair per link.
    for issue in issues:
        for raw in issue["fields"]["issuelinks"]:
            if raw["type"]["name"] != "Blocks":
                continue
            if "outwardIssue" in raw:
                assert RemoteLink(issue["id"], raw["outwardIssue"]["id"]) in links
            else:
                assert RemoteLink(raw["inwardIssue"]["id"], issue["id"]) in links
    assert links, "the recording has Blocks links"
    # Relates, Cloners and Duplicate are no dependencies by default.
    relates = {link for i in issues for link in mapping.jira_links(i, ["Relates"])}
    assert relates
    assert not relates & links
    first = by_id["10802"]
    item, team = mapping.jira_item(JIRA, first, "")
    assert item.key == "DZFNK0168-1"
    assert item.category == "todo"
    assert item.type == "Bug"
    assert team is not None
    assert team.key == "DZFNK0168"
    assert item.updated == dt.datetime(2023, 7, 27, 6, 13, 47, tzinfo=dt.UTC)


def test_cloud_issues_with_fix_versions_and_localised_statuses() -> None:
    issues = load("jira/recorded/issues-cloud-agile-board-expand-changelog.json")["issues"]
    cloud = ConnectionConfig("c", "jira_cloud", "https://x.atlassian.net", user="a@b", jql="p = EE")
    mapped = [mapping.jira_item(cloud, i, "")[0] for i in issues]
    with_version = [m for m, i in zip(mapped, issues, strict=True) if i["fields"]["fixVersions"]]
    assert with_version
    assert all(m.release and m.release.startswith("version:") for m in with_version)
    for m, issue in zip(mapped, issues, strict=True):
        key = issue["fields"]["status"]["statusCategory"]["key"]
        assert m.category == mapping.JIRA_CATEGORIES[key]
        assert m.created is not None
        assert m.created.utcoffset() is not None


def test_v3_issue_with_adf_description() -> None:
    issue = load("jira/recorded/search-v3-issue-adf.json")["issues"][0]
    item, _ = mapping.jira_item(JIRA, issue, "")
    assert item.title
    assert item.updated is not None


def test_versions_and_points_field() -> None:
    versions = load("jira/recorded/fixversions-embedded.json")["fixVersions"]
    team = mapping.jira_project_team({"id": "1", "key": "EE", "name": "Engine"})
    releases = [mapping.jira_release(v, team, "EE") for v in versions if isinstance(v, dict)]
    assert releases
    assert all(r.key.startswith("EE-") for r in releases)
    assert any(r.target is not None for r in releases)
    # The doc example's epoch-ms releaseDate still gives a day.
    doc = load("jira/spec-examples/project-versions-GET-200.json")["200"]
    assert mapping.jira_release(doc[0], team, "EE").target == dt.date(2010, 7, 6)
    fields = load("jira/spec-examples/field-GET-200.json")["200"]
    assert mapping.jira_points_field(fields) == ""
    assert mapping.jira_points_field(
        [*fields, {"id": "customfield_10026", "name": "Story Points"}]
    ) == ("customfield_10026")


def test_azure_relations_and_fields() -> None:
    exchanges = load("azure/recorded/workitem-relations-exchanges.json")["exchanges"]
    items = [
        e["response"]["body"]
        for e in exchanges
        if isinstance(e["response"]["body"], dict) and "fields" in e["response"]["body"]
    ]
    config = ConnectionConfig("a", "azure_boards", "https://dev.azure.com/o", project="WIRel000001")
    for raw in items:
        item, team = mapping.azure_item(config, raw, iterations={}, categories={})
        assert item.key == f"AB#{raw['id']}"
        assert team is not None
        # Hierarchy links are no dependencies.
        assert item.links == ()
    patch = load("azure/spec-examples/workitem-PATCH-add-dependency-link.json")
    body = patch["responses"]["200"]["body"]
    item, _ = mapping.azure_item(config, body, iterations={}, categories={})
    forward = [r for r in body["relations"] if r["rel"].lower().endswith("dependency-forward")]
    assert [link.before for link in item.links] == [str(body["id"])] * len(forward)


def test_azure_reverse_is_the_predecessor() -> None:
    item = {"id": 7, "relations": [
        {"rel": "System.LinkTypes.Dependency-Reverse", "url": "https://dev.azure.com/o/_apis/wit/workItems/3"},
        {"rel": "system.linktypes.dependency-forward", "url": "https://dev.azure.com/o/p/_apis/wit/workItems/9"},
        {"rel": "AttachedFile", "url": "https://dev.azure.com/o/_apis/wit/attachments/1"},
    ]}  # fmt: skip
    assert mapping.azure_links(
        item, ["System.LinkTypes.Dependency-Forward", "System.LinkTypes.Dependency-Reverse"]
    ) == (
        RemoteLink("3", "7"),
        RemoteLink("7", "9"),
    )


def test_azure_iteration_release_and_paths() -> None:
    exchanges = load("azure/recorded/iterations-exchanges.json")["exchanges"]
    listed = [
        e["response"]["body"]
        for e in exchanges
        if e["request"]["method"] == "GET"
        and "teamsettings/iterations" in e["request"]["url"]
        and e["response"]["body"].get("count")
    ]
    team = mapping.RemoteTeam("team:x", "T", "T")
    release = mapping.azure_release(listed[0]["value"][0], team)
    assert release.status == "in_progress"
    assert release.start is None
    assert mapping.azure_path("\\Proj\\Iteration\\Sprint 1") == "Proj\\Sprint 1"


@pytest.mark.parametrize(
    ("state", "category", "overrides", "expected"),
    [("Active", None, {}, "in_progress"), ("Closed", None, {}, "done"),
     ("Weird", None, {}, "todo"), ("Weird", "done", {}, "done"),
     ("Review", "todo", {"Review": "done"}, "done")],
)  # fmt: skip
def test_categories(
    state: str, category: str | None, overrides: dict[str, str], expected: str
) -> None:
    assert mapping.category_of(state, category, overrides) == expected


def test_team_from_field() -> None:
    config = ConnectionConfig(
        "j", "jira_dc", "https://j", jql="x", mapping=FieldMapping(team_from="field:customfield_1")
    )
    team = mapping.jira_team(config, {"customfield_1": {"value": "Platform Team"}})
    assert team is not None
    assert (team.key, team.name) == ("Platform-Team", "Platform Team")


def test_query_building() -> None:
    assert scope_jql("project = EE order by created DESC") == "(project = EE)"
    assert jql_since("2026-06-01T12:00:00+00:00", "Europe/Berlin") == "2026/06/01 13:55"
    assert jql_since("2026-06-01T12:00:00+00:00", "Not/AZone") == "2026/05/31 21:55"
    query = wiql_query("[System.State] <> 'Removed'", 42, "2026-06-01T11:55:00Z")
    assert "[System.Id] > 42" in query
    assert "[System.ChangedDate] >= '2026-06-01T11:55:00Z'" in query
    assert scope_condition("SELECT [System.Id] FROM WorkItems ORDER BY [System.Id]") == ""
