"""``relplan export png|svg|pdf --view ...`` on a demo workspace, in process and as a command."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from relplan.demo import generate
from relplan.errors import ValidationError
from relplan.formats.workspace_json import parse_workspace
from relplan.store.workspace import Workspace

pytestmark = pytest.mark.e2e

TODAY = dt.date(2026, 6, 1)
MAGIC = {"png": b"\x89PNG\r\n\x1a\n", "pdf": b"%PDF-"}


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ws") / "demo.relplan"
    ws = Workspace.open(path)
    ws.import_plan(parse_workspace(generate("small", seed=1, today=TODAY)), replace=True)
    ws.close()
    return path


@pytest.fixture
def ws(demo_file: Path) -> Iterator[Workspace]:
    workspace = Workspace.open(demo_file, create=False)
    yield workspace
    workspace.close()


def args(fmt: str, view: str, out: Path, **filters: Any) -> argparse.Namespace:
    """The namespace the ``export`` parser gives."""
    values: dict[str, Any] = {"team": [], "train": None, "date_from": None, "date_to": None}
    values.update(filters)
    return argparse.Namespace(
        format=fmt, view=view, out=str(out), today=TODAY, chart=None, **values
    )


def assert_valid(path: Path, fmt: str, *, min_bytes: int = 10_000) -> None:
    data = path.read_bytes()
    assert len(data) > min_bytes
    if fmt == "svg":
        root = ET.fromstring(data)
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        assert len(list(root.iter())) > 50  # drawn content, not an empty canvas
    else:
        assert data.startswith(MAGIC[fmt])


@pytest.mark.parametrize("view", ["timeline", "graph", "calendar"])
@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_each_view_in_each_format(tmp_path: Path, ws: Workspace, view: str, fmt: str) -> None:
    from relplan.ui.export_views import export_view

    out = tmp_path / f"{view}.{fmt}"
    line = export_view(args(fmt, view, out), ws)
    assert line.startswith(f"wrote {out} (")
    assert_valid(out, fmt)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp file left


def test_filters_narrow_what_is_drawn(tmp_path: Path, ws: Workspace) -> None:
    from PySide6.QtGui import QImage

    from relplan.ui.export_views import export_view

    everything, pay = tmp_path / "all.png", tmp_path / "pay.png"
    export_view(args("png", "timeline", everything), ws)
    export_view(args("png", "timeline", pay, team=["PAY"]), ws)
    assert QImage(str(pay)).height() < QImage(str(everything)).height() / 3
    window = tmp_path / "window.png"
    start, end = dt.date(2026, 5, 1), dt.date(2026, 5, 31)
    export_view(args("png", "timeline", window, date_from=start, date_to=end), ws)
    assert QImage(str(window)).width() < QImage(str(everything)).width()
    train = ws.plan().trains[0].key
    export_view(args("png", "graph", tmp_path / "train.png", train=train), ws)
    assert_valid(tmp_path / "train.png", "png")


def test_the_file_is_written_under_any_name(tmp_path: Path, ws: Workspace) -> None:
    from relplan.ui.export_views import export_view

    out = tmp_path / "plan-for-the-wiki"
    export_view(args("pdf", "graph", out), ws)
    assert_valid(out, "pdf")


@pytest.mark.parametrize(
    ("fmt", "view", "filters", "message"),
    [
        ("png", "gantt", {}, "no view 'gantt'"),
        ("csv", "timeline", {}, "cannot export a view as 'csv'"),
        ("png", "timeline", {"date_from": TODAY, "date_to": TODAY - dt.timedelta(1)}, "after"),
    ],
)
def test_bad_requests_are_refused(
    tmp_path: Path, ws: Workspace, fmt: str, view: str, filters: dict[str, Any], message: str
) -> None:
    from relplan.ui.export_views import export_view

    with pytest.raises(ValidationError, match=message):
        export_view(args(fmt, view, tmp_path / "x.png", **filters), ws)


def test_the_command_renders_offscreen_without_a_display(tmp_path: Path, demo_file: Path) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    env["XDG_DATA_HOME"] = str(tmp_path / "data")
    out = tmp_path / "timeline.svg"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "relplan",
            "--db",
            str(demo_file),
            "export",
            "svg",
            "--view",
            "timeline",
            "--out",
            str(out),
            "--today",
            TODAY.isoformat(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"wrote {out}")
    assert done.stderr == ""
    assert_valid(out, "svg")


def test_a_timeline_picture_shows_at_most_so_many_releases_and_says_so(
    tmp_path: Path, ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtGui import QImage

    import relplan.ui.export_views as export_views

    full = tmp_path / "full.png"
    export_views.export_view(args("png", "timeline", full), ws)
    monkeypatch.setattr(export_views, "TIMELINE_ROWS", 4)
    capped, text = tmp_path / "capped.png", tmp_path / "capped.svg"
    export_views.export_view(args("png", "timeline", capped), ws)
    export_views.export_view(args("svg", "timeline", text), ws)
    assert QImage(str(capped)).height() < QImage(str(full)).height() / 2
    svg = text.read_text(encoding="utf-8")
    first, last = TODAY - dt.timedelta(91), TODAY + dt.timedelta(91)
    in_window = [
        r
        for r in ws.plan().releases
        if r.start and r.target and r.start <= last and r.target >= first
    ]
    assert len(in_window) > 4
    assert f"4 releases of {len(in_window)} (those nearest {TODAY})" in svg
    in_progress = [r.key for r in in_window if r.start <= TODAY <= r.target]  # type: ignore[operator]
    assert any(key in svg for key in in_progress)
