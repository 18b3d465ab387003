"""Table rows straight from a workspace file's work items and dependencies, checked by column.

A large plan has 100,000 work items and 150,000 dependencies. Reading each into an object (with
its checks, one at a time) and then writing that object out as a table row took most of a large
import. Here each section is checked as columns, each check one pass at C speed (types, lengths,
characters, bounds), and the rows are zipped from the columns.

The readers accept exactly what the per-object fast readers
(:data:`relplan.domain.codec_fast.FAST_READERS`) accept, and give the rows the entity tables would
write for the objects those readers build (:meth:`relplan.store.entities.EntityTable.to_row`).
If any object of the section would fail there, they return None, and the caller reads the section
object by object, which names every problem and its place. References (teams, releases, ends)
and duplicate keys are the caller's to check, as for objects.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from itertools import chain, repeat
from operator import attrgetter, eq, itemgetter, methodcaller
from typing import Any, Final

from relplan.domain import bounds, codec_fast
from relplan.domain.model import DEPENDENCY_TYPES, ITEM_CATEGORIES, ITEM_PREFIX, RELEASE_PREFIX

Row = tuple[Any, ...]

#: The work item fields in the order of the ``work_items`` table's columns.
_ITEM_FIELDS: Final = (
    "key", "title", "team", "release", "type", "status", "category", "points", "created",
    "resolved",
)  # fmt: skip
_DEP_FIELDS: Final = ("from", "to", "type", "lag_days")
_NONE = type(None)
_STR_OR_NONE: Final = frozenset((str, _NONE))
_KEY_BAD_SEARCH = codec_fast.KEY_BAD_SEARCH
_CONTROL_SEARCH = bounds.CONTROL_PATTERN.search
_SURROGATE_SEARCH = bounds.SURROGATE_PATTERN.search
_REF_PREFIXES: Final = (RELEASE_PREFIX, ITEM_PREFIX)
_IS_REF_START = methodcaller("startswith", _REF_PREFIXES)
_FROM_ISO = dt.datetime.fromisoformat
_ISO = dt.datetime.isoformat
_TZINFO = attrgetter("tzinfo")
_YEAR = attrgetter("year")
#: The characters at fixed places of "YYYY-MM-DDTHH:MM:SSZ", a whole second in UTC.
_SEPARATORS = itemgetter(4, 7, 10, 13, 16, 19)
_UTC_SEPARATORS: Final = ("-", "-", "T", ":", ":", "Z")


def _columns(
    values: list[Any], fields: Sequence[str], defaults: dict[str, Any]
) -> list[Sequence[Any]] | None:
    """The sections's objects as columns (a missing field is its default), or None when one of
    them is not an object or has a field the format does not know."""
    if not values:
        return [() for _ in fields]
    if set(map(type, values)) != {dict}:
        return None
    if not set(chain.from_iterable(values)) <= set(fields):  # iterating a dict gives its keys
        return None
    return [_column(values, f, defaults.get(f)) for f in fields]


def _column(values: list[dict[str, Any]], field: str, default: Any) -> list[Any]:
    try:  # every object has the field (the usual case)
        return list(map(itemgetter(field), values))
    except KeyError:
        return [v.get(field, default) for v in values]


def _clean(text: str, search: Callable[[str], object]) -> bool:
    """Whether ``search`` (a pattern of control characters, surrogates, ...) finds nothing in
    ``text``; printable text has none of them, which is much faster to tell."""
    return text.isprintable() or search(text) is None


def _texts(column: Sequence[Any], limit: int) -> list[str] | None:
    """The strings of a column of strings or nulls when none is longer than ``limit``."""
    if not set(map(type, column)) <= _STR_OR_NONE:
        return None
    texts: list[str] = list(filter(None, column))  # "" needs no check
    if texts and max(map(len, texts)) > limit:
        return None
    return texts


def _times(column: Sequence[Any]) -> list[str | None] | None:
    """A column of optional times as the table stores them (``isoformat`` of the parsed time),
    or None when one is not an aware time the fast reader accepts."""
    if not set(map(type, column)) <= _STR_OR_NONE:
        return None
    present = [v for v in column if v is not None]
    try:
        parsed = list(map(_FROM_ISO, present))
    except ValueError:
        return None
    if parsed and (
        _NONE in set(map(type, map(_TZINFO, parsed)))
        or min(map(_YEAR, parsed)) <= 1900
        or max(map(_YEAR, parsed)) >= 2199
    ):
        return None  # naive, or near the bounds: the full reader decides
    if set(map(len, present)) == {20} and set(map(_SEPARATORS, present)) == {_UTC_SEPARATORS}:
        # Parsed already, so "YYYY-MM-DDTHH:MM:SSZ" (as exports and syncs write times): stored
        # as isoformat writes it, "...:SS+00:00", a tenth of the time.
        stored: list[str | None] = list(map(str.replace, present, repeat("Z"), repeat("+00:00")))
    else:
        stored = list(map(_ISO, parsed))
    if len(present) == len(column):
        return stored
    at = iter(stored)
    return [None if v is None else next(at) for v in column]


def work_item_rows(values: list[Any]) -> list[Row] | None:
    """The ``work_items`` rows of a section's objects, or None when one fails the fast checks.

    Examples:
        >>> work_item_rows([{"key": "A-1", "title": "Login", "points": 3}])
        [('A-1', 'Login', None, None, 'Story', 'To Do', 'todo', 3.0, None, None)]
        >>> work_item_rows([{"key": "A-1", "title": " "}]) is None
        True
    """
    columns = _columns(values, _ITEM_FIELDS, {"category": "todo"})
    if columns is None:
        return None
    keys, titles, teams, releases, types, statuses, categories, points, created, resolved = columns
    if values and not (
        set(map(type, keys)) == {str}
        and set(map(type, titles)) == {str}
        and min(map(len, keys)) > 0
        and max(map(len, keys)) <= bounds.MAX_KEY_LENGTH
        and max(map(len, titles)) <= bounds.MAX_NAME_LENGTH
        # A space cannot make a bad character or "->" where two keys meet.
        and "|" not in (keys_text := " ".join(keys))
        and "->" not in keys_text
        and _clean(keys_text, _KEY_BAD_SEARCH)
        and sum(map(len, map(str.strip, keys))) == sum(map(len, keys))  # no space at either end
        and _clean("".join(titles), _CONTROL_SEARCH)
        and all(map(str.strip, titles))
        and set(map(type, teams)) <= _STR_OR_NONE
        and set(map(type, releases)) <= _STR_OR_NONE
        and all(map(ITEM_CATEGORIES.__contains__, categories))
    ):
        return None
    type_texts = _texts(types, bounds.MAX_TEXT_LENGTH)
    status_texts = _texts(statuses, bounds.MAX_TEXT_LENGTH)
    if type_texts is None or status_texts is None:
        return None
    if not _clean("".join(chain(type_texts, status_texts)), _SURROGATE_SEARCH):
        return None
    stored_points = _points(points)
    stored_created, stored_resolved = _times(created), _times(resolved)
    if stored_points is None or stored_created is None or stored_resolved is None:
        return None
    return list(
        zip(
            keys, titles, teams, releases,
            _defaulted(types, "Story"), _defaulted(statuses, "To Do"), categories,
            stored_points, stored_created, stored_resolved,
            strict=True,
        )
    )  # fmt: skip


def _defaulted(column: Sequence[Any], default: str) -> Sequence[Any]:
    """``value or default`` of each value (as the fast reader: an empty text too)."""
    present = set(column)
    if None not in present and "" not in present:
        return column
    return [v or default for v in column]


def _points(column: Sequence[Any]) -> Sequence[float | None] | None:
    """Optional story points as stored (floats), or None when one is not a number in bounds."""
    kinds = set(map(type, column))
    if not kinds <= {int, float, _NONE}:  # a boolean is not a number here
        return None
    numbers = [p for p in column if p is not None] if _NONE in kinds else column
    if numbers and (
        min(numbers) < 0
        or max(numbers) > bounds.MAX_POINTS
        or (float in kinds and not all(map(eq, numbers, numbers)))  # NaN is not itself
    ):
        return None
    if len(numbers) == len(column):
        return list(map(float, numbers))
    return [None if p is None else float(p) for p in column]


def dependency_rows(values: list[Any]) -> list[Row] | None:
    """The ``dependencies`` rows of a section's objects, or None when one fails the fast checks.

    Examples:
        >>> dependency_rows([{"from": "item:A-1", "to": "release:R1"}])
        [('item:A-1', 'release:R1', 'FS', 0)]
        >>> dependency_rows([{"from": "item:A-1", "to": "item:A-1"}]) is None
        True
    """
    columns = _columns(values, _DEP_FIELDS, {"type": "FS", "lag_days": 0})
    if columns is None:
        return None
    froms, tos, types, lags = columns
    if values and not (
        _refs(froms)
        and _refs(tos)
        and not any(map(eq, froms, tos))
        and all(map(DEPENDENCY_TYPES.__contains__, types))
        and set(map(type, lags)) == {int}
        and min(lags) >= -bounds.MAX_LAG_DAYS
        and max(lags) <= bounds.MAX_LAG_DAYS
    ):
        return None
    return list(zip(froms, tos, types, lags, strict=True))


def _refs(column: Sequence[Any]) -> bool:
    """Whether each value is ``release:KEY`` or ``item:KEY`` with something after the prefix
    (what an end names is the reference check's to say)."""
    return (
        set(map(type, column)) == {str}
        and all(map(_IS_REF_START, column))
        and RELEASE_PREFIX not in column
        and ITEM_PREFIX not in column
    )


#: The row readers by section, as :data:`relplan.domain.codec_fast.FAST_READERS` reads objects.
ROW_READERS: dict[str, Callable[[list[Any]], list[Row] | None]] = {
    "work_items": work_item_rows,
    "dependencies": dependency_rows,
}
