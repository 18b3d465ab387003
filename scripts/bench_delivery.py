"""Benchmark: deployments pulled from delivery tools, and DORA over them (issue #15).

Prints figures (best of 3; the machine is shared, so they are noisy):

- ``store``: writing N pulled deployments with M commits in one transaction;
- ``metrics``: ``relplan metrics --json`` in-process over them (load, derive, DORA);
- ``pull``: a GitLab pull from the loopback fake of P deployments (one page per 100 and one
  compare per success), to extrapolate to the issue's 20,000.

Usage: ``python scripts/bench_delivery.py [--deployments 20000] [--commits 100000] [--pull 1000]``
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from relplan.cli import commands as cli
from relplan.metrics.delivery import PulledCommit, PulledDeployment
from relplan.store import delivery
from relplan.store.workspace import Workspace

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def _deployments(n: int, commits: int) -> list[PulledDeployment]:
    per = max(1, commits // n)
    out = []
    for i in range(n):
        finished = T0 + dt.timedelta(minutes=25 * i)
        out.append(
            PulledDeployment(
                "gl", "gitlab", str(i), "production", True, f"{i:040x}", "main",
                ("failed",) if i % 9 == 4 else ("success",), finished,
                commits=tuple(
                    PulledCommit(f"{i:020x}{k:020x}", finished - dt.timedelta(hours=k + 1), "x")
                    for k in range(per)
                ),
                team="PAY",
            )
        )  # fmt: skip
    return out


def _best(fn: object, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--deployments", type=int, default=20_000)
    parser.add_argument("--commits", type=int, default=100_000)
    parser.add_argument("--pull", type=int, default=1_000)
    args = parser.parse_args()
    if "relplan.cli.metrics" not in cli.COMMAND_MODULES:
        cli.COMMAND_MODULES = (*cli.COMMAND_MODULES, "relplan.cli.metrics")
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"load average {load} (figures are noisy on a shared machine)")
    rows = _deployments(args.deployments, args.commits)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.relplan"
        with Workspace.open(db) as ws:

            def store() -> None:
                with ws.write():
                    delivery.save_deployments(ws.conn, rows)

            print(f"store   {len(rows)} deployments, {args.commits} commits: {_best(store):.2f} s")
        argv = ["--db", str(db), "metrics", "--json", "--from", "2026-01-01", "--to", "2026-12-31"]

        def metrics() -> None:
            with contextlib.redirect_stdout(io.StringIO()):
                cli.run(argv)

        print(f"metrics over them (in-process): {_best(metrics):.2f} s")
        wall, cpu = _whole_command(argv)
        print(f"relplan metrics, whole command (best of 3): {wall:.2f} s wall, {cpu:.2f} s CPU")
    _pull(args.pull)


def _whole_command(argv: list[str]) -> tuple[float, float]:
    """Best-of-3 wall and CPU (user + system) time of ``relplan ARGV`` in a new process.

    CPU time is printed too because the machine is shared: under load, wall time mostly
    measures the wait for a core.
    """
    import subprocess

    walls, cpus = [], []
    for _ in range(3):
        before = os.times()
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "relplan", *argv], check=True, stdout=subprocess.DEVNULL
        )
        walls.append(time.perf_counter() - start)
        after = os.times()
        cpus.append(
            after.children_user - before.children_user + after.children_system
            - before.children_system
        )  # fmt: skip
    return min(walls), min(cpus)


def _pull(n: int) -> None:
    from relplan.sync.delivery.gitlab import GitLabScope, pull_deployments
    from relplan.sync.http import HttpClient
    from tests.helpers.fake_gitlab import FakeGitLab

    fake = FakeGitLab()
    parent = None
    for i in range(n):
        sha = f"{i:040x}"
        when = T0 + dt.timedelta(minutes=25 * i)
        fake.commit(sha, when - dt.timedelta(hours=2), f"PAY-{i}", parent)
        fake.deploy(i + 1, sha, "success", when)
        parent = sha
    with fake, HttpClient(fake.url + "/api/v4", "Bearer glpat-secret") as http:
        scope = GitLabScope("gl", "group/app", "PAY", ("production",))
        start = time.perf_counter()
        pulled, _ = pull_deployments(http, scope)
        took = time.perf_counter() - start
    print(
        f"pull    {len(pulled)} GitLab deployments from the loopback fake ({http.requests} "
        f"requests): {took:.2f} s, {took / len(pulled) * 1000:.2f} ms each"
    )


if __name__ == "__main__":
    main()
