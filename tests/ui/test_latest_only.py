"""Previews that answer only their latest request, and nothing after their owner is gone."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject

from relplan.ui.analysis import LatestOnly


class _Session:
    """Keeps each read's callbacks, to answer them when the test says."""

    closed = False

    def __init__(self) -> None:
        self.reads: list[tuple[Callable[[Any], None], Callable[[BaseException], None]]] = []

    def read(self, _load: Any, done: Callable[[Any], None], error: Callable[[Any], None]) -> None:
        self.reads.append((done, error))


class _Preview(LatestOnly):
    def request(self) -> None:
        self._run(lambda ws: ws)


def test_only_the_latest_request_is_answered(qapp: Any) -> None:
    session = _Session()
    preview = _Preview(session)  # type: ignore[arg-type]
    got: list[object] = []
    preview.computed.connect(got.append)
    preview.request()
    preview.request()
    session.reads[0][0]("stale")
    session.reads[1][0]("latest")
    assert got == ["latest"]
    preview.request()
    preview.cancel()
    session.reads[2][0]("after cancel")
    assert got == ["latest"]


def test_an_answer_after_the_owner_closed_is_dropped(qapp: Any) -> None:
    session = _Session()
    owner = QObject()
    preview = _Preview(session, parent=owner)  # type: ignore[arg-type]
    preview.request()
    preview.request()
    shiboken6.delete(owner)  # the window closed, and the preview with it
    assert not shiboken6.isValid(preview)
    session.reads[1][0]("late result")  # raised "Signal source has been deleted" before
    session.reads[1][1](RuntimeError("late failure"))
