"""CSV export: one row per release (stages, milestones, gates summarised) or per work item."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from relplan.formats.csv_export import (
    ITEM_COLUMNS,
    RELEASE_COLUMNS,
    items_csv,
    neutralise,
    releases_csv,
)
from relplan.formats.ics import ExportFilter
from relplan.formats.workspace_json import parse_workspace
from tests.helpers.plans import document


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def plan_document() -> dict[str, Any]:
    doc = document()
    release = doc["releases"][0]
    release["stages"].append(
        {
            "environment": "Staging",
            "start": "2026-11-20",
            "end": "2026-11-25",
            "strategy": "rolling",
        }
    )
    release["gates"].append({"name": "QA sign-off", "status": "approved"})
    doc["work_items"][0]["category"] = "done"
    doc["work_items"].append(
        {"key": "OPS-1", "title": 'Quote "this", and a comma', "team": "PAY", "points": 1.5}
    )
    return doc


def test_release_rows_summarise_stages_milestones_and_gates() -> None:
    plan = parse_workspace(plan_document())
    text = releases_csv(plan, urls={("release", "WEB-2026.12"): "https://x.example/WEB"})
    assert text.startswith(",".join(RELEASE_COLUMNS) + "\r\n")
    pay, web = rows(text)
    assert pay == {
        "key": "PAY-2026.12",
        "name": "Payments 2026.12",
        "team": "PAY",
        "train": "Q4-TRAIN",
        "status": "planned",
        "start": "2026-11-02",
        "target": "2026-12-01",
        "stages": (
            "Staging 2026-11-20..2026-11-25 (rolling); Production 2026-11-30..2026-12-01 (canary)"
        ),
        "stage_count": "2",
        "milestones": "Code freeze 2026-11-20",
        "milestone_count": "1",
        "gates": "CAB approval: pending; QA sign-off: approved",
        "gates_approved": "1",
        "gates_total": "2",
        "items_done": "1",
        "items_total": "1",
        "url": "",
    }
    assert web["url"] == "https://x.example/WEB"
    assert (web["stages"], web["stage_count"], web["items_total"]) == ("", "0", "1")


def test_item_rows_quote_what_needs_quoting() -> None:
    plan = parse_workspace(plan_document())
    text = items_csv(plan)
    assert text.startswith(",".join(ITEM_COLUMNS) + "\r\n")
    found = {r["key"]: r for r in rows(text)}
    assert list(found) == ["OPS-1", "PAY-101", "WEB-17"]
    assert found["OPS-1"]["title"] == 'Quote "this", and a comma'
    assert found["OPS-1"]["points"] == "1.5"
    assert found["PAY-101"]["points"] == "3"
    assert found["PAY-101"]["created"] == "2026-10-01T09:00:00+00:00"
    assert found["WEB-17"]["resolved"] == ""


def test_filters_apply_to_releases_and_items() -> None:
    plan = parse_workspace(plan_document())
    pay = ExportFilter(teams=frozenset({"PAY"}))
    assert [r["key"] for r in rows(releases_csv(plan, selection=pay))] == ["PAY-2026.12"]
    assert [r["key"] for r in rows(items_csv(plan, selection=pay))] == ["OPS-1", "PAY-101"]
    train = ExportFilter(train="Q4-TRAIN")
    assert [r["key"] for r in rows(items_csv(plan, selection=train))] == ["PAY-101", "WEB-17"]
    late = ExportFilter(date_from=dt.date(2026, 12, 2))
    assert [r["key"] for r in rows(releases_csv(plan, selection=late))] == ["WEB-2026.12"]
    early = ExportFilter(date_to=dt.date(2026, 11, 1))
    assert rows(releases_csv(plan, selection=early)) == []


def test_releases_without_dates_drop_out_of_a_date_filter() -> None:
    doc = document()
    doc["releases"].append({"key": "X", "name": "Someday", "team": "WEB"})
    plan = parse_workspace(doc)
    assert [r["key"] for r in rows(releases_csv(plan))][-1] == "X"
    window = ExportFilter(date_from=dt.date(2026, 1, 1), date_to=dt.date(2027, 1, 1))
    assert "X" not in [r["key"] for r in rows(releases_csv(plan, selection=window))]


def test_cells_that_start_like_a_formula_are_neutralised_unless_raw() -> None:
    doc = plan_document()
    # A workspace cannot hold titles with control characters (relplan.domain.bounds), so the
    # tab and carriage-return starters are checked on neutralise() itself below.
    titles = ['=HYPERLINK("http://evil.example","click")', "+1", "-2", "@SUM(A1)"]
    for n, title in enumerate(titles):
        doc["work_items"].append({"key": f"EVIL-{n}", "title": title, "team": "PAY"})
    doc["releases"][0]["name"] = "=cmd|' /C calc'!A0"
    plan = parse_workspace(doc)
    found = {r["key"]: r["title"] for r in rows(items_csv(plan))}
    assert [found[f"EVIL-{n}"] for n in range(len(titles))] == ["'" + t for t in titles]
    assert found["PAY-101"] == "Refund API"  # ordinary text stays as it is
    assert rows(releases_csv(plan))[0]["name"] == "'=cmd|' /C calc'!A0"
    raw = {r["key"]: r["title"] for r in rows(items_csv(plan, raw=True))}
    assert [raw[f"EVIL-{n}"] for n in range(len(titles))] == titles


def test_tab_and_carriage_return_starters_are_neutralised() -> None:
    assert neutralise("\tx") == "'\tx"
    assert neutralise("\ry") == "'\ry"
    assert neutralise("x\t") == "x\t"


def test_summary_cells_are_bounded() -> None:
    doc = plan_document()
    doc["releases"][0]["milestones"] = [
        {"name": "A" * 255 if n == 0 else f"M{n}", "date": "2026-11-20"} for n in range(50)
    ]
    cell = rows(releases_csv(parse_workspace(doc)))[0]["milestones"]
    entries = cell.split("; ")
    assert len(entries) == 21
    assert entries[-1] == "and 30 more"
    assert entries[0].startswith("AAA")
    assert max(len(e) for e in entries) <= 200
