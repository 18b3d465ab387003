"""When to retry a request and how long to wait first: a pure policy (Picard ``ratecontrol``)."""

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


class SlowDown:
    """A pause shared by every worker of one client: a 429 (or 503) that names a wait makes all
    of them wait, not only the one that was refused, so parallel writers back off together
    instead of each spending its own retries against a server that already said "slow down".

    Args:
        clock: a monotonic clock in seconds (injectable for tests).
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._until = 0.0
        self.pauses = 0

    def hold(self, seconds: float) -> None:
        """Ask every worker to wait ``seconds`` from now (the longest request wins)."""
        with self._lock:
            until = self._clock() + max(0.0, seconds)
            if until > self._until:
                self._until = until
                self.pauses += 1

    def remaining(self) -> float:
        """Seconds still to wait before the next request (0 when free to go).

        Examples:
            >>> now = [100.0]
            >>> gate = SlowDown(lambda: now[0])
            >>> gate.hold(3.0); gate.hold(1.0)
            >>> now[0] = 101.0
            >>> gate.remaining()
            2.0
        """
        with self._lock:
            return max(0.0, self._until - self._clock())
