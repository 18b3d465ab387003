"""A random but reproducible workspace with the awkward parts of real plans.

Releases of three teams and two trains (some undated, released or cancelled), stage windows,
milestones, gates, freezes; work items with and without a release and points; item links
within and across releases (implying release edges, some also explicit), cycles through items
(across releases: a release cycle too, unless ``acyclic``), and deployments with and without
changes. :func:`add_dangling` adds dependency ends that name nothing, as a workspace edited by
hand or by an older version may hold.
"""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
from typing import Any

BASE = dt.date(2026, 10, 5)
TEAMS = ("PAY", "WEB", "OPS")
CATEGORIES = ("todo", "in_progress", "done", "done")


def _day(offset: int) -> str:
    return (BASE + dt.timedelta(days=offset)).isoformat()


def _time(offset: int, hour: int) -> str:
    return f"{_day(offset)}T{hour:02d}:00:00Z"


def tangled_document(seed: int, *, acyclic: bool = False) -> dict[str, Any]:
    """A workspace document (shared/spec/workspace-format.md) made from ``seed``.

    Args:
        seed: Which plan.
        acyclic: Keep release edges going forward only (so the plan has a schedule); items
            still form cycles inside one release.
    """
    rng = random.Random(seed)
    releases: list[dict[str, Any]] = []
    for n in range(14):
        team = TEAMS[n % 3]
        start = n * 4 + rng.randint(0, 6)
        length = rng.randint(3, 20)
        release: dict[str, Any] = {
            "key": f"{team}-{n:02d}",
            "name": f"{team} release {n}" + (' = "q"; ü' if n == 4 else ""),
            "team": team,
            "train": rng.choice([None, "Q4", "Q1"]),
            "start": _day(start),
            "target": _day(start + length),
            "status": rng.choice(["planned", "planned", "in_progress", "released", "cancelled"]),
            "stages": [],
            "milestones": [],
            "gates": [],
        }
        if n % 7 == 6:
            release["start"] = release["target"] = None
        elif rng.random() < 0.6:
            first = start + rng.randint(0, length)
            release["stages"].append(
                {
                    "environment": rng.choice(["Staging", "Production"]),
                    "start": _day(first),
                    "end": _day(first + rng.randint(0, 3)),
                    "strategy": "rolling",
                }
            )
            release["milestones"].append({"name": "Code freeze", "date": _day(first)})
        if rng.random() < 0.5:
            status = rng.choice(["pending", "approved", "rejected"])
            release["gates"].append(
                {"name": "CAB", "environment": "Production", "kind": "manual", "status": status}
            )
        releases.append(release)
    items: list[dict[str, Any]] = []
    for release in releases:
        for m in range(rng.randint(0, 6)):
            category = rng.choice(CATEGORIES)
            items.append(
                {
                    "key": f"{release['key']}-{m}",
                    "title": f"Item {m} of {release['key']}",
                    "team": release["team"],
                    "release": release["key"],
                    "category": category,
                    "points": rng.choice([None, 1, 2.5, 3, 8]) if n_points(release) else 2,
                    "created": _time(rng.randint(0, 20), 9),
                    "resolved": _time(rng.randint(21, 40), 17) if category == "done" else None,
                }
            )
    items += [
        {"key": f"LOOSE-{m}", "title": f"Loose {m}", "team": TEAMS[m % 3], "category": "todo"}
        for m in range(4)
    ]
    keys = [i["key"] for i in items]
    home = {i["key"]: i.get("release") for i in items}
    order = {r["key"]: n for n, r in enumerate(releases)}
    pairs: dict[tuple[str, str], dict[str, Any]] = {}
    for _ in range(70):
        a, b = rng.sample(keys, 2)
        ra, rb = home[a], home[b]
        if acyclic and ra and rb and ra != rb and order[ra] > order[rb]:
            a, b = b, a
        pairs[(f"item:{a}", f"item:{b}")] = {}
    # A cycle through items of one release (no release cycle, but a check problem).
    inside = [i["key"] for i in items if i.get("release") == releases[1]["key"]][:3]
    inside = inside or [i["key"] for i in items if i.get("release")][:3]
    for a, b in zip(inside, [*inside[1:], inside[0]], strict=True):
        if a != b:
            pairs[(f"item:{a}", f"item:{b}")] = {}
    for _ in range(12):
        p, s = sorted(rng.sample(range(len(releases)), 2))
        if not acyclic and rng.random() < 0.2:
            p, s = s, p
        pairs[(f"release:{releases[p]['key']}", f"release:{releases[s]['key']}")] = {
            "type": rng.choice(["FS", "SS", "FF", "SF"]),
            "lag_days": rng.randint(-3, 5),
        }
    # An explicit edge that an item link also implies (the explicit one wins).
    implied = [(home[a[5:]], home[b[5:]]) for a, b in pairs if a.startswith("item:")]
    crossing = [(p, s) for p, s in implied if p and s and p != s]
    if crossing:
        p, s = crossing[0]
        pairs[(f"release:{p}", f"release:{s}")] = {"type": "SS", "lag_days": 1}
    deployments = []
    for n, release in enumerate(releases[:8]):
        changes = [] if n % 2 else [{"id": f"c{n}", "committed": _time(n, 8)}]
        deployments.append(
            {
                "release": release["key"],
                "environment": "Production",
                "started": _time(20 + n, 10),
                "finished": _time(20 + n, 11),
                "outcome": "failed" if n == 3 else "succeeded",
                "restored": _time(20 + n, 13) if n == 3 else None,
                "changes": changes,
            }
        )
    return {
        "format": "relplan-workspace",
        "version": 1,
        "timezone": "Europe/Berlin",
        "teams": [
            {"key": "PAY", "name": "Payments", "color": "#1f77b4"},
            {"key": "WEB", "name": "Web", "color": None},
            {"key": "OPS", "name": 'Ops "core"', "color": "#2ca02c"},
        ],
        "environments": [
            {"name": "Staging", "order": 1, "capacity": 1},
            {"name": "Production", "order": 2, "capacity": 1},
        ],
        "trains": [
            {"key": "Q4", "name": "Q4 train", "target": _day(60)},
            {"key": "Q1", "name": "Q1 train", "target": _day(120)},
        ],
        "releases": releases,
        "freezes": [
            {
                "name": "Year end",
                "start": _day(75),
                "end": _day(85),
                "environments": ["Production"],
                "teams": ["PAY"],
            }
        ],
        "work_items": items,
        "dependencies": [{"from": a, "to": b, **extra} for (a, b), extra in sorted(pairs.items())],
        "deployments": deployments,
    }


def n_points(release: dict[str, Any]) -> bool:
    """Whether a release's items may lack points (every third release's items all have)."""
    return int(str(release["key"])[-2:]) % 3 != 0


def add_dangling(conn: sqlite3.Connection) -> None:
    """Add dependency ends that name nothing: a release and an item that do not exist."""
    first = conn.execute("SELECT key FROM releases ORDER BY key LIMIT 1").fetchone()[0]
    item = conn.execute("SELECT key FROM work_items ORDER BY key LIMIT 1").fetchone()[0]
    with conn:
        conn.executemany(
            "INSERT INTO dependencies VALUES (?, ?, 'FS', 0)",
            [
                (f"release:{first}", "release:GONE-1"),
                ("release:GONE-2", f"release:{first}"),
                (f"item:{item}", "item:NOPE-1"),
                ("item:NOPE-2", f"item:{item}"),
            ],
        )
