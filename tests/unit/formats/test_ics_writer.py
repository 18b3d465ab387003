"""The plain iCalendar writer: the bytes icalendar writes, every event transparent, bounded text."""

from __future__ import annotations

import io
import random
from dataclasses import replace
from pathlib import Path
from typing import Any

import icalendar
import pytest
from icalendar.parser.string import _foldline

from relplan.domain.model import Plan
from relplan.errors import ValidationError
from relplan.formats.ics import (
    MAX_PROBLEMS,
    MESSAGE_CHARS,
    NAME_CHARS,
    CalendarContext,
    export_calendar,
    write_calendar,
)
from relplan.formats.ics_writer import escape_text, fold
from relplan.formats.workspace_json import parse_workspace
from relplan.planning.check import check_plan
from relplan.store.workspace import Workspace
from tests.helpers.plans import document
from tests.unit.formats.test_ics import STAMP, TODAY, plan_document


def written(doc: dict[str, Any], **context: Any) -> str:
    return written_plan(parse_workspace(doc), **context)


def written_plan(plan: Plan, **context: Any) -> str:
    problems = check_plan(plan, today=TODAY)
    out = io.StringIO(newline="")
    write_calendar(plan, CalendarContext("Plan, Q4; ü", STAMP, problems=problems, **context), out)
    return out.getvalue()


def test_fold_matches_icalendar_on_random_text() -> None:
    rnd = random.Random(5)
    alphabet = "ab \\^;,:é€😀"
    for _ in range(3000):
        line = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 300)))
        assert fold(line) == _foldline(line)


def test_lines_stay_within_75_octets_and_whole_utf8() -> None:
    text = fold("DESCRIPTION:" + "€" * 100 + "\\n" * 40)
    for line in text.split("\r\n"):
        assert len(line.encode("utf-8")) <= 75
        line.encode("utf-8").decode("utf-8")  # no split sequence


def test_escape_text_follows_rfc_5545() -> None:
    assert escape_text("a;b,c\\d\r\ne\nf") == "a\\;b\\,c\\\\d\\ne\\nf"


def test_the_file_is_what_icalendar_itself_writes() -> None:
    doc = plan_document()  # a timed weekly freeze (VTIMEZONE, TZID, RRULE) and a cancelled one
    doc["releases"][0]["name"] = "Zahlungen, Größe; \\ 🚀 " + "lang " * 30
    doc["freezes"].append(
        {
            "name": "Until freeze",
            "start": "2026-12-01",
            "end": "2026-12-01",
            "rrule": "FREQ=WEEKLY;UNTIL=20261231",
        }
    )
    text = written(doc, urls={("release", "PAY-2026.12"): "https://jira.example/browse/PAY-1"})
    assert "BEGIN:VTIMEZONE" in text
    assert "RRULE:" in text
    assert icalendar.Calendar.from_ical(text).to_ical().decode("utf-8") == text
    assert "\r\n" in text
    assert "\n" not in text.replace("\r\n", "")


def test_every_event_is_transparent() -> None:
    calendar = icalendar.Calendar.from_ical(written(plan_document()))
    found = list(calendar.walk("VEVENT"))
    assert {e.get("CATEGORIES").cats[-1] for e in found} >= {"release", "stage", "milestone"}
    assert all(str(e["TRANSP"]) == "TRANSPARENT" for e in found)


def test_a_huge_freeze_name_is_not_repeated_in_full_in_every_event() -> None:
    # Files and editors refuse names over 255 characters (relplan.domain.bounds); a workspace
    # made before that bound may still hold one, so the writer cuts them itself.
    plan = parse_workspace(document())
    name = "N" * 200_000
    plan = replace(plan, freezes=(replace(plan.freezes[0], name=name), *plan.freezes[1:]))
    text = written_plan(plan)
    # The freeze's own summary is cut, and the problems that name it are cut in each event.
    assert len(text) < 60_000
    calendar = icalendar.Calendar.from_ical(text)
    for event in calendar.walk("VEVENT"):
        for line in str(event["DESCRIPTION"]).split("\n"):
            assert len(line) <= MESSAGE_CHARS + 40


def test_a_huge_release_name_is_cut_in_each_summary() -> None:
    plan = parse_workspace(document())
    huge = replace(plan.releases[0], name="R" * 100_000)
    calendar = icalendar.Calendar.from_ical(
        written_plan(replace(plan, releases=(huge, *plan.releases[1:])))
    )
    summaries = [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")]
    assert max(len(s) for s in summaries) <= NAME_CHARS
    assert any(s.startswith("RRRR") and s.endswith("…") for s in summaries)


def test_descriptions_list_at_most_so_many_problems() -> None:
    plan = parse_workspace(document())
    problems = check_plan(plan, today=TODAY) * 20
    out = io.StringIO(newline="")
    write_calendar(plan, CalendarContext("x", STAMP, problems=problems), out)
    calendar = icalendar.Calendar.from_ical(out.getvalue())
    for event in calendar.walk("VEVENT"):
        listed = [ln for ln in str(event["DESCRIPTION"]).split("\n") if ln.startswith("- ")]
        assert len(listed) <= MAX_PROBLEMS + 1


def test_export_into_a_missing_folder_names_the_folder(tmp_path: Path) -> None:
    with Workspace.open(tmp_path / "plan.relplan") as ws:
        ws.import_plan(parse_workspace(document()))
        missing = tmp_path / "no-such-folder"
        with pytest.raises(ValidationError) as info:
            export_calendar(ws, missing / "plan.ics", today=TODAY)
    assert f"the folder {missing} does not exist" in str(info.value)
    assert ".plan.ics." not in str(info.value)  # not the temporary file's name


def test_export_calendar_writes_the_file_and_counts_kinds(tmp_path: Path) -> None:
    with Workspace.open(tmp_path / "plan.relplan") as ws:
        ws.import_plan(parse_workspace(plan_document()))
        size, kinds = export_calendar(ws, tmp_path / "plan.ics", today=TODAY)
    data = (tmp_path / "plan.ics").read_bytes()
    assert size == len(data)
    assert sum(kinds.values()) == data.count(b"BEGIN:VEVENT")
    assert kinds["freeze"] == 2
