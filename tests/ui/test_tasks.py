"""The task runner: DB lane order and thread, delivery on the main thread, shutdown."""

from __future__ import annotations

import functools
import gc
import sys
import threading
import time
from typing import Any

import pytest

from relplan.ui import tasks
from relplan.ui.tasks import SyncTaskRunner, TaskRunner


def test_db_lane_runs_in_order_on_one_worker_thread(qtbot: Any, runner: TaskRunner) -> None:
    ran: list[tuple[int, str]] = []
    delivered: list[tuple[int, str]] = []

    def work(i: int) -> int:
        ran.append((i, threading.current_thread().name))
        time.sleep(0.001 * (5 - i))  # later tasks are quicker; order must hold anyway
        return i

    def record(value: int) -> None:
        delivered.append((value, threading.current_thread().name))

    for i in range(5):
        runner.submit(functools.partial(work, i), on_done=record)
    qtbot.waitUntil(lambda: runner.idle)
    assert [i for i, _ in ran] == [0, 1, 2, 3, 4]
    assert {name for _, name in ran} == {"relplan-db"}
    assert delivered == [(i, threading.main_thread().name) for i in range(5)]


def test_errors_reach_on_error_on_the_main_thread(qtbot: Any, runner: TaskRunner) -> None:
    errors: list[tuple[BaseException, bool]] = []

    def fail() -> None:
        raise KeyError("boom")

    runner.submit(
        fail,
        on_done=lambda _: pytest.fail("on_done called for a failed task"),
        on_error=lambda exc: errors.append(
            (exc, threading.current_thread() is threading.main_thread())
        ),
    )
    qtbot.waitUntil(lambda: runner.idle)
    assert len(errors) == 1
    assert isinstance(errors[0][0], KeyError)
    assert errors[0][1]


def test_default_error_handler_is_used(qtbot: Any, runner: TaskRunner) -> None:
    seen: list[BaseException] = []
    runner.set_error_handler(seen.append)
    runner.submit(lambda: 1 / 0)
    qtbot.waitUntil(lambda: runner.idle)
    assert isinstance(seen[0], ZeroDivisionError)


def test_network_lane_runs_off_the_main_thread(qtbot: Any, runner: TaskRunner) -> None:
    names: list[str] = []
    for _ in range(3):
        runner.submit(lambda: threading.current_thread().name, lane="net", on_done=names.append)
    qtbot.waitUntil(lambda: runner.idle)
    assert len(names) == 3
    assert threading.main_thread().name not in names
    with pytest.raises(ValueError, match="unknown lane"):
        runner.submit(lambda: None, lane="disk")  # type: ignore[arg-type]


def test_busy_changed_brackets_the_work(qtbot: Any, runner: TaskRunner) -> None:
    states: list[bool] = []
    runner.busy_changed.connect(states.append)
    gate = threading.Event()
    runner.submit(gate.wait)
    runner.submit(lambda: None, on_done=lambda _: runner.submit(lambda: None))
    assert runner.pending == 2
    gate.set()
    qtbot.waitUntil(lambda: runner.idle)
    # A task submitted from a callback keeps the runner busy: no False in between.
    assert states == [True, False]


def test_shutdown_finishes_queued_writes_then_refuses(qapp: Any) -> None:
    task_runner = TaskRunner()
    done: list[int] = []

    def write(i: int) -> None:
        time.sleep(0.01)
        done.append(i)

    for i in range(3):
        task_runner.submit(functools.partial(write, i))
    assert task_runner.shutdown(5000)
    assert done == [0, 1, 2]
    with pytest.raises(RuntimeError, match="shut down"):
        task_runner.submit(lambda: None)


def test_sync_runner_runs_inline(qapp: Any) -> None:
    task_runner = SyncTaskRunner()
    results: list[Any] = []
    task_runner.submit(lambda: 42, on_done=results.append)
    task_runner.submit(lambda: int("x"), on_error=results.append)
    assert results[0] == 42
    assert isinstance(results[1], ValueError)
    assert task_runner.idle
    assert task_runner.shutdown()
    with pytest.raises(RuntimeError):
        task_runner.submit(lambda: None)


def test_the_runner_lets_the_window_thread_take_the_gil_back_quickly(
    qapp: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Python's default (5 ms) made each Python paint callback wait behind a busy worker.
    monkeypatch.setattr(sys, "getswitchinterval", lambda: 0.005)
    chosen: list[float] = []
    monkeypatch.setattr(sys, "setswitchinterval", chosen.append)
    task_runner = TaskRunner()
    try:
        assert chosen == [tasks.SWITCH_INTERVAL]
        assert tasks.SWITCH_INTERVAL <= 0.001
    finally:
        assert task_runner.shutdown(5000)


def test_the_runner_makes_full_gc_collections_rarer(
    qapp: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # CPython's default (a full collection every 10 young ones) held the GIL 20-70 ms at a time,
    # many times per re-analysis on a large plan; the window's own thresholds are kept.
    monkeypatch.setattr(gc, "get_threshold", lambda: (700, 10, 10))
    chosen: list[tuple[int, ...]] = []
    monkeypatch.setattr(gc, "set_threshold", lambda *t: chosen.append(t))
    task_runner = TaskRunner()
    try:
        assert chosen == [(700, 10, tasks.FULL_GC_EVERY)]
        assert tasks.FULL_GC_EVERY > 10
    finally:
        assert task_runner.shutdown(5000)
