"""Readiness from a workspace's grouped rows equals readiness of the whole plan's objects."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from relplan.demo import generate
from relplan.domain.model import Plan
from relplan.formats.workspace_json import parse_workspace
from relplan.planning.forecast import throughput_cutoff
from relplan.planning.readiness import ItemFacts, readiness_of
from relplan.store.workspace import Workspace
from tests.helpers.plans import document

PlanWorkspace = Callable[[dict[str, Any]], Workspace]
TODAY = dt.date(2026, 11, 27)


def _from_rows(ws: Workspace, today: dt.date, **filters: str) -> Any:
    plan = ws.release_plan()
    facts = ItemFacts.of_rows(*ws.readiness_rows(throughput_cutoff(plan, today=today)))
    return readiness_of(plan, today=today, facts=facts, **filters)


@pytest.mark.parametrize("today", [dt.date(2026, 6, 1), dt.date(2026, 12, 4)])
def test_the_demo_reads_the_same_from_rows_as_from_objects(
    plan_ws: PlanWorkspace, today: dt.date
) -> None:
    ws = plan_ws(generate("small", seed=3, today=dt.date(2026, 12, 4)))
    whole = ws.plan()
    expected = readiness_of(whole, today=today)
    assert any(r.open_blockers for r in expected.releases)
    assert any(sum(weeks) for weeks in expected.throughput.values())
    assert _from_rows(ws, today) == expected
    team = whole.teams[0].key
    assert _from_rows(ws, today, team=team) == readiness_of(whole, today=today, team=team)


def _item(key: str, release: str | None, category: str, **more: Any) -> dict[str, Any]:
    return {
        "key": key,
        "title": key,
        "team": "WEB",
        "release": release,
        "category": category,
        **more,
    }


def test_edge_cases_read_the_same_from_rows_as_from_objects(plan_ws: PlanWorkspace) -> None:
    doc = document()
    doc["releases"].append(
        {"key": "WEB-OLD", "name": "Old", "team": "WEB", "status": "cancelled",
         "start": "2026-09-01", "target": "2026-09-30"}
    )  # fmt: skip
    # Resolved just inside and just outside the 12 weeks before TODAY in Europe/Berlin, stored
    # with far-off offsets; one without points; one in a cancelled release; one of no release.
    first = throughput_cutoff(Plan(timezone=doc["timezone"]), today=TODAY)
    inside = (first + dt.timedelta(minutes=1)).astimezone(dt.timezone(dt.timedelta(hours=14)))
    outside = (first - dt.timedelta(minutes=1)).astimezone(dt.timezone(dt.timedelta(hours=-12)))
    doc["work_items"] += [
        _item("WEB-1", "WEB-2026.12", "done", points=2, resolved=inside.isoformat()),
        _item("WEB-2", "WEB-2026.12", "done", points=1, resolved=outside.isoformat()),
        _item("WEB-3", "WEB-2026.12", "todo"),
        _item("WEB-4", "WEB-OLD", "done", resolved="2026-11-20T10:00:00+00:00"),
        _item("WEB-5", None, "in_progress"),
        _item("WEB-6", "WEB-2026.12", "in_progress", points=5),
    ]
    doc["dependencies"] += [
        {"from": "item:WEB-3", "to": "release:PAY-2026.12"},  # an open item blocks a release
        {"from": "item:WEB-6", "to": "item:PAY-101"},  # and an item of another release
        {"from": "item:WEB-3", "to": "item:WEB-6"},  # the same release: no blocker
        {"from": "item:WEB-5", "to": "item:PAY-101"},  # an item of no release: no blocker
        {"from": "item:WEB-1", "to": "item:PAY-101"},  # done: no blocker
    ]
    ws = plan_ws(doc)
    expected = readiness_of(ws.plan(), today=TODAY)
    pay = expected.release("PAY-2026.12")
    web = expected.release("WEB-2026.12")
    assert pay is not None
    assert web is not None
    assert pay.blockers_by_release == (("WEB-2026.12", 2),)
    assert (web.items, web.done, web.in_progress, web.uses_points) == (5, 2, 1, False)
    assert expected.throughput["WEB"][0] == 1  # WEB-1 only: WEB-2 is outside, WEB-4 cancelled
    assert sum(expected.throughput["WEB"]) == 1
    assert _from_rows(ws, TODAY) == expected


def test_the_last_plans_facts_are_kept_until_its_items_or_dependencies_change() -> None:
    plan = parse_workspace(document())
    facts = ItemFacts.of_plan(plan)
    moved = dataclasses.replace(plan, releases=plan.releases[::-1])  # an edit of releases only
    assert ItemFacts.of_plan(moved) is facts
    done = dataclasses.replace(plan.work_items[1], category="done")
    changed = dataclasses.replace(plan, work_items=(plan.work_items[0], done))
    assert ItemFacts.of_plan(changed).tallies["WEB-2026.12"].done == 1
    assert facts.tallies["WEB-2026.12"].done == 0
    unlinked = dataclasses.replace(changed, dependencies=())
    assert ItemFacts.of_plan(unlinked).blockers == []
    assert ItemFacts.of_plan(changed).blockers == [("WEB-2026.12", "item:PAY-101", "PAY-2026.12")]
