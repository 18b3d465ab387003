"""Benchmark: pulls of the Azure Pipelines, Jenkins and PagerDuty sources from loopback fakes.

Issue #15's target is 20,000 deployments with 100,000 commits pulled in <= 20 s. Each fake
serves from a process of its own (forked), as a real server would, so its work does not share
the client's GIL; ``--in-process`` serves from threads of this process instead (the old, more
pessimistic figures). The machine is shared, so figures are noisy: best of ``--runs``.

- Jenkins: N builds with 5 commits each, read in ``allBuilds{M,N}`` ranges of 100.
- Azure Pipelines: N deployment records (one per run), builds read 100 a request and one
  ``build/changes`` per success, 8 requests in parallel; then what was pulled is stored in a
  new workspace as ``relplan sync`` stores it (``--store``).
- PagerDuty: N incidents over the last year, in 6-month windows, 100 per page.

    python scripts/bench_delivery_sources.py [--jenkins 20000] [--azure 20000] [--pagerduty 5000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from relplan.sync.delivery import azure_pipelines, jenkins, pagerduty
from relplan.sync.delivery.common import PullContext, Pulled
from tests.helpers.fake_azure_pipelines import FakeAzurePipelines
from tests.helpers.fake_jenkins import FakeJenkins
from tests.helpers.fake_pagerduty import FakePagerDuty

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
MINUTE = dt.timedelta(minutes=1)
#: Serve each fake from a forked process (False: from threads of this one).
ELSEWHERE = True


class Served:
    """Where a fake serves, and what it counted once stopped."""

    url = ""
    requests = 0
    cpu_s = 0.0


def _serve(fake: Any, conn: Any) -> None:
    fake.start()
    conn.send(fake.url)
    conn.recv()  # "stop"
    conn.send((len(fake.requests), time.process_time()))
    fake.stop()


@contextmanager
def serving(fake: Any) -> Iterator[Served]:
    """Run ``fake`` (built already) from a process of its own, or from threads here."""
    served = Served()
    if not ELSEWHERE:
        with fake:
            served.url = fake.url
            yield served
            served.requests = len(fake.requests)
        return
    here, there = multiprocessing.get_context("fork").Pipe()
    child = multiprocessing.get_context("fork").Process(target=_serve, args=(fake, there))
    child.start()
    served.url = here.recv()
    try:
        yield served
    finally:
        here.send("stop")
        served.requests, served.cpu_s = here.recv()
        child.join()


def _best(fn: Callable[[], Pulled], runs: int) -> tuple[float, float, Pulled]:
    """The best wall time of ``runs`` calls, the client's CPU time in that one, the result."""
    best, cpu, got = float("inf"), 0.0, Pulled()
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        got = fn()
        took = time.perf_counter() - start
        if took < best:
            best, cpu = took, time.process_time() - start_cpu
    return best, cpu, got


def bench_jenkins(n: int, runs: int) -> None:
    fake = FakeJenkins()
    start = NOW - n * 10 * MINUTE
    for i in range(1, n + 1):
        when = start + i * 10 * MINUTE
        commits = [(f"{i:034x}{k:06x}", when - (k + 1) * 30 * MINUTE, f"PAY-{i}") for k in range(5)]
        result = "FAILURE" if i % 9 == 4 else "SUCCESS"
        fake.build(i, result, when - 5 * MINUTE, 5, f"{i:040x}", commits)
    settings = {"team": "PAY", "production": ["prod"], "job": fake.job, "user": fake.user}
    with serving(fake) as served:
        ctx = PullContext("ci", served.url, settings)

        def pull() -> Pulled:
            with jenkins.client(ctx, fake.token) as http:
                return jenkins.pull(http, ctx)

        took, cpu, got = _best(pull, runs)
    commits = sum(len(d.commits) for d in got.deployments)
    print(
        f"jenkins    {len(got.deployments)} builds, {commits} commits: {took:.2f} s, "
        f"client CPU {cpu:.2f} s ({served.requests // runs} requests a pull)"
    )


