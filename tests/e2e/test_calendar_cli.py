"""The calendar commands as the command line runs them, and the export read by khal.

``relplan.cli`` wires exporters and command modules in ``EXPORTERS``/``COMMAND_MODULES``; these
tests put this feature's entries there (the lead wires them for good), run ``relplan.cli.run``
in-process, and hand the written ICS file to the terminal calendar ``khal`` in a temporary
configuration, as a user would import it.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from relplan.cli import commands as cli
from relplan.cli.calendar import add_import_ics_options, import_ics_handler, route_import
from relplan.errors import ValidationError
from relplan.store.workspace import Workspace
from tests.helpers.plans import document

pytestmark = pytest.mark.e2e

KHAL = Path(sys.executable).with_name("khal")


def plan_document() -> dict[str, Any]:
    doc = document()
    doc["freezes"].append(
        {
            "name": "Weekend",
            "start": "2026-11-06",
            "end": "2026-11-09",
            "environments": ["Production"],
            "teams": [],
            "start_time": "16:00",
            "end_time": "08:00",
            "rrule": "FREQ=WEEKLY;BYDAY=FR",
        }
    )
    doc["releases"][1]["status"] = "cancelled"
    return doc


@pytest.fixture
def wired(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI with this feature's exporters and commands, as the lead wires them."""
    exporters = dict(cli.EXPORTERS)
    exporters.update(
        {f: f"relplan.cli.calendar:export_{f}" for f in ("ics", "csv", "dot", "graphml")}
    )
    monkeypatch.setattr(cli, "EXPORTERS", exporters)
    if "relplan.cli.calendar" not in cli.COMMAND_MODULES:  # until the lead wires it for good
        monkeypatch.setattr(cli, "COMMAND_MODULES", (*cli.COMMAND_MODULES, "relplan.cli.calendar"))


@pytest.fixture
def db(tmp_path: Path, wired: None, capsys: pytest.CaptureFixture[str]) -> str:
    src = tmp_path / "plan.json"
    src.write_text(json.dumps(plan_document()))
    path = str(tmp_path / "plan.relplan")
    assert cli.run(["--db", path, "import", str(src)]) == 0
    capsys.readouterr()
    return path


def run(*args: str) -> int:
    return cli.run(list(args))


