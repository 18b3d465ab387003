"""The command line's shared conventions, over the whole command table (analysis.md, top).

``--db PATH`` works before or after every command's name; wherever a command takes a release,
``KEY`` and ``release:KEY`` are both accepted; an item is ``item:KEY``; a bare key in a command that
takes a release or an item means the release. The tests walk the real parser's sub-commands, so a
command added later is covered without editing this file.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from relplan.cli import run
from relplan.cli.commands import VIEW_NAMES, build_parser
from relplan.cli.common import node_ref, parse_day, parse_depth, release_key
from relplan.cli.metrics import CHART_NAMES, parse_chart
from relplan.formats.workspace_json import parse_workspace
from relplan.store.workspace import Workspace
from tests.helpers.plans import document

KEY_TYPES = (release_key, node_ref, parse_chart)
#: An argument whose name or help says it is a release (a release's key, not a team's).
RELEASE_HELP = re.compile(r"\b(?:the|this|a|one) release\b(?!s)", re.IGNORECASE)
RELEASE_DESTS = frozenset({"release", "releases", "focus", "pin", "ref", "to_ref"})


def commands() -> Iterator[tuple[str, argparse.ArgumentParser]]:
    parser = build_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            yield from action.choices.items()


def sample(action: argparse.Action) -> str:
    """A value the action accepts."""
    if action.choices:
        return str(next(iter(action.choices)))
    if action.type is parse_day:
        return "2026-01-01"
    if action.type is int:
        return "1"
    if action.type is parse_depth:
        return "1"
    if callable(action.type):  # a checked type (bounded_int, ...): the first value it takes
        for value in ("K", "1", "2026-01-01"):
            try:
                action.type(value)
            except (argparse.ArgumentTypeError, ValueError):
                continue
            return value
    return "K"


def minimal_args(sub: argparse.ArgumentParser) -> list[str]:
    """The fewest words that make the sub-command parse (its required arguments)."""
    words: list[str] = []
    for action in sub._actions:
        if not action.option_strings and action.nargs not in ("?", "*"):
            words.append(sample(action))
        elif action.option_strings and action.required:
            words += [action.option_strings[0], sample(action)]
    return words


def test_the_table_has_the_commands_the_spec_names() -> None:
    names = {name for name, _ in commands()}
    assert {"check", "schedule", "impact", "dependency", "export", "readiness"} <= names


@pytest.mark.parametrize("name", [name for name, _ in commands()])
def test_every_command_takes_db_before_or_after_its_name(name: str) -> None:
    parser = build_parser()
    sub = dict(commands())[name]
    words = minimal_args(sub)
    assert parser.parse_args([name, *words, "--db", "after.relplan"]).db == "after.relplan"
    assert parser.parse_args(["--db", "before.relplan", name, *words]).db == "before.relplan"
    assert parser.parse_args([name, *words]).db is None


def key_arguments() -> list[tuple[str, argparse.Action]]:
    return [
        (name, action)
        for name, sub in commands()
        for action in sub._actions
        if action.type in KEY_TYPES
    ]


def test_every_release_argument_goes_through_the_shared_helper() -> None:
    for name, sub in commands():
        for action in sub._actions:
            # Options whose value is a field name or a mode (--release-from HOW) are no keys.
            takes_a_key = action.metavar in (None, "KEY", "NAME", "RELEASE", "FROM", "TO")
            names_a_release = (
                action.dest in RELEASE_DESTS
                or str(action.metavar).upper().startswith("RELEASE")
                or (takes_a_key and RELEASE_HELP.search(action.help or "") is not None)
            )
            if names_a_release:
                assert action.type in KEY_TYPES, (
                    f"relplan {name} {action.option_strings or action.dest}: a release argument "
                    "must use relplan.cli.common.release_key or node_ref"
                )
    found = {(name, a.dest) for name, a in key_arguments()}
    assert {("impact", "release"), ("export", "focus"), ("export", "chart")} <= found
    assert ("dependency", "ref") in found


@pytest.mark.parametrize(
    ("name", "dest"), [(name, action.dest) for name, action in key_arguments()]
)
def test_every_release_argument_accepts_key_and_release_key(name: str, dest: str) -> None:
    action = next(a for a in dict(commands())[name]._actions if a.dest == dest)
    assert action.type is not None
    parse = action.type
    if parse is parse_chart:
        assert parse("burnup:PAY-2026.12") == parse("burnup:release:PAY-2026.12")
        assert parse("burnup:PAY-2026.12") == "burnup:PAY-2026.12"
        return
    assert parse("PAY-2026.12") == parse("release:PAY-2026.12")
    if parse is node_ref:
        assert parse("PAY-2026.12") == "release:PAY-2026.12"
        assert parse("item:PAY-1") == "item:PAY-1"
    else:
        assert parse("PAY-2026.12") == "PAY-2026.12"
        with pytest.raises(argparse.ArgumentTypeError):
            parse("item:PAY-1")


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = tmp_path / "w.relplan"
    with Workspace.open(path) as ws:
        ws.import_plan(parse_workspace(document()))
    return str(path)


def test_check_with_db_after_the_command(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    # Was: "unrecognized arguments: --db".
    assert run(["check", "--db", db, "--json", "--today", "2026-11-27"]) == 1
    assert '"dependency_violation"' in capsys.readouterr().out


def test_dependency_list_takes_a_bare_release_key(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["dependency", "list", "release:PAY-2026.12", "--db", db]) == 0
    prefixed = capsys.readouterr().out
    assert "release:PAY-2026.12 -> release:WEB-2026.12" in prefixed
    # Was: "expected release:KEY or item:KEY".
    assert run(["dependency", "list", "PAY-2026.12", "--db", db]) == 0
    assert capsys.readouterr().out == prefixed


def test_impact_takes_release_key(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["impact", "PAY-2026.12", "--slip", "3", "--json", "--db", db]) == 0
    bare = capsys.readouterr().out
    assert run(["impact", "release:PAY-2026.12", "--slip", "3", "--json", "--db", db]) == 0
    assert capsys.readouterr().out == bare


def test_burnup_chart_takes_release_key(db: str, tmp_path: Path) -> None:
    for n, chart in enumerate(("burnup:PAY-2026.12", "burnup:release:PAY-2026.12")):
        out = tmp_path / f"b{n}.svg"
        argv = ["export", "svg", "--chart", chart, "--out", str(out), "--today", "2026-11-27"]
        assert run([*argv, "--db", db]) == 0
        assert "PAY-2026.12" in out.read_text(encoding="utf-8")


def test_export_help_lists_the_charts_and_views(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        run(["export", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for name in (*CHART_NAMES, *VIEW_NAMES):
        assert name in text


def test_view_names_are_the_views_the_window_draws() -> None:
    from relplan.ui.export_views import VIEWS

    assert set(VIEW_NAMES) == set(VIEWS)


def test_an_unknown_view_is_refused_by_the_parser(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        run(["export", "png", "--view", "gantt", "--out", "x.png", "--db", db])
    assert exc.value.code == 2
    assert "calendar" in capsys.readouterr().err


def test_people_read_plurals(db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    doc = document()
    source = tmp_path / "one.json"
    source.write_text(json.dumps(doc), encoding="utf-8")
    fresh = str(tmp_path / "fresh.relplan")
    assert run(["import", str(source), "--db", fresh]) == 0
    summary = capsys.readouterr().out
    # Was: "2 dependency, 1 freeze, ..." (the entity codes, never a plural).
    assert f"{len(doc['dependencies'])} dependencies" in summary
    assert "dependency," not in summary
    assert "work_item" not in summary
    assert run(["impact", "WEB-2026.12", "--slip", "1", "--apply", "--db", db]) == 0
    # Was: "applied: 1 releases moved".
    assert "applied: 1 release moved" in capsys.readouterr().out
    assert run(["undo", "--db", db]) == 0
    assert "(1 object)" in capsys.readouterr().out


def test_impact_says_its_dates_are_forecast_dates(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["impact", "PAY-2026.12", "--slip", "5", "--db", db]) == 0
    text = capsys.readouterr().out
    assert "Forecast dates" in text
    assert "FORECAST START" in text


def test_check_table_fits_the_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = document()
    # Forty releases in one Staging window of capacity 2: one problem with 41 subjects.
    base = doc["releases"][0]
    for n in range(40):
        doc["releases"].append(
            {
                **base,
                "key": f"EXTRA-{n:02d}",
                "name": f"Extra {n}",
                "gates": [],
                "milestones": [],
                "stages": [{"environment": "Staging", "start": "2026-11-10", "end": "2026-11-12"}],
            }
        )
    path = tmp_path / "big.relplan"
    with Workspace.open(path) as ws:
        ws.import_plan(parse_workspace(doc))
    monkeypatch.setenv("COLUMNS", "120")
    run(["check", "--db", str(path), "--today", "2026-11-01"])
    text = capsys.readouterr().out
    assert "environment_conflict" in text
    assert "more" in text
    assert max(len(line) for line in text.splitlines()) <= 120


def test_a_workspace_path_alone_opens_it_in_the_window(tmp_path: Path, monkeypatch) -> None:
    """``relplan PATH`` is ``relplan --db PATH``: the desktop entry runs ``relplan %f``."""
    import relplan.app

    opened: list[str | None] = []

    def fake_window(args: argparse.Namespace) -> int:
        opened.append(args.db)
        return 0

    monkeypatch.setattr(relplan.app, "main", fake_window)
    existing = tmp_path / "plan.sqlite"
    existing.write_bytes(b"")
    assert run([str(tmp_path / "new.relplan")]) == 0
    assert run([str(existing)]) == 0
    assert opened == [str(tmp_path / "new.relplan"), str(existing)]
    # A command name is still a command, and a word that is no file still gets argparse's error.
    with pytest.raises(SystemExit):
        run(["no-such-command"])
    assert opened == [str(tmp_path / "new.relplan"), str(existing)]
