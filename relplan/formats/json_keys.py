"""Proving that a parsed JSON text had no object with a key twice, without a hook per object.

``json.loads`` keeps the last of two equal keys silently; the strict reader therefore parses with
an ``object_pairs_hook``, which makes the C parser build a list of pairs and call back into
Python for each of the 290,000 objects of a large plan (about 0.4 s of a 0.8 s parse). This
module lets the plain, fast parse stand when it can prove there was nothing to refuse:

In JSON, a key is a string followed, after optional white space, by a colon. When no ``"`` of
the text is followed by white space and then a colon, every key written is a closing quote right
before its colon: one occurrence of ``":`` each. Other occurrences are possible (a string that
begins with a colon, an escaped quote before a colon inside a string), missing ones are not; so

    count of '":' >= keys written >= keys kept + keys dropped,

with equality throughout only when no key was dropped (a dropped key also drops whatever objects
its value held, which only widens the gap). Escapes do not matter: an escaped quote can only add
occurrences, and ``\u0022`` is no quote in the text. :func:`keys_unique` checks that equality;
False means "not proven", and the caller parses again with the strict hook, which finds and
names the key (or finds none, when a space before a colon or an extra ``":`` was all that stood
in the way).
"""

from __future__ import annotations

import re
from itertools import chain
from typing import Any

#: Types of the values a JSON parser gives that are not containers.
_SCALARS = frozenset((str, int, float, bool, type(None)))
#: A quote, white space, then a colon: a key written as ``"key" :`` (or a string like ``" :"``).
_SPACE_BEFORE_COLON = re.compile(r'"[ \t\n\r]+:').search


def keys_unique(text: str, document: Any) -> bool:
    """Whether ``document`` (``json.loads(text)``) is proven to have lost no duplicate key.

    Args:
        text: The JSON text.
        document: What ``json.loads`` made of it.

    Returns:
        True when no object of the text has a key twice; False when that is not proven.

    Examples:
        >>> import json
        >>> text = '{"a": "1:2", "b": [{"c:": 3}]}'
        >>> keys_unique(text, json.loads(text))
        True
        >>> text = '{"a": 1, "a": 2}'
        >>> keys_unique(text, json.loads(text))
        False
    """
    if _SPACE_BEFORE_COLON(text):
        return False
    return text.count('":') == _keys(document)


def _keys(document: Any) -> int:
    """How many keys the objects of a parsed JSON value hold, all levels."""
    keys = 0
    stack = [document]
    while stack:
        value = stack.pop()
        if type(value) is dict:
            keys += len(value)
            stack.extend(v for v in value.values() if type(v) is dict or type(v) is list)
        elif type(value) is list:
            flat = _flat_objects(value)
            if flat is None:
                stack.extend(v for v in value if type(v) is dict or type(v) is list)
            else:
                keys += flat
    return keys


def _flat_objects(value: list[Any]) -> int | None:
    """:func:`_keys` of a list of objects whose values are all scalars, at C speed (a large
    plan's work items and dependencies); None for any other list."""
    if not value or not all(type(v) is dict for v in value):
        return None
    if not set(map(type, chain.from_iterable(map(dict.values, value)))) <= _SCALARS:
        return None
    return sum(map(len, value))
