"""Push re-reads in batches, and a Jira 409 on a write is a conflict (issue #14)."""

from __future__ import annotations

import datetime as dt

import pytest

from relplan.store import sync_state
from relplan.store.workspace import Workspace
from relplan.sync import push
from tests.e2e.test_push_jira import edit, enable, run, synced, version, writes
from tests.e2e.test_sync_jira import jira as jira
from tests.e2e.test_sync_jira import ws as ws
from tests.helpers.fake_jira import FakeJira
from tests.helpers.memory_keyring import memory_keyring_fixture  # noqa: F401

pytestmark = pytest.mark.e2e
__all__ = ["synced"]


def reads(fake: FakeJira) -> list[tuple[str, dict[str, str]]]:
    return [(r.path, r.params) for r in fake.requests if r.method == "GET"]


def test_issues_and_versions_are_reread_in_batches_not_one_by_one(
    synced: Workspace,
    jira: FakeJira,
) -> None:
    enable(synced)
    edit(synced, "release", "EE-v2.7.0", target=dt.date(2026, 4, 15), start=dt.date(2026, 3, 9))
    edit(synced, "work_item", "EE-2", release="EE-v2.7.0")
    edit(synced, "work_item", "EE-3", release="EE-v2.7.0")
    jira.page_max = 1  # the server caps pages: the re-read pages by what it echoes
    jira.requests.clear()
    report = run(synced)
    assert (len(report.written), report.conflicts) == (4, [])
    got = reads(jira)
    # No single-object GET: one version list, and searches of the moved issues by id.
    assert not [p for p, _ in got if "/issue/" in p or "/version/" in p]
    project = jira.projects["EE"]["id"]
    listed = [p for p, _ in got if p.endswith("/versions")]
    assert listed == [f"{jira.api}/project/{project}/versions"]
    searches = [q for p, q in got if "search" in p]
    ids = sorted([jira.key_to_id("EE-2"), jira.key_to_id("EE-3")], key=int)
    assert {q["jql"] for q in searches} == {f"id in ({','.join(ids)})"}
    assert {q["fields"] for q in searches} == {"fixVersions,updated"}
    assert len(searches) == 2  # two pages of one issue
    if jira.cloud:
        # search/jql is eventually consistent: the ids are reconciled (read strongly).
        assert all("reconcileIssues" in q for q in searches)
        assert all(p == "/rest/api/3/search/jql" for p, q in got if "search" in p)
    else:
        assert [q["startAt"] for q in searches] == ["0", "1"]
    assert {v["name"]: v.get("releaseDate") for v in jira.versions["EE"]}["v2.7.0"] == (
        "2026-04-15"
    )
    assert run(synced).changes == []


def test_a_remote_change_before_the_batch_read_is_a_conflict(
    synced: Workspace,
    jira: FakeJira,
) -> None:
    enable(synced)
    edit(synced, "work_item", "EE-2", release="EE-v2.7.0")
    edit(synced, "work_item", "EE-3", release="EE-v2.7.0")
    jira.update_issue("EE-3", version="v2.6.0")  # stays: EE-3 was in v2.6.0 at the sync
    jira.update_issue("EE-2", version="v2.6.0")  # moved there since the sync
    report = run(synced)
    assert [c.key for c in report.written] == ["EE-3"]
    assert [(c.key, c.remote_now) for c in report.conflicts] == [("EE-2", "EE-v2.6.0")]
    issue = jira.issues[jira.key_to_id("EE-2")]
    assert [v["name"] for v in issue["fields"]["fixVersions"]] == ["v2.6.0"]


@pytest.mark.parametrize("what", ["issue", "version"])
def test_a_409_on_a_jira_write_is_reread_and_becomes_a_conflict(
    synced: Workspace,
    jira: FakeJira,
    what: str,
) -> None:
    enable(synced)
    if what == "issue":
        edit(synced, "work_item", "EE-2", release="EE-v2.7.0")
        path, field, key = f"/issue/{jira.key_to_id('EE-2')}", "release", "EE-2"
    else:
        edit(synced, "release", "EE-v2.7.0", target=dt.date(2026, 4, 15))
        path, field, key = f"/version/{version(jira, 'v2.7.0')['id']}", "target", "EE-v2.7.0"
    before = len(writes(jira))
    # "The issue could not be updated due to a conflicting update" (W.2): no body example.
    jira.fail(path, 409, times=1)
    report = run(synced)  # not a failure: the push goes on and reports the conflict
    assert report.error is None
    assert report.written == []
    assert [(c.key, c.field) for c in report.conflicts] == [(key, field)]
    (conflict,) = sync_state.conflicts(synced.conn, "jira")
    assert (conflict.key, conflict.field) == (key, field)
    # Re-read once after the 409 (a GET of that object), never written again.
    assert [r.method for r in jira.requests if r.path.endswith(path)] == ["PUT", "GET"]
    assert len(writes(jira)) == before + 1
    assert sync_state.runs(synced.conn)[0].status == push.PUSHED
    # The conflict holds the field until the person settles it: the next push writes nothing.
    again = run(synced)
    assert again.written == []
    assert len(writes(jira)) == before + 1