def bench_azure(n: int, runs: int, store: bool) -> None:
    fake = FakeAzurePipelines()
    fake.environment(7, "Production")
    start = NOW - n * 10 * MINUTE
    for i in range(1, n + 1):
        when = start + i * 10 * MINUTE
        commits = [(f"{i:034x}{k:06x}", when - (k + 1) * 30 * MINUTE, f"PAY-{i}") for k in range(5)]
        fake.run(i, f"{i:040x}", when, commits)
        fake.record(7, i, "failed" if i % 9 == 4 else "succeeded", when)
    settings = {"team": "PAY", "production": ["Production"], "project": fake.project}
    with serving(fake) as served:
        ctx = PullContext("az", served.url, settings)

        def pull() -> Pulled:
            with azure_pipelines.client(ctx, fake.pat) as http:
                return azure_pipelines.pull(http, ctx)

        took, cpu, got = _best(pull, runs)
    commits = sum(len(d.commits) for d in got.deployments)
    print(
        f"azure      {len(got.deployments)} records, {commits} commits: {took:.2f} s, "
        f"client CPU {cpu:.2f} s, server CPU {served.cpu_s:.2f} s over all runs "
        f"({served.requests // runs} requests a pull; {took / max(1, n) * 20_000:.0f} s "
        "extrapolated to 20,000)"
    )
    if store:
        print(f"azure      storing them in a new workspace: {_store(ctx, got, runs):.2f} s")


def _store(ctx: PullContext, got: Pulled, runs: int) -> float:
    """Best time of writing a pull into a fresh workspace as ``relplan sync`` does (apply)."""
    from relplan.store.workspace import Workspace
    from relplan.sync.credentials import KeyringStore
    from relplan.sync.delivery import connections
    from tests.helpers.memory_keyring import MemoryKeyring

    best = float("inf")
    for run in range(runs):
        with (
            tempfile.TemporaryDirectory() as folder,
            Workspace.open(Path(folder) / f"bench{run}.relplan") as ws,
        ):
            connections.add_delivery_connection(
                ws, kind="azure_pipelines", name=ctx.connection, url=ctx.url,
                team=ctx.team, production=ctx.production,
                scope={"project": str(ctx.settings["project"])}, token="t",
                store=KeyringStore(MemoryKeyring()),
            )  # fmt: skip
            job = connections.prepare(ws, ctx.connection)
            start = time.perf_counter()
            connections.apply(ws, job, got)
            best = min(best, time.perf_counter() - start)
    return best


def bench_pagerduty(n: int, runs: int) -> None:
    fake = FakePagerDuty(now=NOW)
    step = dt.timedelta(days=360) / max(1, n)
    for i in range(n):
        created = NOW - dt.timedelta(days=360) + i * step
        fake.incident(f"P{i:06d}", created, created + 30 * MINUTE)
    settings = {"team": "PAY", "production": [], "service": "PIKL83L"}
    with serving(fake) as served:
        ctx = PullContext("pd", served.url, settings, now=NOW)

        def pull() -> Pulled:
            with pagerduty.client(ctx, fake.key) as http:
                return pagerduty.pull(http, ctx)

        took, cpu, got = _best(pull, runs)
    print(
        f"pagerduty  {len(got.incidents)} incidents: {took:.2f} s, client CPU {cpu:.2f} s "
        f"({served.requests // runs} requests a pull)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jenkins", type=int, default=20_000)
    parser.add_argument("--azure", type=int, default=20_000)
    parser.add_argument("--pagerduty", type=int, default=5_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--in-process", action="store_true", help="serve fakes from threads here")
    parser.add_argument("--store", action="store_true", help="also time storing the Azure pull")
    args = parser.parse_args()
    global ELSEWHERE
    ELSEWHERE = not args.in_process
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"load average {load} (figures are noisy on a shared machine)")
    print(f"fakes served from {'threads of this process' if args.in_process else 'a process each'}")
    bench_jenkins(args.jenkins, args.runs)
    bench_azure(args.azure, args.runs, args.store)
    bench_pagerduty(args.pagerduty, args.runs)


if __name__ == "__main__":
    main()
