"""Benchmark of a large import into a new workspace, with the analysis cache's triggers.

Run: python scripts/bench_import_triggers.py [JSON] [--runs N] (default: /work/data/large.json,
best of two). The document is parsed once; each run imports it into a fresh workspace in a
temporary folder (one undoable command, as ``relplan import`` does) and then undoes it. It also
prints the same import with the triggers removed beforehand (what they cost at all) and with
them firing per row as before the bulk path (``analysis_cache.bulk`` switched off). It is not a
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
    import contextlib

    from relplan.store import analysis_cache

    figures: dict[str, list[float]] = {
        "import": [],
        "undo": [],
        "import, per-row triggers": [],
        "undo, per-row triggers": [],
        "import without triggers": [],
    }
    bulk = analysis_cache.bulk
    with tempfile.TemporaryDirectory() as folder:
        for n in range(args.runs):
            for way in ("", ", per-row triggers", " without triggers"):
                analysis_cache.bulk = (  # type: ignore[assignment]
                    bulk if way == "" else lambda *_: contextlib.nullcontext()
                )
                with Workspace.open(Path(folder) / f"ws{n}{len(way)}.relplan") as ws:
                    if way == " without triggers":
                        with ws.write():
                            for name in CACHE_TRIGGERS:
                                ws.conn.execute(f"DROP TRIGGER {name}")
                    start = time.perf_counter()
                    ws.import_plan(plan)
                    figures[f"import{way}"].append(time.perf_counter() - start)
                    if f"undo{way}" in figures:
                        start = time.perf_counter()
                        ws.undo()
                        figures[f"undo{way}"].append(time.perf_counter() - start)
            analysis_cache.bulk = bulk  # type: ignore[assignment]
    for name, times in figures.items():
        print(
            f"{name:>24}: best {min(times):6.2f} s  (runs: {', '.join(f'{t:.2f}' for t in times)})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
