"""Benchmark: push 1,000 date changes and 1,000 item moves to a loopback fake Jira, and a no-op
push of a fully synced workspace (with dependency links, and --create-releases on).

Targets (issue 14): the 2,000 changes in <= 10 s; the no-op push of 20,000 items <= 2 s. The fake
runs in its own process by default, as a real server would (``--same-process`` runs it on a
thread of this one, where it shares the GIL with the client: pessimistic figures). Best of 3
for the no-op push; the write push runs once (it changes the fake).

    python scripts/bench_push.py [--changes 1000] [--items 20000] [--links 10000]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import multiprocessing
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import replace
from multiprocessing.connection import Connection
from pathlib import Path
from types import SimpleNamespace
from typing import Any

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


def synced(fake: Any, folder: Path, name: str) -> Workspace:
    ws = Workspace.open(folder / f"{name}.relplan")
    config = ConnectionConfig("jira", "jira_dc", fake.url, jql="project = EE ORDER BY rank")
    row = sync_state.ConnectionRow("jira", config.kind, config.url, config.settings_json(), "now")
    sync_state.save_connection(ws.conn, row)
    KeyringStore().set(config.credential_key, fake.token)
    engine.run_sync(ws, "jira", KeyringStore(), tracker=JiraTracker())
    on = push.set_push(ws, "jira", True)
    push._store(ws, replace(on, push_previewed=True, create_releases=True))
    return ws


def fill(fake: FakeJira, n: int, items: int, links: int) -> None:
    """Versions v0..v(n-1), issues EE-1.. (EE-j in v((j-1) % n)) and ``links`` Blocks links."""
    fake.add_project("EE", "Engine")
    for i in range(n):
        fake.add_version("EE", f"v{i}", release="2026-04-01")
    total = max(n, items)
    for i in range(total):
        fake.add_issue(f"EE-{i + 1}", f"Item {i}", version=f"v{i % n}")
    for i in range(links):  # synced links: the no-op push must compare them too
        fake.link(f"EE-{i % total + 1}", f"EE-{(i * 7 + 3) % total + 1}")


def serve(pipe: Connection, n: int, items: int, links: int) -> None:
    """The fake in a process of its own: send its URL and token, serve until told to stop."""
    with FakeJira(cloud=False, page_max=1000) as fake:
        fill(fake, n, items, links)
        pipe.send((fake.url, fake.token, len(fake.issues)))
        pipe.recv()


@contextlib.contextmanager
def fake_server(args: argparse.Namespace) -> Iterator[tuple[Any, int]]:
    """A filled fake (url and token attributes) and its issue count."""
    if args.same_process:
        with FakeJira(cloud=False, page_max=1000) as fake:
            fill(fake, args.changes, args.items, args.links)
            yield fake, len(fake.issues)
        return
    ours, theirs = multiprocessing.Pipe()
    child = multiprocessing.Process(
        target=serve, args=(theirs, args.changes, args.items, args.links), daemon=True
    )
    child.start()
    url, token, count = ours.recv()
    try:
        yield SimpleNamespace(url=url, token=token), count
    finally:
        ours.send("stop")
        child.join(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--changes", type=int, default=1000)
    parser.add_argument("--items", type=int, default=20000)
    parser.add_argument("--links", type=int, default=10000)
    parser.add_argument("--same-process", action="store_true", help="the fake on a thread here")
    args = parser.parse_args()
    keyring.set_keyring(MemoryKeyring())
    n = args.changes
    with tempfile.TemporaryDirectory() as tmp, fake_server(args) as (fake, issues):
        started = time.perf_counter()
        ws = synced(fake, Path(tmp), "plan")
        links = len(ws.plan().dependencies)
        print(
            f"setup: first sync of {issues} items and {links} links "
            f"{time.perf_counter() - started:.1f} s"
        )
        for _ in range(3):
            started = time.perf_counter()
            report = push.run_push(ws, "jira", KeyringStore(), tracker=JiraTracker())
            assert not report.changes
            print(f"no-op push of {issues} items: {time.perf_counter() - started:.2f} s")
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
