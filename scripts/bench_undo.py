"""Benchmark of undo with its check, and of upgrading a workspace to the current schema.

Run: python scripts/bench_undo.py [WORKSPACE] (default: /work/data/large.relplan, copied first,
never written). For the workspace's largest command it prints, best of three: opening (with the
migration when the file is older), the check that undo makes before replaying (every object
still holds what the command wrote), the whole undo, and the redo. It is not a test and asserts
nothing.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path


def _largest_command(ws: object) -> tuple[int, str]:
    conn = ws.conn  # type: ignore[attr-defined]
    row = conn.execute(
        "SELECT command, sum(CASE WHEN batch THEN json_array_length(key) ELSE 1 END) AS n "
        "FROM audit_log WHERE action = 'do' GROUP BY command ORDER BY n DESC LIMIT 1"
    ).fetchone()
    return int(row[0]), f"{row[1]:,} objects"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("workspace", nargs="?", default="/work/data/large.relplan")
    args = parser.parse_args()
    from relplan.store import undo
    from relplan.store.workspace import Workspace

    figures: dict[str, list[float]] = {"open": [], "edits": [], "check": [], "undo": [], "redo": []}
    size = ""
    with tempfile.TemporaryDirectory() as folder:
        for n in range(3):
            copy = Path(folder) / f"copy{n}.relplan"
            shutil.copyfile(args.workspace, copy)
            start = time.perf_counter()
            ws = Workspace.open(copy, origin="session:bench")
            figures["open"].append(time.perf_counter() - start)
            command, size = _largest_command(ws)
            info = undo._info(ws.conn, command)
            assert info is not None
            start = time.perf_counter()
            edits = undo.load_edits(ws.conn, command)
            figures["edits"].append(time.perf_counter() - start)
            start = time.perf_counter()
            undo._verify(ws.conn, info, edits, undo=True)
            figures["check"].append(time.perf_counter() - start)
            start = time.perf_counter()
            ws.undo(command)
            figures["undo"].append(time.perf_counter() - start)
            start = time.perf_counter()
            ws.redo(command)
            figures["redo"].append(time.perf_counter() - start)
            ws.close()
    print(f"{args.workspace}: largest command {size}")
    for name, values in figures.items():
        every = ", ".join(f"{v:.2f}" for v in values)
        print(f"  {name:<6} best of 3: {min(values):6.2f} s   (all: {every})")
    print("  open includes the migration when the file has an older schema")
    print("  edits = reading the command from the audit log; check = comparing every object")
    print("  with the stored one (new with the check); undo includes both")
    return 0


if __name__ == "__main__":
    sys.exit(main())
