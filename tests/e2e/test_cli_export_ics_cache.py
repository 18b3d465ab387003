"""``relplan export ics`` reads the release links and their cycles from the analysis cache: the
calendar equals the one the whole plan's check gives, and a warm export reads no dependencies."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from relplan.cli import run
from relplan.formats.workspace_json import parse_workspace
from relplan.planning.check import check_plan
from relplan.store.workspace import Workspace
from tests.helpers.tangled import add_dangling, tangled_document

TODAY = "2026-11-20"


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = tmp_path / "tangled.relplan"
    with Workspace.open(path) as ws:
        ws.import_plan(parse_workspace(tangled_document(3)))
        add_dangling(ws.conn)
    return str(path)


def export(db: str, out: Path) -> str:
    assert run(["--db", db, "export", "ics", "--out", str(out), "--today", TODAY]) == 0
    lines = out.read_text(encoding="utf-8").replace("\n ", "").splitlines()  # unfolded
    return "\n".join(line for line in lines if not line.startswith("DTSTAMP"))


def test_a_warm_calendar_equals_a_cold_one_and_reads_no_dependencies(
    db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cold = export(db, tmp_path / "a.ics")
    with Workspace.open(db, create=False) as ws:
        problems = check_plan(ws.plan(), today=dt.date.fromisoformat(TODAY))
    # A cycle through releases shows in their events (one through items only names no event).
    cycles = [
        p for p in problems
        if p.kind == "cycle" and any(s.startswith("release:") for s in p.subjects)
    ]  # fmt: skip
    assert cycles, "the tangled plan has a cycle of releases"
    for problem in cycles:  # what the whole plan's check says, in the events that it concerns
        assert problem.message.replace(",", "\\,").replace(";", "\\;") in cold

    def refuse(self: Workspace) -> None:
        raise AssertionError("the dependencies were read although the cache is current")

    monkeypatch.setattr(Workspace, "dependency_rows", refuse)
    monkeypatch.setattr(Workspace, "item_releases", refuse)
    assert export(db, tmp_path / "b.ics") == cold
