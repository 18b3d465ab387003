"""Benchmark: the weekly status report and release notes on a copy of the large demo.

In-process figures, best of ``--runs`` (default 3): gathering the status (``status_report``:
readiness with its Monte Carlo forecast, problems now and at ``--since``, schedule, DORA), wording
it (``status_document``), and each renderer (HTML with inline PNGs, Markdown with PNGs beside
it, PDF with vector charts); then release notes of the release with the most items. The last
line runs the whole command as a user does (``relplan report status --out FILE.pdf``, fresh
process). The machine is shared and noisy: read the figures as best-of-N under whatever load
there was (the load average is printed).

    python scripts/bench_reports.py [--db /work/data/large.relplan] [--runs 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TODAY = dt.date(2026, 12, 4)


def best(runs: int, fn: Callable[[], Any]) -> tuple[float, Any]:
    """The fastest of ``runs`` calls (seconds) and the last result."""
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="/work/data/large.relplan")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    from relplan.reports.notes import notes_document, release_notes
    from relplan.reports.render import to_html, write_report
    from relplan.reports.status import status_report
    from relplan.reports.status_doc import status_document
    from relplan.store.workspace import Workspace

    tmp = Path(tempfile.mkdtemp(prefix="bench-reports-"))
    db = tmp / "large.relplan"
    shutil.copy(args.db, db)  # never write to the demo data
    print(f"load average: {os.getloadavg()[0]:.2f}; best of {args.runs}")
    with Workspace.open(db, create=False) as ws:
        secs, report = best(args.runs, lambda: status_report(ws, today=TODAY))
        print(f"gather status ({report.releases} releases)      {secs:7.2f} s")
        secs, doc = best(args.runs, lambda: status_document(report))
        print(f"word it ({len(doc.blocks)} blocks)               {secs:7.2f} s")
        secs, page = best(args.runs, lambda: to_html(doc))
        print(f"render HTML ({len(page) / 1e6:.1f} MB)            {secs:7.2f} s")
        for suffix in ("md", "pdf"):
            out = tmp / f"status.{suffix}"
            secs, _ = best(args.runs, lambda out=out: write_report(doc, out))
            label = f"render {suffix.upper()} ({out.stat().st_size / 1e3:.0f} kB)"
            print(f"{label:42} {secs:7.2f} s")
        (key, n) = ws.conn.execute(
            "SELECT release, count(*) FROM work_items WHERE release IS NOT NULL "
            "GROUP BY release ORDER BY 2 DESC LIMIT 1"
        ).fetchone()
        secs, _ = best(args.runs, lambda: to_html(notes_document(release_notes(ws, key))))
        print(f"release notes {key} ({n} items)  {secs:7.2f} s")
    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "relplan", "--db", str(db), "report", "status",
             "--today", TODAY.isoformat(), "--out", str(tmp / "cli.pdf")],
            check=True, capture_output=True,
        )  # fmt: skip
        times.append(time.perf_counter() - start)
    print(f"relplan report status --out .pdf (process) {min(times):7.2f} s")
    shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
