"""Reading JSON text strictly: a duplicate key, a lone surrogate or deep nesting is an error.

Every failure becomes one :class:`~relplan.errors.ValidationError` naming the place (the line and
column, or the JSON path), so a bad file gives one clear line.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from relplan.domain import bounds
from relplan.errors import Issue, ValidationError


def read_json_file(path: str | os.PathLike[str]) -> Any:
    """Parse a JSON file, turning every failure into a ValidationError naming the place.

    Raises:
        ValidationError: the file cannot be read or is not JSON.
    """
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValidationError([Issue("", "no such file")], source=name) from None
    except IsADirectoryError:
        raise ValidationError([Issue("", "is a folder, not a file")], source=name) from None
    except UnicodeDecodeError as exc:
        message = f"not UTF-8 text (byte {exc.start} cannot be read)"
        raise ValidationError([Issue("", message)], source=name) from None
    except (OSError, MemoryError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        raise ValidationError([Issue("", f"cannot read it ({reason})")], source=name) from None
    return parse_json_text(text, source=name)


class _DuplicateKeyError(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _unique_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object hook that refuses duplicate keys (the JSON module keeps the last silently)."""
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKeyError(key)
            seen.add(key)
    return result


# A lone surrogate can only come from a \uD800-\uDFFF escape; look for one only then.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89abcdefABCDEF]")


def parse_json_text(text: str, *, source: str = "") -> Any:
    """Parse JSON text strictly: duplicate keys, lone surrogates and deep nesting are errors.

    Raises:
        ValidationError: naming the place (line and column, or the JSON path).
    """
    try:
        document = json.loads(text, object_pairs_hook=_unique_object)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}"
        raise ValidationError(
            [Issue("", f"not valid JSON at {where}: {exc.msg}")], source=source
        ) from None
    except _DuplicateKeyError as exc:
        message = f"an object has the key {bounds.echo(exc.key)} twice (duplicate JSON keys)"
        raise ValidationError([Issue("", message)], source=source) from None
    except RecursionError:
        message = "not a workspace: the JSON is nested too deeply"
        raise ValidationError([Issue("", message)], source=source) from None
    except (ValueError, OverflowError) as exc:  # e.g. a number of more than 4300 digits
        message = f"not valid JSON: {bounds.clip(str(exc), 120)}"
        raise ValidationError([Issue("", message)], source=source) from None
    if _SURROGATE_ESCAPE.search(text):
        place = _lone_surrogate(document)
        if place is not None:
            message = "holds an invalid \\u escape (a lone UTF-16 surrogate)"
            raise ValidationError([Issue(place, message)], source=source)
    return document


def _lone_surrogate(document: Any) -> str | None:
    """The JSON path of the first string (or key) with a lone surrogate, or None."""
    stack: list[tuple[str, Any]] = [("", document)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            if bounds.SURROGATE_PATTERN.search(value):
                return path or "(top)"
        elif isinstance(value, dict):
            for key, item in value.items():
                if bounds.SURROGATE_PATTERN.search(key):
                    return path or "(top)"
                stack.append((f"{path}.{key}" if path else key, item))
        elif isinstance(value, list):
            stack.extend((f"{path}[{i}]", item) for i, item in enumerate(value))
    return None
