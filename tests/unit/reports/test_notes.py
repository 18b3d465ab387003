"""Release notes: items by type with their source links, dependencies, gates and deployments."""

from __future__ import annotations

import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from relplan.cli.commands import run
from relplan.reports.notes import group_of, notes_document, release_notes
from relplan.reports.render import to_html, to_markdown
from relplan.store.workspace import Workspace


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.h3: list[str] = []
        self._in_h3 = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.hrefs.append(dict(attrs).get("href") or "")
        self._in_h3 = tag == "h3"

    def handle_data(self, data: str) -> None:
        if self._in_h3:
            self.h3.append(data)
            self._in_h3 = False


def _shipped_release(ws: Workspace) -> str:
    deployed = {d.release for d in ws.deployments()}
    releases = sorted(ws.release_plan().releases, key=lambda r: r.key)
    return next(
        r.key
        for r in releases
        if r.status == "released" and r.key in deployed and ws.work_items([r.key])
    )


def test_types_fall_into_features_fixes_and_other() -> None:
    assert [group_of(t) for t in ("Story", "User Story", "Bug", "Defect", "Task", "Spike")] == [
        "Features", "Features", "Fixes", "Fixes", "Other changes", "Other changes",
    ]  # fmt: skip


def test_notes_hold_every_item_once_with_its_source_link(week_ws: Path, tmp_path: Path) -> None:
    path = tmp_path / "w.relplan"
    shutil.copy(week_ws, path)
    with Workspace.open(path, create=False) as ws:
        key = _shipped_release(ws)
        items = ws.work_items([key])
        linked = items[0].key
        url = f"https://example.atlassian.net/browse/{linked}"
        with ws.write():
            ws.conn.execute(
                "INSERT INTO sources (entity, key, connection, source_id, url) "
                "VALUES ('work_item', ?, 'jira', '10001', ?)",
                (linked, url),
            )
        notes = release_notes(ws, key)
        release = ws.release(key)
    text, _ = to_markdown(notes_document(notes))
    for item in items:
        assert text.count(f"| {item.key} |") + text.count(f"[{item.key}]") >= 1
    assert f"[{url}]({url})" in text
    page = _Links()
    page.feed(to_html(notes_document(notes)))
    assert page.hrefs == [url]
    groups = [h.split(" (")[0] for h in page.h3]
    assert groups == [g for g in ("Features", "Fixes", "Other changes") if g in groups]
    for gate in release.gates:
        assert f"| {gate.name} |" in text
    assert "| Production |" in text  # when it reached Production


def test_notes_without_deployments_say_so(week_ws: Path, tmp_path: Path) -> None:
    path = tmp_path / "w.relplan"
    shutil.copy(week_ws, path)
    with Workspace.open(path, create=False) as ws:
        key = _shipped_release(ws)
        with ws.write():
            ws.conn.execute("DELETE FROM deployments")
        text, _ = to_markdown(notes_document(release_notes(ws, key)))
    assert "No deployments of this release are recorded in the workspace." in text


def test_the_notes_command_writes_html_and_refuses_pdf(
    week_ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Workspace.open(week_ws, create=False) as ws:
        key = _shipped_release(ws)
    out = tmp_path / "notes.html"
    assert run(["report", "notes", key, "--db", str(week_ws), "--out", str(out)]) == 0
    assert f"Release notes: {key}" in out.read_text(encoding="utf-8")
    assert run(["report", "notes", key, "--db", str(week_ws), "--out", str(tmp_path / "n.pdf")])
    assert run(["report", "notes", "NOPE-1", "--db", str(week_ws), "--out", str(out)])
    err = capsys.readouterr().err.strip().splitlines()
    assert "n.pdf" in err[0]
    assert ".md or .html" in err[0]
    assert err[1] == "relplan: no release with key 'NOPE-1' in the workspace"
