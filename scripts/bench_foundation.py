"""Benchmark of the foundation: import speed, opening the releases table, launch to first paint.

Run: python scripts/bench_foundation.py [--skip-gui]. It prints its figures and the targets; it
is not a test and asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_large import import_rate  # scripts/ is on the path when a script runs


def bench_import(folder: Path) -> Path:
    from relplan.demo import generate

    t0 = time.perf_counter()
    document = generate("large", seed=1)
    source = folder / "large.json"
    source.write_text(json.dumps(document))
    del document
    print(f"generate large demo + write JSON: {time.perf_counter() - t0:.2f} s")
    db = folder / "large.relplan"
    rows, seconds = import_rate(source, db)
    print(
        f"import of the large demo: {rows:,} plan rows in {seconds:.2f} s = "
        f"{rows / seconds:,.0f} rows/s (target >= 60,000 rows/s; includes reading and checking "
        "the JSON and writing the audit log)"
    )
    return db


def bench_open_table(db: Path) -> None:
    code = (
        "import time; t0 = time.perf_counter()\n"
        "from relplan.store.workspace import Workspace\n"
        f"ws = Workspace.open({str(db)!r})\n"
        "rows = ws.release_rows()\n"
        "print(f'{(time.perf_counter() - t0) * 1000:.0f} {len(rows)}')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    ms, n = out.stdout.split()
    print(f"open the large workspace + load the releases table ({n} releases): {ms} ms (core)")


def bench_gui(db: Path, *, demo: bool) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", RELPLAN_QUIT_AFTER_PAINT="1")
    args = ["--demo"] if demo else ["--db", str(db)]
    t0 = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "relplan", *args], capture_output=True, text=True, env=env,
        check=False, timeout=120,
    )  # fmt: skip
    wall = (time.perf_counter() - t0) * 1000
    what = "small demo" if demo else "large workspace (2,000 releases)"
    print(
        f"launch to first painted window, {what}: {out.stdout.strip() or out.stderr.strip()[-300:]}"
    )
    print(f"  (whole process incl. interpreter start and exit: {wall:.0f} ms; target <= 1,000 ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--skip-gui", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        os.environ["XDG_CONFIG_HOME"] = str(folder / "config")
        os.environ["XDG_DATA_HOME"] = str(folder / "data")
        db = bench_import(folder)
        bench_open_table(db)
        if not args.skip_gui:
            bench_gui(db, demo=False)
            bench_gui(db, demo=True)


if __name__ == "__main__":
    main()
