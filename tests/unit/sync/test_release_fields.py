"""Releases from an item field (``release_from=field:FIELD``) and the target-date field."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from relplan.errors import ValidationError
from relplan.sync import mapping, release_facts
from relplan.sync.release_facts import ReleaseFact
from relplan.sync.tracker import ConnectionConfig, FieldMapping, RemoteRelease, RemoteTeam

CONTRACTS = Path(__file__).resolve().parents[2] / "contracts"
D = dt.date


def load(relative: str) -> Any:
    return json.loads((CONTRACTS / relative).read_text(encoding="utf-8"))


def jira(**how: str) -> ConnectionConfig:
    return ConnectionConfig(
        "j", "jira_dc", "https://jira.example.com", jql="project = EE", mapping=FieldMapping(**how)
    )


def azure(**how: str) -> ConnectionConfig:
    return ConnectionConfig(
        "a", "azure_boards", "https://dev.azure.com/o", project="Fabrikam", team="Web",
        mapping=FieldMapping(**how),
    )  # fmt: skip


FIELDS = [
    *load("jira/spec-examples/field-GET-200.json")["200"],
    {"id": "duedate", "key": "duedate", "name": "Due date", "custom": False,
     "clauseNames": ["due", "duedate"], "schema": {"type": "date", "system": "duedate"}},
    {"id": "customfield_10050", "key": "customfield_10050", "name": "Release train",
     "custom": True, "clauseNames": ["cf[10050]", "Release train"],
     "schema": {"type": "option", "customId": 10050,
                "custom": "com.atlassian.jira.plugin.system.customfieldtypes:select"}},
    {"id": "customfield_10042", "key": "customfield_10042", "name": "Target date",
     "custom": True, "clauseNames": ["cf[10042]", "Target date"],
     "schema": {"type": "date", "customId": 10042,
                "custom": "com.atlassian.jira.plugin.system.customfieldtypes:datepicker"}},
]  # fmt: skip


@pytest.mark.parametrize(
    ("given", "expected"),
    [("customfield_10050", "customfield_10050"), ("Release train", "customfield_10050"),
     ("release TRAIN", "customfield_10050"), ("cf[10042]", "customfield_10042"),
     ("Target date", "customfield_10042"), ("duedate", "duedate"), ("Due date", "duedate"),
     ("customfield_99999", "customfield_99999"), ("", ""), ("none", "none")],
)  # fmt: skip
def test_jira_fields_resolve_by_id_name_or_clause(given: str, expected: str) -> None:
    assert mapping.jira_field_id(FIELDS, given) == expected


def test_jira_config_fields_resolve_to_ids() -> None:
    config = jira(release_from="field:Release train", target_field="Target date", start_field="")
    resolved = mapping.jira_resolve_fields(config, FIELDS).mapping
    assert resolved.release_from == "field:customfield_10050"
    assert resolved.release_field == "customfield_10050"
    assert (resolved.target_field, resolved.start_field) == ("customfield_10042", "")
    assert mapping.item_date_fields(resolved) == ["customfield_10050", "customfield_10042"]
    # Versions stay as they are.
    assert mapping.jira_resolve_fields(jira(), FIELDS).mapping.release_from == ""


def issue(ident: str, key: str, **fields: Any) -> dict[str, Any]:
    base = {
        "summary": key, "project": {"id": "10000", "key": "EE", "name": "Engine"},
        "status": {"name": "To Do", "statusCategory": {"key": "new"}},
        "created": "2026-03-02T10:00:00.000+0100", "updated": "2026-03-02T10:00:00.000+0100",
        "fixVersions": [{"id": "500", "name": "v1"}], "issuelinks": [],
    }  # fmt: skip
    return {"id": ident, "key": key, "fields": base | fields}


def facts_of(config: ConnectionConfig, issues: list[dict[str, Any]]) -> dict[str, ReleaseFact]:
    out: dict[str, ReleaseFact | None] = {}
    for raw in issues:
        item, team = mapping.jira_item(config, raw, "")
        out[item.source_id] = release_facts.release_fact(
            config, item, raw["fields"], team, created_field=mapping.JIRA_CREATED
        )
    return release_facts.merge_facts(None, out, set(out))


def option(value: str) -> dict[str, str]:
    return {"self": "https://jira.example.com/rest/api/2/customFieldOption/10100", "value": value,
            "id": "10100"}  # fmt: skip


def test_jira_releases_from_a_select_field() -> None:
    config = jira(release_from="field:customfield_10050", target_field="duedate")
    issues = [
        issue("1", "EE-1", customfield_10050=option("Train 5"), duedate="2026-04-10"),
        issue("2", "EE-2", customfield_10050=option("Train 5"), duedate="2026-04-20",
              created="2026-02-27T23:30:00.000-0800"),
        issue("3", "EE-3", customfield_10050=option("Train 6")),
        issue("4", "EE-4", customfield_10050=None, duedate="2026-05-01"),
    ]  # fmt: skip
    item, team = mapping.jira_item(config, issues[0], "")
    assert team is not None
    # The field wins over fixVersions; the key is team + value, like versions'.
    assert item.release == "field:project:10000|Train 5"
    assert mapping.jira_item(config, issues[3], "")[0].release is None
    releases = {r.key: r for r in release_facts.field_releases(facts_of(config, issues))}
    assert set(releases) == {"EE-Train-5", "EE-Train-6"}
    five = releases["EE-Train-5"]
    assert (five.name, five.source_key, five.team) == ("Train 5", "Train 5", "project:10000")
    # start: the earliest created day (in the source's offset); target: the latest due date.
    assert (five.start, five.target) == (D(2026, 2, 27), D(2026, 4, 20))
    assert (releases["EE-Train-6"].start, releases["EE-Train-6"].target) == (D(2026, 3, 2), None)
    assert five.status == "planned"


def test_start_field_and_no_start() -> None:
    raw = issue("1", "EE-1", customfield_10050=option("T"), customfield_10060="2026-03-09")
    by_field = jira(release_from="field:customfield_10050", start_field="customfield_10060")
    assert release_facts.field_releases(facts_of(by_field, [raw]))[0].start == D(2026, 3, 9)
    undated = jira(release_from="field:customfield_10050", start_field="none")
    assert release_facts.field_releases(facts_of(undated, [raw]))[0].start is None
    assert "none" not in mapping.item_date_fields(undated.mapping)


def test_a_start_after_the_target_is_dropped() -> None:
    config = jira(release_from="field:customfield_10050", target_field="duedate")
    raw = issue("1", "EE-1", customfield_10050=option("Late"), duedate="2026-01-15")
    release = release_facts.field_releases(facts_of(config, [raw]))[0]
    assert (release.start, release.target) == (None, D(2026, 1, 15))


def test_recorded_cloud_issues_grouped_by_their_sprint_field() -> None:
    """Any field works: here the recorded sprint field (an array of objects with ``name``)."""
    issues = load("jira/recorded/issues-cloud-agile-board-expand-changelog.json")["issues"]
    config = jira(release_from="field:customfield_10020")
    releases = release_facts.field_releases(facts_of(config, issues))
    with_sprint = [i for i in issues if i["fields"].get("customfield_10020")]
    names = {i["fields"]["customfield_10020"][0]["name"] for i in with_sprint}
    assert {r.name for r in releases} == names
    assert all(r.key.startswith("EE-") and r.target is None and r.start for r in releases)


def test_versions_without_release_date_take_the_latest_item_target() -> None:
    config = jira(target_field="customfield_10042")
    issues = [
        issue("1", "EE-1", customfield_10042="2026-06-01"),
        issue("2", "EE-2", customfield_10042="2026-06-30"),
        issue("3", "EE-3", fixVersions=[{"id": "501", "name": "v2"}],
              customfield_10042="2026-01-01"),
        issue("4", "EE-4", fixVersions=[], customfield_10042="2027-01-01"),
    ]  # fmt: skip
    facts = facts_of(config, issues)
    assert set(facts) == {"1", "2", "3"}
    team = mapping.jira_project_team({"id": "10000", "key": "EE", "name": "Engine"})
    undated = mapping.jira_release({"id": "500", "name": "v1"}, team, "EE")
    dated = mapping.jira_release(
        {"id": "501", "name": "v2", "releaseDate": "2026-02-01"}, team, "EE"
    )
    filled = release_facts.with_item_targets([undated, dated], facts)
    assert [r.target for r in filled] == [D(2026, 6, 30), D(2026, 2, 1)]
    # Without the option nothing is kept, and versions keep their own dates only.
    assert facts_of(jira(), issues) == {}


def test_facts_merge_across_incremental_runs() -> None:
    a = ReleaseFact("field:t|A", "T-A", "t", "A", D(2026, 1, 1), D(2026, 2, 1))
    b = ReleaseFact("field:t|B", "T-B", "t", "B", None, None)
    stored = release_facts.facts_json({"1": a, "2": b, "3": b})
    assert json.loads(json.dumps(stored)) == stored
    # 1 changed to B, 2 left the field empty, 3 left the scope, 4 is new, 5 unchanged.
    merged = release_facts.merge_facts(
        {**stored, "5": a.to_json(), "junk": [1, 2]},
        {"1": b, "2": None, "4": a},
        {"1", "2", "4", "5"},
    )
    assert merged == {"1": b, "4": a, "5": a}
    assert release_facts.merge_facts("junk", {}, {"1"}) == {}
    releases = release_facts.field_releases(merged)
    assert [(r.key, r.start, r.target) for r in releases] == [
        ("T-A", D(2026, 1, 1), D(2026, 2, 1)),
        ("T-B", None, None),
    ]


def test_azure_releases_from_a_custom_field() -> None:
    config = azure(release_from="field:Custom.Release",
                   target_field="Microsoft.VSTS.Scheduling.TargetDate")  # fmt: skip

    def work_item(ident: int, area: str, **fields: Any) -> dict[str, Any]:
        base = {"System.TeamProject": "Fabrikam", "System.AreaPath": area,
                "System.IterationPath": "Fabrikam\\Sprint 1", "System.State": "New",
                "System.WorkItemType": "User Story", "System.Title": f"Item {ident}",
                "System.CreatedDate": "2026-03-01T09:00:00.01Z"}  # fmt: skip
        return {"id": ident, "fields": base | fields}

    raws = [
        work_item(1, "Fabrikam\\Web", **{"Custom.Release": "2026.05",
                  "Microsoft.VSTS.Scheduling.TargetDate": "2026-05-15T00:00:00Z"}),
        work_item(2, "Fabrikam\\Web", **{"Custom.Release": "2026.05"}),
        work_item(3, "Fabrikam", **{"Custom.Release": 7}),
        work_item(4, "Fabrikam\\Pay"),
    ]  # fmt: skip
    iterations = {"Fabrikam\\Sprint 1": "iteration:x"}
    found: dict[str, ReleaseFact | None] = {}
    for raw in raws:
        item, team = mapping.azure_item(config, raw, iterations=iterations, categories={})
        assert item.release != "iteration:x"
        found[item.source_id] = release_facts.release_fact(
            config, item, raw["fields"], team, created_field=mapping.AZURE_CREATED
        )
    assert found["4"] is None
    releases = {
        r.key: r
        for r in release_facts.field_releases(release_facts.merge_facts(None, found, found))
    }
    assert set(releases) == {"Web-2026.05", "Fabrikam-7"}
    assert releases["Web-2026.05"].target == D(2026, 5, 15)
    assert releases["Web-2026.05"].start == D(2026, 3, 1)
    # Without a team (an empty team field), the release belongs to the connection's team.
    no_team = azure(release_from="field:Custom.Release", team_from="field:Custom.Squad")
    item, team = mapping.azure_item(no_team, raws[0], iterations={}, categories={})
    assert team is None
    assert item.release == "field:team:Fabrikam\\Web|2026.05"


def test_iterations_without_finish_take_the_latest_item_target() -> None:
    release = RemoteRelease("iteration:1", "P\\S", "", "S", "S", "team:x", None, None, "planned")
    config = azure(target_field="Microsoft.VSTS.Scheduling.TargetDate")
    raw = {"id": 9, "fields": {"System.IterationPath": "P\\S",
           "Microsoft.VSTS.Scheduling.TargetDate": "2026-07-01T00:00:00Z"}}  # fmt: skip
    item, team = mapping.azure_item(config, raw, iterations={"P\\S": "iteration:1"}, categories={})
    fact = release_facts.release_fact(config, item, raw["fields"], team, created_field="x")
    assert fact == ReleaseFact("iteration:1", target=D(2026, 7, 1))
    assert release_facts.with_item_targets([release], {"9": fact})[0].target == D(2026, 7, 1)


def test_mapping_options_persist_and_validate() -> None:
    config = jira(release_from="field:Release train", target_field="duedate", start_field="none")
    again = ConnectionConfig.from_row(config.name, config.kind, config.url, config.settings_json())
    assert again == config
    assert json.loads(config.settings_json())["mapping"]["target_field"] == "duedate"
    # Defaults keep the scope signature of connections made before these options.
    assert json.loads(jira().scope_signature()) == [
        "jira_dc", "https://jira.example.com", "project = EE", "", "", ""
    ]  # fmt: skip
    assert config.scope_signature() != jira().scope_signature()
    for wrong in ("iterations", "field:", "fields:x"):
        with pytest.raises(ValidationError, match="release_from"):
            jira(release_from=wrong).validate()
    azure(release_from="field:Custom.Release").validate()
    with pytest.raises(ValidationError):
        azure(release_from="versions").validate()


def test_field_values_as_release_names() -> None:
    team = RemoteTeam("project:1", "EE", "Engine")
    assert mapping.field_text(["2026.05", "2026.06"]) == "2026.05"
    assert mapping.field_text(3.5) == "3.5"
    assert mapping.field_text(True) == ""
    assert mapping.field_text("  PI 7 ") == "PI 7"
    assert mapping.field_release(team, "PI 7/b") == ("field:project:1|PI 7/b", "EE-PI-7-b")
