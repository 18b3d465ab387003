"""Publishing logic against an in-memory calendar store: create, update, remove, leave alone."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import icalendar

from relplan.domain.model import Freeze, Plan
from relplan.formats.ics import CalendarContext, build_calendar
from relplan.formats.workspace_json import parse_workspace
from relplan.publish.publisher import (
    FINGERPRINT,
    EventResource,
    RemoteEvent,
    fingerprint,
    publish_events,
    read_remote,
    split_events,
)
from tests.helpers.plans import document

STAMP = dt.datetime(2026, 11, 27, tzinfo=dt.UTC)


class MemoryStore:
    """A calendar that keeps objects by a made-up href, as a server would."""

    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}
        self.writes = 0

    def list_events(self) -> list[RemoteEvent]:
        found = []
        for href, data in self.objects.items():
            read = read_remote(data)
            if read is not None:
                found.append(RemoteEvent(read[0], read[1], href))
        return found

    def create(self, resource: EventResource) -> None:
        self.objects[f"/{len(self.objects)}-{resource.uid}.ics"] = resource.data
        self.writes += 1

    def update(self, handle: object, resource: EventResource) -> None:
        assert isinstance(handle, str)
        assert handle in self.objects
        self.objects[handle] = resource.data
        self.writes += 1

    def delete(self, handle: object) -> None:
        assert isinstance(handle, str)
        del self.objects[handle]
        self.writes += 1


def resources(plan: Plan, stamp: dt.datetime = STAMP) -> list[EventResource]:
    return split_events(build_calendar(plan, CalendarContext("Releases", stamp)))


def test_each_resource_is_a_whole_calendar_with_its_time_zones() -> None:
    plan = parse_workspace(document())
    timed = Freeze(
        "Night",
        dt.date(2026, 11, 2),
        dt.date(2026, 11, 3),
        start_time=dt.time(22),
        end_time=dt.time(6),
    )
    found = resources(replace(plan, timezone="Europe/Berlin", freezes=(timed,)))
    for resource in found:
        calendar = icalendar.Calendar.from_ical(resource.data)
        [event] = calendar.walk("VEVENT")
        assert str(event["UID"]) == resource.uid
        assert str(event[FINGERPRINT]) == resource.fingerprint
        zones = [str(z["TZID"]) for z in calendar.walk("VTIMEZONE")]
        assert zones == (["Europe/Berlin"] if "Night" in str(event["SUMMARY"]) else [])


def test_fingerprint_ignores_dtstamp_and_order_but_not_content() -> None:
    plan = parse_workspace(document())
    first = {r.uid: r.fingerprint for r in resources(plan)}
    later = {r.uid: r.fingerprint for r in resources(plan, STAMP + dt.timedelta(days=3))}
    assert first == later
    event = icalendar.Event()
    event.add("uid", "a@relplan")
    event.add("summary", "A")
    event.add("dtstart", dt.date(2026, 1, 1))
    swapped = icalendar.Event()
    swapped.add("dtstart", dt.date(2026, 1, 1))
    swapped.add("summary", "A")
    swapped.add("uid", "a@relplan")
    assert fingerprint(event) == fingerprint(swapped)
    swapped["SUMMARY"] = icalendar.vText("B")
    assert fingerprint(event) != fingerprint(swapped)


def test_publish_creates_then_changes_nothing_then_updates_and_removes() -> None:
    plan = parse_workspace(document())
    store = MemoryStore()
    report = publish_events(resources(plan), store)
    assert (len(report.created), report.updated, report.removed, report.unchanged) == (
        5,
        [],
        [],
        [],
    )
    assert report.summary() == "5 created, 0 updated, 0 removed, 0 unchanged"

    writes = store.writes
    again = publish_events(resources(plan, STAMP + dt.timedelta(hours=5)), store)
    assert again.summary() == "0 created, 0 updated, 0 removed, 5 unchanged"
    assert not again.changed
    assert store.writes == writes

    release = plan.releases[0]
    moved = replace(release, target=dt.date(2026, 12, 2), milestones=())
    changed = replace(plan, releases=(moved, *plan.releases[1:]))
    steps: list[tuple[int, int]] = []
    third = publish_events(resources(changed), store, progress=lambda d, t: steps.append((d, t)))
    assert (len(third.created), len(third.updated), len(third.removed)) == (0, 1, 1)
    assert steps[-1] == (5, 5)
    hrefs_before = set(store.objects)
    publish_events(resources(changed), store)
    assert set(store.objects) == hrefs_before  # updated in place, not re-created


def test_events_people_added_are_left_alone_and_duplicates_removed() -> None:
    store = MemoryStore()
    mine = icalendar.Calendar()
    mine.add("prodid", "-//someone//EN")
    mine.add("version", "2.0")
    party = icalendar.Event()
    party.add("uid", "party@example.com")
    party.add("summary", "Party")
    party.add("dtstart", dt.date(2026, 12, 1))
    mine.add_component(party)
    store.objects["/party.ics"] = mine.to_ical()
    store.objects["/junk.ics"] = b"not a calendar"
    plan = parse_workspace(document())
    found = resources(plan)
    store.objects["/dup.ics"] = found[0].data
    store.objects["/dup2.ics"] = found[0].data
    report = publish_events(found, store)
    assert len(report.removed) == 1
    assert "/party.ics" in store.objects
    assert len(report.created) == len(found) - 1
    assert publish_events([], store).removed
    assert "/party.ics" in store.objects


def test_read_remote_computes_a_fingerprint_when_none_is_stored() -> None:
    calendar = icalendar.Calendar()
    event = icalendar.Event()
    event.add("uid", "a@relplan")
    event.add("summary", "A")
    calendar.add_component(event)
    assert read_remote(calendar.to_ical()) == ("a@relplan", fingerprint(event))
    empty = icalendar.Calendar()
    empty.add_component(icalendar.Event())
    assert read_remote(empty.to_ical()) is None
