"""The calendar export of the lifecycle: an event per rollout step, lifecycle problems described."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import icalendar

from relplan.formats.ics import workspace_calendar
from relplan.formats.workspace_json import parse_workspace
from relplan.store.workspace import Workspace
from tests.unit.lifecycle.test_lifecycle_format import lifecycle_document

STAMP = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.UTC)


def _events(tmp_path: Path, today: dt.date) -> dict[str, icalendar.Event]:
    doc = lifecycle_document()
    doc["releases"][0]["gates"] = []  # Production requires approval: gate_missing
    with Workspace.open(tmp_path / "w.relplan") as ws:
        ws.import_plan(parse_workspace(doc))
        calendar = workspace_calendar(ws, today=today, stamp=STAMP)
    return {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}


def test_each_rollout_step_is_an_event_on_its_day(tmp_path: Path) -> None:
    found = _events(tmp_path, dt.date(2026, 11, 1))
    first = found["Payments 2026.12: Production at 5 %"]
    last = found["Payments 2026.12: Production at 100 %"]
    assert first["DTSTART"].dt == dt.date(2026, 11, 30)
    assert first["DTEND"].dt == dt.date(2026, 12, 1)
    assert last["DTSTART"].dt == dt.date(2026, 12, 1)
    assert "Rollout step (canary) of release PAY-2026.12 in Production" in str(first["DESCRIPTION"])
    assert first["UID"] != last["UID"]


def test_descriptions_show_lifecycle_problems(tmp_path: Path) -> None:
    found = _events(tmp_path, dt.date(2026, 11, 1))
    text = str(found["Payments 2026.12 (PAY-2026.12)"]["DESCRIPTION"])
    assert "error gate_missing" in text
