"""Test policy shared by every test: offscreen Qt, isolated user folders."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from relplan.formats.workspace_json import parse_workspace
from relplan.store.workspace import Workspace

# Set before any test module imports Qt.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _isolated_user_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keep settings and default workspaces out of the real home folder."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark tests that use Qt fixtures as ``gui``."""
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        if "qtbot" in fixtures or "qapp" in fixtures:
            item.add_marker(pytest.mark.gui)


@pytest.fixture
def plan_ws(tmp_path: Path) -> Iterator[Callable[[dict[str, Any]], Workspace]]:
    """Make workspaces from workspace JSON documents (tests/helpers/plans.py)."""
    opened: list[Workspace] = []

    def make(document: dict[str, Any]) -> Workspace:
        ws = Workspace.open(tmp_path / f"plan{len(opened)}.relplan")
        ws.import_plan(parse_workspace(document), replace=True, label="Test plan")
        opened.append(ws)
        return ws

    yield make
    for ws in opened:
        ws.close()
