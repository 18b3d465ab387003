"""Fetching pages in parallel, with shared progress and cancellation."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from typing import TypeVar

from relplan.sync.tracker import CancelToken, Progress, ProgressFn

T = TypeVar("T")
R = TypeVar("R")


class Counter:
    """Counts pages and items across threads and reports each step to ``progress``."""

    def __init__(self, progress: ProgressFn, connection: str) -> None:
        self._progress = progress
        self._connection = connection
        self._lock = threading.Lock()
        self.pages = 0
        self.items = 0
        self.phase = "start"
        self.total: int | None = None

    def start(self, phase: str, total: int | None = None) -> None:
        """Begin a phase (the counts go on)."""
        with self._lock:
            self.phase = phase
            self.total = total
            report = Progress(self._connection, phase, self.pages, self.items, total)
        self._progress(report)

    def add(self, *, pages: int = 1, items: int = 0) -> None:
        """Count a page and the items it brought."""
        with self._lock:
            self.pages += pages
            self.items += items
            report = Progress(self._connection, self.phase, self.pages, self.items, self.total)
        self._progress(report)


def run_all(
    fn: Callable[[T], R], args: Iterable[T], *, workers: int, cancel: CancelToken
) -> list[R]:
    """``[fn(a) for a in args]``, run on up to ``workers`` threads, results in order.

    The first failure (or cancellation) stops the tasks not yet started and is raised.
    """
    todo = list(args)
    if len(todo) <= 1 or workers <= 1:
        results = []
        for a in todo:
            cancel.raise_if_cancelled()
            results.append(fn(a))
        return results
    with ThreadPoolExecutor(max_workers=min(workers, len(todo))) as pool:
        futures: list[Future[R]] = [pool.submit(fn, a) for a in todo]
        done, _pending = wait(futures, return_when=FIRST_EXCEPTION)
        failed = next((f for f in futures if f in done and f.exception() is not None), None)
        if failed is not None:
            for f in futures:
                f.cancel()
            error = failed.exception()
            assert error is not None
            raise error
        return [f.result() for f in futures]
