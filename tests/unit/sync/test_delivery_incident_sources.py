"""Incidents from labelled GitHub issues and from Jira issues of a type (Cloud and Data Center)."""

from __future__ import annotations

import datetime as dt

import pytest

from relplan.domain.model import Plan
from relplan.metrics.delivery import derive, link_incidents
from relplan.metrics.dora import dora_metrics
from relplan.metrics.scope import Window
from relplan.sync.delivery import github, jira_incidents
from relplan.sync.delivery.common import PullContext, parse_time
from tests.helpers.fake_github import REPO_ID, FakeGitHub, gh_time
from tests.helpers.fake_jira import FakeJira

T0 = dt.datetime(2026, 11, 2, 12, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)


def test_labelled_issues_page_by_link_skip_pull_requests_and_not_planned() -> None:
    settings = {"team": "PAY", "production": ["production"], "repo": "acme/app"}
    settings["incident_label"] = "incident"
    with FakeGitHub(token="t") as hub:
        hub.deploy(1, "abcdef1" + "0" * 33, T0, ("success", T0))
        for n in range(1, 131):
            hub.issue(n, ["incident"], T0 + n * H, T0 + (n + 1) * H, title=f"Outage {n}")
        hub.issue(200, ["incident"], T0 + H, T0 + 2 * H, reason="not_planned")
        hub.issue(201, ["incident"], T0 + H, pull_request=True)
        hub.issue(202, ["incident"], T0 + 3 * H, title="Checkout broken by abcdef1")  # open
        ctx = PullContext("gh", hub.url, settings)
        with github.client(ctx, "t") as http:
            got = github.pull(http, ctx)
        issue_paths = [r.path for r in hub.requests if r.path.endswith("/issues")]
    assert issue_paths == ["/repos/acme/app/issues", f"/repositories/{REPO_ID}/issues"]
    by = {i.source_id: i for i in got.incidents}
    assert len(by) == 131
    assert "200" not in by  # closed as not planned
    assert "201" not in by  # a pull request
    assert by["202"].resolved is None
    assert (by["5"].keys, by["5"].created, by["5"].resolved) == (("#5",), T0 + 5 * H, T0 + 6 * H)
    # The issue that names the deployment's sha makes it failed; it is still open: no restore.
    links = {link.incident.source_id: link for link in link_incidents(got.deployments, by.values())}
    assert links["202"].provenance == "named"
    assert links["5"].provenance == "suggested"
    window = Window(dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    m = dora_metrics(Plan(deployments=derive(got.deployments, got.incidents)), window=window)
    assert (m.deployments, m.failed, m.time_to_restore_hours) == (1, 1, None)


def test_jira_data_center_incidents_page_by_start_at() -> None:
    with FakeJira(cloud=False, page_max=50) as jira:
        jira.add_project("OPS", "Operations")
        for n in range(1, 121):
            jira.add_issue(f"OPS-{n}", f"Outage {n}", issue_type="Incident")
        jira.add_issue("OPS-500", "Not an incident", issue_type="Bug")
        jira.update_issue("OPS-7", status="Done", category="done")
        settings = {
            "team": "PAY", "production": [], "from": "acme", "issue_type": "Incident",
            "jira_kind": "jira_dc", "jira_user": "", "jql": "project = OPS",
        }  # fmt: skip
        ctx = PullContext("inc", jira.url, settings)
        with jira_incidents.client(ctx, jira.token) as http:
            got = jira_incidents.pull(http, ctx)
        starts = [r.params["startAt"] for r in jira.requests if r.path == "/rest/api/2/search"]
        site = jira.url
        last_updated = jira.issues[jira.key_to_id("OPS-7")]["fields"]["updated"]
    assert starts == ["0", "50", "100"]
    by = {i.keys[0]: i for i in got.incidents}
    assert len(by) == 120
    assert by["OPS-7"].resolved is not None
    assert by["OPS-8"].resolved is None
    assert by["OPS-7"].url == f"{site}/browse/OPS-7"
    # The watermark is the latest ``updated`` seen (OPS-7 changed last), as ISO 8601.
    assert got.watermark == parse_time(last_updated).isoformat()  # type: ignore[union-attr]


def test_a_github_issue_that_stops_being_an_incident_is_removed_on_the_next_pull() -> None:
    settings = {"team": "PAY", "production": ["production"], "repo": "acme/app"}
    settings["incident_label"] = "incident"
    with FakeGitHub(token="t") as hub:
        rows = {n: hub.issue(n, ["incident"], T0 + n * H, T0 + (n + 1) * H) for n in (1, 2, 3, 4)}
        bug = hub.issue(9, ["bug"], T0 + H)
        ctx = PullContext("gh", hub.url, settings)
        with github.client(ctx, "t") as http:
            first = github.pull(http, ctx)
        later = gh_time(T0 + 50 * H)
        rows[1].update(state_reason="not_planned", updated_at=later)  # closed as not planned
        rows[2].update(labels=[], updated_at=later)  # its label taken off
        rows[3]["labels"][0]["name"] = "Incident"  # GitHub's label names ignore case
        rows[3]["updated_at"] = later
        bug["updated_at"] = later  # never stored: nothing to remove
        again = PullContext(
            "gh", hub.url, settings, watermark=first.watermark,
            stored_incidents=tuple(first.incidents),
        )  # fmt: skip
        with github.client(again, "t") as http:
            second = github.pull(http, again)
        asked = [r.params for r in hub.requests if r.path.endswith("/issues")]
    assert sorted(i.source_id for i in first.incidents) == ["1", "2", "3", "4"]
    assert first.gone_incidents == ()
    assert asked[0]["labels"] == "incident"  # the first pull asks for the label
    assert "labels" not in asked[-1]  # later ones read every issue updated since
    assert sorted(second.gone_incidents) == ["1", "2"]
    # 3 again (updated), 4 again too: ``since`` includes the watermark's own second.
    assert sorted(i.source_id for i in second.incidents) == ["3", "4"]


def _jira_settings(jira: FakeJira) -> dict[str, object]:
    return {
        "team": "PAY", "production": [], "from": "acme", "issue_type": "Incident",
        "jira_kind": "jira_cloud" if jira.cloud else "jira_dc",
        "jira_user": jira.email if jira.cloud else "", "jql": "project = OPS",
    }  # fmt: skip


@pytest.mark.parametrize("cloud", [True, False])
def test_a_jira_issue_that_stops_being_an_incident_is_removed_on_the_next_pull(
    cloud: bool,
) -> None:
    with FakeJira(cloud=cloud) as jira:
        jira.add_project("OPS", "Operations")
        jira.add_project("ELSE", "Elsewhere")
        for n in range(1, 6):
            jira.add_issue(f"OPS-{n}", f"Outage {n}", issue_type="Incident")
        settings = _jira_settings(jira)
        ctx = PullContext("inc", jira.url, settings)
        with jira_incidents.client(ctx, jira.token) as http:
            first = jira_incidents.pull(http, ctx)
        bug = {**jira.issues[jira.key_to_id("OPS-1")]["fields"]["issuetype"], "name": "Bug"}
        jira.update_issue("OPS-1", fields={"issuetype": bug})  # its type changed
        other = {**jira.issues[jira.key_to_id("OPS-2")]["fields"]["project"], "key": "ELSE"}
        jira.update_issue("OPS-2", fields={"project": other})  # it left the scope
        jira.delete_issue("OPS-3")
        jira.update_issue("OPS-4", summary="Outage 4, resolved")  # still an incident
        ids = {k: jira.key_to_id(k) for k in ("OPS-1", "OPS-2", "OPS-4", "OPS-5")}
        again = PullContext(
            "inc", jira.url, settings, watermark=first.watermark,
            stored_incidents=tuple(first.incidents),
        )  # fmt: skip
        with jira_incidents.client(again, jira.token) as http:
            second = jira_incidents.pull(http, again)
    assert len(first.incidents) == 5
    assert first.gone_incidents == ()
    gone = {i.keys[0] for i in first.incidents if i.source_id in second.gone_incidents}
    assert gone == {"OPS-1", "OPS-2", "OPS-3"}
    assert not {ids["OPS-4"], ids["OPS-5"]} & set(second.gone_incidents)
    again_keys = {i.keys[0] for i in second.incidents}
    assert "OPS-4" in again_keys
    assert not again_keys & gone
