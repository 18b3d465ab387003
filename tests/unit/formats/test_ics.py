"""The iCalendar export: events, UIDs, revisions, filters, and independent parsers' verdict."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import icalendar
import pytest
import recurring_ical_events
import vobject

from relplan.domain.model import Freeze, Plan
from relplan.formats.ics import (
    CalendarContext,
    ExportFilter,
    Revision,
    build_calendar,
    event_uid,
    read_revisions,
    read_source_urls,
    release_identities,
    workspace_calendar,
)
from relplan.formats.workspace_json import parse_workspace
from relplan.planning.check import check_plan
from relplan.store.workspace import Workspace
from tests.helpers.plans import document

TODAY = dt.date(2026, 11, 27)
STAMP = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.UTC)
WEEKEND: dict[str, Any] = {
    "name": "Weekend",
    "start": "2026-11-06",
    "end": "2026-11-09",
    "environments": ["Production"],
    "teams": [],
    "start_time": "16:00",
    "end_time": "08:00",
    "rrule": "FREQ=WEEKLY;BYDAY=FR",
}


def plan_document() -> dict[str, Any]:
    doc = document()
    doc["freezes"].append(dict(WEEKEND))
    doc["releases"].append(
        {
            "key": "OLD-1",
            "name": "Old release",
            "team": "WEB",
            "start": "2026-11-10",
            "target": "2026-11-12",
            "status": "cancelled",
        }
    )
    return doc


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    with Workspace.open(tmp_path / "plan.relplan") as workspace:
        workspace.import_plan(parse_workspace(plan_document()))
        yield workspace


def events(calendar: icalendar.Calendar) -> dict[str, icalendar.Event]:
    """Events by summary."""
    return {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}


def weekend_of(plan: Plan) -> Freeze:
    return next(f for f in plan.freezes if f.name == "Weekend")


def export(ws: Workspace, **kw: Any) -> icalendar.Calendar:
    return workspace_calendar(ws, today=TODAY, stamp=STAMP, **kw)


# --- events -------------------------------------------------------------------------------------


def test_one_event_per_release_milestone_stage_and_freeze(ws: Workspace) -> None:
    found = events(export(ws))
    assert sorted(found) == [
        "Freeze: Holiday freeze",
        "Freeze: Weekend",
        "Old release (OLD-1)",
        "Payments 2026.12 (PAY-2026.12)",
        "Payments 2026.12: Code freeze",
        "Payments 2026.12: Production (canary)",
        "Web 2026.12 (WEB-2026.12)",
    ]


def test_all_day_events_have_dates_and_an_exclusive_end(ws: Workspace) -> None:
    found = events(export(ws))
    release = found["Payments 2026.12 (PAY-2026.12)"]
    assert release["DTSTART"].dt == dt.date(2026, 11, 2)
    assert release["DTEND"].dt == dt.date(2026, 12, 2)  # target 2026-12-01, plus one
    assert b"DTSTART;VALUE=DATE:20261102" in release.to_ical()
    milestone = found["Payments 2026.12: Code freeze"]
    assert (milestone["DTSTART"].dt, milestone["DTEND"].dt) == (
        dt.date(2026, 11, 20),
        dt.date(2026, 11, 21),
    )
    holiday = found["Freeze: Holiday freeze"]
    assert (holiday["DTSTART"].dt, holiday["DTEND"].dt) == (
        dt.date(2026, 12, 19),
        dt.date(2027, 1, 5),
    )


def test_timed_freeze_has_tzid_a_matching_vtimezone_and_the_rule_not_its_expansion(
    ws: Workspace,
) -> None:
    calendar = export(ws)
    text = calendar.to_ical().decode()
    assert "DTSTART;TZID=Europe/Berlin:20261106T160000" in text
    assert "DTEND;TZID=Europe/Berlin:20261109T080000" in text
    assert "RRULE:FREQ=WEEKLY;BYDAY=FR" in text
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]
    assert calendar.get_missing_tzids() == set()
    assert text.count("SUMMARY:Freeze: Weekend") == 1
    # An endless rule needs the zone's rules for years ahead (here: summer time 2027).
    assert "TZOFFSETTO:+0200" in text


def test_until_takes_the_form_its_start_needs(ws: Workspace) -> None:
    plan = ws.plan()
    timed = replace(weekend_of(plan), rrule="FREQ=WEEKLY;UNTIL=20261218")
    all_day = Freeze(
        "Fridays",
        dt.date(2026, 11, 6),
        dt.date(2026, 11, 6),
        rrule="FREQ=WEEKLY;UNTIL=20261218T150000Z",
    )
    calendar = build_calendar(replace(plan, freezes=(timed, all_day)), CalendarContext("x", STAMP))
    text = calendar.to_ical().decode()
    # RFC 5545 3.3.10: UTC for a DTSTART with TZID, a DATE for an all-day DTSTART.
    assert "RRULE:FREQ=WEEKLY;UNTIL=20261218T225959Z" in text
    assert "RRULE:FREQ=WEEKLY;UNTIL=20261218\r\n" in text
    expanded = recurring_ical_events.of(calendar).between(dt.date(2026, 11, 1), dt.date(2027, 3, 1))
    weekends = [e for e in expanded if str(e["SUMMARY"]) == "Freeze: Weekend"]
    fridays = [e for e in expanded if str(e["SUMMARY"]) == "Freeze: Fridays"]
    assert len(weekends) == len(fridays) == 7  # 11-06 .. 12-18


def test_a_rule_that_cannot_be_read_is_left_out_and_said_so(ws: Workspace) -> None:
    plan = ws.plan()
    bad = replace(weekend_of(plan), rrule="FREQ=SOMETIMES")
    calendar = build_calendar(replace(plan, freezes=(bad,)), CalendarContext("x", STAMP))
    event = events(calendar)["Freeze: Weekend"]
    assert "RRULE" not in event
    assert "Not repeated: rrule 'FREQ=SOMETIMES' cannot be read" in str(event["DESCRIPTION"])


def test_freezes_are_transparent_and_cancelled_releases_stay_cancelled(ws: Workspace) -> None:
    found = events(export(ws))
    assert str(found["Freeze: Weekend"]["TRANSP"]) == "TRANSPARENT"
    assert str(found["Freeze: Holiday freeze"]["TRANSP"]) == "TRANSPARENT"
    assert str(found["Old release (OLD-1)"]["STATUS"]) == "CANCELLED"
    assert str(found["Payments 2026.12 (PAY-2026.12)"]["STATUS"]) == "CONFIRMED"


def test_categories_name_team_and_kind(ws: Workspace) -> None:
    found = events(export(ws))
    assert found["Payments 2026.12 (PAY-2026.12)"].categories == ["PAY", "release"]
    assert found["Payments 2026.12: Code freeze"].categories == ["PAY", "milestone"]
    assert found["Payments 2026.12: Production (canary)"].categories == ["PAY", "stage"]
    assert found["Freeze: Weekend"].categories == ["freeze"]


def test_description_has_status_readiness_and_open_problems(ws: Workspace) -> None:
    found = events(export(ws))
    text = str(found["Payments 2026.12 (PAY-2026.12)"]["DESCRIPTION"])
    assert "Status: planned" in text
    assert "Readiness: 0 of 1 work items done (0% of points); 0 of 1 gates approved" in text
    # The canary window 11-30..12-01 is touched by the weekend of Friday 11-27.
    assert "error freeze_conflict: PAY-2026.12 has a stage window in freeze Weekend" in text
    assert "warning gate_pending" in text
    assert "Open problems: none" in str(found["Old release (OLD-1)"]["DESCRIPTION"])
    assert "Repeats: FREQ=WEEKLY;BYDAY=FR" in str(found["Freeze: Weekend"]["DESCRIPTION"])


def test_readiness_counts_items_when_some_have_no_points() -> None:
    doc = document()
    doc["work_items"][0]["category"] = "done"
    doc["work_items"].append({"key": "PAY-102", "title": "x", "release": "PAY-2026.12"})
    plan = parse_workspace(doc)
    found = events(build_calendar(plan, CalendarContext("x", STAMP)))
    text = str(found["Payments 2026.12 (PAY-2026.12)"]["DESCRIPTION"])
    assert "Readiness: 1 of 2 work items done (50%)" in text


def test_many_problems_are_counted_not_all_listed() -> None:
    plan = parse_workspace(document())
    problems = check_plan(plan, today=TODAY) * 12
    context = CalendarContext("x", STAMP, problems=problems)
    found = events(build_calendar(plan, context))
    text = str(found["Payments 2026.12 (PAY-2026.12)"]["DESCRIPTION"])
    assert f"Open problems ({len(problems)}):" in text
    assert f"and {len(problems) - 10} more (relplan check)" in text


def test_calendar_name_prodid_and_source_url(ws: Workspace) -> None:
    ws.conn.execute(
        "INSERT INTO sources (entity, key, connection, source_id, url) VALUES "
        "('release', 'PAY-2026.12', 'jira', '10001', 'https://jira.example.com/browse/PAY-1')"
    )
    ws.conn.commit()
    calendar = export(ws)
    assert str(calendar["X-WR-CALNAME"]) == "relplan: plan"
    assert str(calendar["PRODID"]).startswith("-//relplan//relplan ")
    found = events(calendar)
    url = "https://jira.example.com/browse/PAY-1"
    assert str(found["Payments 2026.12 (PAY-2026.12)"]["URL"]) == url
    assert str(found["Payments 2026.12: Code freeze"]["URL"]) == url  # the release's
    assert "URL" not in found["Web 2026.12 (WEB-2026.12)"]
    assert read_source_urls(ws.conn) == {("release", "PAY-2026.12"): url}
    named = export(ws, name="Releases", selection=ExportFilter(teams=frozenset({"PAY"})))
    assert str(named["X-WR-CALNAME"]) == "Releases"
    assert str(export(ws, selection=ExportFilter(train="Q4-TRAIN"))["X-WR-CALNAME"]) == (
        "relplan: plan (Q4-TRAIN)"
    )


def test_a_release_with_only_a_target_is_one_day_and_without_one_has_no_event() -> None:
    doc = document()
    doc["releases"][1]["start"] = None
    doc["dependencies"] = []
    doc["releases"].append({"key": "X", "name": "Someday", "team": "WEB"})
    found = events(build_calendar(parse_workspace(doc), CalendarContext("x", STAMP)))
    web = found["Web 2026.12 (WEB-2026.12)"]
    assert (web["DTSTART"].dt, web["DTEND"].dt) == (dt.date(2026, 12, 8), dt.date(2026, 12, 9))
    assert "Someday (X)" not in found


# --- UIDs and revisions -------------------------------------------------------------------------


def test_uids_are_stable_and_unique(ws: Workspace, tmp_path: Path) -> None:
    first = {str(e["SUMMARY"]): str(e["UID"]) for e in export(ws).walk("VEVENT")}
    assert len(set(first.values())) == len(first)
    assert all(uid.endswith("@relplan") for uid in first.values())
    # Another workspace with the same objects gives the same UIDs.
    with Workspace.open(tmp_path / "other.relplan") as other:
        other.import_plan(parse_workspace(plan_document()))
        again = {str(e["SUMMARY"]): str(e["UID"]) for e in export(other).walk("VEVENT")}
    assert again == first
    assert first["Payments 2026.12 (PAY-2026.12)"] == event_uid(("release", "PAY-2026.12"))


def test_sequence_and_last_modified_grow_when_an_object_changes(ws: Workspace) -> None:
    def revision(summary: str) -> tuple[int, dt.datetime]:
        event = events(export(ws))[summary]
        return int(event["SEQUENCE"]), event["LAST-MODIFIED"].dt

    release = "Payments 2026.12 (PAY-2026.12)"
    milestone = "Payments 2026.12: Code freeze"
    seq0, modified0 = revision(release)
    assert seq0 == 0
    assert revision(milestone)[0] == 0
    ws.set_release_dates("PAY-2026.12", dt.date(2026, 11, 3), dt.date(2026, 12, 1))
    seq1, modified1 = revision(release)
    assert seq1 == 1
    assert modified1 >= modified0
    assert revision(milestone)[0] == 0  # the milestone did not change
    ws.undo()  # undoing changes the event back: that is a change too
    assert revision(release)[0] == 2
    events_now = events(export(ws))
    assert events_now[release]["DTSTAMP"].dt == events_now[release]["LAST-MODIFIED"].dt


def test_revisions_follow_milestones_stages_and_freezes(ws: Workspace) -> None:
    release = ws.release("PAY-2026.12")
    [milestone] = release.milestones
    moved = replace(release, milestones=(replace(milestone, date=dt.date(2026, 11, 21)),))
    ws.update_releases([moved], "move milestone")
    revisions = read_revisions(ws.conn)
    assert revisions["milestone", "PAY-2026.12", "Code freeze"].sequence == 1
    assert revisions["release", "PAY-2026.12"].sequence == 1
    assert revisions["stage", "PAY-2026.12", "Production", "0"].sequence == 0
    assert revisions["freeze", "Weekend"] == Revision(0, revisions["freeze", "Weekend"].modified)


def test_revisions_read_batched_audit_rows(tmp_path: Path) -> None:
    doc = document()
    doc["dependencies"] = []
    doc["freezes"] = [
        {
            "name": f"F{i:02}",
            "start": "2026-12-01",
            "end": "2026-12-02",
            "environments": [],
            "teams": [],
        }
        for i in range(60)  # 50 or more edits of one kind are one audit row
    ]
    with Workspace.open(tmp_path / "w.relplan") as ws:
        ws.import_plan(parse_workspace(doc))
        assert ws.conn.execute("SELECT count(*) FROM audit_log WHERE batch").fetchone()[0] >= 1
        revisions = read_revisions(ws.conn)
    assert revisions["freeze", "F59"].sequence == 0
    assert revisions["freeze", "F59"].modified is not None


def test_identities_tell_equal_milestone_names_and_stages_in_one_environment_apart() -> None:
    data = {
        "key": "R",
        "milestones": [{"name": "Go", "date": "2026-01-01"}, {"name": "Go", "date": "2026-02-01"}],
        "stages": [
            {
                "environment": "Prod",
                "start": "2026-01-01",
                "end": "2026-01-02",
                "strategy": "canary",
            },
            {
                "environment": "Prod",
                "start": "2026-01-05",
                "end": "2026-01-06",
                "strategy": "rolling",
            },
        ],
    }
    assert sorted(release_identities(data)) == [
        ("milestone", "R", "Go"),
        ("milestone", "R", "Go", "1"),
        ("release", "R"),
        ("stage", "R", "Prod", "0"),
        ("stage", "R", "Prod", "1"),
    ]


def test_without_a_revision_the_export_time_is_the_stamp() -> None:
    calendar = build_calendar(parse_workspace(document()), CalendarContext("x", STAMP))
    event = next(iter(calendar.walk("VEVENT")))
    assert event["DTSTAMP"].dt == STAMP
    assert "LAST-MODIFIED" not in event
    assert int(event["SEQUENCE"]) == 0


# --- filters ------------------------------------------------------------------------------------


def summaries(ws: Workspace, selection: ExportFilter) -> list[str]:
    return sorted(events(export(ws, selection=selection)))


def test_team_filter_keeps_the_team_and_freezes_that_cover_it(ws: Workspace) -> None:
    assert summaries(ws, ExportFilter(teams=frozenset({"WEB"}))) == [
        "Freeze: Holiday freeze",
        "Freeze: Weekend",
        "Old release (OLD-1)",
        "Web 2026.12 (WEB-2026.12)",
    ]
    plan = ws.plan()
    holiday = next(f for f in plan.freezes if f.name == "Holiday freeze")
    pay_only = replace(holiday, teams=("PAY",))
    calendar = build_calendar(
        replace(plan, freezes=(pay_only,)),
        CalendarContext("x", STAMP),
        selection=ExportFilter(teams=frozenset({"WEB"})),
    )
    assert "Freeze: Holiday freeze" not in events(calendar)


def test_train_filter(ws: Workspace) -> None:
    kept = summaries(ws, ExportFilter(train="Q4-TRAIN"))
    assert "Old release (OLD-1)" not in kept
    assert "Web 2026.12 (WEB-2026.12)" in kept


def test_date_filter_keeps_events_that_share_a_day_with_the_window(ws: Workspace) -> None:
    kept = summaries(
        ws, ExportFilter(date_from=dt.date(2026, 11, 21), date_to=dt.date(2026, 11, 29))
    )
    assert kept == [
        "Freeze: Weekend",  # occurrences recur into the window
        "Payments 2026.12 (PAY-2026.12)",
        "Web 2026.12 (WEB-2026.12)",
    ]
    later = summaries(ws, ExportFilter(date_from=dt.date(2027, 1, 5)))
    assert later == ["Freeze: Weekend"]
    earlier = summaries(ws, ExportFilter(date_to=dt.date(2026, 11, 5)))
    assert earlier == ["Payments 2026.12 (PAY-2026.12)"]
    assert ExportFilter(date_to=dt.date(2026, 1, 1)).describe() == "…..2026-01-01"


# --- independent programs -----------------------------------------------------------------------


def test_icalendar_and_vobject_read_the_file(ws: Workspace) -> None:
    data = export(ws).to_ical()
    assert b"\r\n" in data
    parsed = icalendar.Calendar.from_ical(data)
    assert len(parsed.walk("VEVENT")) == 7
    calendar = vobject.readOne(data.decode())
    uids = {e.uid.value for e in calendar.vevent_list}
    assert len(uids) == 7
    weekend = next(e for e in calendar.vevent_list if e.summary.value == "Freeze: Weekend")
    assert weekend.dtstart.value.utcoffset() == dt.timedelta(hours=1)
    assert weekend.rrule.value == "FREQ=WEEKLY;BYDAY=FR"
    starts = list(weekend.getrruleset(addRDate=True))[:3]
    assert [s.day for s in starts] == [6, 13, 20]


def test_recurring_ical_events_expands_the_weekend_freeze(ws: Workspace) -> None:
    calendar = icalendar.Calendar.from_ical(export(ws).to_ical())
    found = recurring_ical_events.of(calendar).between(dt.date(2026, 11, 1), dt.date(2026, 12, 1))
    weekends = sorted(e["DTSTART"].dt for e in found if str(e["SUMMARY"]) == "Freeze: Weekend")
    assert [w.isoformat() for w in weekends] == [
        "2026-11-06T16:00:00+01:00",
        "2026-11-13T16:00:00+01:00",
        "2026-11-20T16:00:00+01:00",
        "2026-11-27T16:00:00+01:00",
    ]
    # Summer time: the 16:00 wall-clock time holds after the change in March.
    april = recurring_ical_events.of(calendar).between(dt.date(2027, 4, 1), dt.date(2027, 4, 8))
    [spring] = [e for e in april if str(e["SUMMARY"]) == "Freeze: Weekend"]
    assert spring["DTSTART"].dt.isoformat() == "2027-04-02T16:00:00+02:00"


def test_an_empty_plan_is_a_valid_empty_calendar() -> None:
    calendar = build_calendar(Plan(), CalendarContext("empty", STAMP))
    parsed = icalendar.Calendar.from_ical(calendar.to_ical())
    assert parsed.walk("VEVENT") == []
    assert vobject.readOne(calendar.to_ical().decode()).name == "VCALENDAR"
