"""Benchmark: first and no-change incremental sync of 20,000 items against the local fakes.

The fake server runs in a child process (so it does not share the GIL with the client), on
127.0.0.1, with pages of 100 items. Each scenario reports the first sync's items/s (fetch, parse,
map and store in one transaction) and the no-change incremental sync's seconds, on plain loopback
and with 50 ms added to every request.

Targets (issue 5): first sync >= 5,000 items/s on loopback, >= 3,000 items/s with 50 ms per page;
no-change incremental <= 2 s.

    python scripts/bench_sync.py [--items 20000] [--only jira_dc,jira_cloud,azure_boards]
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import keyring  # noqa: E402

from relplan.store import sync_state  # noqa: E402
from relplan.store.workspace import Workspace  # noqa: E402
from relplan.sync import engine  # noqa: E402
from relplan.sync.credentials import KeyringStore  # noqa: E402
from relplan.sync.tracker import ConnectionConfig  # noqa: E402
from tests.helpers.memory_keyring import MemoryKeyring  # noqa: E402

TARGET_FIRST = 5000
TARGET_SLOW = 3000
TARGET_INCREMENTAL_S = 2.0


def _serve(kind: str, items: int, delay_s: float, pipe: Connection) -> None:
    """Child process: build the fake, send (url, token), serve until told to stop."""
    if kind == "azure_boards":
        from tests.helpers.fake_azure import FakeAzure

        azure = FakeAzure()
        azure.start()
        for n in range(4):
            azure.add_iteration(f"Sprint {n}", f"2026-0{n + 1}-01", f"2026-0{n + 1}-14", "future")
        for n in range(items):
            ident = azure.add_item(
                f"Item {n}", area=f"Team{n % 5}", iteration=f"Sprint {n % 4}", points=float(n % 8)
            )
            if n % 10 == 9:
                azure.link(ident - 1, ident)
        azure.delay_s = delay_s
        pipe.send((azure.url, azure.pat, "", azure.project, azure.team))
        pipe.recv()
        azure.stop()
        return
    from tests.helpers.fake_jira import FakeJira

    jira = FakeJira(cloud=kind == "jira_cloud", page_max=100)
    jira.start()
    for p in ("PAY", "WEB"):
        jira.add_project(p, p.title())
        for v in range(3):
            jira.add_version(p, f"2026.{v + 1}", release=f"2026-0{v + 1}-28")
    for n in range(1, items + 1):
        project = "PAY" if n % 2 else "WEB"
        jira.add_issue(
            f"{project}-{n}",
            f"Item {n}",
            version=f"2026.{n % 3 + 1}",
            points=float(n % 8),
            updated=jira.clock,
        )
    keys = [i["key"] for i in jira.issues.values()]
    for a, b in zip(keys[::10], keys[1::10], strict=False):
        jira.link(a, b)
    jira.delay_s = delay_s
    pipe.send((jira.url, jira.token, jira.email, "", ""))
    pipe.recv()
    jira.stop()


def scenario(kind: str, items: int, delay_s: float) -> tuple[float, float, int]:
    """(first-sync items/s, incremental seconds, items stored)."""
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe()
    process = ctx.Process(target=_serve, args=(kind, items, delay_s, child), daemon=True)
    process.start()
    url, token, email, project, team = parent.recv()
    try:
        with tempfile.TemporaryDirectory() as folder, Workspace.open(Path(folder) / "b") as ws:
            config = ConnectionConfig(
                "bench",
                kind,
                url,
                user=email,
                jql="project in (PAY, WEB)",
                project=project,
                team=team,
            )
            sync_state.save_connection(
                ws.conn,
                sync_state.ConnectionRow(
                    "bench", kind, url, config.settings_json(), sync_state.now_iso()
                ),
            )
            KeyringStore().set(config.credential_key, token)
            started = time.perf_counter()
            report = engine.run_sync(ws, "bench", KeyringStore())
            first = time.perf_counter() - started
            started = time.perf_counter()
            again = engine.run_sync(ws, "bench", KeyringStore())
            incremental = time.perf_counter() - started
            assert again.changed == 0, again.summary()
            stored = len(ws.plan().work_items)
            return report.fetched / first, incremental, stored
    finally:
        parent.send("stop")
        process.join(10)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--only", default="jira_dc,jira_cloud,azure_boards")
    args = parser.parse_args()
    keyring.set_keyring(MemoryKeyring())
    ok = True
    print(f"{'scenario':<30} {'first sync':>14} {'no-change':>11}  stored")
    for kind in args.only.split(","):
        for delay in (0.0, 0.05):
            rate, incremental, stored = scenario(kind, args.items, delay)
            target = TARGET_FIRST if delay == 0 else TARGET_SLOW
            good = rate >= target and incremental <= TARGET_INCREMENTAL_S and stored == args.items
            ok &= good
            label = f"{kind} {'loopback' if delay == 0 else '+50 ms/page'}"
            print(
                f"{label:<30} {rate:>8,.0f} it/s {incremental:>9.2f} s  {stored:,}"
                f"  {'ok' if good else 'BELOW TARGET'}"
            )
    print(
        f"targets: first sync >= {TARGET_FIRST:,} items/s (>= {TARGET_SLOW:,} with 50 ms/page), "
        f"no-change incremental <= {TARGET_INCREMENTAL_S} s"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
