"""The strict JSON reader (relplan/formats/strict_json.py) refuses every duplicate key, wherever
it hides, and accepts texts without one."""

from __future__ import annotations

import json

import pytest

from relplan.errors import ValidationError
from relplan.formats.workspace_json import parse_json_text
from tests.helpers.plans import document

# Texts with a key twice: in lists of objects, deep inside nested objects, with the key's value a
# container, after a string with colons, with white space before the colon, with colons, escaped
# quotes or escapes in keys.
DUPLICATES = [
    '{"a": 1, "a": 2}',
    '{"a" : 1, "a": 2}',
    '{"a"\n  : 1, "a": 2}',
    '{"a": 1,\t"a"\t: 2}',
    '{"items": [{"k": "x", "t": "1:2"}, {"k": "y", "k": "z"}]}',
    '{"items": [{"k": "x"}, {"k": {"a": 1, "a": 2}}]}',
    '{"r": [{"s": [{"e": "D", "e": "Q"}]}]}',
    '{"a:b": 1, "a:b": "c:d"}',
    '{"a": {"x": 1, "y": 2}, "a": {"x": 1}}',
    '{"t": ":", "a": 1, "a": 2}',
    '[{"a": 1}, [{"b": [], "b": {}}]]',
    '{"a": "\\":", "a": 1}',
    '{"a\\"": 1, "a\\"": 2}',
    '{"x": "\\\\", "a": 1, "a": 2}',
    '{"a\\u0041": 1, "aA": 2}',
    '{"q": "say \\"hi\\"", "k": [{"v": "\\n"}, {"v": 1, "v": 2}]}',
]

# Texts without one.
UNIQUE = [
    "{}",
    "[]",
    '{"a": "1:2", "b": [{"c:": 3, "d": null}, {"c:": 4.5, "d": true}]}',
    '{"items": [{"k": "x", "t": "2026-01-01T10:00:00Z"}], "deps": [{"f": "a", "t": "b"}]}',
    '{"a": [[{"b": 1}], {"c": {"d": []}}]}',
    '{"": 1, "b": "a:"}',
    '{"a": "\\u0041", "b": 1}',
    '{"a" : 1, "b": 2}',
    '{"a": ":x", "b": "x\\":y"}',
    '{"q": "say \\"hi\\"", "k\\\\": [{"v": "\\n\\t"}, {"w": "\\u00e9"}]}',
]


@pytest.mark.parametrize("text", DUPLICATES)
def test_the_strict_reader_still_refuses_every_duplicate_key(text: str) -> None:
    with pytest.raises(ValidationError, match="twice"):
        parse_json_text(text, source="p.json")


@pytest.mark.parametrize("text", UNIQUE)
def test_texts_without_a_duplicate_key_are_read(text: str) -> None:
    assert parse_json_text(text) == json.loads(text)


@pytest.mark.parametrize("ascii_only", [False, True])
def test_an_indented_workspace_document_is_read(ascii_only: bool) -> None:
    """Also with quotes, back slashes and escaped accents in its texts."""
    doc = document()
    doc["work_items"][0]["title"] = 'Refund "API" \\ café: v2'
    text = json.dumps(doc, indent=2, ensure_ascii=ascii_only)
    assert parse_json_text(text) == doc
