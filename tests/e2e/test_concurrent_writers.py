"""Two processes writing to one workspace: every race of issue #13, with real processes.

Each race starts two processes on a barrier, so that their reads and writes overlap, for a
bounded number of rounds. Before the fix, the reads that decide a write ran outside the write's
transaction, and undo took back whatever was written last by anyone.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from relplan.demo import generate
from relplan.domain.model import Dependency, Plan
from relplan.errors import DependencyCycleError
from relplan.formats.workspace_json import dump_plan, parse_workspace
from relplan.store.workspace import Workspace
from tests.helpers.plans import document

pytestmark = pytest.mark.e2e

TODAY = dt.date(2026, 11, 27)
PAY, WEB = "PAY-2026.12", "WEB-2026.12"
#: A whole race (both processes, every round) must end within this many seconds.
RACE_TIMEOUT = 60.0
_SPAWN = multiprocessing.get_context("spawn")


# -- the racing processes (module level, so that spawned processes can import them) ----------
def _import_rounds(dbs: list[str], path: str, origin: str, barrier: Any, results: Any) -> None:
    from relplan.formats.workspace_io import import_file

    for db in dbs:
        with Workspace.open(db, origin=origin) as ws:
            barrier.wait()
            changes = import_file(ws, path)
            results.put((db, origin, changes.command_id))


def _dependency_rounds(
    db: str, pairs: list[tuple[str, str]], origin: str, barrier: Any, results: Any
) -> None:
    from relplan.edits.dependencies import add_dependency

    with Workspace.open(db, origin=origin) as ws:
        for from_ref, to_ref in pairs:
            barrier.wait()
            try:
                add_dependency(ws, Dependency(from_ref, to_ref))
                results.put((from_ref, to_ref, "added"))
            except DependencyCycleError:
                results.put((from_ref, to_ref, "refused"))


def _slip_rounds(dbs: list[str], origin: str, barrier: Any, results: Any) -> None:
    from relplan.edits.releases import apply_slip

    for db in dbs:
        with Workspace.open(db, origin=origin) as ws:
            barrier.wait()
            _impact, changes = apply_slip(ws, PAY, 5, today=TODAY)
            results.put((db, origin, changes.command_id))


def _later(ws: Workspace) -> None:
    """The editor's save of WEB ten days later, read and written in one transaction."""
    with ws.write():
        web = ws.release(WEB)
        assert web.start is not None
        assert web.target is not None
        ten = dt.timedelta(days=10)
        ws.update_releases([replace(web, start=web.start + ten, target=web.target + ten)], "Later")


def _edit_rounds(dbs: list[str], origin: str, barrier: Any, results: Any) -> None:
    for db in dbs:
        with Workspace.open(db, origin=origin) as ws:
            barrier.wait()
            _later(ws)
            results.put((db, origin, None))


def _race(*targets: tuple[Callable[..., None], tuple[Any, ...]], expected: int) -> list[Any]:
    """Run the targets in processes that share a barrier; their results, once all ended."""
    barrier = _SPAWN.Barrier(len(targets), timeout=RACE_TIMEOUT)
    results = _SPAWN.Queue()
    procs = [_SPAWN.Process(target=fn, args=(*args, barrier, results)) for fn, args in targets]
    for proc in procs:
        proc.start()
    out = [results.get(timeout=RACE_TIMEOUT) for _ in range(expected)]
    for proc in procs:
        proc.join(RACE_TIMEOUT)
        assert proc.exitcode == 0
    return out


def _workspace(path: Path, plan: Plan) -> Path:
    with Workspace.open(path, origin="session:setup") as ws:
        ws.import_plan(plan, label="Base")
    return path


def _copies(base: Path, rounds: int) -> list[str]:
    out = []
    for n in range(rounds):
        target = base.with_name(f"round{n}.relplan")
        shutil.copyfile(base, target)
        out.append(str(target))
    return out


# -- the races ------------------------------------------------------------------------------
def test_two_simultaneous_imports_of_one_file_keep_a_true_history(tmp_path: Path) -> None:
    rounds = 4
    base_plan = parse_workspace(generate("small", seed=1, today=TODAY))
    base = _workspace(tmp_path / "base.relplan", base_plan)
    incoming = tmp_path / "incoming.json"
    incoming.write_text(json.dumps(generate("small", seed=2, today=TODAY)))
    dbs = _copies(base, rounds)
    results = _race(
        (_import_rounds, (dbs, str(incoming), "session:A")),
        (_import_rounds, (dbs, str(incoming), "session:B")),
        expected=2 * rounds,
    )
    for db in dbs:
        made = [(origin, cid) for d, origin, cid in results if d == db and cid is not None]
        # The second import read what the first wrote: nothing was left for it to change.
        assert len(made) == 1, db
        origin, command_id = made[0]
        with Workspace.open(db, origin=origin) as ws:
            assert [c["label"] for c in ws.history()] == ["Import incoming.json", "Base"]
            assert ws.undo().command_id == command_id
            assert dump_plan(ws.plan()) == dump_plan(base_plan)


