"""Time the planning analyses on the large demo and on a harsher synthetic plan.

The large demo (``relplan demo --scale large``): 2,000 releases of 50 teams, 100,000 work items and
150,000 dependencies, loaded from a workspace file as ``relplan check`` loads it. The synthetic
plan has the same sizes but far more implied release edges (every cross-release item link), built
in memory with ``random.Random(1)``, so every run times the same plans.

Run: ``python scripts/bench_planning.py`` (``--repeat N`` for best of N, default 3;
``--only demo|synthetic``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time
from collections.abc import Callable

from relplan.domain.model import (
    Dependency,
    Environment,
    Freeze,
    Gate,
    Plan,
    Release,
    Stage,
    Team,
    Train,
    WorkItem,
)
from relplan.planning.check import check_plan
from relplan.planning.impact import impact_of_slip
from relplan.planning.schedule import schedule_plan

TEAMS = 50
RELEASES = 2_000
ITEMS = 100_000
DEPENDENCIES = 150_000
EXPLICIT_RELEASE_EDGES = 3_000
SAME_RELEASE_ITEM_EDGES = 15_000
WINDOW = 100  # a release's items depend on items of the WINDOW releases that start before it
TARGETS = {"check": 2.0, "schedule": 1.0, "impact": 0.5}
TODAY = dt.date(2026, 11, 1)


def build_plan(seed: int = 1) -> Plan:
    """The synthetic plan (deterministic for a seed)."""
    rng = random.Random(seed)
    day0 = dt.date(2026, 1, 5)
    teams = tuple(Team(f"T{t:02d}", f"Team {t}") for t in range(TEAMS))
    environments = (
        Environment("Dev", 1, capacity=20),
        Environment("Test", 2, capacity=8),
        Environment("Staging", 3, capacity=4),
        Environment("Production", 4, capacity=3),
    )
    trains = tuple(Train(f"TRAIN-{q}", f"Train {q}") for q in range(8))
    releases: list[Release] = []
    per_team = RELEASES // TEAMS
    for t in range(TEAMS):
        first = day0 + dt.timedelta(days=rng.randrange(14))
        for n in range(per_team):
            start = first + dt.timedelta(days=n * 21 + rng.randrange(5))
            target = start + dt.timedelta(days=rng.randrange(10, 25))
            stages = (
                Stage("Test", target - dt.timedelta(days=6), target - dt.timedelta(days=4)),
                Stage("Staging", target - dt.timedelta(days=3), target - dt.timedelta(days=2)),
                Stage("Production", target - dt.timedelta(days=1), target, "canary"),
            )
            gates = (
                Gate("CAB approval", "Production", status=rng.choice(["approved", "pending"])),
                Gate("QA sign-off", "Staging", status=rng.choice(["approved", "rejected"])),
            )
            status = "released" if target < TODAY else rng.choice(["planned", "in_progress"])
            releases.append(
                Release(
                    key=f"T{t:02d}-{n:03d}",
                    name=f"Team {t} release {n}",
                    team=f"T{t:02d}",
                    train=f"TRAIN-{n * 8 // per_team}",
                    start=start,
                    target=target,
                    status=status,
                    stages=stages,
                    gates=gates,
                )
            )
    # Dependencies only go from a release that starts earlier to one that starts later (and
    # from a lower item number to a higher one), so the plan is acyclic.
    releases.sort(key=lambda r: (r.start, r.key))
    per_release = ITEMS // RELEASES
    items = [
        WorkItem(f"{r.key}-{i}", f"Item {i} of {r.key}", team=r.team, release=r.key)
        for r in releases
        for i in range(per_release)
    ]
    deps: dict[tuple[str, str], Dependency] = {}
    while len(deps) < EXPLICIT_RELEASE_EDGES:
        s = rng.randrange(1, RELEASES)
        p = rng.randrange(max(0, s - WINDOW), s)
        pair = (releases[p].ref, releases[s].ref)
        deps[pair] = Dependency(
            *pair, rng.choice(["FS", "FS", "SS", "FF", "SF"]), rng.randrange(-3, 4)
        )
    while len(deps) < EXPLICIT_RELEASE_EDGES + SAME_RELEASE_ITEM_EDGES:
        r = rng.randrange(RELEASES)
        a, b = sorted(rng.sample(range(per_release), 2))
        pair = (items[r * per_release + a].ref, items[r * per_release + b].ref)
        deps[pair] = Dependency(*pair)
    while len(deps) < DEPENDENCIES:
        s = rng.randrange(1, RELEASES)
        p = rng.randrange(max(0, s - WINDOW), s)
        pair = (
            items[p * per_release + rng.randrange(per_release)].ref,
            items[s * per_release + rng.randrange(per_release)].ref,
        )
        deps[pair] = Dependency(*pair)
    freezes = (
        Freeze("Holiday 2026", dt.date(2026, 12, 19), dt.date(2027, 1, 4), ("Production",)),
        Freeze("Holiday 2027", dt.date(2027, 12, 18), dt.date(2028, 1, 3), ("Production",)),
        Freeze("Audit", dt.date(2027, 3, 1), dt.date(2027, 3, 7), (), ("T01", "T02", "T03")),
        Freeze("Migration", dt.date(2027, 6, 10), dt.date(2027, 6, 12), ("Staging",)),
    )
    return Plan(
        teams=teams,
        environments=environments,
        trains=trains,
        releases=tuple(releases),
        freezes=freezes,
        work_items=tuple(items),
        dependencies=tuple(deps.values()),
    )


def best_of(repeat: int, fn: Callable[[], object]) -> float:
    """The fastest of ``repeat`` runs, in seconds."""
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        fn()
        times.append(time.perf_counter() - began)
    return min(times)


def demo_plan() -> Plan:
    """The large demo, written to a workspace and loaded back as the command line does."""
    import tempfile
    from pathlib import Path

    from relplan.demo import generate
    from relplan.formats.workspace_json import parse_workspace
    from relplan.store.workspace import Workspace

    with tempfile.TemporaryDirectory() as tmp, Workspace.open(Path(tmp) / "large.relplan") as ws:
        ws.import_plan(parse_workspace(generate("large", seed=1, today=TODAY)))
        began = time.perf_counter()
        plan = ws.plan()
        print(f"load the large demo from its workspace: {time.perf_counter() - began:.2f} s")
        return plan


def main() -> None:
    """Build the plans, time the analyses and print the figures with their targets."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", choices=["demo", "synthetic"])
    args = parser.parse_args()
    if args.only != "synthetic":
        print("== the large demo")
        run(demo_plan(), args.repeat)
    if args.only != "demo":
        print("== the synthetic plan")
        began = time.perf_counter()
        plan = build_plan()
        print(f"built in {time.perf_counter() - began:.1f} s")
        run(plan, args.repeat)


