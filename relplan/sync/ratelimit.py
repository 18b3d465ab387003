"""When to retry a request and how long to wait first: a pure policy (Picard ``ratecontrol``),
and the pause the parallel requests of one client share when the server asks for one."""

from __future__ import annotations

import datetime as dt
import email.utils
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

#: Statuses worth another try: rate limits and passing server trouble.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


def parse_retry_after(value: str | None, now: dt.datetime) -> float | None:
    """The seconds a ``Retry-After`` header asks for (delta seconds or an HTTP date).

    Examples:
        >>> parse_retry_after("7", dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
        7.0
        >>> new_year = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        >>> parse_retry_after("Thu, 01 Jan 2026 00:00:05 GMT", new_year)
        5.0
        >>> parse_retry_after("soon", dt.datetime(2026, 1, 1, tzinfo=dt.UTC)) is None
        True
    """
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - now).total_seconds())


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Bounded retries with exponential back-off and jitter, honouring ``Retry-After``.

    Attributes:
        max_retries: retries after the first try (so at most ``max_retries + 1`` tries).
        base_delay_s: the first back-off without a ``Retry-After``; it doubles per retry.
        max_delay_s: the longest wait; a ``Retry-After`` beyond it ends the retries at once.
    """

    max_retries: int = 4
    base_delay_s: float = 0.5
    max_delay_s: float = 60.0

    def should_retry(self, status: int) -> bool:
        """Whether a response with ``status`` is worth another try."""
        return status in RETRY_STATUSES

    def delay(self, attempt: int, retry_after_s: float | None, jitter: float) -> float | None:
        """How long to wait before retry number ``attempt + 1``; None: give up.

        Args:
            attempt: retries made so far (0 before the first retry).
            retry_after_s: what the server asked for, if anything.
            jitter: a number in [0, 1) that spreads the back-offs of parallel requests.

        Examples:
            >>> RetryPolicy(max_retries=2).delay(0, 3.0, 0.5)
            3.0
            >>> RetryPolicy(max_retries=2).delay(2, 3.0, 0.5) is None
            True
            >>> RetryPolicy(base_delay_s=1.0).delay(2, None, 0.0)
            2.0
        """
        if attempt >= self.max_retries:
            return None
        if retry_after_s is not None:
            return retry_after_s if retry_after_s <= self.max_delay_s else None
        backoff = min(self.max_delay_s, self.base_delay_s * 2.0**attempt)
        # Between half and all of the back-off, so parallel requests do not retry in step.
        return backoff * (0.5 + jitter / 2)


class SharedPause:
    """A pause every thread of one client keeps: a 429 (or 503) with ``Retry-After`` holds back
    all of its requests until then, not only the refused one, so parallel workers do not keep
    hitting a server that asked them to wait.

    Args:
        clock: Seconds, monotonic (tests pass their own).

    Examples:
        >>> now = [100.0]
        >>> pause = SharedPause(lambda: now[0])
        >>> pause.hold(3.0); pause.hold(1.0); pause.remaining()
        3.0
        >>> now[0] = 102.5; pause.remaining()
        0.5
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._until = 0.0

    def hold(self, seconds: float) -> None:
        """Pause every request for ``seconds`` from now (a longer pause already set stays)."""
        until = self._clock() + seconds
        with self._lock:
            self._until = max(self._until, until)

    def remaining(self) -> float:
        """Seconds left of the pause (0: none)."""
        with self._lock:
            until = self._until
        return max(0.0, until - self._clock())
