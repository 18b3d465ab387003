"""Benchmark of a large import into a new workspace, with the analysis cache's triggers.

Run: python scripts/bench_import_triggers.py [JSON] [--runs N] (default: /work/data/large.json,
best of two). The document is parsed once; each run imports it into a fresh workspace in a
temporary folder (one undoable command, as ``relplan import`` does) and then undoes it. It also
prints the same import with the triggers removed beforehand, for what they cost. It is not a
test and asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("document", nargs="?", default="/work/data/large.json")
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    from relplan.formats.workspace_json import parse_workspace
    from relplan.store.migrations import CACHE_TRIGGERS
    from relplan.store.workspace import Workspace

    plan = parse_workspace(json.loads(Path(args.document).read_text()))
    figures: dict[str, list[float]] = {"import": [], "undo": [], "import without triggers": []}
    with tempfile.TemporaryDirectory() as folder:
        for n in range(args.runs):
            for bare in (False, True):
                with Workspace.open(Path(folder) / f"ws{n}{bare}.relplan") as ws:
                    if bare:
                        with ws.write():
                            for name in CACHE_TRIGGERS:
                                ws.conn.execute(f"DROP TRIGGER {name}")
                    start = time.perf_counter()
                    ws.import_plan(plan)
                    done = time.perf_counter() - start
                    figures["import without triggers" if bare else "import"].append(done)
                    if not bare:
                        start = time.perf_counter()
                        ws.undo()
                        figures["undo"].append(time.perf_counter() - start)
    for name, times in figures.items():
        print(
            f"{name:>24}: best {min(times):6.2f} s  (runs: {', '.join(f'{t:.2f}' for t in times)})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
