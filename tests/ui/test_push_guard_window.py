"""Sync → Push Changes… pushes exactly what it previewed (#14): an edit made while the preview
is open is not pushed unseen; the dialog says so and previews again."""

from __future__ import annotations

import datetime as dt
from typing import Any

from relplan.store.workspace import Workspace
from relplan.ui.main_window import MainWindow
from tests.helpers.fake_jira import FakeJira
from tests.helpers.memory_keyring import memory_keyring_fixture  # noqa: F401
from tests.ui.test_push_window import confirm, edit, open_preview, rows, version, writes
from tests.ui.test_push_window import fake as fake
from tests.ui.test_push_window import win as win


def test_an_edit_while_the_preview_is_open_is_previewed_again_not_pushed(
    qtbot: Any, fake: FakeJira, demo_ws: Workspace, win: MainWindow
) -> None:
    edit(demo_ws, "release", "EE-v9.0", target=dt.date(2026, 7, 10))
    dialog = open_preview(qtbot, win)
    assert [r[1:5] for r in rows(dialog)] == [
        ("version v9.0", "releaseDate", "2026-07-01", "2026-07-10")
    ]
    # Edited in the window while the preview is open: a new value and a new change.
    win.session.edit_release("EE-v9.0", {"target": dt.date(2026, 7, 12)})
    qtbot.waitUntil(lambda: win.runner.idle)
    edit(demo_ws, "work_item", "EE-2", release="EE-v9.1")
    with qtbot.waitSignal(dialog.previewed, timeout=20000):
        dialog.push_button.click()
    qtbot.waitUntil(lambda: win.runner.idle)
    assert writes(fake) == []
    assert version(fake, "v9.0")["releaseDate"] == "2026-07-01"
    assert dialog.status.text().startswith(
        "Not pushed: the plan changed since the preview (jira): nothing was written; review the "
        "new preview, then push."
    )
    assert rows(dialog) == [
        ("jira", "version v9.0", "releaseDate", "2026-07-01", "2026-07-12", "to push"),
        ("jira", "issue EE-2", "fixVersions", "EE-v9.0", "EE-v9.1", "to push"),
    ]
    assert dialog.push_button.text() == "Push 2 Changes"
    confirm(qtbot, win, dialog)
    assert [r[-1] for r in rows(dialog)] == ["written", "written"]
    assert version(fake, "v9.0")["releaseDate"] == "2026-07-12"
