"""Render Sync → Push Changes… and Sync → Conflicts… offscreen, on the small demo plus a synced
fake Jira Cloud project (push on) and a fake Azure Boards one (push off).

Writes ``push-preview.png`` (the preview), ``push-result.png`` (after Push, with one remote
change made while the preview was open), ``conflicts.png`` (the Conflicts panel) and
``sync-menu.png`` (the Sync menu with its badge) to ``--out``. Settings, keyring and workspace
are temporary: the user's own are never touched.

    python scripts/screenshot_push.py [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()))
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    home = Path(tempfile.mkdtemp(prefix="relplan-push-shot-"))
    os.environ["XDG_CONFIG_HOME"] = str(home / "config")
    os.environ["XDG_DATA_HOME"] = str(home / "data")
    import keyring
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from relplan.demo import generate
    from relplan.formats.workspace_json import parse_workspace
    from relplan.store import sync_state
    from relplan.store.commands import Command, Edit
    from relplan.store.entities import TABLES
    from relplan.store.workspace import Workspace
    from relplan.sync import engine, push
    from relplan.sync.credentials import KeyringStore
    from relplan.sync.tracker import ConnectionConfig
    from relplan.ui.main_window import MainWindow
    from relplan.ui.session import WorkspaceSession
    from relplan.ui.sync_actions import ConnectionChanges, store_connections
    from relplan.ui.tasks import TaskRunner
    from tests.helpers.fake_azure import FakeAzure
    from tests.helpers.fake_jira import FakeJira
    from tests.helpers.memory_keyring import MemoryKeyring

    keyring.set_keyring(MemoryKeyring())
    for fmt in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(home / "qsettings"))
    app = QApplication(sys.argv[:1])
    today = dt.date(2026, 6, 1)
    ws = Workspace.open(home / "demo.relplan")
    ws.import_plan(parse_workspace(generate("small", seed=1, today=today)), label="Demo")
    args.out.mkdir(parents=True, exist_ok=True)

    def edit(entity: str, key: str, **changes: object) -> None:
        before = TABLES[entity].load(ws.conn, [key])[key]
        after = replace(before, **changes)
        with ws.write():
            ws.execute(Command(f"Edit {key}", (Edit(entity, key, before, after),)))

    def wait(done: object) -> None:
        while not done():  # type: ignore[operator]
            app.processEvents()

    with FakeJira() as jira, FakeAzure() as ado:
        jira.add_project("EE", "Engine")
        jira.add_version("EE", "v9.0", start="2026-06-01", release="2026-07-01")
        jira.add_version("EE", "v9.1", start="2026-07-02", release="2026-08-01")
        for n in range(1, 7):
            jira.add_issue(f"EE-{n}", f"Ledger step {n}", version="v9.0", points=3)
        ado.add_iteration("Sprint 1", "2026-06-01", "2026-06-12", "current")
        ado.add_iteration("Sprint 2", "2026-06-15", "2026-06-26", "future")
        ado.add_item("Checkout", iteration="Sprint 1", area="Web", points=5)
        jira_config = ConnectionConfig(
            "jira", "jira_cloud", jira.url, user=jira.email, jql="project = EE"
        )
        ado_config = ConnectionConfig(
            "ado", "azure_boards", ado.url, project=ado.project, team=ado.team,
            wiql="[System.State] <> 'Removed'",
        )  # fmt: skip
        store_connections(
            ws,
            ConnectionChanges([(jira_config, jira.token), (ado_config, ado.pat)], []),
            KeyringStore(),
        )
        for name in ("jira", "ado"):
            engine.run_sync(ws, name, KeyringStore())
        push.set_push(ws, "jira", True)
        edit("release", "EE-v9.0", target=dt.date(2026, 7, 10), start=dt.date(2026, 6, 3))
        edit("work_item", "EE-2", release="EE-v9.1")
        edit("work_item", "EE-5", release="EE-v9.1")
        # The Azure item moves to Sprint 2 too; push is off there, so the preview says how to
        # turn it on.
        ado_keys = {(x.entity, x.source_key): x.key for x in sync_state.sources(ws.conn, "ado")}
        item = next(k for (entity, _), k in ado_keys.items() if entity == "work_item")
        edit("work_item", item, release=ado_keys[("release", "Fabrikam\\Sprint 2")])

        runner = TaskRunner()
        window = MainWindow(WorkspaceSession(runner, ws), today=lambda: today)
        window.resize(1400, 860)
        window.show()
        wait(lambda: runner.idle and not window.analyser.pending)
        actions = window.push_actions
        actions.push_action.trigger()
        dialog = actions.push_dialog
        assert dialog is not None
        wait(lambda: not dialog.running)
        app.processEvents()
        dialog.grab().save(str(args.out / "push-preview.png"))
        # Someone moves the release's target in Jira while the preview is open.
        next(v for v in jira.versions["EE"] if v["name"] == "v9.0")["releaseDate"] = "2026-07-20"
        dialog.push_button.click()
        wait(lambda: not dialog.running)
        app.processEvents()
        dialog.grab().save(str(args.out / "push-result.png"))
        dialog.reject()
        wait(lambda: runner.idle)
        app.processEvents()
        actions.conflicts_action.trigger()
        panel = actions.conflicts_dialog
        assert panel is not None
        wait(lambda: runner.idle and panel.model.rowCount() > 0)
        app.processEvents()
        panel.grab().save(str(args.out / "conflicts.png"))
        panel.reject()
        menu = window.sync_actions.menu
        menu.popup(window.menuBar().mapToGlobal(window.menuBar().rect().bottomLeft()))
        app.processEvents()
        bar = window.menuBar().grab()
        shot = menu.grab()
        from PySide6.QtGui import QPainter, QPixmap

        canvas = QPixmap(max(bar.width(), shot.width()), bar.height() + shot.height())
        canvas.fill()
        painter = QPainter(canvas)
        painter.drawPixmap(0, 0, bar)
        left = window.menuBar().actionGeometry(menu.menuAction()).x()
        painter.drawPixmap(left, bar.height(), shot)
        painter.end()
        canvas.save(str(args.out / "sync-menu.png"))
        menu.hide()
        print(f"Sync menu title: {menu.title()}; wrote PNGs to {args.out}")
        window.session.close()
        runner.shutdown(5000)
    ws.close()


if __name__ == "__main__":
    main()
