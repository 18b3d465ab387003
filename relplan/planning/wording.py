"""Words for people: counted nouns and verdicts, spelled one way in every table and message.

The command line, the reports and the window use these helpers, so that "1 release moved",
"140 dependencies" and "at risk" read the same wherever they appear. JSON output keeps the codes
(``at_risk``, ``work_item``); only text meant for people goes through here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final

__all__ = [
    "VERDICT_WORDS",
    "count",
    "counts",
    "noun",
    "path_words",
    "plural",
    "verdict_words",
]

#: How each readiness verdict code reads in a table or a sentence.
VERDICT_WORDS: Final[Mapping[str, str]] = {
    "ready": "ready",
    "on_track": "on track",
    "at_risk": "at risk",
    "late": "late",
    "released": "released",
    "cancelled": "cancelled",
}

#: Plurals that the rules of :func:`plural` do not make.
_IRREGULAR: Final[Mapping[str, str]] = {"person": "people", "child": "children"}


def noun(code: str) -> str:
    """An entity or field code as a noun: ``work_item`` -> ``work item``."""
    return code.replace("_", " ")


def plural(word: str) -> str:
    """The plural of an English noun (the last word of a phrase is the one that changes).

    Examples:
        >>> [plural(w) for w in ("release", "dependency", "freeze", "day", "match", "work item")]
        ['releases', 'dependencies', 'freezes', 'days', 'matches', 'work items']
    """
    head, _, last = word.rpartition(" ")
    lower = last.lower()
    if lower in _IRREGULAR:
        many = _IRREGULAR[lower]
    elif lower.endswith("y") and len(lower) > 1 and lower[-2] not in "aeiou":
        many = last[:-1] + "ies"
    elif lower.endswith(("s", "x", "z", "ch", "sh")):
        many = last + "es"
    else:
        many = last + "s"
    return f"{head} {many}" if head else many


def count(number: int, word: str) -> str:
    """A number with its noun, singular for one: ``1 release``, ``2 releases``, ``0 freezes``.

    ``word`` may be a code (``work_item``); it is spelled as a noun. Numbers of 1,000 and more
    get thousands separators.

    Examples:
        >>> count(1, "release"), count(140, "dependency"), count(1200, "work_item")
        ('1 release', '140 dependencies', '1,200 work items')
    """
    text = noun(word)
    return f"{number:,} {text if number == 1 else plural(text)}"


def counts(numbers: Mapping[str, int] | Iterable[tuple[str, int]]) -> str:
    """Counted nouns joined with commas, in the order given; zeros are left out.

    Examples:
        >>> counts({"dependency": 140, "deployment": 407, "freeze": 1, "team": 0})
        '140 dependencies, 407 deployments, 1 freeze'
    """
    pairs = numbers.items() if isinstance(numbers, Mapping) else numbers
    return ", ".join(count(n, word) for word, n in pairs if n)


def verdict_words(code: str) -> str:
    """A readiness verdict for people: ``at_risk`` -> ``at risk`` (unknown codes: as a noun)."""
    return VERDICT_WORDS.get(code, noun(code))


def path_words(keys: Iterable[str], *, limit: int = 6, arrow: str = " → ") -> str:
    """A chain of keys in one short line: the ends kept, the middle counted.

    A large plan's critical path runs through dozens of releases; a header or status line
    shows its first and last few and says how many lie between.

    >>> path_words(["A", "B", "C"])
    'A → B → C'
    >>> path_words([f"R{n}" for n in range(1, 11)], limit=4)
    'R1 → R2 → … 6 more … → R9 → R10'

    Args:
        keys: The chain, in order.
        limit: At most this many keys are named (at least 2).
        arrow: What joins them.

    Returns:
        The keys joined by ``arrow``, with ``… N more …`` in place of the middle when there are
        more than ``limit``.
    """
    chain = list(keys)
    limit = max(limit, 2)
    if len(chain) <= limit:
        return arrow.join(chain)
    head, tail = chain[: (limit + 1) // 2], chain[len(chain) - limit // 2 :]
    hidden = len(chain) - len(head) - len(tail)
    return arrow.join([*head, f"… {hidden} more …", *tail])
