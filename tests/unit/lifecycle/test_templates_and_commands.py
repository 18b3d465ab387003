"""Templates, releases and trains made from them, flags: the commands, all or nothing, undo."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from pathlib import Path

import pytest

from relplan.cli.commands import run
from relplan.domain.model import Flag, RolloutStep, Stage
from relplan.domain.templates import SHIPPED, parse_every, release_from_template, train_plans
from relplan.edits.lifecycle import flag_command
from relplan.edits.releases import move_release, set_release_date
from relplan.errors import ChangedSinceError
from relplan.formats.workspace_json import parse_workspace
from relplan.store.workspace import Workspace
from tests.helpers.plans import document
from tests.unit.lifecycle.test_lifecycle_format import TEMPLATE

TARGET = dt.date(2027, 3, 10)


def _plan_json() -> dict[str, object]:
    doc = document()
    doc["environments"] = [
        {"name": "Dev", "order": 1, "capacity": 9},
        {"name": "QA", "order": 2, "capacity": 9},
        {"name": "Staging", "order": 3, "capacity": 9},
        {"name": "Production", "order": 4, "capacity": 9},
    ]
    return doc


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = tmp_path / "w.relplan"
    with Workspace.open(path) as ws:
        ws.import_plan(parse_workspace(_plan_json()))
    return str(path)


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = run(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _plan(db: str):  # type: ignore[no-untyped-def]
    with Workspace.open(Path(db), create=False) as ws:
        return ws.plan()


@pytest.mark.parametrize("template", SHIPPED, ids=lambda t: t.key)
def test_each_shipped_template_follows_the_arithmetic(template) -> None:  # type: ignore[no-untyped-def]
    release = release_from_template(template, key="K", team="PAY", target=TARGET)
    assert release.target == TARGET
    assert release.monitoring_days == template.monitoring_days
    for ts in template.stages:
        stage = next(s for s in release.stages if s.environment == ts.environment)
        assert stage.end == TARGET - dt.timedelta(days=ts.ends_before_target)
        assert (stage.end - stage.start).days + 1 == ts.days
        assert stage.strategy == ts.strategy
    assert release.start == min(s.start for s in release.stages)
    assert [m.date for m in release.milestones] == [
        TARGET - dt.timedelta(days=m.before_target) for m in template.milestones
    ]
    assert all(g.status == "pending" for g in release.gates)
    assert len(release.gates) == len(template.gates)
    # A shipped template makes a release that check has nothing to say about on its own:
    # every stage and milestone lies within start..target and stages of one release never overlap.
    assert all(release.start <= m.date <= TARGET for m in release.milestones)
    ordered = sorted(release.stages, key=lambda s: s.start)
    assert all(a.end < b.start for a, b in itertools.pairwise(ordered))


def test_a_template_without_stages_starts_on_its_target() -> None:
    bare = SHIPPED[0].__class__("bare", "Bare")
    release = release_from_template(bare, key="K", team="T", target=TARGET)
    assert release.start == TARGET
    assert release.stages == ()


def test_the_standard_template_on_a_known_day() -> None:
    release = release_from_template(SHIPPED[0], key="K", team="T", target=dt.date(2026, 12, 31))
    assert release.stages[-1] == Stage(
        "Production", dt.date(2026, 12, 30), dt.date(2026, 12, 31), "canary"
    )
    assert release.start == dt.date(2026, 11, 17)


def test_trains_of_a_series_are_keyed_and_spaced_by_the_pattern() -> None:
    plans = train_plans(
        SHIPPED[1], key="R", target=TARGET, teams=["PAY", "WEB"], every_days=14, count=3
    )
    assert [p.train.key for p in plans] == ["R.1", "R.2", "R.3"]
    assert [p.train.target for p in plans] == [TARGET + dt.timedelta(days=14 * i) for i in range(3)]
    assert [r.key for r in plans[2].releases] == ["PAY-R.3", "WEB-R.3"]
    assert all(r.train == "R.3" and r.target == plans[2].train.target for r in plans[2].releases)
    single = train_plans(SHIPPED[1], key="R", target=TARGET, teams=["PAY"])
    assert [p.train.key for p in single] == ["R"]
    assert [r.key for r in single[0].releases] == ["PAY-R"]


@pytest.mark.parametrize(("text", "days"), [("2w", 14), ("10d", 10), ("1w", 7)])
def test_cadences(text: str, days: int) -> None:
    assert parse_every(text) == days


@pytest.mark.parametrize("text", ["2", "0w", "2m", "w2", "-1d"])
def test_bad_cadences(text: str) -> None:
    with pytest.raises(ValueError, match="cadence"):
        parse_every(text)


def test_release_new_is_one_undoable_change(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(
        capsys, "--db", db, "release", "new", "PAY-2027.03", "--team", "PAY",
        "--template", "standard", "--target", "2027-03-10", "--train", "Q4-TRAIN",
    )  # fmt: skip
    assert code == 0, err
    assert "undo" in out
    release = _plan(db).release("PAY-2027.03")
    assert release is not None
    assert release.train == "Q4-TRAIN"
    assert len(release.stages) == 4
    assert release.stages[-1].environment == "Production"
    code, out, err = _run(capsys, "--db", db, "undo")
    assert code == 0, err
    assert _plan(db).release("PAY-2027.03") is None


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--team", "NOPE", "--template", "standard"], "no team 'NOPE'"),
        (["--team", "PAY", "--template", "nope"], "no template 'nope'"),
        (["--team", "PAY", "--template", "standard", "--train", "X"], "no train 'X'"),
    ],
)
def test_release_new_errors_write_nothing(
    db: str, capsys: pytest.CaptureFixture[str], args: list[str], words: str
) -> None:
    before = _plan(db)
    code, _out, err = _run(
        capsys, "--db", db, "release", "new", "PAY-X", "--target", "2027-03-10", *args
    )
    assert code == 2
    assert words in err
    assert len(err.strip().splitlines()) == 1
    assert _plan(db) == before


def test_release_new_refuses_a_taken_key(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = _run(
        capsys, "--db", db, "release", "new", "PAY-2026.12", "--team", "PAY",
        "--template", "hotfix", "--target", "2027-03-10",
    )  # fmt: skip
    assert code == 2
    assert "already exists" in err


def test_a_template_with_an_environment_the_workspace_lacks_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "w.relplan")
    with Workspace.open(Path(db)) as ws:
        ws.import_plan(parse_workspace(document()))  # Staging and Production only
    code, _out, err = _run(
        capsys, "--db", db, "release", "new", "PAY-X", "--team", "PAY",
        "--template", "standard", "--target", "2027-03-10",
    )  # fmt: skip
    assert code == 2
    assert "needs environment 'Dev'" in err


def test_train_new_series_is_one_change(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = _run(
        capsys, "--db", db, "train", "new", "R27", "--target", "2027-01-20",
        "--teams", "PAY,WEB", "--template", "hotfix", "--every", "2w", "--count", "3",
    )  # fmt: skip
    assert code == 0, err
    plan = _plan(db)
    trains = {t.key: t.target for t in plan.trains}
    assert trains["R27.3"] == dt.date(2027, 2, 17)
    assert {r.key for r in plan.releases if r.train == "R27.2"} == {"PAY-R27.2", "WEB-R27.2"}
    _run(capsys, "--db", db, "undo")
    plan = _plan(db)
    assert not any(t.key.startswith("R27") for t in plan.trains)
    assert not any(r.key.endswith(".1") for r in plan.releases)


def test_train_new_is_all_or_nothing(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    _run(
        capsys, "--db", db, "release", "new", "WEB-R.2", "--team", "WEB",
        "--template", "hotfix", "--target", "2027-03-10",
    )  # fmt: skip
    before = _plan(db)
    code, _out, err = _run(
        capsys, "--db", db, "train", "new", "R", "--target", "2027-01-20",
        "--teams", "PAY,WEB", "--template", "hotfix", "--every", "1w", "--count", "3",
    )  # fmt: skip
    assert code == 2
    assert "release 'WEB-R.2' already exists" in err
    assert _plan(db) == before


def test_train_dry_run_writes_nothing(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    before = _plan(db)
    code, out, _err = _run(
        capsys, "--db", db, "train", "new", "R", "--target", "2027-01-20",
        "--teams", "PAY", "--template", "hotfix", "--dry-run",
    )  # fmt: skip
    assert code == 0
    assert "train R targets 2027-01-20: PAY-R" in out
    assert _plan(db) == before


def test_every_needs_count(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = _run(
        capsys, "--db", db, "train", "new", "R", "--target", "2027-01-20",
        "--teams", "PAY", "--template", "hotfix", "--every", "2w",
    )  # fmt: skip
    assert code == 2
    assert "--every and --count go together" in err


def test_template_add_show_remove(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mine = {**TEMPLATE, "key": "mine", "name": "Mine"}
    path = tmp_path / "mine.json"
    path.write_text(json.dumps(mine), encoding="utf-8")
    assert _run(capsys, "--db", db, "template", "add", str(path))[0] == 0
    code, out, _err = _run(capsys, "--db", db, "template", "show", "mine", "--json")
    assert json.loads(out) == mine
    code, out, _err = _run(capsys, "--db", db, "template", "list")
    assert "mine" in out
    assert "workspace" in out
    assert "shipped" in out
    code, _out, err = _run(capsys, "--db", db, "template", "add", str(path))
    assert code == 2
    assert "already has a template 'mine'" in err
    assert _run(capsys, "--db", db, "template", "remove", "mine")[0] == 0
    assert "mine" not in _run(capsys, "--db", db, "template", "list")[1]
    assert _run(capsys, "--db", db, "undo")[0] == 0
    assert "mine" in _run(capsys, "--db", db, "template", "list")[1]


def test_shipped_templates_cannot_be_removed(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = _run(capsys, "--db", db, "template", "remove", "standard")
    assert code == 2
    assert "shipped" in err


def test_a_bad_template_file_names_the_path(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({**TEMPLATE, "stages": [{"environment": "Dev", "days": 0}]}))
    code, _out, err = _run(capsys, "--db", db, "template", "add", str(path))
    assert code == 2
    assert "stages[0].days" in err
    assert "standard" not in {t.key for t in _plan(db).templates}


def test_flag_set_change_remove_and_undo(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = _run(
        capsys, "--db", db, "flag", "set", "f1", "--release", "PAY-2026.12",
        "--environment", "Production", "--steps", "2026-12-01:10,2026-12-05:100",
    )  # fmt: skip
    assert code == 0, err
    assert _run(capsys, "--db", db, "flag", "set", "f1", "--owner", "me")[0] == 0
    [flag] = _plan(db).flags
    assert flag.owner == "me"
    assert [s.percent for s in flag.steps] == [10, 100]
    code, _out, err = _run(capsys, "--db", db, "flag", "set", "f1", "--environment", "Moon")
    assert code == 2
    assert "no environment 'Moon'" in err
    assert _run(capsys, "--db", db, "flag", "remove", "f1")[0] == 0
    assert _plan(db).flags == ()
    _run(capsys, "--db", db, "undo")
    assert [f.owner for f in _plan(db).flags] == ["me"]


def test_status_counts_by_phase(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = _run(capsys, "--db", db, "status", "--today", "2026-11-30", "--json")
    assert code == 0
    got = json.loads(out)
    phases = {p["phase"]: p for p in got["phases"]}
    assert phases["Production"]["releases"] == ["PAY-2026.12"]
    assert phases["planning"]["count"] == 1
    assert [p["phase"] for p in got["phases"]] == ["planning", "Production"]


def test_status_for_people_lists_phases_with_counts(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _err = _run(capsys, "--db", db, "status", "--today", "2026-11-30", "--show", "1")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Portfolio on 2026-11-30: 2 releases"
    assert lines[1].split() == ["planning", "1", "WEB-2026.12"]
    assert lines[2].split() == ["Production", "1", "PAY-2026.12"]


def test_template_show_for_people(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = _run(capsys, "--db", db, "template", "show", "hotfix")
    assert code == 0
    assert "stage Production: 1 days ending 0 days before the target (rolling)" in out
    assert "gate Emergency CAB (manual) for Production by ops-lead" in out


def test_a_flag_moves_with_its_release_and_back_on_undo(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = _run(
        capsys, "--db", db, "flag", "set", "f1", "--release", "PAY-2026.12",
        "--environment", "Production", "--steps", "2026-12-01:10,2026-12-05:100",
    )  # fmt: skip
    assert code == 0, err
    with Workspace.open(Path(db), create=False) as ws:
        change = move_release(ws, "PAY-2026.12", 3)
    assert change.touched["flag"] == {"f1"}
    [flag] = _plan(db).flags
    assert [s.date for s in flag.steps] == [dt.date(2026, 12, 4), dt.date(2026, 12, 8)]
    # A slip applied through impact moves the flag the same way, in the same command.
    code, _out, err = _run(
        capsys, "--db", db, "impact", "PAY-2026.12", "--slip", "2", "--apply",
        "--today", "2026-11-01",
    )  # fmt: skip
    assert code == 0, err
    [flag] = _plan(db).flags
    assert [s.date for s in flag.steps] == [dt.date(2026, 12, 6), dt.date(2026, 12, 10)]
    assert _run(capsys, "--db", db, "undo")[0] == 0
    assert _run(capsys, "--db", db, "undo")[0] == 0
    [flag] = _plan(db).flags
    assert [s.date for s in flag.steps] == [dt.date(2026, 12, 1), dt.date(2026, 12, 5)]


def test_changing_only_a_target_leaves_the_flag_alone(db: str) -> None:
    with Workspace.open(Path(db), create=False) as ws:
        ws.execute(
            flag_command(
                ws, None,
                Flag("f2", "PAY-2026.12", "Production",
                     steps=(RolloutStep(dt.date(2026, 12, 1), 100),)),
            )
        )  # fmt: skip
        release = ws.release("PAY-2026.12")
        assert release.target is not None
        set_release_date(ws, "PAY-2026.12", "target", release.target + dt.timedelta(days=4))
    [flag] = _plan(db).flags
    assert flag.steps[0].date == dt.date(2026, 12, 1)


def test_undoing_a_release_a_later_flag_uses_says_which_change_holds_it(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = _run(
        capsys, "--db", db, "release", "new", "X-1", "--team", "PAY", "--template", "standard",
        "--target", "2027-02-01",
    )  # fmt: skip
    assert code == 0, err
    code, _out, err = _run(
        capsys, "--db", db, "flag", "set", "fx", "--release", "X-1",
        "--environment", "Production", "--steps", "2027-01-30:100",
    )  # fmt: skip
    assert code == 0, err
    with Workspace.open(Path(db), create=False) as ws:
        release_change = ws.history()[1]
        assert release_change["label"].startswith("New release X-1")
        with pytest.raises(ChangedSinceError) as caught:
            ws.undo(release_change["id"])
    message = str(caught.value)
    assert "release X-1 is still used by" in message
    assert "'Add flag fx'" in message
    assert "nothing was changed" in message
    assert [f.key for f in _plan(db).flags] == ["fx"]
    assert "X-1" in {r.key for r in _plan(db).releases}


def test_template_add_replace_changes_the_workspace_template(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "t.json"
    path.write_text(json.dumps({**TEMPLATE, "monitoring_days": 3}))
    assert _run(capsys, "--db", db, "template", "add", str(path))[0] == 0
    path.write_text(json.dumps({**TEMPLATE, "monitoring_days": 9}))
    code, _out, err = _run(capsys, "--db", db, "template", "add", str(path))
    assert code == 2
    assert "already has a template" in err
    code, out, err = _run(capsys, "--db", db, "template", "add", str(path), "--replace")
    assert code == 0, err
    assert "Edit template" in out
    [template] = _plan(db).templates
    assert template.monitoring_days == 9
    assert _run(capsys, "--db", db, "undo")[0] == 0
    assert _plan(db).templates[0].monitoring_days == 3
