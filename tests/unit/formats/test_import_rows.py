"""Work items and dependencies read straight into table rows (relplan/formats/import_rows.py).

The row readers must accept exactly what the per-object fast readers accept, and give exactly the
rows the entity tables write for those objects: each case below is checked against that pair.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from relplan.domain import bounds, codec_fast
from relplan.formats.import_rows import dependency_rows, work_item_rows
from relplan.store.entities import TABLES

ITEM: dict[str, Any] = {
    "key": "PAY-101",
    "title": "Refund API",
    "team": "PAY",
    "release": "PAY-2026.12",
    "type": "Story",
    "status": "In Progress",
    "category": "in_progress",
    "points": 3,
    "created": "2026-10-01T09:00:00Z",
    "resolved": None,
}

# (field, value) of one item; None as value with REMOVE drops the field.
REMOVE = object()
ITEM_CHANGES: list[tuple[str, Any]] = [
    ("key", "K" * bounds.MAX_KEY_LENGTH),
    ("key", "K" * (bounds.MAX_KEY_LENGTH + 1)),
    ("key", ""),
    ("key", " PAY-1"),
    ("key", "PAY-1\u00a0"),
    ("key", "PAY|1"),
    ("key", "PAY->1"),
    ("key", "PAY-\x07"),
    ("key", "PAY-\u0085"),
    ("key", "PAY 1"),
    ("key", 101),
    ("key", REMOVE),
    ("title", "t" * bounds.MAX_NAME_LENGTH),
    ("title", "t" * (bounds.MAX_NAME_LENGTH + 1)),
    ("title", "   "),
    ("title", "a\tb\nc"),
    ("title", "bell\x07"),
    ("title", "lone \ud800"),
    ("title", "café – ✓"),
    ("title", None),
    ("team", None),
    ("team", 3),
    ("team", REMOVE),
    ("release", None),
    ("release", ["PAY"]),
    ("type", None),
    ("type", ""),
    ("type", "x" * (bounds.MAX_TEXT_LENGTH + 1)),
    ("type", "Bug \udc00"),
    ("type", 1),
    ("status", None),
    ("status", ""),
    ("status", REMOVE),
    ("status", "Done \ud800"),
    ("category", "done"),
    ("category", "Done"),
    ("category", None),
    ("category", REMOVE),
    ("category", ["todo"]),
    ("points", None),
    ("points", 0),
    ("points", 2.5),
    ("points", -1),
    ("points", bounds.MAX_POINTS),
    ("points", bounds.MAX_POINTS + 0.5),
    ("points", float("nan")),
    ("points", float("inf")),
    ("points", True),
    ("points", "3"),
    ("created", None),
    ("created", REMOVE),
    ("created", "2026-10-01T09:00:00+02:00"),
    ("created", "2026-10-01T09:00:00.123456Z"),
    ("created", "2026-10-01 09:00:00Z"),
    ("created", "2026-W40-4T09:00:00Z"),
    ("created", "20261001T090000Z"),
    ("created", "2026-10-01T09:00:00"),
    ("created", "2026-10-01"),
    ("created", "2026-13-01T09:00:00Z"),
    ("created", "1900-10-01T09:00:00Z"),
    ("created", "2199-10-01T09:00:00Z"),
    ("created", "not a time"),
    ("created", 20261001),
    ("resolved", "2026-10-02T10:00:00-05:30"),
    ("resolved", "2026-10-02T10:00:00Z"),
    ("extra", 1),
]


def _changed(base: dict[str, Any], field: str, value: Any) -> dict[str, Any]:
    obj = copy.deepcopy(base)
    if value is REMOVE:
        obj.pop(field, None)
    else:
        obj[field] = value
    return obj


def _expected(values: list[Any], entity: str, section: str) -> list[tuple[Any, ...]] | None:
    """What the fast readers and the table's to_row make of ``values`` (None: one refused)."""
    objects = [codec_fast.FAST_READERS[section](v) for v in values]
    if any(o is None for o in objects):
        return None
    return [TABLES[entity].to_row(o) for o in objects]


@pytest.mark.parametrize(("field", "value"), ITEM_CHANGES)
def test_an_item_reads_as_the_fast_reader_and_the_table_would(field: str, value: Any) -> None:
    values = [ITEM, _changed(ITEM, field, value), {"key": "WEB-17", "title": "Refund button"}]
    expected = _expected(values, "work_item", "work_items")
    rows = work_item_rows(values)
    assert rows == expected
    if expected is not None:  # same values, same types (3.0, not 3)
        assert [list(map(type, r)) for r in rows or []] == [list(map(type, r)) for r in expected]


def test_many_valid_changes_at_once_read_as_objects_would() -> None:
    values = []
    for n, (field, value) in enumerate(ITEM_CHANGES):
        obj = _changed(ITEM, field, value)
        obj["key"] = f"K-{n}"
        if codec_fast.FAST_READERS["work_items"](obj) is not None:
            values.append(obj)
    assert len(values) > 30
    assert work_item_rows(values) == _expected(values, "work_item", "work_items")


DEP: dict[str, Any] = {"from": "release:PAY-2026.12", "to": "item:WEB-17", "type": "SS"}
DEP_CHANGES: list[tuple[str, Any]] = [
    ("from", "item:PAY-101"),
    ("from", "release:"),
    ("from", "item:"),
    ("from", "team:PAY"),
    ("from", "item:WEB-17"),
    ("from", None),
    ("from", REMOVE),
    ("to", "release: "),
    ("to", 17),
    ("type", "FF"),
    ("type", "fs"),
    ("type", None),
    ("type", REMOVE),
    ("lag_days", 0),
    ("lag_days", -bounds.MAX_LAG_DAYS),
    ("lag_days", bounds.MAX_LAG_DAYS + 1),
    ("lag_days", 1.0),
    ("lag_days", True),
    ("lag_days", None),
    ("extra", "x"),
]


@pytest.mark.parametrize(("field", "value"), DEP_CHANGES)
def test_a_dependency_reads_as_the_fast_reader_and_the_table_would(field: str, value: Any) -> None:
    values = [DEP, _changed(DEP, field, value), {"from": "item:A", "to": "item:B"}]
    assert dependency_rows(values) == _expected(values, "dependency", "dependencies")


@pytest.mark.parametrize("reader", [work_item_rows, dependency_rows])
@pytest.mark.parametrize("values", [[], [["not", "an", "object"]], ["text"], [None]])
def test_empty_sections_and_non_objects(reader: Any, values: list[Any]) -> None:
    assert reader(values) == ([] if not values else None)
