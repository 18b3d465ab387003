"""The release-lifecycle keys of the workspace format: round trips, old shapes, errors, undo."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from relplan.errors import ValidationError
from relplan.formats.workspace_io import export_file, import_file
from relplan.formats.workspace_json import encode_plan, parse_workspace
from relplan.store.migrations import SCHEMA_VERSION
from relplan.store.workspace import Workspace
from tests.helpers.plans import document

TEMPLATE: dict[str, Any] = {
    "key": "standard",
    "name": "Standard Dev→QA→Staging→Production",
    "stages": [
        {"environment": "Staging", "days": 5, "ends_before_target": 3, "strategy": "big_bang"},
        {"environment": "Production", "days": 2, "ends_before_target": 0, "strategy": "canary"},
    ],
    "milestones": [{"name": "Code freeze", "before_target": 15}],
    "gates": [
        {"name": "CAB approval", "environment": "Production", "kind": "manual",
         "approvers": ["ops-lead"]}
    ],
    "monitoring_days": 7,
}  # fmt: skip
FLAG: dict[str, Any] = {
    "key": "new-checkout",
    "release": "PAY-2026.12",
    "environment": "Production",
    "owner": "pay-team",
    "steps": [{"date": "2026-12-02", "percent": 10}, {"date": "2026-12-09", "percent": 100}],
}


def lifecycle_document() -> dict[str, Any]:
    """The test document with every lifecycle key set."""
    doc = document()
    doc["environments"][1]["requires_approval"] = True
    pay = doc["releases"][0]
    pay["monitoring_days"] = 7
    pay["stages"][0]["steps"] = [
        {"date": "2026-11-30", "percent": 5},
        {"date": "2026-12-01", "percent": 100},
    ]
    pay["stages"].insert(
        0,
        {"environment": "Staging", "start": "2026-11-20", "end": "2026-11-27",
         "strategy": "blue_green", "switch": "2026-11-27"},
    )  # fmt: skip
    doc["templates"] = [copy.deepcopy(TEMPLATE)]
    doc["flags"] = [copy.deepcopy(FLAG)]
    return doc


def test_every_lifecycle_key_round_trips_through_a_workspace(tmp_path: Path) -> None:
    doc = lifecycle_document()
    source = tmp_path / "in.json"
    source.write_text(json.dumps(doc), encoding="utf-8")
    with Workspace.open(tmp_path / "a.relplan") as ws:
        import_file(ws, source)
        export_file(ws, tmp_path / "first.json")
    first = json.loads((tmp_path / "first.json").read_text(encoding="utf-8"))
    assert first["environments"][1]["requires_approval"] is True
    assert "requires_approval" not in first["environments"][0]
    pay = first["releases"][0]
    assert pay["monitoring_days"] == 7
    assert pay["stages"] == doc["releases"][0]["stages"]
    assert first["templates"] == [TEMPLATE]
    assert first["flags"] == [FLAG]
    with Workspace.open(tmp_path / "b.relplan") as ws:
        import_file(ws, tmp_path / "first.json")
        export_file(ws, tmp_path / "second.json")
    assert (tmp_path / "first.json").read_text() == (tmp_path / "second.json").read_text()


def test_plans_without_lifecycle_keys_keep_the_old_shape(tmp_path: Path) -> None:
    with Workspace.open(tmp_path / "w.relplan") as ws:
        ws.import_plan(parse_workspace(document()))
        out = encode_plan(ws.plan())
    assert "templates" not in out
    assert "flags" not in out
    assert set(out["environments"][0]) == {"name", "order", "capacity"}
    assert "monitoring_days" not in out["releases"][0]
    assert set(out["releases"][0]["stages"][0]) == {"environment", "start", "end", "strategy"}


def test_undo_of_an_import_takes_templates_and_flags_back(tmp_path: Path) -> None:
    with Workspace.open(tmp_path / "w.relplan") as ws:
        ws.import_plan(parse_workspace(document()))
        ws.import_plan(parse_workspace(lifecycle_document()))
        assert len(ws.plan().flags) == 1
        ws.undo()
        plan = ws.plan()
        assert plan.flags == ()
        assert plan.templates == ()
        assert not any(e.requires_approval for e in plan.environments)
        ws.redo()
        plan = ws.plan()
        assert [f.key for f in plan.flags] == ["new-checkout"]
        assert plan.release("PAY-2026.12").monitoring_days == 7  # type: ignore[union-attr]


def test_the_lifecycle_migration_is_the_last_one(tmp_path: Path) -> None:
    with Workspace.open(tmp_path / "w.relplan") as ws:
        assert ws.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        columns = {r[1] for r in ws.conn.execute("PRAGMA table_info(flags)")}
    assert columns == {"key", "release", "environment", "owner", "steps"}


def _bad(change: Any) -> list[str]:
    doc = lifecycle_document()
    change(doc)
    with pytest.raises(ValidationError) as info:
        parse_workspace(doc)
    return info.value.lines()


@pytest.mark.parametrize(
    ("change", "path", "words"),
    [
        (lambda d: d["environments"][0].update(requires_approval="yes"),
         "environments[0].requires_approval", "true or false"),
        (lambda d: d["releases"][0].update(monitoring_days=-1),
         "releases[0].monitoring_days", "0 or more"),
        (lambda d: d["releases"][0]["stages"][1]["steps"].reverse(),
         "releases[0].stages[1].steps[1].date", "not after"),
        (lambda d: d["releases"][0]["stages"][1]["steps"][0].update(percent=0),
         "releases[0].stages[1].steps[0].percent", "1"),
        (lambda d: d["releases"][0]["stages"][0].update(switch="soon"),
         "releases[0].stages[0].switch", "YYYY-MM-DD"),
        (lambda d: d["flags"][0].update(release="NOPE"), "flags[0].release", "unknown release"),
        (lambda d: d["flags"][0].update(environment="Moon"),
         "flags[0].environment", "unknown environment"),
        (lambda d: d["flags"].append(copy.deepcopy(FLAG)), "flags[1].key", "duplicate flag key"),
        (lambda d: d["templates"][0]["stages"][0].pop("days"),
         "templates[0].stages[0].days", "missing"),
        (lambda d: d["templates"][0].update(colour="red"), "templates[0].colour", "unknown key"),
        (lambda d: d["flags"][0]["steps"][1].update(percent=5),
         "flags[0].steps[1].percent", "not above"),
    ],
)  # fmt: skip
def test_bad_lifecycle_values_are_named_by_path(change: Any, path: str, words: str) -> None:
    lines = _bad(change)
    assert any(path in line and words in line for line in lines), lines
