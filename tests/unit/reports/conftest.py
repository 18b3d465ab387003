"""A copy of the small demo workspace with a week of changes at fixed times, by a fixed person."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from relplan.demo import generate
from relplan.edits.releases import move_release
from relplan.formats.workspace_json import parse_workspace
from relplan.store.workspace import Workspace

#: The report's day and the first day of its window.
TODAY = dt.date(2026, 12, 4)
SINCE = dt.date(2026, 11, 27)
MOVED, APPROVED, SHIPPED = "MOB-2027.02", "API-2027.02", "OPS-2026.12"


def make_week(path: Path) -> Path:
    """Make the small demo of :data:`TODAY` at ``path`` and three changes in the report's
    window: a move by +5 days, a gate approval and a release shipped (all by ``alice`` on
    2026-12-02; the import on 2026-11-01)."""
    with Workspace.open(path) as ws:
        ws.import_plan(parse_workspace(generate("small", today=TODAY)), label="Import demo")
        move_release(ws, MOVED, 5)
        api = ws.release(APPROVED)
        gates = tuple(
            dataclasses.replace(g, status="approved") if g.name == "Regression suite" else g
            for g in api.gates
        )
        ws.update_releases([dataclasses.replace(api, gates=gates)], "Approve regression suite")
        ops = ws.release(SHIPPED)
        ws.update_releases([dataclasses.replace(ops, status="released")], f"Ship {SHIPPED}")
        with ws.write():
            ws.conn.execute(
                "UPDATE audit_log SET at = CASE command WHEN 1 "
                "THEN '2026-11-01T09:00:00+00:00' ELSE '2026-12-02T10:00:00+00:00' END, "
                "who = 'alice'"
            )
    return path


@pytest.fixture(scope="session")
def week_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The path of the small demo after its week of changes (read it only)."""
    return make_week(tmp_path_factory.mktemp("reports") / "small.relplan")
