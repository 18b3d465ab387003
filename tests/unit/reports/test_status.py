"""The weekly status report: its facts against the workspace, and its HTML, PDF and Markdown."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from relplan.cli.commands import run
from relplan.metrics.dora import dora_metrics
from relplan.metrics.scope import Window
from relplan.planning.readiness import readiness_of
from relplan.reports.render import to_html, to_markdown, write_report
from relplan.reports.status import StatusReport, status_report
from relplan.reports.status_doc import MAX_ROWS, SECTIONS, status_document
from relplan.store.workspace import Workspace
from tests.unit.reports.conftest import APPROVED, MOVED, SHIPPED, SINCE, TODAY

GOLDEN = Path(__file__).parent / "golden" / "status-small.md"


class _Html(HTMLParser):
    """Sections, tables (by class, as rows of cell texts), images and every URL of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: list[str] = []
        self.tables: dict[str, list[list[str]]] = {}
        self.images: list[str] = []
        self.urls: list[str] = []
        self.tags: set[str] = set()
        self._table: str | None = None
        self._cell: list[str] | None = None
        self._row: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.add(tag)
        if tag == "section":
            self.sections.append(a.get("id") or "")
        elif tag == "table":
            self._table = a.get("class") or ""
            self.tables.setdefault(self._table, [])
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append("\n")
        elif tag == "img":
            self.images.append(a.get("src") or "")
        for name in ("href", "src"):
            if a.get(name):
                self.urls.append(str(a[name]))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self._row.append("".join(self._cell))
            self._cell = None
        elif tag == "tr" and self._table is not None:
            self.tables[self._table].append(self._row)
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


@pytest.fixture(scope="module")
def report(week_ws: Path) -> StatusReport:
    with Workspace.open(week_ws, create=False) as ws:
        return status_report(ws, today=TODAY, since=SINCE)


@pytest.fixture(scope="module")
def page(report: StatusReport) -> _Html:
    parsed = _Html()
    parsed.feed(to_html(status_document(report)))
    return parsed


def _body(page: _Html, kind: str) -> list[list[str]]:
    return page.tables[kind][1:]  # the first row holds the headers


def test_the_html_has_every_section_in_order(page: _Html) -> None:
    assert page.sections == list(SECTIONS)


def test_the_headline_has_one_row_per_train_with_its_target(week_ws: Path, page: _Html) -> None:
    with Workspace.open(week_ws, create=False) as ws:
        trains = sorted(ws.release_plan().trains, key=lambda t: t.key)
    rows = _body(page, "trains")
    assert [r[0] for r in rows] == [t.key for t in trains]
    for row, train in zip(rows, trains, strict=True):
        assert train.target is not None
        assert row[2].endswith(train.target.isoformat())


def test_the_headline_forecast_is_what_relplan_forecast_says(
    week_ws: Path, page: _Html, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["forecast", "--db", str(week_ws), "--today", TODAY.isoformat(), "--json"]) == 0
    odds = {t["key"]: t for t in json.loads(capsys.readouterr().out)["trains"]}
    rows = _body(page, "trains")
    assert any(odds[r[0]]["p85"] for r in rows)
    for row in rows:
        p85 = odds[row[0]]["p85"]
        assert row[3].endswith(p85) if p85 else row[3] in ("", "-", "?")
        chance = odds[row[0]]["p_on_time"]
        if p85 and chance is not None:
            assert f"{chance:.0%} chance of making the train's target" in row[5]


def test_changes_come_from_the_audit_log(week_ws: Path, page: _Html) -> None:
    with Workspace.open(week_ws, create=False) as ws:
        moved = ws.release(MOVED)
    moves = {(r[0], r[1]): r for r in _body(page, "moves")}
    target = moves[(MOVED, "target")]
    assert target[3].endswith(moved.target.isoformat() if moved.target else "?")
    assert (target[4], target[5], target[7]) == ("+5 d", "alice", f"Move {MOVED} by +5 days")
    assert target[6] == "2026-12-02 11:00"  # 10:00 UTC in the planning zone (Europe/Berlin)
    assert [r[:4] for r in _body(page, "gates")] == [
        [APPROVED, "Regression suite", "approved", "alice"]
    ]
    assert [r[0] for r in _body(page, "shipped")] == [SHIPPED]


