"""Benchmark: pulls of the Azure Pipelines, Jenkins and PagerDuty sources from loopback fakes.

Issue #15's target is 20,000 deployments with 100,000 commits pulled in <= 20 s. The fakes run
in this process (threads sharing the GIL with the client), so figures are pessimistic; the
machine is shared, so they are noisy: best of ``--runs``.

- Jenkins: N builds with 5 commits each, read in ``allBuilds{M,N}`` ranges of 100.
- Azure Pipelines: N deployment records (one per run), one build read per run and one
  ``build/changes`` per success, 8 requests in parallel.
- PagerDuty: N incidents over the last year, in 6-month windows, 100 per page.

    python scripts/bench_delivery_sources.py [--jenkins 20000] [--azure 2000] [--pagerduty 5000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from relplan.sync.delivery import azure_pipelines, jenkins, pagerduty
from relplan.sync.delivery.common import PullContext, Pulled
from tests.helpers.fake_azure_pipelines import FakeAzurePipelines
from tests.helpers.fake_jenkins import FakeJenkins
from tests.helpers.fake_pagerduty import FakePagerDuty

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
MINUTE = dt.timedelta(minutes=1)


def _best(fn: Callable[[], Pulled], runs: int) -> tuple[float, Pulled]:
    best, got = float("inf"), Pulled()
    for _ in range(runs):
        start = time.perf_counter()
        got = fn()
        best = min(best, time.perf_counter() - start)
    return best, got


def bench_jenkins(n: int, runs: int) -> None:
    fake = FakeJenkins()
    start = NOW - n * 10 * MINUTE
    for i in range(1, n + 1):
        when = start + i * 10 * MINUTE
        commits = [(f"{i:034x}{k:06x}", when - (k + 1) * 30 * MINUTE, f"PAY-{i}") for k in range(5)]
        result = "FAILURE" if i % 9 == 4 else "SUCCESS"
        fake.build(i, result, when - 5 * MINUTE, 5, f"{i:040x}", commits)
    settings = {"team": "PAY", "production": ["prod"], "job": fake.job, "user": fake.user}
    with fake:
        ctx = PullContext("ci", fake.url, settings)

        def pull() -> Pulled:
            with jenkins.client(ctx, fake.token) as http:
                return jenkins.pull(http, ctx)

        took, got = _best(pull, runs)
    commits = sum(len(d.commits) for d in got.deployments)
    print(
        f"jenkins    {len(got.deployments)} builds, {commits} commits: {took:.2f} s "
        f"({len(fake.requests) // runs} requests a pull)"
    )


def bench_azure(n: int, runs: int) -> None:
    fake = FakeAzurePipelines()
    fake.environment(7, "Production")
    start = NOW - n * 10 * MINUTE
    for i in range(1, n + 1):
        when = start + i * 10 * MINUTE
        commits = [(f"{i:034x}{k:06x}", when - (k + 1) * 30 * MINUTE, f"PAY-{i}") for k in range(5)]
        fake.run(i, f"{i:040x}", when, commits)
        fake.record(7, i, "failed" if i % 9 == 4 else "succeeded", when)
    settings = {"team": "PAY", "production": ["Production"], "project": fake.project}
    with fake:
        ctx = PullContext("az", fake.url, settings)

        def pull() -> Pulled:
            with azure_pipelines.client(ctx, fake.pat) as http:
                return azure_pipelines.pull(http, ctx)

        took, got = _best(pull, runs)
    commits = sum(len(d.commits) for d in got.deployments)
    print(
        f"azure      {len(got.deployments)} records, {commits} commits: {took:.2f} s "
        f"({len(fake.requests) // runs} requests a pull; {took / max(1, n) * 20_000:.0f} s "
        "extrapolated to 20,000)"
    )


def bench_pagerduty(n: int, runs: int) -> None:
    fake = FakePagerDuty(now=NOW)
    step = dt.timedelta(days=360) / max(1, n)
    for i in range(n):
        created = NOW - dt.timedelta(days=360) + i * step
        fake.incident(f"P{i:06d}", created, created + 30 * MINUTE)
    settings = {"team": "PAY", "production": [], "service": "PIKL83L"}
    with fake:
        ctx = PullContext("pd", fake.url, settings, now=NOW)

        def pull() -> Pulled:
            with pagerduty.client(ctx, fake.key) as http:
                return pagerduty.pull(http, ctx)

        took, got = _best(pull, runs)
    print(
        f"pagerduty  {len(got.incidents)} incidents: {took:.2f} s "
        f"({len(fake.requests) // runs} requests a pull)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jenkins", type=int, default=20_000)
    parser.add_argument("--azure", type=int, default=2_000)
    parser.add_argument("--pagerduty", type=int, default=5_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    bench_jenkins(args.jenkins, args.runs)
    bench_azure(args.azure, args.runs)
    bench_pagerduty(args.pagerduty, args.runs)


if __name__ == "__main__":
    main()
