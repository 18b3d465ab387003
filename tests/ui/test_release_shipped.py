"""The release editor's Shipped tab on the demo workspace with pulled deployments (issue #15)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QTreeWidgetItem

from relplan.metrics.delivery import PulledCommit, PulledDeployment, PulledIncident
from relplan.store import delivery
from relplan.store.deployment_links import load_link
from relplan.store.workspace import Workspace
from relplan.ui.dialogs.release_shipped import ShippedPanel
from relplan.ui.main_window import MainWindow
from relplan.ui.tasks import SyncTaskRunner
from tests.ui.conftest import make_window

PAY = "PAY-2026.11"  # Production window 2026-11-11..12; items PAY-450, PAY-451 ...


def t(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def pulled(ws: Workspace) -> None:
    """Two environments, an explicit and an inferred link, commits naming items, incidents."""
    commits = (
        PulledCommit("a" * 40, t("2026-11-09T09:00:00+00:00"), "PAY-450: refunds in batches"),
        PulledCommit("b" * 40, t("2026-11-09T11:00:00+00:00"), "PAY-451 and PAY-453 retry"),
        PulledCommit("c" * 40, t("2026-11-10T08:00:00+00:00"), "tidy the build"),
    )

    def dep(n: int, env: str, when: str, ref: str, release: str, link: str) -> PulledDeployment:
        return PulledDeployment(
            "gh", "github", str(n), env, env == "production", f"{n:040x}", ref, ("success",),
            t(when), commits=commits, team="PAY", release=release, link=link,
            url=f"https://github.example/pay/deployments/{n}",
        )  # fmt: skip

    with ws.write():
        delivery.save_deployments(
            ws.conn,
            [
                dep(11, "staging", "2026-11-10T15:00:00+00:00", "v/PAY-2026.11-rc1", PAY,
                    "explicit"),
                dep(12, "production", "2026-11-11T10:00:00+00:00", "main", PAY, "inferred"),
            ],
        )  # fmt: skip
        delivery.save_incidents(
            ws.conn,
            [
                PulledIncident("pd", "P1", ("INC-9",), t("2026-11-11T12:00:00+00:00"),
                               t("2026-11-11T13:30:00+00:00"), team="PAY",
                               text="errors after " + f"{12:040x}"[:12]),
                PulledIncident("pd", "P2", ("INC-10",), t("2026-11-11T18:00:00+00:00"),
                               team="PAY", text="slow pages"),
            ],
        )  # fmt: skip


def _open(qtbot: Any, window: MainWindow) -> ShippedPanel:
    window.open_release_editor(PAY)
    qtbot.waitUntil(lambda: window.editors.release_editor is not None)
    dialog = window.editors.release_editor
    assert dialog is not None
    panel = dialog.findChild(ShippedPanel, "shipped-panel")
    assert panel is not None
    qtbot.waitUntil(lambda: panel.trace is not None)
    dialog.tabs.setCurrentWidget(panel)
    return panel


def _texts(item: QTreeWidgetItem) -> list[str]:
    return [item.text(c) for c in range(4)]


def test_shipped_tab_shows_the_chain_and_confirms_an_inferred_link_undoably(
    qtbot: Any, demo_ws: Workspace, tmp_path: Path
) -> None:
    pulled(demo_ws)
    window = make_window(qtbot, demo_ws, SyncTaskRunner())
    panel = _open(qtbot, window)
    tree = panel.tree
    envs = [tree.topLevelItem(i).text(0) for i in range(tree.topLevelItemCount())]
    assert envs == ["staging", "production", "Incidents"]
    production = tree.topLevelItem(1)
    deployment = production.child(0)
    assert _texts(deployment)[:2] == ["gh:12 main", "succeeded"]
    assert deployment.text(3) == "inferred"
    # Its commits, with the work items their messages name.
    assert [deployment.child(i).text(3) for i in range(3)] == [
        "PAY-450",
        "PAY-451, PAY-453",
        "",
    ]
    incidents = tree.topLevelItem(2)
    assert [_texts(incidents.child(i))[::3] for i in range(2)] == [
        ["INC-9 on gh:12", "named"],
        ["INC-10 on gh:12", "suggested: not counted"],
    ]
    assert "1 only inferred" in panel.summary.text()
    if os.environ.get("RELPLAN_SHOTS"):
        panel.window().resize(900, 560)
        panel.window().grab().save(str(Path(os.environ["RELPLAN_SHOTS"]) / "shipped-tab.png"))

    # The explicit link cannot be "confirmed"; the inferred one can, as one undoable change.
    tree.setCurrentItem(tree.topLevelItem(0).child(0))
    assert not panel.confirm_button.isEnabled()
    tree.setCurrentItem(deployment)
    assert panel.confirm_button.isEnabled()
    panel.confirm_button.click()
    qtbot.waitUntil(lambda: window.runner.idle)
    link = load_link(demo_ws.conn, "gh", "12")
    assert link is not None
    assert (link.release, link.link) == (PAY, "override")
    qtbot.waitUntil(lambda: panel.tree.topLevelItem(1).child(0).text(3) == "override")
    assert window.undo_action.text() == f"&Undo Link deployment gh:12 to {PAY}"
    window.undo_action.trigger()
    qtbot.waitUntil(lambda: window.runner.idle)
    link = load_link(demo_ws.conn, "gh", "12")
    assert link is not None
    assert (link.release, link.link) == (PAY, "inferred")


def test_not_this_release_unlinks_the_deployment(qtbot: Any, demo_ws: Workspace) -> None:
    pulled(demo_ws)
    window = make_window(qtbot, demo_ws, SyncTaskRunner())
    panel = _open(qtbot, window)
    panel.tree.setCurrentItem(panel.tree.topLevelItem(1).child(0))
    panel.unlink_button.click()
    qtbot.waitUntil(lambda: window.runner.idle)
    link = load_link(demo_ws.conn, "gh", "12")
    assert link is not None
    assert (link.release, link.link) == (None, "override")
    # Production is gone from the release, and with it the incidents of that deployment.
    qtbot.waitUntil(lambda: panel.tree.topLevelItemCount() == 1)
    assert panel.tree.topLevelItem(0).text(0) == "staging"
