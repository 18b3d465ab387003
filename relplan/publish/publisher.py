"""Bring a calendar server in line with an export: create, update in place, remove, or leave.

The export (:func:`relplan.formats.ics.build_calendar`) is split into one calendar object per
event (:func:`split_events`), each a ``VCALENDAR`` with its ``VTIMEZONE`` s and one ``VEVENT``
that carries ``X-RELPLAN-FINGERPRINT``: a hash of the event's content without ``DTSTAMP``.
Publishing compares fingerprints by UID (:func:`publish_events`): a new UID is created, a changed
one is written over in place, an unchanged one is left alone, and an event whose UID relplan made
(``…@relplan``) but which the export no longer holds is removed. Events that people added to the
calendar themselves are never touched. So a second publish with no change changes nothing.

The server side is a :class:`CalendarStore`; :mod:`relplan.publish.caldav_store` implements it
with the ``caldav`` package, and tests may use an in-memory one.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import icalendar

from relplan.formats.ics import PRODID, UID_DOMAIN

__all__ = [
    "FINGERPRINT",
    "CalendarStore",
    "EventResource",
    "PublishReport",
    "RemoteEvent",
    "fingerprint",
    "publish_events",
    "read_remote",
    "split_events",
]

#: The property that holds an event's fingerprint on the server.
FINGERPRINT = "X-RELPLAN-FINGERPRINT"
_IGNORED = ("DTSTAMP", FINGERPRINT)


@dataclass(frozen=True, slots=True)
class EventResource:
    """One event as a calendar object to put on a server.

    Attributes:
        uid: The event's UID.
        data: A complete ``VCALENDAR`` holding the event (and the time zones it uses).
        fingerprint: The event's content hash (see :func:`fingerprint`).
    """

    uid: str
    data: bytes
    fingerprint: str


@dataclass(frozen=True, slots=True)
class RemoteEvent:
    """An event found on the server.

    Attributes:
        uid: Its UID.
        fingerprint: Its stored fingerprint, else one computed from its content.
        handle: Whatever the store needs to update or delete it.
    """

    uid: str
    fingerprint: str
    handle: object


class CalendarStore(Protocol):
    """A calendar on a server, as publishing needs it."""

    def list_events(self) -> list[RemoteEvent]:
        """Every event in the calendar."""
        ...

    def create(self, resource: EventResource) -> None:
        """Add a new event."""
        ...

    def update(self, handle: object, resource: EventResource) -> None:
        """Write over an event in place (same UID)."""
        ...

    def delete(self, handle: object) -> None:
        """Remove an event."""
        ...


@dataclass(slots=True)
class PublishReport:
    """What a publish did, as UIDs per outcome."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """``N created, N updated, N removed, N unchanged``."""
        return (
            f"{len(self.created)} created, {len(self.updated)} updated, "
            f"{len(self.removed)} removed, {len(self.unchanged)} unchanged"
        )

    @property
    def changed(self) -> bool:
        """Whether anything on the server changed."""
        return bool(self.created or self.updated or self.removed)


def fingerprint(event: icalendar.Component) -> str:
    """A hash of an event's content, blind to ``DTSTAMP`` and to property order.

    Args:
        event: A ``VEVENT``.

    Returns:
        A hex SHA-256.
    """
    text = event.to_ical().decode("utf-8").replace("\r\n ", "").replace("\r\n\t", "")
    lines = sorted(
        line
        for line in text.split("\r\n")
        if line and re.split("[;:]", line, maxsplit=1)[0].upper() not in _IGNORED
    )
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def split_events(calendar: icalendar.Calendar) -> list[EventResource]:
    """One calendar object per event of an export, each with the time zones it refers to.

    Args:
        calendar: An export.

    Returns:
        The resources, in the calendar's order.
    """
    zones = {str(tz["TZID"]): tz for tz in calendar.walk("VTIMEZONE")}
    resources = []
    for event in calendar.walk("VEVENT"):
        digest = fingerprint(event)
        copy = icalendar.Event.from_ical(event.to_ical())
        copy.add(FINGERPRINT, digest)
        single = icalendar.Calendar()
        single.add("prodid", PRODID)
        single.add("version", "2.0")
        for tzid in sorted(_tzids(event)):
            if tzid in zones:
                single.add_component(zones[tzid])
        single.add_component(copy)
        resources.append(EventResource(str(event["UID"]), single.to_ical(), digest))
    return resources


def _tzids(event: icalendar.Component) -> set[str]:
    found = set()
    for name in ("DTSTART", "DTEND"):
        prop = event.get(name)
        if prop is not None and "TZID" in prop.params:
            found.add(str(prop.params["TZID"]))
    return found


def read_remote(data: str | bytes) -> tuple[str, str] | None:
    """The UID and fingerprint of a calendar object read from a server.

    Args:
        data: The object's iCalendar text.

    Returns:
        ``(uid, fingerprint)``, or None when it holds no event with a UID.
    """
    try:
        calendar = icalendar.Calendar.from_ical(data)
    except ValueError:
        return None
    for event in calendar.walk("VEVENT"):
        uid = event.get("UID")
        if uid is None:
            continue
        stored = event.get(FINGERPRINT)
        return str(uid), str(stored) if stored else fingerprint(event)
    return None


def owned(uid: str) -> bool:
    """Whether relplan made this UID (so publishing may remove the event)."""
    return uid.endswith(f"@{UID_DOMAIN}")


def publish_events(
    resources: Sequence[EventResource],
    store: CalendarStore,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> PublishReport:
    """Make the server's calendar hold exactly these relplan events.

    Args:
        resources: The events to publish (see :func:`split_events`).
        store: The server's calendar.
        progress: Called with ``(done, total)`` after each event written or removed.

    Returns:
        What was created, updated, removed and left unchanged.
    """
    remote: dict[str, RemoteEvent] = {}
    extra: list[RemoteEvent] = []
    for event in store.list_events():
        if event.uid in remote:  # the same UID twice: keep one, remove the others
            extra.append(event)
        else:
            remote[event.uid] = event
    report = PublishReport()
    gone = [e for uid, e in remote.items() if owned(uid)]
    wanted = {r.uid for r in resources}
    gone = [e for e in gone if e.uid not in wanted] + [e for e in extra if owned(e.uid)]
    total = len(resources) + len(gone)
    for done, resource in enumerate(resources, start=1):
        found = remote.get(resource.uid)
        if found is None:
            store.create(resource)
            report.created.append(resource.uid)
        elif found.fingerprint != resource.fingerprint:
            store.update(found.handle, resource)
            report.updated.append(resource.uid)
        else:
            report.unchanged.append(resource.uid)
        if progress is not None:
            progress(done, total)
    for done, event in enumerate(gone, start=len(resources) + 1):
        store.delete(event.handle)
        report.removed.append(event.uid)
        if progress is not None:
            progress(done, total)
    return report