def test_at_risk_lists_the_late_and_at_risk_releases(week_ws: Path, page: _Html) -> None:
    with Workspace.open(week_ws, create=False) as ws:
        plan = dataclasses.replace(
            ws.release_plan(),
            work_items=ws.work_items(),
            dependencies=ws.dependencies_from_open_items(),
        )
    readiness = readiness_of(plan, today=TODAY)
    expected = {r.key for r in readiness.releases if r.verdict in ("late", "at_risk")}
    rows = _body(page, "risk")
    assert expected
    assert {r[0] for r in rows} == expected
    assert all(r[6] for r in rows)  # each with its reason


def test_dora_counts_the_production_deployments_of_the_window(
    week_ws: Path, report: StatusReport, page: _Html
) -> None:
    with Workspace.open(week_ws, create=False) as ws:
        plan = dataclasses.replace(ws.release_plan(), deployments=ws.deployments())
    metrics = dora_metrics(plan, window=Window(SINCE, TODAY))
    assert report.dora.deployments == metrics.deployments
    rows = _body(page, "dora")
    assert [r[0] for r in rows] == [
        "Deployment frequency", "Lead time for changes", "Change failure rate", "Time to restore",
    ]  # fmt: skip
    assert rows[0][1] == f"{metrics.per_week:.1f} per week"


def test_the_next_four_weeks_are_a_calendar_of_four_or_five_weeks(
    report: StatusReport, page: _Html
) -> None:
    weeks = _body(page, "calendar")
    assert 4 <= len(weeks) <= 5
    assert all(len(w) == 8 for w in weeks)
    assert len(_body(page, "upcoming")) == len(report.upcoming) > 0
    kinds = {u.kind for u in report.upcoming}
    assert {"production", "freeze"} <= kinds
    assert all(
        u.last >= TODAY and u.first <= TODAY + dt.timedelta(days=27) for u in report.upcoming
    )


def test_the_html_is_self_contained(report: StatusReport, page: _Html) -> None:
    charts = status_document(report).charts()
    assert len(page.images) == len(charts) >= 3
    assert all(src.startswith("data:image/png;base64,") for src in page.images)
    assert not [u for u in page.urls if not u.startswith("data:")]
    assert not page.tags & {"script", "link", "iframe", "object"}


