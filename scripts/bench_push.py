"""Benchmark: push 1,000 date changes and 1,000 item moves to a loopback fake Jira, and a no-op
push of a fully synced workspace (with dependency links, and --create-releases on).

Targets (issue 14): the 2,000 changes in <= 10 s; the no-op push of 20,000 items <= 2 s. The fake
runs in this process (a thread: it shares the GIL, so figures are pessimistic). Best of 3 for
the no-op push; the write push runs once (it changes the fake).

    python scripts/bench_push.py [--changes 1000] [--items 20000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import keyring  # noqa: E402

from relplan.store import sync_state  # noqa: E402
from relplan.store.commands import Command, Edit  # noqa: E402
from relplan.store.entities import TABLES  # noqa: E402
from relplan.store.workspace import Workspace  # noqa: E402
from relplan.sync import engine, push  # noqa: E402
from relplan.sync.credentials import KeyringStore  # noqa: E402
from relplan.sync.jira import JiraTracker  # noqa: E402
from relplan.sync.tracker import ConnectionConfig  # noqa: E402
from tests.helpers.fake_jira import FakeJira  # noqa: E402
from tests.helpers.memory_keyring import MemoryKeyring  # noqa: E402


def synced(fake: FakeJira, folder: Path, name: str) -> Workspace:
    ws = Workspace.open(folder / f"{name}.relplan")
    config = ConnectionConfig("jira", "jira_dc", fake.url, jql="project = EE ORDER BY rank")
    row = sync_state.ConnectionRow("jira", config.kind, config.url, config.settings_json(), "now")
    sync_state.save_connection(ws.conn, row)
    KeyringStore().set(config.credential_key, fake.token)
    engine.run_sync(ws, "jira", KeyringStore(), tracker=JiraTracker())
    on = push.set_push(ws, "jira", True)
    push._store(ws, replace(on, push_previewed=True, create_releases=True))
    return ws


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--changes", type=int, default=1000)
    parser.add_argument("--items", type=int, default=20000)
    parser.add_argument("--links", type=int, default=10000)
    args = parser.parse_args()
    keyring.set_keyring(MemoryKeyring())
    with tempfile.TemporaryDirectory() as tmp, FakeJira(cloud=False, page_max=1000) as fake:
        fake.add_project("EE", "Engine")
        n = args.changes
        for i in range(n):
            fake.add_version("EE", f"v{i}", release="2026-04-01")
        for i in range(max(n, args.items)):
            fake.add_issue(f"EE-{i + 1}", f"Item {i}", version=f"v{i % n}")
        total = max(n, args.items)
        for i in range(args.links):  # synced links: the no-op push must compare them too
            fake.link(f"EE-{i % total + 1}", f"EE-{(i * 7 + 3) % total + 1}")
        started = time.perf_counter()
        ws = synced(fake, Path(tmp), "plan")
        links = len(ws.plan().dependencies)
        print(
            f"setup: first sync of {len(fake.issues)} items and {links} links "
            f"{time.perf_counter() - started:.1f} s"
        )
        for _ in range(3):
            started = time.perf_counter()
            report = push.run_push(ws, "jira", KeyringStore(), tracker=JiraTracker())
            assert not report.changes
            print(f"no-op push of {len(fake.issues)} items: {time.perf_counter() - started:.2f} s")
        releases = TABLES["release"].load(ws.conn, [f"EE-v{i}" for i in range(n)])
        items = TABLES["work_item"].load(ws.conn, [f"EE-{i + 1}" for i in range(n)])
        edits = [
            Edit("release", k, r, replace(r, target=dt.date(2026, 5, 1)))
            for k, r in releases.items()
        ] + [
            # EE-j is in v{(j-1) % n}: each of the n items moves to the next version.
            Edit("work_item", k, w, replace(w, release=f"EE-v{int(k[3:]) % n}"))
            for k, w in items.items()
        ]
        with ws.write():
            ws.execute(Command("Edit", tuple(edits)))
        started = time.perf_counter()
        report = push.run_push(ws, "jira", KeyringStore(), tracker=JiraTracker())
        took = time.perf_counter() - started
        print(
            f"push of {len(report.changes)} changes: {len(report.written)} written in {took:.1f} s "
            f"({len(report.written) / took:.0f} writes/s)"
        )
        ws.close()


if __name__ == "__main__":
    main()
