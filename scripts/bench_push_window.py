"""Benchmark: Sync → Push Changes… on a large change set, and how long the GUI thread blocks.

A loopback fake Jira Data Center (in a child process: a real tracker does not compete for the
window's GIL either) with ``--changes`` versions and ``--items`` issues is synced into a copy
of ``--db`` (default: the large demo) and push is turned on; then ``--changes`` release dates
and ``--changes`` item moves are edited. The real window (real task runner) opens the preview,
pushes it, and opens the Conflicts panel. The figures: how long the preview and the push take
(task runner), and the longest single ``processEvents`` call on the GUI thread while they run
(every handler, the table fill included; the limit is 100 ms).

    python scripts/bench_push_window.py [--db PATH|''] [--changes 1000] [--items 20000]
        [--out DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def serve(changes: int, items: int, pipe: Any) -> None:
    """The fake Jira DC, in its own process (so it does not compete for this one's GIL)."""
    from tests.helpers.fake_jira import FakeJira

    with FakeJira(cloud=False, page_max=1000) as fake:
        fake.add_project("EE", "Engine")
        for i in range(changes):
            fake.add_version("EE", f"v{i}", release="2026-04-01")
        for i in range(max(changes, items)):
            fake.add_issue(f"EE-{i + 1}", f"Item {i}", version=f"v{i % changes}")
        pipe.send((fake.url, fake.token, len(fake.issues)))
        while (command := pipe.recv()) != "stop":
            # A remote change between the preview and the confirmation.
            with fake.lock:
                fake.versions["EE"][0]["releaseDate"] = command
            pipe.send("ok")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="/work/data/large.relplan")
    parser.add_argument("--changes", type=int, default=1000)
    parser.add_argument("--items", type=int, default=20000)
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()))
    args = parser.parse_args()

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    home = Path(tempfile.mkdtemp(prefix="relplan-push-"))
    os.environ["XDG_CONFIG_HOME"] = str(home / "config")
    os.environ["XDG_DATA_HOME"] = str(home / "data")
    import keyring
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from relplan.store import sync_state
    from relplan.store.commands import Command, Edit
    from relplan.store.entities import TABLES
    from relplan.store.workspace import Workspace
    from relplan.sync import engine, push
    from relplan.sync.credentials import KeyringStore
    from relplan.sync.jira import JiraTracker
    from relplan.sync.tracker import ConnectionConfig
    from relplan.ui.dialogs.push_changes import PushChangesDialog
    from relplan.ui.main_window import MainWindow
    from relplan.ui.session import WorkspaceSession
    from relplan.ui.tasks import TaskRunner
    from tests.helpers.memory_keyring import MemoryKeyring

    keyring.set_keyring(MemoryKeyring())
    for fmt in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(home / "qsettings"))
    app = QApplication(sys.argv[:1])
    db = home / "copy.relplan"
    if args.db:
        shutil.copy(args.db, db)
    n = args.changes
    ours, theirs = multiprocessing.Pipe()
    server = multiprocessing.get_context("spawn").Process(
        target=serve, args=(n, args.items, theirs), daemon=True
    )
    server.start()
    url, token, synced_items = ours.recv()
    try:
        started = time.perf_counter()
        ws = Workspace.open(db)
        config = ConnectionConfig("jira", "jira_dc", url, jql="project = EE ORDER BY rank")
        row = sync_state.ConnectionRow("jira", config.kind, config.url, config.settings_json(), "")
        sync_state.save_connection(ws.conn, row)
        KeyringStore().set(config.credential_key, token)
        engine.run_sync(ws, "jira", KeyringStore(), tracker=JiraTracker())
        push.set_push(ws, "jira", True)
        releases = TABLES["release"].load(ws.conn, [f"EE-v{i}" for i in range(n)])
        items = TABLES["work_item"].load(ws.conn, [f"EE-{i + 1}" for i in range(n)])
        edits = [
            Edit("release", k, r, replace(r, target=dt.date(2026, 5, 1)))
            for k, r in releases.items()
        ] + [
            Edit("work_item", k, w, replace(w, release=f"EE-v{(i + 1) % n}"))
            for i, (k, w) in enumerate(items.items())
        ]
        with ws.write():
            ws.execute(Command("Edit", tuple(edits)))
        counts = ws.conn.execute("SELECT COUNT(*) FROM work_items").fetchone()[0]
        print(
            f"setup: {args.db or '(empty)'} (a copy) + {synced_items} synced items "
            f"({counts} items in all), {len(edits)} local edits, "
            f"{time.perf_counter() - started:.1f} s"
        )
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
        print(f"load average {load} (2 shared cores: figures are noisy)")

        runner = TaskRunner()
        window = MainWindow(WorkspaceSession(runner, ws), today=lambda: dt.date(2026, 3, 1))
        window.resize(1400, 860)
        window.show()
        longest = [0.0]
        # The GUI thread's own CPU time in one processEvents call: what its handlers cost,
        # apart from waiting for a core (or the GIL) on a loaded machine.
        busiest = [0.0]

        def wait(done: Callable[[], bool], limit: float = 600.0) -> float:
            """Run the event loop until ``done``; the longest processEvents call (seconds)."""
            worst = 0.0
            end = time.perf_counter() + limit
            while not done() and time.perf_counter() < end:
                t, cpu = time.perf_counter(), time.thread_time()
                app.processEvents()
                worst = max(worst, time.perf_counter() - t)
                busiest[0] = max(busiest[0], time.thread_time() - cpu)
                time.sleep(0.002)
            longest[0] = max(longest[0], worst)
            return worst

        wait(lambda: runner.idle and not window.analyser.pending)
        print(f"window open: longest GUI event {longest[0] * 1000:.1f} ms (not this feature)")
        longest[0] = busiest[0] = 0.0
        handlers: dict[str, float] = {}
        for name in ("_on_previewed", "_on_pushed"):
            original = getattr(PushChangesDialog, name)

            def timed(self: object, result: object, _f: object = original, _n: str = name) -> None:
                t = time.perf_counter()
                _f(self, result)  # type: ignore[operator]
                handlers[_n] = time.perf_counter() - t

            setattr(PushChangesDialog, name, timed)
        actions = window.push_actions
        t = time.perf_counter()
        actions.push_action.trigger()
        handler = time.perf_counter() - t
        dialog = actions.push_dialog
        assert dialog is not None
        worst = wait(lambda: not dialog.running)
        took = time.perf_counter() - t
        print(f"Push Changes… handler (GUI thread)   {handler * 1000:7.1f} ms  (limit 100 ms)")
        print(
            f"preview of {dialog.model.rowCount()} changes          {took:7.2f} s   "
            f"(task runner; longest GUI event {worst * 1000:.1f} ms)"
        )
        dialog.grab().save(str(args.out / "push-preview-large.png"))
        # A remote change between the preview and the confirmation: a conflict, not an overwrite.
        ours.send("2026-06-01")
        ours.recv()
        t = time.perf_counter()
        dialog.push_button.click()
        worst = wait(lambda: not dialog.running)
        took = time.perf_counter() - t
        print(
            f"push                                 {took:7.2f} s   "
            f"(task runner; longest GUI event {worst * 1000:.1f} ms)"
        )
        print(f"  {dialog.status.text()}")
        dialog.grab().save(str(args.out / "push-result-large.png"))
        dialog.reject()
        wait(lambda: runner.idle)
        t = time.perf_counter()
        actions.conflicts_action.trigger()
        panel = actions.conflicts_dialog
        assert panel is not None
        worst = wait(lambda: runner.idle and panel.model.rowCount() > 0, 60)
        print(
            f"Conflicts panel with {panel.model.rowCount()} conflict(s)     "
            f"{time.perf_counter() - t:7.2f} s   (longest GUI event {worst * 1000:.1f} ms); "
            f"menu: {window.sync_actions.menu.title()}"
        )
        for name, took in handlers.items():
            print(f"handler {name:<13} (GUI thread)   {took * 1000:7.1f} ms  (table fill included)")
        print(
            f"longest GUI-thread event of the feature: {longest[0] * 1000:.1f} ms wall, "
            f"{busiest[0] * 1000:.1f} ms GUI-thread CPU (limit 100 ms)"
        )
        print(f"wrote {args.out / 'push-preview-large.png'} and push-result-large.png")
        window.session.close()
        runner.shutdown(10000)
        ws.close()
    finally:
        ours.send("stop")
        server.join(10)


if __name__ == "__main__":
    main()
