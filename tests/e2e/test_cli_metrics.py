"""readiness, metrics, deployments import and chart export from the command line (in-process).

``relplan.cli`` wires command modules and exporters in ``COMMAND_MODULES``/``EXPORTERS``; these
tests put this feature's entries there (the lead wires them for good) and run ``relplan.cli.run``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from relplan.cli import commands as cli
from relplan.formats.workspace_json import parse_workspace
from relplan.store.workspace import Workspace
from tests.helpers.plans import document

pytestmark = pytest.mark.e2e

TODAY = "2026-11-27"


@pytest.fixture
def wired(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI with this feature's commands and exporters, as the lead wires them."""
    exporters = dict(cli.EXPORTERS)
    exporters.update({f: f"relplan.cli.metrics:export_{f}" for f in ("png", "svg", "pdf")})
    monkeypatch.setattr(cli, "EXPORTERS", exporters)
    if "relplan.cli.metrics" not in cli.COMMAND_MODULES:
        monkeypatch.setattr(cli, "COMMAND_MODULES", (*cli.COMMAND_MODULES, "relplan.cli.metrics"))


@pytest.fixture
def db(tmp_path: Path, wired: None) -> str:
    path = tmp_path / "w.relplan"
    with Workspace.open(path) as ws:
        ws.import_plan(parse_workspace(document()))
    return str(path)


def _json(capsys: pytest.CaptureFixture[str]) -> Any:
    return json.loads(capsys.readouterr().out)  # exactly one JSON object on standard output


