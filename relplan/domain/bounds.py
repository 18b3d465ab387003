"""The sane bounds of every value a workspace holds, defined once for every entry point.

A value outside these bounds is rejected where it enters (workspace JSON, ICS, deployments CSV,
tracker sync, the editors), with one line saying what and where, so that whatever was accepted
can be analysed and exported later. The limits are generous for planning and small enough for
every calendar program, SQLite's 64-bit integers and the analyses' date arithmetic:

- days: 1900-01-01 .. 2199-12-31; times: the same range, always with an offset;
- dependency lags: -3650 .. 3650 days; environment capacity: 1 .. 1000; order: -10000 .. 10000;
- story points: 0 .. 100000;
- recurrence rules: ``FREQ`` DAILY, WEEKLY, MONTHLY or YEARLY (no finer), ``INTERVAL`` 1 .. 1000,
  ``COUNT`` 1 .. 10000, at most 500 characters; expansion is capped per analysis range;
- keys (teams, trains, releases, work items): see :data:`KEY_RULE`;
- names and titles: at most 255 characters (as Jira and Azure Boards allow), other texts
  (comments) 2000; no control characters in keys and names.

Each ``*_problem`` function returns None when the value is fine, else one line without the place
(the caller knows the place).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Final

MIN_DAY: Final = dt.date(1900, 1, 1)
MAX_DAY: Final = dt.date(2199, 12, 31)
MIN_TIME: Final = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
MAX_TIME: Final = dt.datetime(2199, 12, 31, 23, 59, 59, tzinfo=dt.UTC)
MAX_LAG_DAYS: Final = 3650
MAX_CAPACITY: Final = 1000
MAX_ORDER: Final = 10_000
MAX_POINTS: Final = 100_000
MAX_KEY_LENGTH: Final = 100
MAX_NAME_LENGTH: Final = 255
MAX_TEXT_LENGTH: Final = 2000
MAX_RULE_LENGTH: Final = 500
MAX_INTERVAL: Final = 1000
MAX_COUNT: Final = 10_000
RULE_FREQUENCIES: Final = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")

#: What a key looks like, for messages and the README.
KEY_RULE: Final = (
    "1 to 100 characters, not starting or ending with a space, without control characters, "
    "'|' or '->'"
)
_EDGE = r"[^\s|\x00-\x1f\x7f-\x9f\ud800-\udfff]"
_INNER = r"[^|\x00-\x1f\x7f-\x9f\ud800-\udfff]"
KEY_PATTERN: Final = re.compile(f"{_EDGE}(?:{_INNER}*{_EDGE})?")
CONTROL_PATTERN: Final = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
SURROGATE_PATTERN: Final = re.compile(r"[\ud800-\udfff]")


def day_problem(value: dt.date) -> str | None:
    """What is wrong with a calendar day, or None.

    Examples:
        >>> day_problem(dt.date(9999, 12, 31))
        '9999-12-31 is outside 1900-01-01..2199-12-31'
    """
    if MIN_DAY <= value <= MAX_DAY:
        return None
    return f"{value.isoformat()} is outside {MIN_DAY}..{MAX_DAY}"


def time_problem(value: dt.datetime) -> str | None:
    """What is wrong with an aware time, or None (a naive time is a problem)."""
    if value.tzinfo is None or value.utcoffset() is None:
        return f"{value.isoformat()} has no offset or Z"
    try:
        inside = MIN_TIME <= value <= MAX_TIME
    except OverflowError:
        inside = False
    if inside:
        return None
    return f"{value.isoformat()} is outside {MIN_DAY}..{MAX_DAY}"


def int_problem(value: int, low: int, high: int) -> str | None:
    """What is wrong with a whole number that must be within ``low..high``, or None."""
    if low <= value <= high:
        return None
    shown = str(value) if abs(value) < 10**15 else f"a {len(str(abs(value)))}-digit number"
    if value < low:
        return f"found {shown}, expected {low} or more (up to {high})"
    return f"found {shown}, expected at most {high} (from {low})"


def lag_problem(value: int) -> str | None:
    """What is wrong with a dependency's lag in days, or None."""
    return int_problem(value, -MAX_LAG_DAYS, MAX_LAG_DAYS)


def key_problem(value: str) -> str | None:
    """What is wrong with a key, or None.

    Examples:
        >>> key_problem("PAY-2026.11") is None
        True
        >>> key_problem("A|B")
        "'A|B' is not a valid key (1 to 100 characters, not starting or ending with a space, \
without control characters, '|' or '->')"
    """
    if len(value) <= MAX_KEY_LENGTH and KEY_PATTERN.fullmatch(value) and "->" not in value:
        return None
    return f"{echo(value)} is not a valid key ({KEY_RULE})"


