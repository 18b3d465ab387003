"""A realistic, deterministic demo portfolio as a ``relplan-workspace`` v1 document.

``generate("small")`` is the plan to explore the app with: 8 teams, 3 release trains, 40 releases,
800 work items, cross-team dependencies, freezes and a year of production deployments, placed
around *today* (history before it, plans after it). A few problems are planted on purpose, as a
release manager would find them in a real plan: three release dependencies that break their
constraint by a few days, two releases whose production window falls into a freeze, and one
overbooked environment (Staging, shortly before a train). ``generate("large")`` is the benchmark
portfolio with the same structure: 50 teams, 2,000 releases, 100,000 items, 150,000 dependencies.

Releases are ranked by (target, start, key) and every dependency points from a lower rank to a
higher one (items follow their release's rank), so no cycle can arise; item dependencies across
releases therefore also keep the implied release FF constraint.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Final, Literal

from relplan import demo_data as data
from relplan.demo.generator import Generator
from relplan.demo.schedule import ENVIRONMENTS, SCALES, STRATEGIES, iso_day

if TYPE_CHECKING:
    from relplan.store.commands import ChangeSet
    from relplan.store.workspace import Workspace

__all__ = ["DEMO_LABEL", "DEMO_SEED", "ENVIRONMENTS", "STRATEGIES", "generate", "import_demo"]

#: The seed of "the demo": ``relplan --demo`` and ``relplan demo`` without ``--seed`` use it.
DEMO_SEED: Final = 1


def generate(
    scale: Literal["small", "large"] = "small",
    *,
    seed: int = DEMO_SEED,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """Return a relplan-workspace v1 document (a JSON-ready dict).

    The plan is placed around ``today`` (default: the real today): releases and a year of
    production deployments before it, three quarterly trains after it. The same
    ``(scale, seed, today)`` always gives the same document. Both ways to make the demo
    (``relplan --demo`` and ``relplan demo``) call this function with the same defaults.
    """
    today = dt.date.today() if today is None else today
    gen = Generator(SCALES[scale], seed, today)
    gen.plan_releases()
    gen.plant_problems()
    gen.schedule()
    items = gen.work_items()
    dependencies = gen.dependencies(items)
    deployments = gen.deployments()
    teams = [
        {"key": key, "name": name, "color": color}
        for (key, name, _), color in zip(gen.teams, data.COLORS, strict=False)
    ]
    return {
        "format": "relplan-workspace",
        "version": 1,
        "timezone": "Europe/Berlin",
        "teams": sorted(teams, key=lambda t: t["key"]),
        "environments": [
            {"name": name, "order": i + 1, "capacity": cap}
            for i, (name, cap) in enumerate(zip(ENVIRONMENTS, gen.sc.capacities, strict=True))
        ],
        "trains": [{"key": k, "name": n, "target": iso_day(t)} for k, n, t in gen.trains],
        "releases": sorted((gen.release_doc(r) for r in gen.ranked), key=lambda r: r["key"]),
        "freezes": [
            {"name": f.name, "start": iso_day(f.start), "end": iso_day(f.end)}
            | {"environments": [*f.environments], "teams": [*f.teams]}
            for f in sorted(gen.freezes, key=lambda f: (f.start, f.name))
        ],
        "work_items": sorted(items, key=lambda i: i["key"]),
        "dependencies": dependencies,
        "deployments": deployments,
    }


#: The label of the command that fills a workspace with the demo (what Undo names).
DEMO_LABEL: Final = "Demo"


def import_demo(ws: Workspace, *, seed: int = DEMO_SEED, today: dt.date | None = None) -> ChangeSet:
    """Make ``ws`` hold the small demo portfolio, as one undoable command ("Demo").

    ``relplan --demo`` and the window's *Open demo* both call this, so they show the very
    portfolio ``relplan demo`` writes.
    """
    from relplan.formats.workspace_json import parse_workspace

    plan = parse_workspace(generate("small", seed=seed, today=today))
    return ws.import_plan(plan, replace=True, label=DEMO_LABEL)
