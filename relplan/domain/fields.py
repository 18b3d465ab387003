"""Reading the fields of the workspace JSON format's plain dicts, collecting every problem.

:class:`FieldReader` checks one field at a time (a text, a day, a number within bounds, an
object's allowed keys) and records one :class:`~relplan.errors.Issue` per problem, named by its
JSON path (``releases[3].target``); :class:`relplan.domain.codec.Decoder` builds the domain
objects on it.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from relplan.domain import bounds
from relplan.errors import Issue, ValidationError

__all__ = ["FieldReader", "join_path", "show_value"]

T = TypeVar("T")


class FieldReader:
    """Reads the fields of JSON dicts, collecting every problem with its JSON path.

    A reader returns a fallback (or ``None``) when a field had an error; after a run,
    :attr:`issues` lists them all and :meth:`raise_if_any` turns them into one
    :class:`ValidationError`.

    Args:
        stored: the data was written by relplan itself (the audit log). The key and name
            bounds (:mod:`relplan.domain.bounds`) guard what comes in; a workspace made before
            a bound existed may hold a value outside it, and its history must still undo.
    """

    def __init__(self, *, stored: bool = False) -> None:
        self.issues: list[Issue] = []
        self.stored = stored

    def error(self, path: str, message: str) -> None:
        """Record a problem at ``path``."""
        self.issues.append(Issue(path, message))

    def raise_if_any(self, *, source: str = "") -> None:
        """Raise a ValidationError listing every recorded problem, if there is any."""
        if self.issues:
            raise ValidationError(self.issues, source=source)

    # -- field readers -------------------------------------------------------------------------
    def obj(self, value: object, path: str, allowed: tuple[str, ...]) -> Mapping[str, Any] | None:
        """Check that ``value`` is an object whose keys are all in ``allowed``."""
        if not isinstance(value, dict):
            self.error(path, f"expected an object, found {show_value(value)}")
            return None
        ok = True
        for key in value:
            if key not in allowed:
                self.error(
                    join_path(path, key),
                    f"unknown key {bounds.echo(key)} (expected one of: {', '.join(allowed)})",
                )
                ok = False
        return value if ok else None

    def text(self, data: Mapping[str, Any], key: str, path: str, *, required: bool = True) -> str:
        """A non-empty string field (or "" when optional and missing)."""
        value = data.get(key)
        if value is None and not required:
            return ""
        if not isinstance(value, str) or not value.strip():
            what = "missing" if key not in data else f"found {show_value(value)}"
            self.error(join_path(path, key), f"expected a non-empty string, {what}")
            return ""
        problem = None if self.stored else bounds.name_problem(value)
        if problem is not None:
            self.error(join_path(path, key), problem)
            return ""
        return value

    def key(self, data: Mapping[str, Any], key: str, path: str) -> str:
        """A key field: a non-empty string that follows :data:`bounds.KEY_RULE`."""
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            what = "missing" if key not in data else f"found {show_value(value)}"
            self.error(join_path(path, key), f"expected a non-empty string, {what}")
            return ""
        problem = None if self.stored else bounds.key_problem(value)
        if problem is not None:
            self.error(join_path(path, key), problem)
            return ""
        return value

    def opt_text(self, data: Mapping[str, Any], key: str, path: str) -> str | None:
        """An optional string field; null or missing gives None."""
        value = data.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            self.error(
                join_path(path, key), f"expected a string or null, found {show_value(value)}"
            )
            return None
        problem = bounds.text_problem(value)
        if problem is not None:
            self.error(join_path(path, key), problem)
            return None
        return value

    def choice(
        self, data: Mapping[str, Any], key: str, path: str, allowed: tuple[str, ...], default: str
    ) -> str:
        """A string field limited to ``allowed``."""
        value = data.get(key, default)
        if value not in allowed:
            self.error(
                join_path(path, key),
                f"found {show_value(value)}, expected one of: {', '.join(allowed)}",
            )
            return default
        return str(value)

    def integer(
        self, data: Mapping[str, Any], key: str, path: str, default: int, low: int, high: int
    ) -> int:
        """An integer field within ``low..high``."""
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(join_path(path, key), f"expected a whole number, found {show_value(value)}")
            return default
        problem = bounds.int_problem(value, low, high)
        if problem is not None:
            self.error(join_path(path, key), problem)
            return default
        return value

    def number(self, data: Mapping[str, Any], key: str, path: str) -> float | None:
        """An optional non-negative number."""
        value = data.get(key)
        if value is None:
            return None
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
            or not 0 <= value <= bounds.MAX_POINTS
        ):
            self.error(
                join_path(path, key),
                f"expected a number >= 0 and <= {bounds.MAX_POINTS} or null, "
                f"found {show_value(value)}",
            )
            return None
        return float(value)

    def date(
        self, data: Mapping[str, Any], key: str, path: str, *, required: bool = True
    ) -> dt.date | None:
        """A calendar day ``YYYY-MM-DD``."""
        value = data.get(key)
        if value is None:
            if required:
                self.error(join_path(path, key), "expected a date YYYY-MM-DD, missing")
            return None
        if isinstance(value, str) and len(value) == 10:
            try:
                day = dt.date.fromisoformat(value)
            except ValueError:
                pass
            else:
                problem = bounds.day_problem(day)
                if problem is None:
                    return day
                self.error(join_path(path, key), problem)
                return None
        self.error(join_path(path, key), f"found {show_value(value)}, expected a date YYYY-MM-DD")
        return None

    def time(
        self, data: Mapping[str, Any], key: str, path: str, *, required: bool = False
    ) -> dt.datetime | None:
        """An ISO 8601 time with an offset or ``Z``."""
        value = data.get(key)
        if value is None:
            if required:
                self.error(join_path(path, key), "expected a time (ISO 8601 with offset), missing")
            return None
        if isinstance(value, str):
            try:
                parsed = dt.datetime.fromisoformat(value)
            except ValueError:
                parsed = None
            if parsed is not None and parsed.tzinfo is not None:
                problem = bounds.time_problem(parsed)
                if problem is None:
                    return parsed
                self.error(join_path(path, key), problem)
                return None
            if parsed is not None:
                self.error(
                    join_path(path, key), f"found {show_value(value)}, which has no offset or Z"
                )
                return None
        self.error(join_path(path, key), f"found {show_value(value)}, expected an ISO 8601 time")
        return None

    def clock(self, data: Mapping[str, Any], key: str, path: str) -> dt.time | None:
        """An optional time of day ``HH:MM``."""
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, str) and len(value) == 5:
            try:
                return dt.time.fromisoformat(value)
            except ValueError:
                pass
        self.error(join_path(path, key), f"found {show_value(value)}, expected a time of day HH:MM")
        return None

    def strings(self, data: Mapping[str, Any], key: str, path: str) -> tuple[str, ...]:
        """An optional list of strings."""
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.error(
                join_path(path, key), f"expected a list of strings, found {show_value(value)}"
            )
            return ()
        for i, v in enumerate(value):
            problem = bounds.name_problem(v)
            if problem is not None:
                self.error(f"{join_path(path, key)}[{i}]", problem)
                return ()
        return tuple(value)

    def items(self, data: Mapping[str, Any], key: str, path: str) -> list[tuple[str, Any]]:
        """An optional list field, as (path, element) pairs."""
        value = data.get(key, [])
        if value is None:
            return []
        if not isinstance(value, list):
            self.error(join_path(path, key), f"expected a list, found {show_value(value)}")
            return []
        return [(f"{join_path(path, key)}[{i}]", v) for i, v in enumerate(value)]

    def _guard(self, build: Callable[[], T]) -> T | None:
        before = len(self.issues)
        result = build()
        return result if len(self.issues) == before else None

    # -- objects -------------------------------------------------------------------------------


def join_path(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def show_value(value: object) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "null"
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**15:
        return f"a {len(str(abs(value)))}-digit number"
    return bounds.echo(value, 40)
