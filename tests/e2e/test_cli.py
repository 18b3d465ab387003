"""The command line as a user runs it: a real process, a real workspace file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.plans import document

pytestmark = pytest.mark.e2e


def relplan(*args: str, env_home: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["XDG_CONFIG_HOME"] = str(env_home / "config")
    env["XDG_DATA_HOME"] = str(env_home / "data")
    return subprocess.run(
        [sys.executable, "-m", "relplan", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )


def test_import_export_round_trip(tmp_path: Path) -> None:
    src = tmp_path / "plan.json"
    src.write_text(json.dumps(document()))
    db = str(tmp_path / "w.relplan")
    done = relplan("--db", db, "import", str(src), env_home=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "imported" in done.stdout
    out = tmp_path / "out.json"
    done = relplan("--db", db, "export", "json", "--out", str(out), env_home=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(out.read_text())["releases"][0]["key"] == "PAY-2026.12"


def test_bad_import_prints_one_line_per_problem_and_writes_nothing(tmp_path: Path) -> None:
    db = str(tmp_path / "w.relplan")
    src = tmp_path / "plan.json"
    src.write_text(json.dumps(document()))
    assert relplan("--db", db, "import", str(src), env_home=tmp_path).returncode == 0
    before = relplan(
        "--db", db, "export", "json", "--out", str(tmp_path / "a.json"), env_home=tmp_path
    )
    assert before.returncode == 0

    doc = document()
    doc["releases"][1]["target"] = "2026-11-01"
    doc["releases"][0]["status"] = "shipped"
    doc["dependencies"][1]["to"] = "item:NOPE-1"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    done = relplan("--db", db, "import", str(bad), env_home=tmp_path)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 3
    assert any("releases[1].target" in line for line in lines)
    assert any("releases[0].status" in line and "shipped" in line for line in lines)
    assert any("dependencies[1].to" in line for line in lines)
    assert all(str(bad) in line for line in lines)

    relplan("--db", db, "export", "json", "--out", str(tmp_path / "b.json"), env_home=tmp_path)
    assert (tmp_path / "a.json").read_text() == (tmp_path / "b.json").read_text()


def test_a_failed_first_import_leaves_no_workspace_behind(tmp_path: Path) -> None:
    db = tmp_path / "new.relplan"
    doc = document()
    doc["releases"][0]["team"] = "NOPE"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    done = relplan("--db", str(db), "import", str(bad), env_home=tmp_path)
    assert done.returncode == 2
    assert "releases[0].team" in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.json"]

    good = tmp_path / "good.json"
    good.write_text(json.dumps(document()))
    assert relplan("--db", str(db), "import", str(good), env_home=tmp_path).returncode == 0
    assert relplan("--db", str(db), "import", str(bad), env_home=tmp_path).returncode == 2
    assert db.exists()  # a workspace that was there before stays, with its data
    done = relplan("--db", str(db), "check", env_home=tmp_path)
    assert "PAY-2026.12" in done.stdout


def test_demo_is_deterministic_and_importable(tmp_path: Path) -> None:
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    for out in (a, b):
        done = relplan(
            "demo", "--out", str(out), "--seed", "4", "--today", "2026-11-27", env_home=tmp_path
        )
        assert done.returncode == 0, done.stderr
    assert a.read_text() == b.read_text()
    done = relplan("--db", str(tmp_path / "d.relplan"), "import", str(a), env_home=tmp_path)
    assert done.returncode == 0, done.stderr


def test_undo_from_the_command_line(tmp_path: Path) -> None:
    db = str(tmp_path / "w.relplan")
    src = tmp_path / "plan.json"
    src.write_text(json.dumps(document()))
    relplan("--db", db, "import", str(src), env_home=tmp_path)
    done = relplan("--db", db, "undo", env_home=tmp_path)
    assert done.returncode == 0
    assert "undid 'Import plan.json'" in done.stdout
    done = relplan("--db", db, "undo", env_home=tmp_path)
    assert done.returncode == 2
    assert "nothing to undo" in done.stderr


def test_opening_a_file_that_is_not_a_workspace(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("hello")
    done = relplan(
        "--db", str(notes), "export", "json", "--out", str(tmp_path / "x.json"), env_home=tmp_path
    )
    assert done.returncode == 2
    assert "is not a relplan workspace" in done.stderr
    assert notes.read_text() == "hello"


def test_version_and_help(tmp_path: Path) -> None:
    done = relplan("--version", env_home=tmp_path)
    assert done.stdout.startswith("relplan ")
    for command in ("import", "export", "demo", "undo", "history"):
        done = relplan(command, "--help", env_home=tmp_path)
        assert done.returncode == 0
        assert "example" in done.stdout
