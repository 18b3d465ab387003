"""Seeded generators of hostile input: workspace JSON, iCalendar, deployments CSV.

Each generator takes a :class:`random.Random` and yields ``(name, bytes)`` cases; the same seed
always gives the same cases, so a failure can be replayed by its name.
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Callable, Iterator
from typing import Any

from tests.helpers.plans import document

Case = tuple[str, bytes]

#: Values that have broken readers before: huge and odd numbers, wrong types, control characters,
#: lone surrogates (written as escapes), long strings, dates at and past every edge.
HOSTILE_VALUES: list[Any] = [
    None, True, False, 0, -1, 1.0, 1.5, float("1e308"), 2**63, -(2**63), 2**64, 10**30,
    3_000_000, 3651, -3651, 1001, "", " ", "x" * 300, "y" * 5000, "\x00", "a\x1b[31mred",
    "line\nbreak", "tab\there", "PAY|X", "A->B", "release:", "item:", "release:PAY-2026.12",
    "9999-12-31", "0001-01-01", "1899-12-31", "2200-01-01", "2026-02-30", "2026-13-01",
    "2026-11-02T10:00:00", "9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00+00:00",
    "9999-12-31T23:59:59-23:59", "2026-11-03T10:20:00Z", "FREQ=SECONDLY", "FREQ=DAILY;INTERVAL=0",
    "RRULE:FREQ=DAILY;INTERVAL=-3", "FREQ=DAILY;COUNT=99999999", "FREQ=WEEKLY;BYDAY=XX",
    "FREQ=MINUTELY", "FREQ=DAILY;UNTIL=99991231", "25:99", "23:59", "Not/A_Zone", "UTC",
    [], {}, [1, 2, 3], {"a": 1}, [[[[[]]]]], "é" * 256, "🙂" * 100, "\u202e" + "evil",
]  # fmt: skip

SURROGATE = "\ud800"  # marker, written as the escape \ud800 by _dump
_PLACES: list[tuple[str, ...]] = [
    ("format",), ("version",), ("timezone",),
    ("teams", "0", "key"), ("teams", "0", "name"), ("teams", "0", "color"),
    ("environments", "0", "name"), ("environments", "0", "order"),
    ("environments", "1", "capacity"),
    ("trains", "0", "key"), ("trains", "0", "target"),
    ("releases", "0", "key"), ("releases", "0", "name"), ("releases", "0", "team"),
    ("releases", "0", "start"), ("releases", "0", "target"), ("releases", "0", "status"),
    ("releases", "1", "target"), ("releases", "0", "train"),
    ("releases", "0", "stages", "0", "start"), ("releases", "0", "stages", "0", "end"),
    ("releases", "0", "stages", "0", "environment"), ("releases", "0", "stages", "0", "strategy"),
    ("releases", "0", "milestones", "0", "date"), ("releases", "0", "milestones", "0", "name"),
    ("releases", "0", "gates", "0", "approvers"), ("releases", "0", "gates", "0", "status"),
    ("freezes", "0", "name"), ("freezes", "0", "start"), ("freezes", "0", "end"),
    ("freezes", "0", "rrule"), ("freezes", "0", "start_time"), ("freezes", "0", "end_time"),
    ("freezes", "0", "environments"),
    ("work_items", "0", "key"), ("work_items", "0", "title"), ("work_items", "0", "points"),
    ("work_items", "0", "created"), ("work_items", "0", "category"), ("work_items", "1", "release"),
    ("dependencies", "0", "from"), ("dependencies", "0", "to"), ("dependencies", "0", "lag_days"),
    ("dependencies", "0", "type"), ("dependencies", "1", "lag_days"),
    ("deployments", "0", "started"), ("deployments", "0", "finished"),
    ("deployments", "0", "restored"), ("deployments", "0", "outcome"),
    ("deployments", "0", "changes"), ("deployments", "0", "release"),
    ("releases",), ("teams",), ("dependencies",), ("work_items", "0"),
]  # fmt: skip


def _set(doc: Any, place: tuple[str, ...], value: Any) -> None:
    """Replace the value at ``place``; nothing when an earlier mutation removed the way there."""
    target = doc
    try:
        for part in place[:-1]:
            target = target[int(part)] if isinstance(target, list) else target[part]
        last = place[-1]
        if isinstance(target, list):
            target[int(last)] = value
        elif isinstance(target, dict):
            target[last] = value
    except (KeyError, IndexError, TypeError, ValueError):
        pass


def _dump(doc: Any) -> str:
    text = json.dumps(doc, ensure_ascii=False)
    # json.dumps cannot write a lone surrogate raw; write it as the escape a hostile file has.
    return text.replace(SURROGATE, "\\ud800")


def _mutations(rng: random.Random) -> Iterator[tuple[str, str]]:
    """Documents with one to three fields replaced by hostile values."""
    while True:
        doc = document()
        names = []
        for _ in range(rng.choice((1, 1, 1, 2, 3))):
            place = rng.choice(_PLACES)
            value = rng.choice(HOSTILE_VALUES)
            if rng.random() < 0.05:
                value = "k" + SURROGATE
            _set(doc, place, copy.deepcopy(value))
            names.append(f"{'.'.join(place)}={str(value)[:20]!r}")
        yield "json " + ", ".join(names), _dump(doc)


def _structural(rng: random.Random) -> Iterator[tuple[str, str]]:
    """Whole-file hostilities: nesting, duplicates, truncation, odd versions, junk."""
    base = _dump(document())
    _SIZES = (101, 10_000, 1_000_000)  # noqa: N806 - a constant of the makers below
    makers: list[Callable[[], tuple[str, str]]] = [
        lambda: ("json deep lists", "[" * rng.choice((999, 1000, 5000, 100_000)) + "]" * 3),
        lambda: ("json deep objects", '{"a":' * rng.choice((998, 1500, 20_000)) + "1" + "}" * 5),
        lambda: ("json deep in teams", base.replace('"teams": [', '"teams": [' + "[" * 3000, 1)),
        lambda: ("json duplicate top key", base[:-1] + ', "version": 1}'),
        lambda: ("json duplicate inner key", base.replace('"PAY",', '"PAY", "key": "X",', 1)),
        lambda: ("json version 1.0", base.replace('"version": 1', '"version": 1.0', 1)),
        lambda: ("json version true", base.replace('"version": 1', '"version": true', 1)),
        lambda: ("json version big", base.replace('"version": 1', f'"version": {2**64}', 1)),
        lambda: ("json huge number", base.replace('"order": 3', '"order": ' + "9" * 5000, 1)),
        lambda: ("json truncated", base[: rng.randrange(1, len(base))]),
        lambda: ("json NaN", base.replace('"points": 3', '"points": NaN', 1)),
        lambda: ("json Infinity", base.replace('"lag_days": 2', '"lag_days": Infinity', 1)),
        lambda: ("json lone surrogate key", base.replace('"PAY-101"', '"PAY-\\udc00"', 1)),
        lambda: ("json lone surrogate name", base.replace('"Payments"', '"\\ud83d"', 1)),
        lambda: ("json empty", ""),
        lambda: ("json null", "null"),
        lambda: ("json list", "[1, 2, 3]"),
        lambda: ("json string", '"relplan-workspace"'),
        lambda: ("json huge key", base.replace('"PAY-101"', f'"{"K" * rng.choice(_SIZES)}"', 1)),
        lambda: ("json control key", base.replace('"PAY-101"', '"PAY\\u001b[2J101"', 1)),
        lambda: ("json bom", "\ufeff" + base),
        lambda: ("json random bytes", "".join(chr(rng.randrange(0, 0x2FF)) for _ in range(200))),
    ]  # fmt: skip
    while True:
        yield rng.choice(makers)()


def json_cases(seed: int, count: int) -> list[Case]:
    """``count`` hostile workspace JSON files."""
    rng = random.Random(seed)
    mutations, structural = _mutations(rng), _structural(rng)
    cases: list[Case] = []
    for n in range(count):
        name, text = next(structural) if n % 4 == 0 else next(mutations)
        data = text.encode("utf-8", "surrogatepass")
        if rng.random() < 0.02:
            data = bytes(rng.randrange(256) for _ in range(300))  # not UTF-8 at all
            name = "json binary"
        cases.append((f"{n}: {name}", data))
    return cases


_ICS_PROPS = [
    "DTSTART;VALUE=DATE:20261201", "DTSTART;VALUE=DATE:20260230", "DTSTART;VALUE=DATE:99991231",
    "DTSTART;VALUE=DATE:00010101", "DTSTART:20261201T100000Z", "DTSTART:garbage", "DTSTART:",
    "DTSTART;VALUE=DATE:2026120", "DTSTART;TZID=Nowhere/Zone:20261201T100000",
    "DTEND;VALUE=DATE:20261205", "DTEND;VALUE=DATE:20261130", "DTEND;VALUE=DATE:99991231",
    "DTEND:20261205T100000Z", "DURATION:P-1D", "DURATION:P99999999D", "DURATION:PT5H",
    "DURATION:P3D", "DURATION:junk", "RRULE:FREQ=DAILY;INTERVAL=-3", "RRULE:FREQ=SECONDLY",
    "RRULE:FREQ=WEEKLY;BYDAY=FR", "RRULE:FREQ=DAILY;COUNT=0", "RRULE:FREQ=YEARLY;UNTIL=99991231",
    "RRULE:FREQ=DAILY;INTERVAL=0", "RRULE:garbage", "RRULE:FREQ=DAILY;BYHOUR=3",
    "RDATE;VALUE=DATE:20261210", "EXDATE;VALUE=DATE:20261202", "STATUS:CANCELLED",
    "SUMMARY:" + "S" * 300, "SUMMARY:Holiday", "SUMMARY:", "SUMMARY:bell\\x07",
    "SUMMARY:a\x1b[31mred", "UID:" + "u" * 2000, "X-UNKNOWN;P=1:v",
]  # fmt: skip


def ics_cases(seed: int, count: int) -> list[Case]:
    """``count`` hostile iCalendar files (mostly one to three events of random properties)."""
    rng = random.Random(seed)
    cases: list[Case] = []
    for n in range(count):
        roll = rng.random()
        if roll < 0.05:
            data = bytes(rng.randrange(256) for _ in range(rng.choice((10, 500, 5000))))
            cases.append((f"{n}: ics binary", data))
            continue
        if roll < 0.08:
            depth = rng.choice((100, 2000))
            body = "BEGIN:VCALENDAR\r\n" + "BEGIN:VEVENT\r\n" * depth + "END:VEVENT\r\n" * depth
            cases.append((f"{n}: ics nested {depth}", (body + "END:VCALENDAR\r\n").encode()))
            continue
        events = []
        for e in range(rng.choice((1, 1, 2, 3))):
            props = [f"UID:{n}-{e}", "SUMMARY:Freeze", *rng.sample(_ICS_PROPS, rng.randrange(1, 5))]
            if not any(p.startswith("DTSTART") for p in props) and rng.random() < 0.8:
                props.append("DTSTART;VALUE=DATE:20261201")
            events.append("BEGIN:VEVENT\r\n" + "\r\n".join(props) + "\r\nEND:VEVENT\r\n")
        text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//h//h//EN\r\n" + "".join(events)
        if rng.random() > 0.1:
            text += "END:VCALENDAR\r\n"
        if rng.random() < 0.05:
            text = text[: rng.randrange(1, len(text))]
        cases.append((f"{n}: ics events", text.encode("utf-8")))
    return cases


_CSV_CELLS = [
    "PAY-2026.12", "WEB-2026.12", "NOPE", "", " ", "Production", "Staging", "Mars",
    "2026-11-03T10:20:00Z", "2026-11-03 11:20+01:00", "9999-12-31T23:59:59+00:00",
    "0001-01-01T00:00:00", "2026-02-30T00:00:00Z", "garbage", "succeeded", "failed",
    "rolled_back", "exploded", "a1@2026-11-01T16:00Z;b2", "@2026-01-01", "a1;a1",
    "x@9999-12-31T23:59:59+00:00", "INC-1", "\x00", "=HYPERLINK(\"x\")", "\x1b[2J",
    "z" * 3000, "\"unterminated",
]  # fmt: skip
_CSV_HEADERS = [
    "release,environment,started,finished,outcome,restored,changes,incident",
    "release,environment,finished",
    "release,environment",
    "finished,release,environment,bogus",
    "release,release,environment,finished",
    "",
    "\ufeffrelease,environment,finished,outcome",
]


def csv_cases(seed: int, count: int) -> list[Case]:
    """``count`` hostile deployments CSV files."""
    rng = random.Random(seed)
    cases: list[Case] = []
    for n in range(count):
        roll = rng.random()
        if roll < 0.05:
            size = rng.choice((131_073, 200_000))
            text = f"release,environment,finished\nPAY-2026.12,Production,{'x' * size}\n"
            cases.append((f"{n}: csv huge cell", text.encode()))
            continue
        if roll < 0.08:
            cases.append((f"{n}: csv binary", bytes(rng.randrange(256) for _ in range(400))))
            continue
        header = rng.choice(_CSV_HEADERS)
        width = max(1, header.count(",") + 1)
        rows = [header]
        for _ in range(rng.randrange(0, 4)):
            cells = [rng.choice(_CSV_CELLS) for _ in range(width + rng.choice((0, 0, 0, 1, -1)))]
            rows.append(",".join(cells))
        cases.append((f"{n}: csv rows", ("\n".join(rows) + "\n").encode("utf-8")))
    return cases
