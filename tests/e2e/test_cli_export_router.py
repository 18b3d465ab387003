"""``relplan export png|svg|pdf`` routes --chart to the charts and asks for one of the two."""

from __future__ import annotations

from pathlib import Path

import pytest

from relplan.cli import run
from relplan.demo import generate
from relplan.formats.workspace_json import parse_workspace
from relplan.store.workspace import Workspace


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("router") / "demo.relplan"
    with Workspace.open(path) as ws:
        ws.import_plan(parse_workspace(generate("small", seed=1)))
    return str(path)


def test_a_picture_needs_a_view_or_a_chart(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["--db", db, "export", "png", "--out", str(tmp_path / "x.png")]) == 2
    assert "needs --view calendar|timeline|graph or --chart" in capsys.readouterr().err
    assert not (tmp_path / "x.png").exists()


@pytest.mark.parametrize(
    ("fmt", "magic"), [("png", b"\x89PNG"), ("pdf", b"%PDF"), ("svg", b"<?xml")]
)
def test_charts_are_written_in_each_format(db: str, tmp_path: Path, fmt: str, magic: bytes) -> None:
    out = tmp_path / f"dora.{fmt}"
    code = run(
        ["--db", db, "export", fmt, "--chart", "dora", "--out", str(out), "--today", "2026-11-27"]
    )
    assert code == 0
    assert out.read_bytes().startswith(magic)


def test_the_map_can_focus_on_a_release(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "map.png"
    args = ["--db", db, "export", "png", "--view", "graph", "--out", str(out)]
    assert run([*args, "--focus", "NOPE-1"]) == 2
    assert "NOPE-1" in capsys.readouterr().err
    assert not out.exists()
    with Workspace.open(db) as ws:
        key = ws.plan().releases[-1].key
    assert run([*args, "--focus", key, "--depth", "1"]) == 0
    assert out.read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize(
    "extra",
    [
        ["json"],
        ["ics"],
        ["csv"],
        ["dot"],
        ["graphml"],
        ["png", "--chart", "dora"],
        ["svg", "--view", "timeline"],
    ],
)
def test_a_missing_output_folder_is_named_for_every_format(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str]
) -> None:
    missing = tmp_path / "not-there"
    out = missing / "export.out"
    assert run(["--db", db, "export", extra[0], "--out", str(out), *extra[1:]]) == 2
    err = capsys.readouterr().err
    assert f"the folder {missing} does not exist" in err
    assert ".export.out." not in err  # never the temporary file's name
    assert not missing.exists()


def test_export_csv_neutralises_formulas_and_raw_keeps_them(tmp_path: Path) -> None:
    from tests.helpers.plans import document

    doc = document()
    doc["work_items"][0]["title"] = '=HYPERLINK("http://evil.example","x")'
    db = tmp_path / "plan.relplan"
    with Workspace.open(db) as ws:
        ws.import_plan(parse_workspace(doc))
    out = tmp_path / "items.csv"
    assert run(["--db", str(db), "export", "csv", "--items", "--out", str(out)]) == 0
    assert "'=HYPERLINK(" in out.read_text(encoding="utf-8")
    assert run(["--db", str(db), "export", "csv", "--items", "--raw", "--out", str(out)]) == 0
    assert '\n"=HYPERLINK(' in out.read_text(encoding="utf-8").replace("PAY-101,", "\n")
