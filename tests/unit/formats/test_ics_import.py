"""Freezes from an iCalendar file: all-day events, unique names, errors, all or nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from relplan.domain.model import Freeze
from relplan.errors import ValidationError
from relplan.formats.ics_import import freezes_from_ics, import_freezes
from relplan.formats.workspace_json import parse_workspace
from relplan.store.workspace import Workspace
from tests.helpers.plans import document


def calendar(*events: str) -> bytes:
    body = "".join(f"BEGIN:VEVENT\r\n{e.strip()}\r\nEND:VEVENT\r\n" for e in events)
    return (
        f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//holidays//EN\r\n{body}END:VCALENDAR\r\n"
    ).encode()


def event(uid: str, summary: str | None, start: str, end: str | None = None, *extra: str) -> str:
    lines = [f"UID:{uid}", "DTSTAMP:20260101T000000Z", f"DTSTART;VALUE=DATE:{start}"]
    if end is not None:
        lines.append(f"DTEND;VALUE=DATE:{end}")
    if summary is not None:
        lines.append(f"SUMMARY:{summary}")
    lines += extra
    return "\r\n".join(lines)


CHRISTMAS = event("x1", "Christmas", "20261224", "20261227")
NEW_YEAR = event("x2", "New Year", "20270101")


def test_all_day_events_become_freezes_with_exclusive_ends() -> None:
    result = freezes_from_ics(calendar(CHRISTMAS, NEW_YEAR))
    assert result.freezes == [
        Freeze("Christmas", dt.date(2026, 12, 24), dt.date(2026, 12, 26)),
        Freeze("New Year", dt.date(2027, 1, 1), dt.date(2027, 1, 1)),
    ]


def test_duration_rule_and_scope_are_kept() -> None:
    carnival = event("x3", "Carnival", "20270208", None, "DURATION:P2D")
    yearly = event("x4", "Labour day", "20270501", "20270502", "RRULE:FREQ=YEARLY")
    result = freezes_from_ics(
        calendar(carnival, yearly), environments=["Production"], teams=["PAY"]
    )
    assert result.freezes == [
        Freeze("Carnival", dt.date(2027, 2, 8), dt.date(2027, 2, 9), ("Production",), ("PAY",)),
        Freeze(
            "Labour day",
            dt.date(2027, 5, 1),
            dt.date(2027, 5, 1),
            ("Production",),
            ("PAY",),
            rrule="FREQ=YEARLY",
        ),
    ]


def test_duplicate_names_get_the_start_day_then_a_counter() -> None:
    holidays = [event(f"h{i}", "Public holiday", f"202612{25 + i}") for i in range(3)]
    existing = [Freeze("Public holiday", dt.date(2026, 1, 1), dt.date(2026, 1, 1))]
    same_day = event("h9", "Public holiday", "20261226", None, "DESCRIPTION:second calendar")
    result = freezes_from_ics(calendar(*holidays), existing=existing)
    assert [f.name for f in result.freezes] == [
        "Public holiday (2026-12-25)",
        "Public holiday (2026-12-26)",
        "Public holiday (2026-12-27)",
    ]
    other = Freeze("Public holiday (2026-12-26)", dt.date(2026, 12, 26), dt.date(2026, 12, 28))
    again = freezes_from_ics(calendar(same_day), existing=[*existing, other])
    assert [f.name for f in again.freezes] == ["Public holiday (2026-12-26) 2"]


def test_cancelled_events_are_skipped_and_equal_freezes_left_alone() -> None:
    cancelled = event("c", "Off", "20261201", None, "STATUS:CANCELLED")
    existing = [Freeze("Christmas", dt.date(2026, 12, 24), dt.date(2026, 12, 26))]
    result = freezes_from_ics(calendar(CHRISTMAS, cancelled), existing=existing)
    assert (result.freezes, result.unchanged, result.skipped) == ([], 1, 1)


def test_strict_each_bad_event_is_one_line_and_nothing_is_kept() -> None:
    timed = "UID:t\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20261201T090000Z\r\nSUMMARY:Meeting"
    no_summary = event("n", None, "20261202")
    backwards = event("b", "Backwards", "20261205", "20261203")
    exdate = event(
        "e", "Weekly", "20261207", None, "RRULE:FREQ=WEEKLY", "EXDATE;VALUE=DATE:20261214"
    )
    bad_rule = event("r", "Odd", "20261208", None, "RRULE:FREQ=WEEKLY;COUNT=x")
    no_start = "UID:s\r\nDTSTAMP:20260101T000000Z\r\nSUMMARY:Nothing"
    timed_end = event("te", "Mixed", "20261209", None, "DTEND:20261209T100000Z")
    hours = event("d", "Hours", "20261210", None, "DURATION:PT5H")
    with pytest.raises(ValidationError) as caught:
        freezes_from_ics(
            calendar(
                CHRISTMAS,
                timed,
                no_summary,
                backwards,
                exdate,
                bad_rule,
                no_start,
                timed_end,
                hours,
            ),
            source="h.ics",
            strict=True,
        )
    lines = caught.value.lines()
    assert lines[0] == (
        "h.ics: event 2 (Meeting): starts at 2026-12-01 09:00: only all-day events become freezes"
    )
    assert lines[1] == "h.ics: event 3 (n): has no SUMMARY to name the freeze"
    assert lines[2] == "h.ics: event 4 (Backwards): ends (2026-12-03) before it starts"
    assert lines[3] == "h.ics: event 5 (Weekly): has EXDATE, which a freeze cannot hold"
    assert lines[4].startswith("h.ics: event 6 (Odd): ")
    assert lines[5] == "h.ics: event 7 (Nothing): has no DTSTART"
    assert lines[6] == "h.ics: event 8 (Mixed): DTEND has a time of day but DTSTART is a date"
    assert lines[7] == "h.ics: event 9 (Hours): DURATION 5:00:00 is not whole days"
    assert len(lines) == 8


def test_not_a_calendar_or_an_empty_one() -> None:
    with pytest.raises(ValidationError, match="not an iCalendar file"):
        freezes_from_ics(b"hello", source="x.ics")
    with pytest.raises(ValidationError, match="holds no events"):
        freezes_from_ics(calendar(), source="x.ics")


def test_two_rules_are_an_error() -> None:
    two = event("t", "Twice", "20261201", None, "RRULE:FREQ=WEEKLY", "RRULE:FREQ=MONTHLY")
    with pytest.raises(ValidationError, match="more than one RRULE"):
        freezes_from_ics(calendar(two))


# --- into a workspace ---------------------------------------------------------------------------


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    with Workspace.open(tmp_path / "w.relplan") as workspace:
        workspace.import_plan(parse_workspace(document()))
        yield workspace


def test_import_is_one_undoable_command_and_idempotent(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "holidays.ics"
    path.write_bytes(calendar(CHRISTMAS, NEW_YEAR))
    result = import_freezes(ws, path, environments=["Production"])
    assert result.changes.touched == {"freeze": {"Christmas", "New Year"}}
    assert result.changes.label == "Import freezes from holidays.ics"
    names = {f.name: f for f in ws.plan().freezes}
    assert names["Christmas"].environments == ("Production",)
    again = import_freezes(ws, path, environments=["Production"])
    assert (again.freezes, again.unchanged, again.changes.empty) == ([], 2, True)
    ws.undo()
    assert {f.name for f in ws.plan().freezes} == {"Holiday freeze"}


def test_import_checks_scopes_and_writes_nothing_on_error(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "holidays.ics"
    path.write_bytes(calendar(CHRISTMAS))
    with pytest.raises(ValidationError) as caught:
        import_freezes(ws, path, environments=["Moon"], teams=["NOPE"])
    assert caught.value.lines() == [
        f"{path}: --environment: no environment 'Moon'",
        f"{path}: --team: no team 'NOPE'",
    ]
    bad = tmp_path / "bad.ics"
    bad.write_bytes(calendar(CHRISTMAS, event("n", None, "20261202")))
    with pytest.raises(ValidationError):
        import_freezes(ws, bad)
    assert {f.name for f in ws.plan().freezes} == {"Holiday freeze"}


TIMED = "UID:t\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20261201T090000Z\r\nSUMMARY:Meeting"
WITH_EXDATE = event(
    "e", "Weekly", "20261207", None, "RRULE:FREQ=WEEKLY", "EXDATE;VALUE=DATE:20261214"
)
MOVED = event("m", "Moved", "20261215", None, "RECURRENCE-ID;VALUE=DATE:20261214")
EXTRA = event("r", "Extra", "20261216", None, "RDATE;VALUE=DATE:20261220")


def test_events_a_freeze_cannot_hold_are_skipped_with_a_reason() -> None:
    result = freezes_from_ics(
        calendar(CHRISTMAS, TIMED, WITH_EXDATE, MOVED, EXTRA, NEW_YEAR), source="h.ics"
    )
    assert [f.name for f in result.freezes] == ["Christmas", "New Year"]
    assert [str(i) for i in result.left_out] == [
        "event 2 (Meeting): starts at 2026-12-01 09:00: only all-day events become freezes",
        "event 3 (Weekly): has EXDATE, which a freeze cannot hold",
        "event 4 (Moved): has RECURRENCE-ID, which a freeze cannot hold",
        "event 5 (Extra): has RDATE, which a freeze cannot hold",
    ]


def test_other_bad_events_are_still_errors_without_strict() -> None:
    no_summary = event("n", None, "20261202")
    with pytest.raises(ValidationError) as caught:
        freezes_from_ics(calendar(CHRISTMAS, TIMED, no_summary), source="h.ics")
    assert caught.value.lines() == ["h.ics: event 3 (n): has no SUMMARY to name the freeze"]
