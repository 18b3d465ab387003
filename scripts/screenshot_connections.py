"""Render Sync → Connections… with delivery tools offscreen, and time its handlers.

On the real main window (the small demo, or a copy of ``--workspace``): a Jira connection and a
GitHub delivery connection (to a loopback fake) are stored; the dialog is opened, the GitHub
connection selected and tested (``relplan connection test``'s two steps, on the DB and network
lanes), then a Jenkins connection is filled in and a Jira-incidents one chosen. Writes
``connections-github.png``, ``connections-jenkins.png`` and ``connections-jira-incidents.png``
to ``--out`` and prints how long each GUI-thread handler took (the limit is 100 ms). Settings,
keyring and workspace are temporary: the user's own are never touched.

    python scripts/screenshot_connections.py [--out DIR] [--workspace /work/data/large.relplan]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--workspace", type=Path, help="a workspace to copy (default: small demo)")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    home = Path(tempfile.mkdtemp(prefix="relplan-conn-shot-"))
    os.environ["XDG_CONFIG_HOME"] = str(home / "config")
    os.environ["XDG_DATA_HOME"] = str(home / "data")
    import keyring
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from relplan.demo import generate
    from relplan.formats.workspace_json import parse_workspace
    from relplan.store.workspace import Workspace
    from relplan.sync.credentials import KeyringStore
    from relplan.sync.delivery.connections import DeliverySpec
    from relplan.sync.tracker import ConnectionConfig
    from relplan.ui.main_window import MainWindow
    from relplan.ui.session import WorkspaceSession
    from relplan.ui.sync_actions import ConnectionChanges, store_connections
    from relplan.ui.tasks import TaskRunner
    from tests.helpers.fake_github import FakeGitHub
    from tests.helpers.memory_keyring import MemoryKeyring

    keyring.set_keyring(MemoryKeyring())
    for fmt in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(home / "qsettings"))
    app = QApplication(sys.argv[:1])
    today = dt.date(2026, 6, 1)
    path = home / "plan.relplan"
    if args.workspace:
        shutil.copy(args.workspace, path)
        ws = Workspace.open(path)
    else:
        ws = Workspace.open(path)
        ws.import_plan(parse_workspace(generate("small", seed=1, today=today)), label="Demo")
    args.out.mkdir(parents=True, exist_ok=True)
    timings: dict[str, float] = {}

    def wait(done: Callable[[], bool], limit: float = 600) -> None:
        end = time.monotonic() + limit
        while not done():
            app.processEvents()
            if time.monotonic() > end:
                raise SystemExit("timed out")

    def timed(name: str, action: Callable[[], object]) -> None:
        started = time.perf_counter()
        action()
        timings[name] = max(timings.get(name, 0.0), time.perf_counter() - started)

    with FakeGitHub(token="gh-token") as hub:
        jira = ConnectionConfig(
            "acme", "jira_cloud", "https://acme.atlassian.net", user="mia@acme.com",
            jql="project = PAY",
        )  # fmt: skip
        github = DeliverySpec(
            "github", "web", hub.url, "PAY", ("production",),
            {"repo": "acme/app", "incident_label": "incident"},
        )  # fmt: skip
        changes = ConnectionChanges([(jira, "jira-token")], [], [(github, "gh-token")])
        store_connections(ws, changes, KeyringStore())
        runner = TaskRunner()
        session = WorkspaceSession(runner, ws)
        window = MainWindow(session, today=lambda: today)
        window.resize(1400, 860)
        window.show()
        wait(lambda: not window.analyser.pending and runner.idle)
        actions = window.sync_actions
        timed("open Connections…", actions.connections_action.trigger)
        wait(lambda: actions.connections_dialog is not None)
        dialog = actions.connections_dialog
        assert dialog is not None
        dialog.resize(900, 640)
        rows = [dialog.list.item(i).text() for i in range(dialog.list.count())]
        timed("select a connection", lambda: dialog.list.setCurrentRow(rows.index("web  (github)")))
        done: list[str] = []
        dialog.test_finished.connect(done.append)
        timed("Test connection", dialog.test_button.click)
        wait(lambda: bool(done))
        print(f"test: {done[0]}")
        app.processEvents()
        dialog.grab().save(str(args.out / "connections-github.png"))
        timed("choose a kind", lambda: dialog.kind.setCurrentText("jenkins"))
        for widget, text in (
            (dialog.name, "ci"), (dialog.url, "https://ci.acme.com"),
            (dialog.delivery.team_key, "PAY"), (dialog.delivery.production, "prod, prod-eu"),
            (dialog.delivery.job, "pay/deploy"), (dialog.delivery.user, "mia"),
            (dialog.token, "jenkins-api-token"),
        ):  # fmt: skip
            widget.setText(text)
        timed("Add", dialog.add_button.click)
        app.processEvents()
        dialog.grab().save(str(args.out / "connections-jenkins.png"))
        timed("choose a kind", lambda: dialog.kind.setCurrentText("jira_incidents"))
        dialog.name.setText("inc")
        dialog.delivery.issue_type.setText("Incident")
        dialog.delivery.team_key.setText("PAY")
        dialog.status.setText("")
        app.processEvents()
        dialog.grab().save(str(args.out / "connections-jira-incidents.png"))
        timed("OK", dialog.accept)
        wait(lambda: runner.idle)
        print(f"status bar: {window.statusBar().currentMessage()}")
        # Sync Now pulls the GitHub connection; its end refreshes the deployments' views.
        start = dt.datetime(2026, 5, 11, 10, tzinfo=dt.UTC)
        hub.commit("a" * 40, start, "PAY-1 start", None)
        hub.deploy(1, "a" * 40, start, ("success", start))
        reports: list[object] = []
        actions.panel.sync_finished.connect(reports.append)
        window.show_view("Dashboard")
        wait(lambda: runner.idle)
        # Only the GitHub fake answers: the other two go (as the dialog's Remove does).
        gone = ConnectionChanges([], ["acme", "ci"])
        session.read(lambda w: store_connections(w, gone, KeyringStore()), lambda _: None)
        wait(lambda: runner.idle)
        timed("Sync Now", actions.sync_now_action.trigger)
        wait(lambda: bool(reports) and runner.idle)
        print("sync: " + "; ".join(r.summary() for r in reports[0]))  # type: ignore[attr-defined]
        timed("sync finished", lambda: actions._on_panel_sync_finished(reports[0]))  # type: ignore[arg-type]
        wait(lambda: runner.idle)
        for name in ("connections-github", "connections-jenkins", "connections-jira-incidents"):
            print(f"wrote {args.out / (name + '.png')}")
        for name, seconds in timings.items():
            print(f"{name:<22} {seconds * 1000:7.1f} ms on the GUI thread (limit 100 ms)")
        session.close()
        runner.shutdown(10000)
    ws.close()


if __name__ == "__main__":
    main()
