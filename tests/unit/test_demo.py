"""The demo portfolio generator: deterministic, valid per the workspace format, and realistic."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from typing import Any

import networkx as nx
import pytest

from relplan.demo import generate

D = dt.date.fromisoformat
TODAY = dt.date(2026, 3, 16)
# Around the quarter, near Black Friday and the year-end freeze, inside the freeze, and a leap day.
TODAYS = [
    TODAY,
    dt.date(2026, 11, 27),
    dt.date(2026, 12, 28),
    dt.date(2027, 1, 3),
    dt.date(2028, 2, 29),
    dt.date(2025, 7, 1),
]

KEYS = {
    "": {"format", "version", "timezone", "teams", "environments", "trains", "releases",
         "freezes", "work_items", "dependencies", "deployments"},
    "teams": {"key", "name", "color"},
    "environments": {"name", "order", "capacity"},
    "trains": {"key", "name", "target"},
    "releases": {"key", "name", "team", "train", "start", "target", "status", "stages",
                 "milestones", "gates"},
    "stages": {"environment", "start", "end", "strategy"},
    "milestones": {"name", "date"},
    "gates": {"name", "environment", "kind", "approvers", "status"},
    "freezes": {"name", "start", "end", "environments", "teams"},
    "work_items": {"key", "title", "team", "release", "type", "status", "category", "points",
                   "created", "resolved"},
    "dependencies": {"from", "to", "type", "lag_days"},
    "deployments": {"release", "environment", "started", "finished", "outcome", "restored",
                    "changes"},
    "changes": {"id", "committed"},
}  # fmt: skip
TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def T(value: str) -> dt.datetime:  # noqa: N802
    assert TIME.match(value), value
    return dt.datetime.fromisoformat(value)


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    return generate("small", seed=0, today=TODAY)


def release_violations(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """Explicit release dependencies that break their constraint (the spec's table)."""
    rel = {r["key"]: (D(r["start"]), D(r["target"])) for r in doc["releases"]}
    one = dt.timedelta(days=1)
    bad = []
    for dep in doc["dependencies"]:
        if not dep["from"].startswith("release:"):
            continue
        (ps, pt), (ss, st) = rel[dep["from"][8:]], rel[dep["to"][8:]]
        lag = dt.timedelta(days=dep.get("lag_days", 0))
        ok = {
            "FS": ss >= pt + one + lag,
            "SS": ss >= ps + lag,
            "FF": st >= pt + lag,
            "SF": st + one >= ps + lag,
        }[dep.get("type", "FS")]
        if not ok:
            bad.append(dep)
    return bad


def implied_ff_violations(doc: dict[str, Any]) -> int:
    """Item dependencies across releases whose implied FF (lag 0) does not hold."""
    target = {r["key"]: D(r["target"]) for r in doc["releases"]}
    release_of = {i["key"]: i["release"] for i in doc["work_items"]}
    count = 0
    for dep in doc["dependencies"]:
        if dep["from"].startswith("item:"):
            p, s = release_of[dep["from"][5:]], release_of[dep["to"][5:]]
            count += p != s and target[s] < target[p]
    return count


def freeze_conflicts(doc: dict[str, Any], environment: str = "Production") -> set[str]:
    """Releases with a stage in ``environment`` overlapping a freeze that covers them."""
    out = set()
    for r in doc["releases"]:
        for st in r["stages"]:
            if st["environment"] != environment:
                continue
            for f in doc["freezes"]:
                envs_ok = not f["environments"] or environment in f["environments"]
                teams_ok = not f["teams"] or r["team"] in f["teams"]
                overlap = D(st["start"]) <= D(f["end"]) and D(f["start"]) <= D(st["end"])
                if envs_ok and teams_ok and overlap:
                    out.add(r["key"])
    return out


def overbooked(doc: dict[str, Any]) -> dict[str, int]:
    """Environment name -> number of days on which more stage windows overlap than it holds."""
    capacity = {e["name"]: e["capacity"] for e in doc["environments"]}
    per_day: Counter[tuple[str, dt.date]] = Counter()
    for r in doc["releases"]:
        for st in r["stages"]:
            day = D(st["start"])
            while day <= D(st["end"]):
                per_day[st["environment"], day] += 1
                day += dt.timedelta(days=1)
    days: Counter[str] = Counter()
    for (env, _), n in per_day.items():
        if n > capacity[env]:
            days[env] += 1
    return dict(days)


def graph(doc: dict[str, Any]) -> nx.DiGraph[str]:
    g: nx.DiGraph[str] = nx.DiGraph()
    g.add_edges_from((d["from"], d["to"]) for d in doc["dependencies"])
    return g


def check_integrity(doc: dict[str, Any]) -> None:
    """Everything the importer checks: keys, references, enums, dates, unique pairs."""
    assert doc["format"] == "relplan-workspace"
    assert doc["version"] == 1
    assert doc["timezone"] == "Europe/Berlin"
    assert set(doc) == KEYS[""]
    for section in ("teams", "environments", "trains", "releases", "freezes", "work_items",
                    "dependencies", "deployments"):  # fmt: skip
        for obj in doc[section]:
            assert set(obj) <= KEYS[section], (section, set(obj) - KEYS[section])
    for r in doc["releases"]:
        for part in ("stages", "milestones", "gates"):
            for obj in r[part]:
                assert set(obj) <= KEYS[part], (part, obj)
    for dep in doc["deployments"]:
        for change in dep["changes"]:
            assert set(change) <= KEYS["changes"]

    def unique(section: str, field: str) -> set[str]:
        values = [o[field] for o in doc[section]]
        assert len(values) == len(set(values)), section
        return set(values)

    teams = unique("teams", "key")
    envs = unique("environments", "name")
    trains = unique("trains", "key")
    releases = unique("releases", "key")
    items = unique("work_items", "key")
    unique("freezes", "name")
    assert len({t["color"] for t in doc["teams"]}) == len(teams)
    assert all(re.fullmatch(r"#[0-9a-f]{6}", t["color"]) for t in doc["teams"])
    assert sorted(e["order"] for e in doc["environments"]) == list(range(1, len(envs) + 1))
    assert {"Dev", "QA", "Staging", "Production"} <= envs
    for t in doc["trains"]:
        D(t["target"])
    for r in doc["releases"]:
        assert r["team"] in teams
        assert r.get("train") is None or r["train"] in trains
        assert D(r["start"]) <= D(r["target"])
        assert r["status"] in ("planned", "in_progress", "released", "cancelled")
        for st in r["stages"]:
            assert st["environment"] in envs
            assert D(st["start"]) <= D(st["end"])
            assert st["strategy"] in ("big_bang", "rolling", "blue_green", "canary")
        for m in r["milestones"]:
            D(m["date"])
        for g in r["gates"]:
            assert g["environment"] in envs
            assert g["kind"] in ("manual", "automated")
            assert g["status"] in ("pending", "approved", "rejected")
    for f in doc["freezes"]:
        assert D(f["start"]) <= D(f["end"])
        assert set(f["environments"]) <= envs
        assert set(f["teams"]) <= teams
    for i in doc["work_items"]:
        assert i["team"] in teams
        assert i["release"] in releases
        assert i["type"] in ("Story", "Bug", "Task")
        assert i["category"] in ("todo", "in_progress", "done")
        assert i["points"] is None or i["points"] in (1, 2, 3, 5, 8)
        created = T(i["created"])
        assert (i["resolved"] is not None) == (i["category"] == "done")
        if i["resolved"] is not None:
            assert T(i["resolved"]) > created
    pairs = set()
    for dep in doc["dependencies"]:
        pair = (dep["from"], dep["to"])
        assert pair not in pairs
        assert dep["from"] != dep["to"]
        pairs.add(pair)
        for end in pair:
            kind, _, key = end.partition(":")
            assert key in {"release": releases, "item": items}[kind], end
        assert dep.get("type", "FS") in ("FS", "SS", "FF", "SF")
        assert isinstance(dep.get("lag_days", 0), int)
    identities = set()
    for d in doc["deployments"]:
        assert d["release"] in releases
        assert d["environment"] in envs
        assert d["outcome"] in ("succeeded", "failed", "rolled_back")
        assert T(d["started"]) < T(d["finished"])
        assert (d.get("restored") is None) == (d["outcome"] == "succeeded")
        if d.get("restored") is not None:
            assert T(d["restored"]) > T(d["finished"])
        for change in d["changes"]:
            assert re.fullmatch(r"[0-9a-f]{40}", change["id"])
            assert T(change["committed"]) < T(d["started"])
        identity = (d["release"], d["environment"], d["finished"])
        assert identity not in identities
        identities.add(identity)


def test_same_seed_gives_the_same_document() -> None:
    assert generate("small", seed=7, today=TODAY) == generate("small", seed=7, today=TODAY)


def test_another_seed_gives_another_document() -> None:
    assert generate("small", seed=1, today=TODAY) != generate("small", seed=2, today=TODAY)


def test_today_defaults_to_the_real_today() -> None:
    assert generate() == generate(today=dt.date.today())


def test_small_counts(doc: dict[str, Any]) -> None:
    assert len(doc["teams"]) == 8
    assert {t["key"] for t in doc["teams"]} >= {"PAY", "WEB", "MOB", "API", "DATA", "IAM", "OPS"}
    assert len(doc["environments"]) == 4
    assert len(doc["trains"]) == 3
    assert 30 <= len(doc["releases"]) <= 50
    assert 600 <= len(doc["work_items"]) <= 1000
    release_deps = [d for d in doc["dependencies"] if d["from"].startswith("release:")]
    item_deps = [d for d in doc["dependencies"] if d["from"].startswith("item:")]
    assert 15 <= len(release_deps) <= 60
    assert {d["type"] for d in release_deps} == {"FS", "SS", "FF", "SF"}
    assert any(d["lag_days"] != 0 for d in release_deps)
    assert 50 <= len(item_deps) <= 300
    assert 4 <= len(doc["freezes"]) <= 8
    assert 200 <= len(doc["deployments"]) <= 800
    assert [r["status"] for r in doc["releases"]].count("cancelled") == 1
    production = next(e for e in doc["environments"] if e["name"] == "Production")
    assert production["capacity"] in (1, 2)


@pytest.mark.parametrize("today", TODAYS, ids=str)
def test_small_is_valid_and_realistic(today: dt.date) -> None:
    doc = generate("small", seed=0, today=today)
    check_integrity(doc)
    violations = release_violations(doc)
    assert 1 <= len(violations) <= 5, violations
    assert implied_ff_violations(doc) == 0
    assert 1 <= len(freeze_conflicts(doc)) <= 3
    assert len(overbooked(doc)) == 1, overbooked(doc)
    assert nx.is_directed_acyclic_graph(graph(doc))


@pytest.mark.parametrize("today", TODAYS, ids=str)
def test_year_end_production_freeze_covers_the_coming_holidays(today: dt.date) -> None:
    doc = generate("small", seed=0, today=today)
    year_end = [
        (D(f["start"]), D(f["end"]))
        for f in doc["freezes"]
        if f["start"][5:] == "12-19"
        and f["end"][5:] == "01-04"
        and f["environments"] == ["Production"]
        and f["teams"] == []
    ]
    assert any(today <= end and start - today < dt.timedelta(days=366) for start, end in year_end)


def test_release_status_follows_the_calendar(doc: dict[str, Any]) -> None:
    items_of: dict[str, list[dict[str, Any]]] = {}
    for item in doc["work_items"]:
        items_of.setdefault(item["release"], []).append(item)
    for r in doc["releases"]:
        start, target, items = D(r["start"]), D(r["target"]), items_of.get(r["key"], [])
        assert all(T(i["created"]).date() < TODAY for i in items)
        assert all(T(i["resolved"]).date() < TODAY for i in items if i["resolved"])
        if r["status"] == "released":
            assert target < TODAY
            assert all(g["status"] == "approved" for g in r["gates"])
            assert all(i["category"] == "done" and i["resolved"] for i in items)
        elif r["status"] == "in_progress":
            assert start <= TODAY <= target
        elif r["status"] == "planned":
            assert start > TODAY
            assert all(g["status"] == "pending" for g in r["gates"])
            todo = sum(i["category"] == "todo" for i in items)
            assert todo >= len(items) * 0.6
    status = {r["key"]: r["status"] for r in doc["releases"]}
    in_progress = [i for i in doc["work_items"] if status[i["release"]] == "in_progress"]
    assert {i["category"] for i in in_progress} == {"todo", "in_progress", "done"}
    assert sum(i["points"] is None for i in doc["work_items"]) < len(doc["work_items"]) * 0.15


def test_most_release_dependencies_point_forward(doc: dict[str, Any]) -> None:
    releases = {r["key"]: r for r in doc["releases"]}
    fs = [d for d in doc["dependencies"] if d["from"].startswith("release:") and d["type"] == "FS"]
    forward = [
        d for d in fs if D(releases[d["to"][8:]]["start"]) > D(releases[d["from"][8:]]["target"])
    ]
    assert len(forward) >= 0.8 * len(fs)
    teams = {i["key"]: i["team"] for i in doc["work_items"]}
    cross = [d for d in doc["dependencies"] if d["from"].startswith("item:")
             and teams[d["from"][5:]] != teams[d["to"][5:]]]  # fmt: skip
    assert len(cross) >= 30


def test_trains_lie_ahead_and_gather_releases(doc: dict[str, Any]) -> None:
    targets = {t["key"]: D(t["target"]) for t in doc["trains"]}
    assert all(target > TODAY for target in targets.values())
    members = Counter(r.get("train") for r in doc["releases"] if r.get("train"))
    assert set(members) == set(targets)
    for r in doc["releases"]:
        if r.get("train"):
            assert D(r["target"]) <= targets[r["train"]]


def test_deployment_history_spans_a_year_before_today(doc: dict[str, Any]) -> None:
    started = [T(d["started"]).date() for d in doc["deployments"]]
    assert min(started) <= TODAY - dt.timedelta(days=350)
    assert max(started) < TODAY
    released = {r["key"] for r in doc["releases"] if r["status"] == "released"}
    assert {d["release"] for d in doc["deployments"]} <= released
    assert {d["environment"] for d in doc["deployments"]} == {"Production"}
    outcomes = Counter(d["outcome"] for d in doc["deployments"])
    assert outcomes["failed"] + outcomes["rolled_back"] >= 5
    assert outcomes["succeeded"] > 0.75 * len(doc["deployments"])
    teams = {r["key"]: r["team"] for r in doc["releases"]}
    per_team = Counter(teams[d["release"]] for d in doc["deployments"])
    assert set(per_team) == {t["key"] for t in doc["teams"]}
    assert min(per_team.values()) >= 35  # weekly-ish, minus freezes and quiet weeks


@pytest.mark.slow
def test_large_scale_counts_and_acyclicity() -> None:
    doc = generate("large", seed=0, today=TODAY)
    assert len(doc["teams"]) == 50
    assert len(doc["releases"]) == 2_000
    assert len(doc["work_items"]) == 100_000
    assert len(doc["dependencies"]) == 150_000
    release_deps = sum(d["from"].startswith("release:") for d in doc["dependencies"])
    assert 1_000 <= release_deps <= 10_000
    check_integrity(doc)
    assert implied_ff_violations(doc) == 0
    assert nx.is_directed_acyclic_graph(graph(doc))


def test_json_ready_and_in_export_form(doc: dict[str, Any]) -> None:
    """Plain JSON types, and already in the order and shape ``relplan export json`` writes."""
    assert json.loads(json.dumps(doc)) == doc
    from relplan.formats.workspace_json import encode_plan, parse_workspace

    assert encode_plan(parse_workspace(doc)) == doc


def test_plan_check_finds_exactly_the_planted_problems(doc: dict[str, Any]) -> None:
    from relplan.formats.workspace_json import parse_workspace
    from relplan.planning.check import check_plan

    problems = check_plan(parse_workspace(doc), today=TODAY)
    kinds = Counter(p.kind for p in problems)
    assert kinds == {"dependency_violation": 3, "freeze_conflict": 2, "environment_conflict": 1}
