"""``relplan level`` and ``relplan forecast`` from the command line (in-process)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from relplan.cli import run
from relplan.formats.workspace_json import parse_workspace
from relplan.store.workspace import Workspace
from tests.helpers.plans import document

KINDS = {"dependency_violation", "freeze_conflict", "environment_conflict"}


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = tmp_path / "w.relplan"
    with Workspace.open(path) as ws:
        ws.import_plan(parse_workspace(document()))
    return str(path)


def _json(capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    value = json.loads(capsys.readouterr().out)  # exactly one JSON object on standard output
    assert isinstance(value, dict)
    return value


def _dates(db: str) -> dict[str, tuple[str, str]]:
    with Workspace.open(Path(db), create=False) as ws:
        return {r.key: (str(r.start), str(r.target)) for r in ws.release_plan().releases}


def test_level_json_shape_and_no_write_without_apply(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _dates(db)
    code = run(["--db", db, "level", "--json", "--today", "2026-10-01"])
    result = _json(capsys)
    assert set(result) == {"moved", "unresolved", "total_slip_days", "end_before", "end_after"}
    moved = result["moved"]
    assert isinstance(moved, list)
    assert moved, "the demo document has a dependency violation to clear"
    for move in moved:
        assert set(move) == {"key", "start", "target", "new_start", "new_target", "days", "reasons"}
        assert move["days"] > 0
        assert move["reasons"]
    assert [m["key"] for m in moved] == sorted(m["key"] for m in moved)
    assert result["total_slip_days"] == sum(m["days"] for m in moved)
    assert code == (1 if result["unresolved"] else 0)
    assert _dates(db) == before


def test_level_apply_is_one_undoable_change_and_check_agrees(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _dates(db)
    run(["--db", db, "level", "--json", "--today", "2026-10-01", "--apply"])
    captured = capsys.readouterr()
    result = json.loads(captured.out)
    assert "applied:" in captured.err
    after = _dates(db)
    for move in result["moved"]:
        assert after[move["key"]] == (move["new_start"], move["new_target"])
    assert sum(after[k] != before[k] for k in before) == len(result["moved"])
    run(["--db", db, "check", "--json", "--today", "2026-10-01"])
    left = [p for p in _json(capsys)["problems"] if p["kind"] in KINDS]  # type: ignore[union-attr]
    assert left == result["unresolved"]
    assert run(["--db", db, "undo"]) == 0
    assert _dates(db) == before


def test_level_pin_keeps_a_release(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    run(["--db", db, "level", "--json", "--today", "2026-10-01"])
    keys = [m["key"] for m in _json(capsys)["moved"]]  # type: ignore[union-attr]
    run(["--db", db, "level", "--json", "--today", "2026-10-01", "--pin", *keys])
    assert _json(capsys)["moved"] == []


def test_level_text_names_reasons_and_unknown_train_fails(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    run(["--db", db, "level", "--today", "2026-10-01"])
    out = capsys.readouterr().out
    assert " after " in out
    assert "moved" in out
    assert run(["--db", db, "level", "--train", "NOPE"]) == 2
    assert "NOPE" in capsys.readouterr().err
    assert run(["--db", db, "level", "--pin", "GHOST-1"]) == 2
    assert "GHOST-1" in capsys.readouterr().err


def test_forecast_json_shape_and_same_seed_same_output(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--db", db, "forecast", "--json", "--today", "2026-11-27", "--runs", "300"]
    assert run([*argv, "--seed", "4"]) == 0
    first = _json(capsys)
    assert set(first) == {"runs", "seed", "releases", "trains"}
    assert (first["runs"], first["seed"]) == (300, 4)
    releases = first["releases"]
    assert isinstance(releases, list)
    assert [r["key"] for r in releases] == sorted(r["key"] for r in releases)
    for r in releases:
        assert set(r) == {"key", "target", "p50", "p85", "p_on_time", "criticality"}
    assert run([*argv, "--seed", "4"]) == 0
    assert _json(capsys) == first


def test_forecast_text_and_bad_runs(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--db", db, "forecast", "--today", "2026-11-27", "--runs", "100"]) == 0
    out = capsys.readouterr().out
    assert "ON TIME" in out
    assert "(100 runs, seed 0)" in out
    with pytest.raises(SystemExit):
        run(["--db", db, "forecast", "--runs", "0"])


def test_export_png_train_forecast_draws_the_forecast_of_the_train(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from relplan.demo import generate
    from relplan.planning.portfolio_forecast import portfolio_forecast

    db = str(tmp_path / "demo.relplan")
    with Workspace.open(Path(db)) as ws:
        ws.import_plan(parse_workspace(generate("small", seed=1, today=_day_of("2026-11-27"))))
        plan = ws.plan()
    trains = sorted(t.key for t in plan.trains)
    out = tmp_path / "train.png"
    argv = ["--db", db, "export", "png", "--chart", "train-forecast", "--today", "2026-11-27"]
    assert run([*argv, "--train", trains[-1], "--out", str(out)]) == 0
    line = capsys.readouterr().out
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    [odds] = portfolio_forecast(plan, today=_day_of("2026-11-27"), train=trains[-1]).trains
    assert odds.p50 is not None
    assert f"forecast of train {trains[-1]}: P50 {odds.p50}, P85 {odds.p85}" in line
    one_train = out.read_bytes()
    assert "nearest" not in line
    assert run([*argv, "--out", str(out)]) == 0
    assert "(nearest its target)" in capsys.readouterr().out
    assert out.read_bytes() != one_train  # another train: other figures
    assert run([*argv, "--team", "API", "--out", str(out)]) == 2
    assert "--train" in capsys.readouterr().err


def _day_of(text: str) -> dt.date:
    return dt.date.fromisoformat(text)
