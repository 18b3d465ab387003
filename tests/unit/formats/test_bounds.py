"""The bounds of relplan/domain/bounds.py, enforced where input enters (issue #13).

Each case here was accepted before and then crashed ``check``, ``schedule``, ``impact``,
``metrics`` or ``export ics``; now the importer refuses it with one line naming the place.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from relplan.domain import bounds
from relplan.errors import ValidationError
from relplan.formats.deployments_csv import parse_deployments_csv
from relplan.formats.ics_import import freezes_from_ics
from relplan.formats.workspace_json import parse_json_text, parse_workspace, read_json_file
from relplan.sync.mapping import bounded_name, make_key, parse_day, parse_time
from tests.helpers.plans import document

Mutation = Callable[[dict[str, Any]], None]


def _set(*path: str | int, value: Any) -> Mutation:
    def mutate(doc: dict[str, Any]) -> None:
        target: Any = doc
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value

    return mutate


CASES = [
    ("lag 3,000,000", _set("dependencies", 0, "lag_days", value=3_000_000), "lag_days"),
    ("lag 2**63", _set("dependencies", 0, "lag_days", value=2**63), "lag_days"),
    ("item lag too big", _set("dependencies", 1, "lag_days", value=-3651), "lag_days"),
    ("release in 9999", _set("releases", 0, "target", value="9999-12-01"), "target"),
    ("stage end 9999", _set("releases", 0, "stages", 0, "end", value="9999-12-31"), "end"),
    ("freeze end 9999", _set("freezes", 0, "end", value="9999-12-31"), "end"),
    ("freeze in year 1", _set("freezes", 0, "start", value="0001-01-01"), "start"),
    (
        "deployment at the end of time",
        _set("deployments", 0, "restored", value="9999-12-31T23:59:59-23:59"),
        "restored",
    ),
    (
        "deployment at the start of time",
        _set("deployments", 0, "started", value="0001-01-01T00:00:00+23:59"),
        "started",
    ),
    ("rule secondly", _set("freezes", 0, "rrule", value="FREQ=SECONDLY"), "rrule"),
    ("rule interval 0", _set("freezes", 0, "rrule", value="FREQ=DAILY;INTERVAL=0"), "rrule"),
    (
        "rule interval -3",
        _set("freezes", 0, "rrule", value="RRULE:FREQ=DAILY;INTERVAL=-3"),
        "rrule",
    ),
    ("capacity 2**63", _set("environments", 0, "capacity", value=2**63), "capacity"),
    ("order 2**63", _set("environments", 0, "order", value=2**63), "order"),
    ("key with a bar", _set("work_items", 0, "key", value="PAY|101"), "key"),
    ("key with an arrow", _set("teams", 0, "key", value="A->B"), "key"),
    ("name too long", _set("releases", 0, "name", value="n" * 256), "name"),
    ("title with escape", _set("work_items", 0, "title", value="a\x1b[2Jb"), "title"),
    ("points too many", _set("work_items", 0, "points", value=1e308), "points"),
    ("version 1.0", _set("version", value=1.0), "version"),
    ("version true", _set("version", value=True), "version"),
]


@pytest.mark.parametrize(("name", "mutate", "field"), CASES, ids=[c[0] for c in CASES])
def test_out_of_bounds_values_are_refused(name: str, mutate: Mutation, field: str) -> None:
    doc = document()
    mutate(doc)
    with pytest.raises(ValidationError) as info:
        parse_workspace(doc, source="p.json")
    assert any(f".{field}:" in line or f" {field}:" in line for line in info.value.lines()), (
        info.value.lines()
    )


def test_the_edges_themselves_are_accepted() -> None:
    doc = document()
    doc["releases"][0]["start"] = bounds.MIN_DAY.isoformat()
    doc["releases"][1]["target"] = bounds.MAX_DAY.isoformat()
    doc["dependencies"][0]["lag_days"] = bounds.MAX_LAG_DAYS
    doc["dependencies"][1]["lag_days"] = -bounds.MAX_LAG_DAYS
    doc["environments"][0]["capacity"] = bounds.MAX_CAPACITY
    doc["freezes"][0]["rrule"] = "FREQ=WEEKLY;INTERVAL=1000"
    doc["work_items"][0]["title"] = "t" * bounds.MAX_NAME_LENGTH
    doc["work_items"][0]["key"] = "K" * bounds.MAX_KEY_LENGTH
    doc["work_items"][0]["points"] = bounds.MAX_POINTS
    doc["dependencies"][1]["from"] = "item:" + "K" * bounds.MAX_KEY_LENGTH
    plan = parse_workspace(doc)
    assert plan.dependencies[0].lag_days == bounds.MAX_LAG_DAYS


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('{"format": "relplan-workspace", "version": 1, "version": 1}', "twice"),
        ('{"teams": [{"key": "A", "key": "B"}]}', "twice"),
        ("[" * 5000 + "]" * 5000, "nested too deeply"),
        ('{"teams": [{"key": "\\ud800", "name": "x"}]}', "lone UTF-16 surrogate"),
        ('{"version": ' + "9" * 5000 + "}", "not valid JSON"),
    ],
)
def test_strict_json(text: str, words: str) -> None:
    with pytest.raises(ValidationError) as info:
        parse_json_text(text, source="p.json")
    assert words in str(info.value)


def test_a_surrogate_is_named_by_its_path() -> None:
    doc = json.dumps(document()).replace('"Refund API"', '"\\udc00"')
    with pytest.raises(ValidationError) as info:
        parse_json_text(doc)
    assert info.value.issues[0].path == "work_items[0].title"


def test_a_folder_as_input_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="is a folder"):
        read_json_file(tmp_path)


def _ics(*lines: str) -> bytes:
    body = "\r\n".join(("BEGIN:VEVENT", "UID:1", "SUMMARY:Freeze", *lines, "END:VEVENT"))
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{body}\r\nEND:VCALENDAR\r\n".encode()


@pytest.mark.parametrize(
    ("lines", "words"),
    [
        (("DTSTART;VALUE=DATE:20260230",), "cannot be read"),
        (("DTSTART;VALUE=DATE:20261201", "DURATION:P-1D"), "cannot be read"),
        (("DTSTART;VALUE=DATE:20261201", "DURATION:P99999999D"), "cannot be read"),
        (("DTSTART;VALUE=DATE:00010101", "RRULE:FREQ=DAILY"), "outside"),
        (("DTSTART;VALUE=DATE:20261201", "RRULE:FREQ=DAILY;INTERVAL=-3"), "INTERVAL"),
        (("DTSTART;VALUE=DATE:20261201", "RRULE:FREQ=SECONDLY"), "finer than daily"),
    ],
)
def test_ics_events_out_of_bounds_are_named(lines: tuple[str, ...], words: str) -> None:
    with pytest.raises(ValidationError) as info:
        freezes_from_ics(_ics(*lines), source="f.ics")
    line = info.value.lines()[0]
    assert line.startswith("f.ics: event 1")
    assert words in line


def test_binary_ics_is_one_short_line() -> None:
    with pytest.raises(ValidationError) as info:
        freezes_from_ics(bytes(range(256)) * 40, source="f.ics")
    assert (
        str(info.value) == "f.ics: not an iCalendar file: not UTF-8 text (byte 128 cannot be read)"
    )


def test_a_huge_csv_cell_is_one_line() -> None:
    text = "release,environment,finished\nPAY,Production," + "x" * 131_073 + "\n"
    with pytest.raises(ValidationError) as info:
        parse_deployments_csv(text, releases={"PAY"}, environments={"Production"}, source="d.csv")
    assert info.value.lines() == [
        "d.csv: row 2: cannot be read as CSV: field larger than field limit (131072)"
    ]


def test_csv_times_out_of_bounds_are_named() -> None:
    text = "release,environment,finished\nPAY,Production,9999-12-31T23:59:59+00:00\n"
    with pytest.raises(ValidationError) as info:
        parse_deployments_csv(text, releases={"PAY"}, environments={"Production"})
    assert "row 2, column finished" in str(info.value)
    assert "outside" in str(info.value)


def test_tracker_values_are_kept_within_bounds() -> None:
    assert parse_day("9999-12-31") is None
    assert parse_day(2**70) is None
    assert parse_time("9999-12-31T23:59:59.000+0000") is None
    assert parse_day("2026-04-01") is not None
    assert len(bounded_name("s" * 5000, "x")) == bounds.MAX_NAME_LENGTH
    assert bounded_name("a\x1b[2Jb", "x") == "a [2Jb"
    key = make_key("EE", "v\x00" + "9" * 500)
    assert bounds.key_problem(key) is None


def test_echo_cuts_and_escapes() -> None:
    shown = bounds.echo("K" * 10_000_000)
    assert len(shown) < 100
    assert "10,000,000 characters" in shown
    assert bounds.echo("a\x1b[2J\r\nb") == "'a\\x1b[2J\\x0d\\x0ab'"