def test_readiness_json(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.run(["--db", db, "readiness", "--json", "--today", TODAY]) == 0
    releases = _json(capsys)["releases"]
    assert [r["key"] for r in releases] == ["PAY-2026.12", "WEB-2026.12"]
    pay, web = releases
    assert {k: pay[k] for k in ("items", "done", "in_progress", "todo")} == {
        "items": 1,
        "done": 0,
        "in_progress": 1,
        "todo": 0,
    }
    assert (pay["points_done"], pay["points_total"], pay["percent_done"]) == (0.0, 3.0, 0.0)
    assert (pay["gates_approved"], pay["gates_total"]) == (0, 1)
    assert (web["open_blockers"], web["forecast_p50"], web["forecast_p85"]) == (1, None, None)
    assert web["verdict"] == "late"
    assert web["reason"] == (
        "no forecast: no work done by WEB in the last 12 weeks (1 open item left); "
        "1 open blocker in PAY-2026.12"
    )


def test_readiness_table(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.run(["--db", db, "readiness", "--today", TODAY]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == [
        "KEY", "TEAM", "DONE", "%DONE", "GATES", "BLOCKERS", "P50", "P85", "TARGET", "VERDICT",
    ]  # fmt: skip
    assert "2 late (as of 2026-11-27, 2,000 runs)" in out
    assert "WEB-2026.12 (late): no forecast: no work done by WEB" in out


def test_metrics_json(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--db", db, "metrics", "--json", "--from", "2026-11-01", "--to", "2026-11-30"]
    assert cli.run(args) == 0
    m = _json(capsys)
    assert (m["from"], m["to"], m["deployments"]) == ("2026-11-01", "2026-11-30", 1)
    assert "2024" in m["benchmark"]  # amended 2026-12-04: the default report
    assert m["deployment_frequency"]["per_day"] == pytest.approx(1 / 30)
    assert m["deployment_frequency"]["band"] == "medium"
    # Amended 2026-12-04: the only deployment failed, so it shipped nothing: no lead time.
    assert m["lead_time_hours"] == {"median": None, "band": None}
    assert m["change_failure_rate"] == {"value": 1.0, "band": "low"}
    assert m["time_to_restore_hours"] == {"median": 0.75, "band": "elite"}
    assert m["notes"] == [
        "1 deployment with no lead time to count",
        "time to restore rests on only 1 deployment",
    ]


def test_metrics_default_window_filters_and_errors(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.run(["--db", db, "metrics", "--json", "--today", "2026-11-30"]) == 0
    m = _json(capsys)
    assert (m["from"], m["to"], m["deployments"]) == ("2026-09-02", "2026-11-30", 1)
    assert cli.run(["--db", db, "metrics", "--json", "--team", "WEB", "--today", TODAY]) == 0
    m = _json(capsys)
    assert m["deployments"] == 0
    assert m["lead_time_hours"] == {"median": None, "band": None}
    assert cli.run(["--db", db, "metrics", "--team", "NOPE"]) == 2
    assert "no team with key 'NOPE'" in capsys.readouterr().err
    assert cli.run(["--db", db, "metrics", "--from", "2026-12-01", "--to", "2026-11-01"]) == 2
    assert "--from: 2026-12-01 is after --to 2026-11-01" in capsys.readouterr().err


def test_metrics_table(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.run(["--db", db, "metrics", "--from", "2026-11-01", "--to", "2026-11-30"]) == 0
    out = capsys.readouterr().out
    assert "1 Production deployments from 2026-11-01 to 2026-11-30 (30 days)" in out
    assert "Change failure rate    100.0% (1 of 1)" in out
    assert "- time to restore rests on only 1 deployment" in out


def test_deployments_import(db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    csv = tmp_path / "deploys.csv"
    csv.write_text(
        "release,environment,started,finished,outcome,restored,changes,incident\n"
        "PAY-2026.12,Production,,2026-11-20T10:00:00Z,succeeded,,abc@2026-11-19T10:00:00Z,\n"
        "WEB-2026.12,Production,,2026-11-21T10:00:00Z,failed,,,INC-3\n",
        encoding="utf-8",
    )
    assert cli.run(["--db", db, "deployments", "import", str(csv)]) == 0
    assert "2 of 2 deployments added or updated (undo with 'relplan undo')" in (
        capsys.readouterr().out
    )
    assert cli.run(["--db", db, "metrics", "--json", "--today", TODAY]) == 0
    m = _json(capsys)
    assert m["deployments"] == 3
    assert "1 failed deployment without a restore time" in m["notes"]
    assert cli.run(["--db", db, "undo"]) == 0
    assert "undid 'Import deployments from deploys.csv' (2 objects)" in capsys.readouterr().out


def test_deployments_import_errors_write_nothing(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv = tmp_path / "bad.csv"
    csv.write_text(
        "release,environment,finished,outcome\n"
        "PAY-2026.12,Production,2026-11-20T10:00:00Z,succeeded\n"
        "PAY-2026.12,Production,2026-11-31T10:00:00Z,failed\n"
        "PAY-2026.12,Prod,2026-11-22T10:00:00Z,oops\n",
        encoding="utf-8",
    )
    assert cli.run(["--db", db, "deployments", "import", str(csv)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"relplan: {csv}: row 3, column finished: found '2026-11-31T10:00:00Z', expected an "
        "ISO 8601 time such as 2026-11-03T10:20:00Z",
        f"relplan: {csv}: row 4, column environment: no environment 'Prod' in the workspace",
        f"relplan: {csv}: row 4, column outcome: found 'oops', expected succeeded, failed, "
        "rolled_back",
    ]
    with Workspace.open(db, create=False) as ws:
        assert len(ws.plan().deployments) == 1
        assert ws.undo_labels()[0] == "Import"


@pytest.mark.parametrize(
    ("fmt", "chart", "head", "what"),
    [
        ("png", "dora", b"\x89PNG", "DORA metrics 2026-08-30 to 2026-11-27"),
        ("svg", "readiness", b"<?xml", "readiness of open releases"),
        ("pdf", "load", b"%PDF", "release load, 16 weeks from 2026-10-26"),
        # Both releases are late without a forecast; WEB also has an open blocker.
        ("png", "burnup", b"\x89PNG", "burn-up of WEB-2026.12"),
        ("png", "burnup:PAY-2026.12", b"\x89PNG", "burn-up of PAY-2026.12"),
    ],
)
def test_export_charts(
    db: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    fmt: str,
    chart: str,
    head: bytes,
    what: str,
) -> None:
    out = tmp_path / f"chart.{fmt}"
    args = ["--db", db, "export", fmt, "--chart", chart, "--out", str(out), "--today", TODAY]
    assert cli.run(args) == 0
    assert out.read_bytes().startswith(head)
    assert capsys.readouterr().out.strip().endswith(what)


def test_export_chart_with_filters(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "load.png"
    args = ["--db", db, "export", "png", "--chart", "load", "--out", str(out), "--team", "PAY"]
    args += ["--from", "2026-11-23", "--to", "2026-12-06", "--train", "Q4-TRAIN"]
    assert cli.run(args) == 0
    assert "release load, 2 weeks from 2026-11-23" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--view", "calendar"], "--view: views are exported by the window module"),
        ([], "--chart: say which chart: --chart burnup|readiness|dora|load"),
        (["--chart", "pie"], "--chart: found 'pie', expected burnup|readiness|dora|load"),
        (["--chart", "dora:X"], "--chart: only burnup takes a release, not dora"),
        (["--chart", "burnup:NOPE"], "no release with key 'NOPE'"),
        (["--chart", "dora", "--team", "PAY", "--team", "WEB"], "--team: a chart takes one team"),
    ],
)
def test_export_chart_errors(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    out = tmp_path / "x.png"
    assert cli.run(["--db", db, "export", "png", "--out", str(out), *extra]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_help_names_the_commands(wired: None, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        cli.run(["deployments", "--help"])
    assert info.value.code == 0
    assert "relplan deployments import deployments.csv" in capsys.readouterr().out