def run(plan: Plan, repeat: int) -> None:
    """Time check, schedule and impact on ``plan`` and print the figures."""
    print(
        f"plan: {len(plan.releases)} releases, {len(plan.work_items)} items, "
        f"{len(plan.dependencies)} dependencies"
    )
    problems = check_plan(plan, today=TODAY)
    schedule = schedule_plan(plan)
    # The earliest dated release: its slip reaches the most releases.
    dated = [r for r in plan.releases if r.start is not None and r.status != "cancelled"]
    slipped = min(dated, key=lambda r: (r.start, r.key)).key
    impact = impact_of_slip(plan, slipped, 5, today=TODAY)
    print(
        f"check: {len(problems)} problems; schedule: end {schedule.end}, critical path of "
        f"{len(schedule.critical_path)}; impact of {slipped} +5: {len(impact.moved)} moved, "
        f"{len(impact.new_problems)} new problems"
    )
    figures = {
        "check": best_of(repeat, lambda: check_plan(plan, today=TODAY)),
        "schedule": best_of(repeat, lambda: schedule_plan(plan)),
        "impact": best_of(repeat, lambda: impact_of_slip(plan, slipped, 5, today=TODAY)),
    }
    for name, seconds in figures.items():
        target = TARGETS[name]
        verdict = "ok" if seconds <= target else "TOO SLOW"
        print(f"{name:<9} {seconds:6.3f} s  (target <= {target:.1f} s)  {verdict}")


if __name__ == "__main__":
    main()
