"""``relplan connection add azure_pipelines|jenkins|pagerduty|jira_incidents ...``, GitHub
incident labels, ``relplan sync`` and ``relplan metrics`` end to end against loopback fakes."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest

import relplan.cli.commands
from relplan.cli import commands as cli
from relplan.store import delivery
from relplan.store.workspace import Workspace
from relplan.sync.credentials import connection_key
from tests.helpers.fake_azure_pipelines import FakeAzurePipelines
from tests.helpers.fake_github import FakeGitHub
from tests.helpers.fake_jenkins import FakeJenkins
from tests.helpers.fake_jira import FakeJira
from tests.helpers.fake_pagerduty import FakePagerDuty
from tests.helpers.memory_keyring import MemoryKeyring, memory_keyring_fixture  # noqa: F401

pytestmark = pytest.mark.e2e
H = dt.timedelta(hours=1)
# Recent enough for PagerDuty's first pull (the last 365 days), on whole hours.
T0 = (dt.datetime.now(dt.UTC) - dt.timedelta(days=20)).replace(minute=0, second=0, microsecond=0)


@pytest.fixture(autouse=True)
def _commands(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        relplan.cli.commands, "COMMAND_MODULES", ("relplan.cli.sync", "relplan.cli.metrics")
    )


def run(argv: list[str], monkeypatch: pytest.MonkeyPatch, stdin: str = "") -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return cli.run(argv)


def metrics(db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Any:
    start, end = (T0 - 5 * 24 * H).date(), (T0 + 10 * 24 * H).date()
    args = ["--db", str(db), "metrics", "--json", "--from", str(start), "--to", str(end)]
    assert run(args, monkeypatch) == 0
    return json.loads(capsys.readouterr().out)


def _azure() -> FakeAzurePipelines:
    fake = FakeAzurePipelines(pat="az-pat-never-in-files")
    fake.environment(7, "Production")
    fake.run(100, "a" * 40, T0)
    fake.run(101, "b" * 40, T0 + 24 * H, [("b" * 40, T0 + 4 * H, "PAY-2")])
    fake.record(7, 100, "succeeded", T0)
    fake.record(7, 101, "failed", T0 + 20 * H)
    fake.record(7, 101, "succeeded", T0 + 24 * H, attempt=2)
    return fake


def test_azure_pipelines_add_sync_metrics_and_incremental(
    tmp_path: Path, memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    db = tmp_path / "plan.relplan"
    with _azure() as az:
        assert run(
            ["--db", str(db), "connection", "add", "azure_pipelines", "az", "--url", az.url,
             "--team", "PAY", "--production", "Production", "--project", "Pay",
             "--token-stdin"], monkeypatch, az.pat + "\n",
        ) == 0  # fmt: skip
        assert memory_keyring.secrets == {("relplan", connection_key(db, "az")): az.pat}
        assert az.pat.encode() not in db.read_bytes()
        assert run(["--db", str(db), "sync", "az"], monkeypatch) == 0
        assert "az: 2 deployments pulled" in capsys.readouterr().out
        m = metrics(db, monkeypatch, capsys)
        # By hand: runs 100 and 101 (its stage re-run succeeded): 2 deployments, none failed;
        # one commit, 20 h from commit to the successful attempt.
        assert (m["deployments"], m["change_failure_rate"]["value"]) == (2, 0.0)
        assert m["lead_time_hours"]["median"] == 20.0
        assert run(["--db", str(db), "sync", "az"], monkeypatch) == 0
        assert "az: 0 deployments pulled" in capsys.readouterr().out


def test_a_fault_mid_pull_is_one_line_and_writes_nothing(
    tmp_path: Path, memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    db = tmp_path / "plan.relplan"
    with _azure() as az:
        assert run(
            ["--db", str(db), "connection", "add", "azure_pipelines", "az", "--url", az.url,
             "--team", "PAY", "--production", "Production", "--project", "Pay",
             "--token-stdin"], monkeypatch, az.pat + "\n",
        ) == 0  # fmt: skip
        capsys.readouterr()
        az.fail("/build/changes", 403)  # after the records and builds were read
        assert run(["--db", str(db), "sync", "az"], monkeypatch) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "az: sync failed (AUTH): credentials rejected" in err
    with Workspace.open(db) as ws:
        assert delivery.load_deployments(ws.conn) == ()


def test_jenkins_deployments_and_pagerduty_incidents_make_change_failures(
    tmp_path: Path, memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    db = tmp_path / "plan.relplan"
    sha = "c0ffee1" + "0" * 33
    with FakeJenkins(token="jk-token") as ci, FakePagerDuty(key="pd-key") as pd:
        ci.build(1, "SUCCESS", T0 - 10 * 60 * dt.timedelta(seconds=1), 10, "a" * 40)
        ci.build(2, "SUCCESS", T0 + 24 * H - dt.timedelta(minutes=10), 10, sha,
                 [(sha, T0 + 6 * H, "PAY-3 faster checkout")])  # fmt: skip
        pd.incident("PINC1", T0 + 26 * H, T0 + 30 * H, title=f"Checkout down since {sha[:7]}")
        pd.incident("PINC2", T0 + 50 * H, T0 + 51 * H, title="Unrelated blip")
        assert run(
            ["--db", str(db), "connection", "add", "jenkins", "ci", "--url", ci.url,
             "--team", "PAY", "--production", "prod", "--job", "pay/deploy", "--user", "mia",
             "--token-stdin"], monkeypatch, "jk-token\n",
        ) == 0  # fmt: skip
        assert run(
            ["--db", str(db), "connection", "add", "pagerduty", "pd", "--url", pd.url,
             "--team", "PAY", "--service", "PIKL83L", "--token-stdin"], monkeypatch, "pd-key\n",
        ) == 0  # fmt: skip
        assert run(["--db", str(db), "sync"], monkeypatch) == 0
    out = capsys.readouterr().out
    assert "ci: 2 deployments pulled" in out
    assert "pd: 2 incidents pulled" in out
    m = metrics(db, monkeypatch, capsys)
    # By hand: 2 deployments; PINC1 names build 2's sha: 1 failed (0.5), restored 30 - 24 = 6 h
    # after it finished; PINC2 names nothing (only suggested): not counted. Lead time 18 h.
    assert m["deployments"] == 2
    assert m["change_failure_rate"]["value"] == 0.5
    assert m["time_to_restore_hours"]["median"] == 6.0
    assert m["lead_time_hours"]["median"] == 18.0


def test_github_incident_label_and_jira_incidents(
    tmp_path: Path, memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    db = tmp_path / "plan.relplan"
    with FakeGitHub(token="gh-token") as hub, FakeJira(cloud=True) as jira:
        hub.deploy(1, "a" * 40, T0, ("success", T0))
        hub.issue(12, ["incident"], T0 + H, T0 + 3 * H, title="Outage after deploy")
        hub.issue(13, ["incident"], T0 + H, T0 + 2 * H, reason="not_planned")
        hub.issue(14, ["incident"], T0 + H, pull_request=True)
        hub.issue(15, ["bug"], T0 + H)
        jira.add_project("OPS", "Operations")
        jira.add_issue("OPS-1", "Payments down", issue_type="Incident")
        jira.add_issue("OPS-2", "A story", issue_type="Story")
        assert run(
            ["--db", str(db), "connection", "add", "github", "gh", "--url", hub.url,
             "--team", "PAY", "--production", "production", "--repo", "acme/app",
             "--incident-label", "incident", "--token-stdin"], monkeypatch, "gh-token\n",
        ) == 0  # fmt: skip
        assert run(
            ["--db", str(db), "connection", "add", "jira_cloud", "acme", "--url", jira.url,
             "--email", jira.email, "--jql", "project = OPS", "--token-stdin"],
            monkeypatch, jira.token + "\n",
        ) == 0  # fmt: skip
        secrets = dict(memory_keyring.secrets)
        assert run(
            ["--db", str(db), "connection", "add", "jira_incidents", "inc", "--from", "acme",
             "--issue-type", "Incident", "--team", "PAY"], monkeypatch,
        ) == 0  # fmt: skip
        assert memory_keyring.secrets == secrets  # no token of its own
        assert run(["--db", str(db), "sync", "gh", "inc"], monkeypatch) == 0
        out = capsys.readouterr().out
        assert "gh: 1 deployments pulled, 1 incidents" in out
        assert "inc: 1 incidents pulled" in out
        with Workspace.open(db) as ws:
            got = {i.source: i for i in delivery.load_incidents(ws.conn)}
        assert got["gh"].keys == ("#12",)
        assert (got["gh"].created, got["gh"].resolved) == (T0 + H, T0 + 3 * H)
        assert got["inc"].keys == ("OPS-1",)
        searched = [r.params["jql"] for r in jira.requests if r.path.endswith("/search/jql")]
        assert searched == ['(project = OPS) AND issuetype = "Incident" ORDER BY updated ASC']
        # Incremental: the issues' watermark travels with the deployments'.
        hub.requests.clear()
        assert run(["--db", str(db), "sync", "gh"], monkeypatch) == 0
        asked = [r.params for r in hub.requests if r.path.endswith("/issues")]
        assert asked[0]["since"] == hub.issues[0]["updated_at"]


def test_jira_incidents_needs_a_jira_connection(
    tmp_path: Path, memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    db = str(tmp_path / "plan.relplan")
    code = run(
        ["--db", db, "connection", "add", "jira_incidents", "inc", "--from", "nope",
         "--team", "PAY"], monkeypatch,
    )  # fmt: skip
    err = capsys.readouterr().err
    assert code != 0
    assert "no Jira connection 'nope'" in err
    assert "--issue-type" in err


def test_connection_test_signs_in_to_each_delivery_source(
    tmp_path: Path, memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    db = str(tmp_path / "plan.relplan")
    with (
        _azure() as az, FakeJenkins(token="jk") as ci, FakePagerDuty(key="pd") as pd,
        FakeGitHub(token="gh") as hub, FakeJira() as jira,
    ):  # fmt: skip
        pd.incident("P1", T0)
        common = ["--team", "PAY", "--token-stdin"]
        adds = [
            (["azure_pipelines", "az", "--url", az.url, "--project", "Pay", "--production",
              "Production"], az.pat),
            (["jenkins", "ci", "--url", ci.url, "--job", ci.job, "--user", ci.user,
              "--production", "prod"], "jk"),
            (["pagerduty", "pd", "--url", pd.url, "--service", "PIKL83L"], "pd"),
            (["github", "gh", "--url", hub.url, "--repo", "acme/app", "--production", "prod"],
             "gh"),
            (["jira_cloud", "acme", "--url", jira.url, "--email", jira.email, "--jql",
              "project = OPS"], jira.token),
        ]  # fmt: skip
        for argv, token in adds:
            assert (
                run(["--db", db, "connection", "add", *argv, *common], monkeypatch, token + "\n")
                == 0
            )
        assert run(
            ["--db", db, "connection", "add", "jira_incidents", "inc", "--from", "acme",
             "--issue-type", "Incident", "--team", "PAY"], monkeypatch,
        ) == 0  # fmt: skip
        capsys.readouterr()
        expected = {
            "az": "project Pay, environments Production (id 7)",
            "ci": "job pay/deploy",
            "pd": "service DevService",
            "gh": "repository acme/app",
            "inc": "Jira as",
        }
        for name, reached in expected.items():
            assert run(["--db", db, "connection", "test", name], monkeypatch) == 0
            assert f"{name}: signed in, {reached}" in capsys.readouterr().out
        ci.token = "rotated"
        assert run(["--db", db, "connection", "test", "ci"], monkeypatch) != 0
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "credentials rejected" in err


def test_incidents_that_stop_qualifying_are_removed_by_the_next_sync(
    tmp_path: Path, memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    db = tmp_path / "plan.relplan"
    with FakeGitHub(token="gh-token") as hub, FakeJira(cloud=False) as jira:
        hub.deploy(1, "a" * 40, T0, ("success", T0))
        planned = hub.issue(12, ["incident"], T0 + H, T0 + 3 * H, title="Outage after deploy")
        hub.issue(13, ["incident"], T0 + 2 * H, T0 + 4 * H, title="Second outage")
        jira.add_project("OPS", "Operations")
        jira.add_issue("OPS-1", "Payments down", issue_type="Incident")
        jira.add_issue("OPS-2", "Search down", issue_type="Incident")
        assert run(
            ["--db", str(db), "connection", "add", "github", "gh", "--url", hub.url,
             "--team", "PAY", "--production", "production", "--repo", "acme/app",
             "--incident-label", "incident", "--token-stdin"], monkeypatch, "gh-token\n",
        ) == 0  # fmt: skip
        assert run(
            ["--db", str(db), "connection", "add", "jira_dc", "acme", "--url", jira.url,
             "--jql", "project = OPS", "--token-stdin"], monkeypatch, jira.token + "\n",
        ) == 0  # fmt: skip
        assert run(
            ["--db", str(db), "connection", "add", "jira_incidents", "inc", "--from", "acme",
             "--issue-type", "Incident", "--team", "PAY"], monkeypatch,
        ) == 0  # fmt: skip
        assert run(["--db", str(db), "sync", "gh", "inc"], monkeypatch) == 0
        capsys.readouterr()
        planned["state_reason"] = "not_planned"  # closed again, as not planned
        planned["updated_at"] = (T0 + 40 * H).strftime("%Y-%m-%dT%H:%M:%SZ")
        story = {**jira.issues[jira.key_to_id("OPS-2")]["fields"]["issuetype"], "name": "Story"}
        jira.update_issue("OPS-2", fields={"issuetype": story})
        assert run(["--db", str(db), "sync", "gh", "inc"], monkeypatch) == 0
        out = capsys.readouterr().out
        with Workspace.open(db) as ws:
            left = sorted(i.keys[0] for i in delivery.load_incidents(ws.conn))
    lines = dict(line.split(": ", 1) for line in out.splitlines())
    assert lines["gh"].endswith(" incidents, 1 removed (no longer incidents)")
    assert lines["inc"].endswith(" incidents pulled, 1 removed (no longer incidents)")
    assert left == ["#13", "OPS-1"]
