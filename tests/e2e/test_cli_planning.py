"""check, schedule, impact and dependency edits from the command line (in-process)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from relplan.cli import run
from relplan.formats.workspace_json import parse_workspace
from relplan.store.workspace import Workspace
from tests.helpers.plans import document


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = tmp_path / "w.relplan"
    with Workspace.open(path) as ws:
        ws.import_plan(parse_workspace(document()))
    return str(path)


def _json(capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    out = capsys.readouterr().out
    value = json.loads(out)  # exactly one JSON object on standard output
    assert isinstance(value, dict)
    return value


def test_check_exits_1_on_errors_and_prints_json(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["--db", db, "check", "--json", "--today", "2026-11-27"]) == 1
    problems = _json(capsys)["problems"]
    assert isinstance(problems, list)
    kinds = [p["kind"] for p in problems]
    assert "dependency_violation" in kinds
    violation = next(p for p in problems if p["kind"] == "dependency_violation")
    assert violation["subjects"] == ["release:PAY-2026.12", "release:WEB-2026.12"]
    assert (
        "WEB-2026.12 starts 2026-11-28 but must start on or after 2026-12-04"
        in violation["message"]
    )
    assert set(violation) == {"kind", "severity", "subjects", "message"}


def test_check_table_for_people(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--db", db, "check", "--today", "2026-11-27"]) == 1
    out = capsys.readouterr().out
    assert "dependency_violation" in out
    assert "WEB-2026.12" in out


def test_schedule_json_shape(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--db", db, "schedule", "--json"]) == 0
    result = _json(capsys)
    assert set(result) == {"end", "critical_path", "releases"}
    assert result["critical_path"] == ["PAY-2026.12", "WEB-2026.12"]
    web = next(r for r in result["releases"] if r["key"] == "WEB-2026.12")  # type: ignore[union-attr]
    assert web["early_start"] == "2026-12-04"
    assert web["slip"] == 6


def test_impact_then_apply_then_undo(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--db", db, "impact", "PAY-2026.12", "--slip", "5", "--json"]) == 0
    preview = _json(capsys)
    assert preview["release"] == "PAY-2026.12"
    assert [m["key"] for m in preview["moved"]] == ["PAY-2026.12", "WEB-2026.12"]  # type: ignore[union-attr]
    with Workspace.open(db) as ws:
        assert str(ws.release("PAY-2026.12").start) == "2026-11-02"  # nothing written
    assert run(["--db", db, "impact", "PAY-2026.12", "--slip", "5", "--apply"]) == 0
    assert "applied: 2 releases moved" in capsys.readouterr().out
    with Workspace.open(db) as ws:
        assert str(ws.release("PAY-2026.12").start) == "2026-11-07"
    assert run(["--db", db, "undo"]) == 0
    assert "Slip PAY-2026.12 by +5 days" in capsys.readouterr().out
    with Workspace.open(db) as ws:
        assert str(ws.release("PAY-2026.12").start) == "2026-11-02"


def test_cycle_refused_from_the_command_line(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = run(["--db", db, "dependency", "add", "release:WEB-2026.12", "release:PAY-2026.12"])
    assert code == 2
    err = capsys.readouterr().err
    assert "release:WEB-2026.12 -> release:PAY-2026.12 -> release:WEB-2026.12" in err
    assert run(["--db", db, "dependency", "list", "--json"]) == 0
    assert len(_json(capsys)["dependencies"]) == 2  # type: ignore[arg-type]


def test_schedule_refuses_a_cycle_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = document()
    doc["dependencies"].append({"from": "release:WEB-2026.12", "to": "release:PAY-2026.12"})
    path = tmp_path / "cyclic.relplan"
    with Workspace.open(path) as ws:
        ws.import_plan(parse_workspace(doc))  # imports accept cycles
    assert run(["--db", str(path), "schedule"]) == 2
    assert (
        "release:PAY-2026.12 -> release:WEB-2026.12 -> release:PAY-2026.12"
        in capsys.readouterr().err
    )
    assert run(["--db", str(path), "check", "--json", "--today", "2026-11-27"]) == 1
    assert "cycle" in [p["kind"] for p in _json(capsys)["problems"]]  # type: ignore[union-attr]