def test_dependency_add_racing_its_reverse_never_closes_a_cycle(tmp_path: Path) -> None:
    rounds = 12
    doc = document()
    doc["releases"] = [{"key": f"R{n}", "name": f"R{n}", "team": "PAY"} for n in range(2 * rounds)]
    doc["work_items"], doc["dependencies"], doc["deployments"] = [], [], []
    db = _workspace(tmp_path / "deps.relplan", parse_workspace(doc))
    pairs = [(f"release:R{2 * n}", f"release:R{2 * n + 1}") for n in range(rounds)]
    results = _race(
        (_dependency_rounds, (str(db), pairs, "session:A")),
        (_dependency_rounds, (str(db), [(b, a) for a, b in pairs], "session:B")),
        expected=2 * rounds,
    )
    outcomes: dict[frozenset[str], list[str]] = {}
    for from_ref, to_ref, outcome in results:
        outcomes.setdefault(frozenset((from_ref, to_ref)), []).append(outcome)
    assert all(sorted(o) == ["added", "refused"] for o in outcomes.values()), outcomes
    with Workspace.open(db) as ws:
        stored = {d.pair for d in ws.plan().dependencies}
    assert len(stored) == rounds
    assert not any((b, a) in stored for a, b in stored)


def test_apply_slip_racing_an_edit_writes_one_of_the_two_orders(tmp_path: Path) -> None:
    rounds = 4
    base_plan = parse_workspace(document())
    base = _workspace(tmp_path / "base.relplan", base_plan)
    orders = []
    for name, steps in (("edit first", ("edit", "slip")), ("slip first", ("slip", "edit"))):
        path = tmp_path / f"{name}.relplan"
        shutil.copyfile(base, path)
        with Workspace.open(path) as ws:
            for step in steps:
                if step == "edit":
                    _later(ws)
                else:
                    from relplan.edits.releases import apply_slip

                    apply_slip(ws, PAY, 5, today=TODAY)
            orders.append(dump_plan(ws.plan()))
    assert orders[0] != orders[1]
    dbs = _copies(base, rounds)
    _race(
        (_slip_rounds, (dbs, "session:A")),
        (_edit_rounds, (dbs, "session:B")),
        expected=2 * rounds,
    )
    for db in dbs:
        with Workspace.open(db, origin="session:A") as ws:
            assert dump_plan(ws.plan()) in orders, db
            # Undoing both (by id, newest first) gives the base back exactly.
            for row in ws.history()[:2]:
                ws.undo(row["id"])
            assert dump_plan(ws.plan()) == dump_plan(base_plan)


# -- undo through the command line, from two terminal sessions ------------------------------
def _relplan(db: Path, session: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, RELPLAN_SESSION=session)
    env["XDG_CONFIG_HOME"] = str(db.parent / "config")
    env["XDG_DATA_HOME"] = str(db.parent / "data")
    return subprocess.run(
        [sys.executable, "-m", "relplan", "--db", str(db), *args],
        capture_output=True,
        text=True,
        timeout=RACE_TIMEOUT,
        env=env,
        check=False,
    )


def test_undo_from_one_terminal_never_reverts_another_terminals_change(tmp_path: Path) -> None:
    rounds = 3
    db = _workspace(tmp_path / "w.relplan", parse_workspace(document()))
    files = []
    for n in range(rounds):
        doc = document()
        doc["releases"] = [{"key": f"NEW-{n}", "name": f"New {n}", "team": "WEB"}]
        for part in ("teams", "environments", "trains", "work_items", "dependencies"):
            doc[part] = []
        doc["deployments"] = []
        path = tmp_path / f"new{n}.json"
        path.write_text(json.dumps(doc))
        files.append(path)
    failures: list[str] = []

    def importer() -> None:
        for path in files:
            done = _relplan(db, "importer", "import", str(path))
            if done.returncode != 0:
                failures.append(done.stderr)

    def undoer() -> None:
        for _ in range(rounds):
            for args in (("dependency", "add", f"release:{WEB}", "item:PAY-101"), ("undo",)):
                done = _relplan(db, "undoer", *args)
                if done.returncode != 0:
                    failures.append(done.stderr)

    threads = [threading.Thread(target=importer), threading.Thread(target=undoer)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(4 * RACE_TIMEOUT)
    assert not failures
    with Workspace.open(db) as ws:
        keys = {r.key for r in ws.plan().releases}
        assert {f"NEW-{n}" for n in range(rounds)} <= keys  # every import stands
        undone = ws.conn.execute(
            "SELECT DISTINCT c.origin FROM audit_log a JOIN commands c ON c.id = a.command "
            "WHERE a.action = 'undo'"
        ).fetchall()
        assert undone == [("session:undoer",)]
        states = {(r["origin"], r["state"]) for r in ws.history()}
    # The undoer's changes are undone (the older ones then discarded by its next change).
    assert states - {("session:undoer", "discarded")} == {
        ("session:setup", "done"),
        ("session:importer", "done"),
        ("session:undoer", "undone"),
    }
