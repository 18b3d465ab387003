"""The workspace JSON format: parsing, every error class, export order and round trips."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from relplan.errors import ValidationError
from relplan.formats.workspace_io import export_file, import_file
from relplan.formats.workspace_json import dump_plan, encode_plan, parse_workspace
from relplan.store.workspace import Workspace
from tests.helpers.plans import document

Mutation = Callable[[dict[str, Any]], None]


def _set(path: tuple[Any, ...], value: Any) -> Mutation:
    def mutate(doc: dict[str, Any]) -> None:
        node: Any = doc
        for step in path[:-1]:
            node = node[step]
        node[path[-1]] = value

    return mutate


def _append(section: str, value: Any) -> Mutation:
    return lambda doc: doc[section].append(value)


# (mutation, the JSON path the message must name, a word the message must contain)
BAD_INPUTS: list[tuple[str, Mutation, str, str]] = [
    ("unknown key", _set(("releases", 1, "colour"), "red"), "releases[1].colour", "unknown key"),
    ("unknown top key", _set(("releeses",), []), "releeses", "unknown key"),
    ("unknown team", _set(("releases", 1, "team"), "NOPE"), "releases[1].team", "unknown team"),
    ("unknown train", _set(("releases", 0, "train"), "Q9"), "releases[0].train", "unknown train"),
    (
        "unknown environment",
        _set(("releases", 0, "stages", 0, "environment"), "Moon"),
        "releases[0].stages[0].environment",
        "unknown environment",
    ),
    (
        "unknown release of item",
        _set(("work_items", 0, "release"), "X-1"),
        "work_items[0].release",
        "unknown release",
    ),
    (
        "dangling dependency",
        _set(("dependencies", 1, "to"), "item:GHOST-1"),
        "dependencies[1].to",
        "unknown work item",
    ),
    (
        "bad dependency end",
        _set(("dependencies", 1, "to"), "WEB-17"),
        "dependencies[1].to",
        "expected 'release:KEY' or 'item:KEY'",
    ),
    (
        "duplicate release key",
        lambda d: d["releases"].append(dict(d["releases"][1])),
        "releases[2].key",
        "duplicate release key",
    ),
    (
        "duplicate team",
        _append("teams", {"key": "PAY", "name": "Again"}),
        "teams[2].key",
        "duplicate team key",
    ),
    (
        "start after target",
        _set(("releases", 1, "target"), "2026-11-01"),
        "releases[1].target",
        "before start",
    ),
    ("bad enum", _set(("releases", 0, "status"), "done"), "releases[0].status", "expected one of"),
    (
        "bad dependency type",
        _set(("dependencies", 0, "type"), "XX"),
        "dependencies[0].type",
        "expected one of",
    ),
    ("bad date", _set(("releases", 0, "start"), "2026-13-01"), "releases[0].start", "YYYY-MM-DD"),
    (
        "date not a string",
        _set(("trains", 0, "target"), 20261210),
        "trains[0].target",
        "YYYY-MM-DD",
    ),
    (
        "time without offset",
        _set(("work_items", 0, "created"), "2026-10-01T09:00:00"),
        "work_items[0].created",
        "no offset",
    ),
    ("bad timezone", _set(("timezone",), "Mars/Olympus"), "timezone", "IANA"),
    ("wrong format", _set(("format",), "other"), "format", "relplan-workspace"),
    ("negative points", _set(("work_items", 0, "points"), -1), "work_items[0].points", ">= 0"),
]


@pytest.mark.parametrize(
    ("mutate", "path", "words"), [pytest.param(m, p, w, id=n) for n, m, p, w in BAD_INPUTS]
)
def test_each_bad_input_names_its_path(mutate: Mutation, path: str, words: str) -> None:
    doc = document()
    mutate(doc)
    with pytest.raises(ValidationError) as info:
        parse_workspace(doc, source="plan.json")
    lines = info.value.lines()
    assert any(line.startswith(f"plan.json: {path}:") and words in line for line in lines), lines


def test_problems_of_items_and_dependencies_are_named_one_by_one_in_order() -> None:
    # Items and dependencies are checked as whole sets first; a problem in them must still be
    # named object by object, in the document's order, as for every other section.
    doc = document()
    doc["work_items"].append({**doc["work_items"][0], "title": "Again"})
    doc["work_items"][1]["team"] = "NOPE"
    doc["work_items"].append({"key": "WEB-18", "title": "Gone", "release": "X-1", "team": "GONE"})
    doc["dependencies"].append(dict(doc["dependencies"][1]))
    doc["dependencies"][0]["from"] = "release:GHOST"
    doc["dependencies"].append({"from": "item:WEB-18", "to": "item:PAY-9"})
    with pytest.raises(ValidationError) as info:
        parse_workspace(doc, source="plan.json")
    assert info.value.lines() == [
        "plan.json: work_items[2].key: duplicate work item key 'PAY-101'",
        "plan.json: dependencies[2]: duplicate dependency 'item:PAY-101 -> item:WEB-17'",
        "plan.json: work_items[1].team: unknown team 'NOPE'",
        "plan.json: work_items[3].team: unknown team 'GONE'",
        "plan.json: work_items[3].release: unknown release 'X-1'",
        "plan.json: dependencies[0].from: unknown release 'GHOST'",
        "plan.json: dependencies[3].to: unknown work item 'PAY-9'",
    ]


def test_every_problem_is_reported_not_just_the_first() -> None:
    doc = document()
    doc["releases"][0]["status"] = "nope"
    doc["releases"][1]["team"] = "NOPE"
    doc["work_items"][0]["category"] = "later"
    with pytest.raises(ValidationError) as info:
        parse_workspace(doc)
    assert len(info.value.issues) == 3


def test_sections_are_optional() -> None:
    plan = parse_workspace({"format": "relplan-workspace", "version": 1})
    assert plan.timezone == "UTC"
    assert plan.releases == ()


def test_parsed_values_are_typed() -> None:
    plan = parse_workspace(document())
    rel = plan.release("PAY-2026.12")
    assert rel is not None
    assert rel.start is not None
    assert rel.start.isoformat() == "2026-11-02"
    assert rel.stages[0].strategy == "canary"
    assert plan.work_items[0].created is not None
    assert plan.work_items[0].created.utcoffset() is not None
    dep = plan.dependencies[0]
    assert (dep.from_ref, dep.to_ref, dep.type, dep.lag_days) == (
        "release:PAY-2026.12",
        "release:WEB-2026.12",
        "FS",
        2,
    )


def test_export_orders_lists_stably() -> None:
    doc = document()
    doc["releases"].reverse()
    doc["environments"].reverse()
    doc["teams"].reverse()
    out = encode_plan(parse_workspace(doc))
    assert [r["key"] for r in out["releases"]] == ["PAY-2026.12", "WEB-2026.12"]
    assert [e["name"] for e in out["environments"]] == ["Staging", "Production"]
    assert [t["key"] for t in out["teams"]] == ["PAY", "WEB"]


def test_export_import_export_is_identical(tmp_path: Path) -> None:
    source = tmp_path / "in.json"
    source.write_text(json.dumps(document()))
    with Workspace.open(tmp_path / "a.relplan") as ws:
        import_file(ws, source)
        export_file(ws, tmp_path / "first.json")
    with Workspace.open(tmp_path / "b.relplan") as ws:
        import_file(ws, tmp_path / "first.json")
        export_file(ws, tmp_path / "second.json")
    first = (tmp_path / "first.json").read_text()
    assert first == (tmp_path / "second.json").read_text()
    # Nothing of the input was lost on the way.
    deps = {d["from"]: d for d in json.loads(first)["dependencies"]}
    assert deps["release:PAY-2026.12"]["lag_days"] == 2
    assert deps["item:PAY-101"] == {
        "from": "item:PAY-101",
        "to": "item:WEB-17",
        "type": "FS",
        "lag_days": 0,
    }
    assert json.loads(first)["deployments"][0]["restored"] == "2026-11-03T11:05:00Z"


def test_round_trip_of_the_demo_workspace(tmp_path: Path) -> None:
    from relplan.demo import generate

    plan = parse_workspace(generate("small", seed=3))
    with Workspace.open(tmp_path / "demo.relplan") as ws:
        ws.import_plan(plan)
        exported = dump_plan(ws.plan())
    assert exported == dump_plan(plan)
    again = parse_workspace(json.loads(exported))
    with Workspace.open(tmp_path / "again.relplan") as ws:
        ws.import_plan(again)
        assert dump_plan(ws.plan()) == exported


def test_unreadable_files_are_named(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "relplan-workspace",\n "version": 1,,}')
    with Workspace.open(tmp_path / "w.relplan") as ws, pytest.raises(ValidationError) as info:
        import_file(ws, bad)
    assert "not valid JSON at line 2 column" in str(info.value)
    assert str(bad) in str(info.value)


def test_recurring_freezes_and_incidents_round_trip(tmp_path: Path) -> None:
    doc = document()
    doc["freezes"].append(
        {
            "name": "Weekend freeze",
            "start": "2026-11-06",
            "end": "2026-11-09",
            "environments": ["Production"],
            "teams": [],
            "start_time": "16:00",
            "end_time": "08:00",
            "rrule": "FREQ=WEEKLY;BYDAY=FR",
        }
    )
    doc["deployments"][0]["incident"] = "INC-1042"
    plan = parse_workspace(doc)
    weekend = next(f for f in plan.freezes if f.name == "Weekend freeze")
    assert weekend.start_time is not None
    assert weekend.start_time.hour == 16
    assert weekend.rrule == "FREQ=WEEKLY;BYDAY=FR"
    with Workspace.open(tmp_path / "w.relplan") as ws:
        ws.import_plan(plan)
        out = encode_plan(ws.plan())
    stored = next(f for f in out["freezes"] if f["name"] == "Weekend freeze")
    assert stored == doc["freezes"][-1]
    assert out["deployments"][0]["incident"] == "INC-1042"
    # Freezes without recurrence keep the version-1 shape exactly.
    holiday = next(f for f in out["freezes"] if f["name"] == "Holiday freeze")
    assert set(holiday) == {"name", "start", "end", "environments", "teams"}


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("start_time", "4pm", "HH:MM"),
        ("rrule", "every friday", "FREQ="),
        ("end_time", "25:00", "HH:MM"),
    ],
)
def test_bad_recurrence_fields_are_named(field: str, value: str, words: str) -> None:
    doc = document()
    doc["freezes"][0][field] = value
    with pytest.raises(ValidationError) as info:
        parse_workspace(doc)
    assert any(f"freezes[0].{field}" in line and words in line for line in info.value.lines())


def test_exports_get_ordinary_file_permissions(tmp_path: Path) -> None:
    import os

    from relplan.formats.workspace_io import write_text_atomically

    target = tmp_path / "plan.ics"
    write_text_atomically(target, "x")
    umask = os.umask(0o022)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask


def test_the_fast_indented_writer_gives_json_dumps_bytes() -> None:
    import json
    import random

    from relplan.formats.workspace_json import dumps_indented

    rnd = random.Random(7)
    scalars = [1, -2.5, 1e20, True, False, None, 'x"é\n\\},{', "", 10**20, "}, {", "\u2028"]

    def value(depth: int = 0) -> object:
        roll = rnd.random()
        if depth > 4 or roll < 0.4:
            return rnd.choice(scalars)
        if roll < 0.65:
            return [value(depth + 1) for _ in range(rnd.randint(0, 4))]
        if roll < 0.8:  # a list of flat objects, as work items and dependencies are
            return [{"a": value(9), "b": [], "c": {}} for _ in range(rnd.randint(0, 4))]
        return {f"k{i}ü": value(depth + 1) for i in range(rnd.randint(0, 4))}

    for _ in range(5000):
        data = value()
        assert dumps_indented(data) == json.dumps(data, indent=2, ensure_ascii=False)
