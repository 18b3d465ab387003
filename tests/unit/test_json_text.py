"""The command line's JSON writer gives exactly the text of ``json.dumps(indent=2)`` (issue 12)."""

from __future__ import annotations

import enum
import json
import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from relplan.cli.json_text import dumps_indented

LEAVES = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text()
)
KEYS = st.text() | st.integers() | st.booleans() | st.none() | st.floats(allow_nan=False)
VALUES = st.recursive(
    LEAVES,
    lambda children: (
        st.lists(children, max_size=4)
        | st.tuples(children, children)
        | st.dictionaries(KEYS, children, max_size=4)
    ),
    max_leaves=30,
)


@given(VALUES)
def test_any_json_value_gives_the_text_of_json_dumps(value: Any) -> None:
    assert dumps_indented(value) == json.dumps(value, indent=2, ensure_ascii=False)


class Level(enum.IntEnum):
    LOW = 1


class Name(str):
    pass


@pytest.mark.parametrize(
    "value",
    [
        {"level": Level.LOW, "name": Name("é\n\u2028"), "x": -0.0, "inf": math.inf},
        [[], {}, [[]], {"a": {}}],
        {"nested": [{"deep": [1, [2, [3]]]}]},
    ],
)
def test_subclasses_and_empty_containers_are_written_as_json_dumps_writes_them(
    value: Any,
) -> None:
    assert dumps_indented(value) == json.dumps(value, indent=2, ensure_ascii=False)


def test_a_value_json_cannot_write_fails_as_json_dumps_fails() -> None:
    with pytest.raises(TypeError, match="not JSON serializable"):
        dumps_indented({"when": object()})