def test_the_pdf_has_the_same_text_and_vector_charts(report: StatusReport, tmp_path: Path) -> None:
    assert shutil.which("pdftotext"), "pdftotext is missing: run .ci/setup-reports.sh"
    pdf = tmp_path / "status.pdf"
    write_report(status_document(report), pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    for needle in (
        "Release status", "Headline", "What changed since Fri 2026-11-27", "At risk",
        "Critical path", "Next four weeks", "Delivery (DORA)", MOVED, "+5 d", "alice",
        "Regression suite", SHIPPED, *(h.train for h in report.headlines),
        *(r.key for r in report.at_risk),
    ):  # fmt: skip
        assert needle in text, needle
    pages = text.count("\f")
    assert pages >= 2 + len(status_document(report).charts())
    images = subprocess.run(
        ["pdfimages", "-list", str(pdf)], check=True, capture_output=True, text=True
    ).stdout
    assert len(images.strip().splitlines()) == 2  # the header only: no raster image


def test_the_markdown_matches_the_golden_file(report: StatusReport) -> None:
    text, images = to_markdown(status_document(report), "status.files")
    assert text == GOLDEN.read_text(encoding="utf-8")
    assert sorted(images) == sorted(
        f"status.files/{c.name}.png" for c in status_document(report).charts()
    )


def test_the_command_writes_markdown_with_its_images_beside_it(
    week_ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "status.md"
    argv = ["report", "status", "--db", str(week_ws), "--out", str(out)]
    assert run([*argv, "--today", "2026-12-04", "--since", "2026-11-27"]) == 0
    assert out.read_text(encoding="utf-8") == GOLDEN.read_text(encoding="utf-8")
    pngs = sorted(p.name for p in (tmp_path / "status.files").iterdir())
    assert pngs
    assert all(p.endswith(".png") for p in pngs)
    assert (tmp_path / "status.files" / pngs[0]).read_bytes()[:4] == b"\x89PNG"
    assert "Wrote" in capsys.readouterr().out


def test_a_train_report_holds_only_that_train(week_ws: Path) -> None:
    with Workspace.open(week_ws, create=False) as ws:
        train = sorted(t.key for t in ws.release_plan().trains)[0]
        report = status_report(ws, today=TODAY, since=SINCE, train=train)
        trains = {r.key: r.train for r in ws.release_plan().releases}
    assert [h.train for h in report.headlines] == [train]
    assert all(trains[r.key] == train for r in report.at_risk)
    assert all(trains[m.release] == train for m in report.changes.moves)


def test_an_unknown_train_or_a_bad_file_is_one_line(
    week_ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["report", "status", "--db", str(week_ws), "--today", "2026-12-04"]
    assert run([*base, "--out", str(tmp_path / "a.html"), "--train", "NOPE"]) != 0
    assert run([*base, "--out", str(tmp_path / "a.txt")]) != 0
    err = capsys.readouterr().err.strip().splitlines()
    assert err[0] == "relplan: no train with key 'NOPE' in the workspace"
    assert "a.txt" in err[1]
    assert ".pdf" in err[1]
    assert not list(tmp_path.iterdir())


def test_an_empty_workspace_says_so(tmp_path: Path) -> None:
    with Workspace.open(tmp_path / "empty.relplan") as ws:
        report = status_report(ws, today=TODAY)
    doc = status_document(report)
    html = to_html(doc)
    assert "This workspace holds no releases yet" in html
    assert "No deployments are recorded in this workspace" in html
    assert not doc.charts()
    write_report(doc, tmp_path / "empty.pdf")
    assert (tmp_path / "empty.pdf").stat().st_size > 0


def test_a_workspace_without_deployments_says_so(week_ws: Path, tmp_path: Path) -> None:
    path = tmp_path / "nodeploy.relplan"
    shutil.copy(week_ws, path)
    with Workspace.open(path, create=False) as ws:
        with ws.write():
            ws.conn.execute("DELETE FROM deployments")
        report = status_report(ws, today=TODAY, since=SINCE)
    page = _Html()
    page.feed(to_html(status_document(report)))
    assert "dora" not in page.tables
    assert "No deployments are recorded in this workspace" in to_html(status_document(report))
    assert "chart-dora" not in to_html(status_document(report))


def test_blockers_are_summed_per_pair_of_teams(report: StatusReport, page: _Html) -> None:
    rows = _body(page, "blockers")
    assert sum(int(r[3]) for r in rows) == sum(b.items for b in report.blockers) > 0
    pairs = {(b.team, b.held_by_team) for b in report.blockers}
    assert {(r[0], r[1]) for r in rows} == pairs
    assert all(b.team != b.held_by_team for b in report.blockers)


def test_a_long_table_is_cut_with_a_note_of_how_many_more(report: StatusReport) -> None:
    many = dataclasses.replace(report, at_risk=report.at_risk * 10)
    page = _Html()
    html = to_html(status_document(many))
    page.feed(html)
    assert len(_body(page, "risk")) == MAX_ROWS
    assert f"... and {len(many.at_risk) - MAX_ROWS:,} releases more, not shown." in html
