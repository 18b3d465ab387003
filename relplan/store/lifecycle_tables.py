"""Storage of the release lifecycle's own kinds: templates and feature flags.

Both are plan entities (:data:`~relplan.store.entities.TABLES`), so imports, edits, undo and the
audit log treat them like any other kind. A template is kept whole as its workspace-JSON dict
(it has nested stages, milestones and gates that nothing queries one by one).
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from relplan.domain import codec, lifecycle_codec
from relplan.domain.model import Flag, Template
from relplan.store.entities import TABLES, EntityTable, Row, steps_from_text, steps_text


def _decoder(read: Any) -> Any:
    def decode(data: Any) -> Any:
        dec = codec.Decoder(stored=True)
        obj = read(dec, data, "")
        dec.raise_if_any(source="audit log")
        return obj

    return decode


def _template_from_row(_conn: sqlite3.Connection, row: Row) -> Template:
    return _decoder(lifecycle_codec.read_template)(json.loads(row[2]))  # type: ignore[no-any-return]


def _template_row(t: Template) -> Row:
    body = json.dumps(lifecycle_codec.encode_template(t), ensure_ascii=False)
    return (t.key, t.name, body)


def _flag_row(f: Flag) -> Row:
    return (f.key, f.release, f.environment, f.owner, steps_text(f.steps) or "[]")


def _flag_from_row(_conn: sqlite3.Connection, row: Row) -> Flag:
    key, release, environment, owner, steps = row
    return Flag(key, release, environment, owner, steps_from_text(steps))


def _single(key: str) -> tuple[str, ...]:
    return (key,)


# Undo and redo look kinds up in TABLES: register ours (idempotent).
TABLES.update(
    {
        "template": EntityTable(
            "template", "templates", ("key",), ("key", "name", "body"),
            _template_row, _template_from_row, lambda t: t.key, _single,
            lifecycle_codec.encode_template, _decoder(lifecycle_codec.read_template),
        ),
        "flag": EntityTable(
            "flag", "flags", ("key",), ("key", "release", "environment", "owner", "steps"),
            _flag_row, _flag_from_row, lambda f: f.key, _single,
            lifecycle_codec.encode_flag, _decoder(lifecycle_codec.read_flag),
        ),
    }
)  # fmt: skip