def name_problem(value: str, *, limit: int = MAX_NAME_LENGTH) -> str | None:
    """What is wrong with a name or title, or None: too long or with control characters."""
    if len(value) > limit:
        return f"{len(value):,} characters, at most {limit:,} allowed"
    if CONTROL_PATTERN.search(value):
        return f"{echo(value)} holds a control character"
    return None


def text_problem(value: str) -> str | None:
    """What is wrong with a free text (a comment), or None: too long or invalid Unicode."""
    if len(value) > MAX_TEXT_LENGTH:
        return f"{len(value):,} characters, at most {MAX_TEXT_LENGTH:,} allowed"
    if SURROGATE_PATTERN.search(value):
        return "holds an invalid character (a lone UTF-16 surrogate)"
    return None


def rule_bounds_problem(rule: str) -> str | None:
    """What makes a recurrence rule too fine or unbounded, or None.

    Only the bounds are checked here; whether dateutil can read the rule is
    :func:`relplan.planning.freezes.rule_problem`'s job.

    Examples:
        >>> rule_bounds_problem("FREQ=WEEKLY;BYDAY=FR") is None
        True
        >>> rule_bounds_problem("FREQ=SECONDLY")
        'FREQ=SECONDLY is finer than daily (expected DAILY, WEEKLY, MONTHLY or YEARLY)'
        >>> rule_bounds_problem("RRULE:FREQ=DAILY;INTERVAL=-3")
        'INTERVAL=-3: expected a whole number from 1 to 1000'
    """
    if len(rule) > MAX_RULE_LENGTH:
        return f"the rule has {len(rule):,} characters, at most {MAX_RULE_LENGTH} allowed"
    if CONTROL_PATTERN.search(rule):
        return "the rule holds a control character"
    text = rule.strip()
    if text.upper().startswith("RRULE:"):
        text = text[len("RRULE:") :]
    if "FREQ=" not in text.upper():
        return f"found {echo(rule)}, expected an RFC 5545 rule with FREQ="
    parts: dict[str, str] = {}
    for part in text.split(";"):
        if not part.strip():
            continue
        name, sep, value = part.partition("=")
        name = name.strip().upper()
        if not sep:
            return f"{echo(part)} is not NAME=VALUE"
        if name in parts:
            return f"{name} appears twice"
        parts[name] = value.strip().upper()
    freq = parts.get("FREQ")
    if freq is None:
        return "the rule has no FREQ"
    if freq not in RULE_FREQUENCIES:
        return (
            f"FREQ={clip(freq, 20)} is finer than daily (expected DAILY, WEEKLY, MONTHLY or YEARLY)"
            if freq in ("HOURLY", "MINUTELY", "SECONDLY")
            else f"FREQ={clip(freq, 20)}: expected DAILY, WEEKLY, MONTHLY or YEARLY"
        )
    for name in ("BYHOUR", "BYMINUTE", "BYSECOND"):
        if name in parts:
            return f"{name} is finer than daily"
    for name, high in (("INTERVAL", MAX_INTERVAL), ("COUNT", MAX_COUNT)):
        if name in parts:
            value = parts[name]
            if not (value.isdigit() and len(value) <= 6 and 1 <= int(value) <= high):
                return f"{name}={clip(value, 20)}: expected a whole number from 1 to {high}"
    return None


def echo(value: object, limit: int = 60) -> str:
    """User input as it may appear in a message: quoted, control characters escaped, cut short.

    One helper for every message that repeats what the user gave, so that a 10 MB key or a
    binary file never floods the terminal.

    Examples:
        >>> echo("PAY-1")
        "'PAY-1'"
        >>> echo("a\\x1b[31mb")
        "'a\\\\x1b[31mb'"
        >>> len(echo("x" * 10_000)) <= 90
        True
    """
    text = value if isinstance(value, str) else repr(value)
    return f"'{clip(text, limit)}'" if isinstance(value, str) else clip(text, limit)


def clip(text: str, limit: int = 60) -> str:
    """``text`` with control characters escaped and cut to about ``limit`` characters."""
    shown = _ESCAPABLE.sub(_escape, text[: limit + 1])
    if len(text) > limit:
        return f"{shown[:limit]}… ({len(text):,} characters)"
    return shown if len(shown) <= limit else shown[:limit] + "…"


_ESCAPABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
