"""``relplan deployments import FILE.csv``: parsing, per-row errors, all or nothing, undo."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from relplan.domain.model import Change, Deployment
from relplan.errors import ValidationError
from relplan.formats.deployments_csv import (
    COLUMNS,
    deployments_command,
    import_deployments,
    parse_deployments_csv,
    write_deployments_csv,
)
from relplan.formats.workspace_json import parse_workspace
from relplan.store.entities import composite_key
from relplan.store.workspace import Workspace
from tests.helpers.plans import document

HEADER = ",".join(COLUMNS)
GOOD = f"""{HEADER}
PAY-2026.12,Production,2026-11-10T10:00:00Z,2026-11-10T10:20:00Z,succeeded,,a1@2026-11-09T16:00:00Z;b2,
WEB-2026.12,Staging,,2026-11-11T09:00:00+01:00,rolled_back,2026-11-11T09:40:00+01:00,,INC-7
"""


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    with Workspace.open(tmp_path / "w.relplan") as workspace:
        workspace.import_plan(parse_workspace(document()))
        yield workspace


def _write(tmp_path: Path, text: str, name: str = "d.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _parse(text: str, timezone: str = "UTC") -> list[Deployment]:
    return parse_deployments_csv(
        text,
        releases={"PAY-2026.12", "WEB-2026.12"},
        environments={"Staging", "Production"},
        timezone=timezone,
    )


def test_parse_good_rows() -> None:
    first, second = _parse(GOOD)
    assert first.release == "PAY-2026.12"
    assert first.started == dt.datetime(2026, 11, 10, 10, tzinfo=dt.UTC)
    assert first.changes == (
        Change("a1", dt.datetime(2026, 11, 9, 16, tzinfo=dt.UTC)),
        Change("b2", None),
    )
    assert (first.outcome, first.restored, first.incident) == ("succeeded", None, None)
    assert second.started is None
    assert second.finished == dt.datetime(2026, 11, 11, 8, tzinfo=dt.UTC)
    assert (second.outcome, second.incident) == ("rolled_back", "INC-7")


def test_columns_in_any_order_bom_blank_lines_and_local_times() -> None:
    text = "\ufeffFinished , Environment,RELEASE\n\n2026-11-10 10:20,Production,PAY-2026.12\n,,\n"
    (d,) = _parse(text, timezone="Europe/Berlin")
    assert d.finished == dt.datetime(2026, 11, 10, 9, 20, tzinfo=dt.UTC)  # 10:20 in Berlin
    assert (d.outcome, d.changes, d.started) == ("succeeded", (), None)


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ("NOPE,Production,,2026-11-10T10:20Z,,,,", "row 2, column release: no release 'NOPE'"),
        ("PAY-2026.12,Moon,,2026-11-10T10:20Z,,,,", "row 2, column environment: no environment"),
        (
            "PAY-2026.12,Production,,2026-13-01T10:00Z,,,,",
            "row 2, column finished: found '2026-13-01T10:00Z', expected an ISO 8601 time",
        ),
        ("PAY-2026.12,Production,,,,,,", "row 2, column finished: missing"),
        (
            "PAY-2026.12,Production,2026-11-10T11:00Z,2026-11-10T10:20Z,,,,",
            "row 2, column finished: 2026-11-10T10:20:00+00:00 is before started",
        ),
        ("PAY-2026.12,Production,,2026-11-10T10:20Z,broken,,,", "row 2, column outcome: found"),
        (
            "PAY-2026.12,Production,,2026-11-10T10:20Z,succeeded,2026-11-10T11:00Z,,",
            "row 2, column restored: only a deployment that did not succeed",
        ),
        (
            "PAY-2026.12,Production,,2026-11-10T10:20Z,failed,2026-11-10T10:00Z,,",
            "row 2, column restored: 2026-11-10T10:00:00+00:00 is before finished",
        ),
        (
            "PAY-2026.12,Production,,2026-11-10T10:20Z,,,a1@yesterday,",
            "row 2, column changes: change 'a1': commit time found 'yesterday'",
        ),
        ("PAY-2026.12,Production,,2026-11-10T10:20Z,,,a1;a1,", "change 'a1' is listed twice"),
        ("PAY-2026.12,Production,,2026-11-10T10:20Z,,,,,extra", "row 2: 9 cells, the header"),
        (
            "PAY-2026.12,Production,,2026-11-10T10:20Z,,,,\n"
            "PAY-2026.12,Production,,2026-11-10T11:20+01:00,,,,",
            "row 3: same release, environment and finished time as row 2",
        ),
    ],
)
def test_each_bad_row_is_named_and_nothing_is_written(
    ws: Workspace, tmp_path: Path, rows: str, message: str
) -> None:
    before = ws.plan()
    history = ws.undo_labels()
    path = _write(tmp_path, f"{HEADER}\n{rows}\n")
    with pytest.raises(ValidationError) as info:
        import_deployments(ws, path)
    assert any(message in line for line in info.value.lines()), info.value.lines()
    assert all(line.startswith(f"{path}: row ") for line in info.value.lines())
    assert ws.plan() == before
    assert ws.undo_labels() == history


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "row 1: no header row"),
        ("release,environment,finished,when\n", "row 1, column 4: unknown column 'when'"),
        ("release,environment\n", "row 1: missing column 'finished'"),
        ("release,environment,finished,release\n", "row 1, column 4: column 'release' appears"),
    ],
)
def test_header_problems(ws: Workspace, tmp_path: Path, text: str, message: str) -> None:
    before = ws.plan()
    with pytest.raises(ValidationError) as info:
        import_deployments(ws, _write(tmp_path, text))
    assert any(message in line for line in info.value.lines()), info.value.lines()
    assert ws.plan() == before


def test_every_problem_is_reported_at_once(ws: Workspace, tmp_path: Path) -> None:
    text = (
        f"{HEADER}\n"
        "PAY-2026.12,Production,,2026-11-10T10:20Z,,,,\n"
        "NOPE,Production,,2026-11-10T10:20Z,,,,\n"
        "PAY-2026.12,Production,,later,maybe,,,\n"
    )
    with pytest.raises(ValidationError) as info:
        import_deployments(ws, _write(tmp_path, text, "bad.csv"))
    assert [line.split(": ", 2)[1] for line in info.value.lines()] == [
        "row 3, column release",
        "row 4, column finished",
        "row 4, column outcome",
    ]
    assert len(ws.plan().deployments) == 1


def test_import_is_one_undoable_command(ws: Workspace, tmp_path: Path) -> None:
    changes, count = import_deployments(ws, _write(tmp_path, GOOD, "good.csv"))
    assert count == 2
    assert changes.label == "Import deployments from good.csv"
    assert len(changes.touched["deployment"]) == 2
    assert len(ws.plan().deployments) == 3
    ws.undo()
    assert len(ws.plan().deployments) == 1
    again, _ = import_deployments(ws, _write(tmp_path, GOOD, "good.csv"))
    assert len(again.touched["deployment"]) == 2
    nothing, _ = import_deployments(ws, _write(tmp_path, GOOD, "good.csv"))
    assert nothing.empty


def test_same_instant_in_another_offset_updates_the_stored_deployment(
    ws: Workspace, tmp_path: Path
) -> None:
    (stored,) = ws.plan().deployments  # finished 2026-11-03T10:20:00Z, failed
    text = (
        f"{HEADER}\n"
        "PAY-2026.12,Production,,2026-11-03T11:20:00+01:00,failed,2026-11-03T12:30+01:00,,INC-9\n"
    )
    changes, _ = import_deployments(ws, _write(tmp_path, text))
    (updated,) = ws.plan().deployments
    assert changes.touched["deployment"] == {
        composite_key("PAY-2026.12", "Production", stored.finished.isoformat())
    }
    assert updated.finished.isoformat() == stored.finished.isoformat()
    assert updated.incident == "INC-9"
    assert updated.restored == dt.datetime(2026, 11, 3, 11, 30, tzinfo=dt.UTC)
    ws.undo()
    assert ws.plan().deployments == (stored,)


def test_write_then_parse_round_trips() -> None:
    deployments = _parse(GOOD)
    assert _parse(write_deployments_csv(deployments)) == deployments


def test_command_skips_unchanged_deployments() -> None:
    deployments = _parse(GOOD)
    command = deployments_command(deployments, deployments, "x")
    assert command.edits == ()
    command = deployments_command([], deployments, "x")
    assert [e.before for e in command.edits] == [None, None]


def test_unreadable_file(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes(b"release,environment,finished\n\xff\n")
    with pytest.raises(ValidationError, match="cannot read"):
        import_deployments(ws, path)
    with pytest.raises(ValidationError, match="cannot read"):
        import_deployments(ws, tmp_path / "missing.csv")