def test_export_ics_then_khal_lists_the_events(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "plan.ics"
    assert run("--db", db, "export", "ics", "--out", str(out), "--today", "2026-11-27") == 0
    assert capsys.readouterr().out.startswith(f"wrote {out} (")
    assert out.read_bytes().count(b"\r\n") > 20  # CRLF kept by the writer

    config = tmp_path / "khal.conf"
    vdir = tmp_path / "vdir"
    vdir.mkdir()
    config.write_text(
        "[calendars]\n[[relplan]]\n"
        f"path = {vdir}\ntype = calendar\n"
        "[locale]\ntimeformat = %H:%M\ndateformat = %Y-%m-%d\nlongdateformat = %Y-%m-%d\n"
        "datetimeformat = %Y-%m-%d %H:%M\nlongdatetimeformat = %Y-%m-%d %H:%M\n"
        "local_timezone = Europe/Berlin\ndefault_timezone = Europe/Berlin\n"
        f"[sqlite]\npath = {tmp_path / 'khal.db'}\n"
    )

    def khal(*args: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [str(KHAL), "-c", str(config), *args],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done

    khal("import", "--batch", str(out))
    assert len(list(vdir.glob("*.ics"))) == 6
    fmt = "{uid}|{start}|{end}|{title}|{status}"
    once = khal("list", "--once", "--day-format", "", "--format", fmt, "2026-11-01", "2027-01-10")
    rows = sorted({tuple(line.split("|")[1:]) for line in once.stdout.splitlines() if line})
    assert sorted(r[2] for r in rows) == [
        "Freeze: Holiday freeze",
        "Freeze: Weekend",
        "Payments 2026.12 (PAY-2026.12)",
        "Payments 2026.12: Code freeze",
        "Payments 2026.12: Production (canary)",
        "Web 2026.12 (WEB-2026.12)",
    ]
    by_title = {r[2]: r for r in rows}
    assert by_title["Payments 2026.12 (PAY-2026.12)"][:2] == ("2026-11-02", "2026-12-01")
    assert by_title["Payments 2026.12: Code freeze"][:2] == ("2026-11-20", "2026-11-20")
    assert by_title["Web 2026.12 (WEB-2026.12)"][3].strip() == "CANCELLED"
    assert by_title["Freeze: Holiday freeze"][:2] == ("2026-12-19", "2027-01-04")
    # The weekly freeze: one stored event, every Friday 16:00 to Monday 08:00 in Berlin.
    fridays = khal("list", "--day-format", "", "--format", fmt, "2026-11-01", "2026-11-30")
    weekends = sorted(
        {tuple(line.split("|")[1:3]) for line in fridays.stdout.splitlines() if "Weekend" in line}
    )
    assert weekends == [
        ("2026-11-06 16:00", "2026-11-09 08:00"),
        ("2026-11-13 16:00", "2026-11-16 08:00"),
        ("2026-11-20 16:00", "2026-11-23 08:00"),
        ("2026-11-27 16:00", "2026-11-30 08:00"),
    ]
    # Importing the same export again updates the events instead of doubling them.
    khal("import", "--batch", str(out))
    assert len(list(vdir.glob("*.ics"))) == 6


def test_export_filters_and_unknown_keys(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "web.ics"
    assert run("--db", db, "export", "ics", "--out", str(out), "--team", "WEB") == 0
    text = out.read_text()
    assert "X-WR-CALNAME:relplan: plan (WEB)" in text
    assert "Payments" not in text
    assert (
        run("--db", db, "export", "ics", "--out", str(out), "--team", "NOPE", "--train", "X") == 2
    )
    assert capsys.readouterr().err.splitlines() == [
        "relplan: --team: no team 'NOPE' in the workspace",
        "relplan: --train: no train 'X' in the workspace",
    ]
    assert (
        run(
            "--db",
            db,
            "export",
            "csv",
            "--out",
            str(out),
            "--from",
            "2026-12-01",
            "--to",
            "2026-11-01",
        )
        == 2
    )
    assert "--to: 2026-11-01 is before --from 2026-12-01" in capsys.readouterr().err


def test_export_csv_dot_and_graphml(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    releases = tmp_path / "releases.csv"
    assert run("--db", db, "export", "csv", "--out", str(releases)) == 0
    assert capsys.readouterr().out.endswith(": 2 releases\n")
    with releases.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["key"] for r in rows] == ["PAY-2026.12", "WEB-2026.12"]
    items = tmp_path / "items.csv"
    assert run("--db", db, "export", "csv", "--items", "--out", str(items), "--team", "PAY") == 0
    assert capsys.readouterr().out.endswith(": 1 work item\n")
    dot = tmp_path / "plan.dot"
    assert run("--db", db, "export", "dot", "--out", str(dot)) == 0
    assert dot.read_text().startswith('digraph "plan" {')
    graphml = tmp_path / "plan.graphml"
    # The releases and release edges by default (spec amended 2026-12-04) ...
    assert run("--db", db, "export", "graphml", "--out", str(graphml)) == 0
    assert "2 nodes, 1 edge\n" in capsys.readouterr().out
    assert set(nx.read_graphml(graphml).nodes) == {"release:PAY-2026.12", "release:WEB-2026.12"}
    # ... and with --items the items in dependencies, and their edges.
    assert run("--db", db, "export", "graphml", "--items", "--out", str(graphml)) == 0
    assert "4 nodes, 2 edges" in capsys.readouterr().out
    assert set(nx.read_graphml(graphml).nodes) == {
        "release:PAY-2026.12",
        "release:WEB-2026.12",
        "item:PAY-101",
        "item:WEB-17",
    }
    assert run("--db", db, "export", "dot", "--items", "--out", str(dot)) == 0
    assert '"item:WEB-17"' in dot.read_text()


HOLIDAYS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
    "BEGIN:VEVENT\r\nUID:1\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;VALUE=DATE:20261224\r\n"
    "DTEND;VALUE=DATE:20261227\r\nSUMMARY:Christmas\r\nEND:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:2\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;VALUE=DATE:20261225\r\n"
    "SUMMARY:Christmas\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


def test_import_ics_command_adds_freezes_once(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "holidays.ics"
    path.write_text(HOLIDAYS, newline="")
    args = ("--db", db, "import-ics", str(path), "--as", "freezes", "--environment", "Production")
    assert run(*args) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"imported 2 freezes from {path} into ")
    assert out.rstrip().endswith("(undo with 'relplan undo')")
    assert run(*args) == 0
    again = capsys.readouterr().out
    assert again.startswith(f"{path}: no new freezes for ")
    assert again.endswith(" (2 already there)\n")
    path.write_text(
        HOLIDAYS.replace(
            "SUMMARY:Christmas\r\nEND:VEVENT\r\nEND:VCAL",
            "SUMMARY:x\r\nSTATUS:CANCELLED\r\nEND:VEVENT\r\nEND:VCAL",
        ),
        newline="",
    )
    assert run(*args) == 0
    assert capsys.readouterr().out.endswith(" (1 already there; 1 cancelled, skipped)\n")
    check = run("--db", db, "check", "--json", "--today", "2026-11-01")
    freezes = [
        p for p in json.loads(capsys.readouterr().out)["problems"] if p["kind"] == "freeze_conflict"
    ]
    assert [p["subjects"] for p in freezes] == [["freeze:Weekend", "release:PAY-2026.12"]]
    assert check == 1
    assert run("--db", db, "undo") == 0
    assert "Import freezes from holidays.ics" in capsys.readouterr().out


def test_import_ics_errors_are_one_line_each(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.ics"
    path.write_text(
        HOLIDAYS.replace("SUMMARY:Christmas\r\nEND:VEVENT\r\nEND:VCAL", "END:VEVENT\r\nEND:VCAL")
    )
    assert run("--db", db, "import-ics", str(path)) == 2
    assert (
        capsys.readouterr().err
        == f"relplan: {path}: event 2 (2): has no SUMMARY to name the freeze\n"
    )


def test_route_import_serves_both_forms_of_import(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The parser change the lead makes to `relplan import` (see the report): nargs="+" and the
    # ICS options; both `import FILE.json` and `import ics FILE --as freezes` then parse.
    parser = argparse.ArgumentParser()
    parser.add_argument("--db")
    parser.add_argument("file", nargs="+", metavar="[ics] FILE")
    parser.add_argument("--replace", action="store_true")
    add_import_ics_options(parser)

    json_args = parser.parse_args(["--db", db, "plan.json"])
    assert route_import(json_args) is None
    assert json_args.file == "plan.json"

    path = tmp_path / "holidays.ics"
    path.write_text(HOLIDAYS, newline="")
    ics_args = parser.parse_args(["--db", db, "ics", str(path), "--as", "freezes"])
    assert route_import(ics_args) == 0
    assert capsys.readouterr().out.startswith("imported 2 freezes")

    odd = argparse.Namespace(db=db, file=str(path), as_kind="holidays")
    with pytest.raises(ValidationError, match="cannot import events as 'holidays'"):
        import_ics_handler(odd)
    with pytest.raises(SystemExit):
        cli.run(["--db", db, "publish", "caldav", "--url", "u", "--calendar", "c", "--from", "x"])
    assert "'x' is not a date YYYY-MM-DD" in capsys.readouterr().err

    for words in (["a", "b", "c"], ["plan.json", "--as", "freezes"], ["ics", "x.ics", "--replace"]):
        with pytest.raises(ValidationError):
            route_import(parser.parse_args(["--db", db, *words]))


def test_import_ics_skips_timed_events_with_a_warning_unless_strict(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "mixed.ics"
    timed = (
        "BEGIN:VEVENT\r\nUID:3\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20261201T090000Z\r\n"
        "SUMMARY:Standup\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    path.write_text(
        HOLIDAYS.replace(
            "SUMMARY:Christmas\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
            "SUMMARY:Boxing\r\nEND:VEVENT\r\n",
        )
        + timed,
        newline="",
    )
    args = ("--db", db, "import", "ics", str(path), "--as", "freezes")
    assert run(*args, "--strict") == 2
    captured = capsys.readouterr()
    assert "event 3 (Standup): starts at 2026-12-01 09:00" in captured.err
    with Workspace.open(db) as ws:
        assert "Boxing" not in {f.name for f in ws.plan().freezes}  # strict: nothing imported
    assert run(*args) == 0
    captured = capsys.readouterr()
    assert captured.err == (
        f"relplan: warning: {path}: event 3 (Standup): starts at 2026-12-01 09:00: "
        "only all-day events become freezes: skipped\n"
    )
    assert "1 not all-day or not a plain series, skipped" in captured.out
    with Workspace.open(db) as ws:
        assert "Boxing" in {f.name for f in ws.plan().freezes}
    assert run("--db", db, "undo") == 0
