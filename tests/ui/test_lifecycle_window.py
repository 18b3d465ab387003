"""The release lifecycle in the window: new release from a template, the train preview, flags
and templates, each one undoable change made through the same edits as the command line."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, Qt

from relplan.store.workspace import Workspace
from relplan.ui.dialogs.flags import FlagsDialog
from relplan.ui.dialogs.lifecycle import NewReleaseDialog, NewTrainDialog
from relplan.ui.dialogs.template_editor import TemplateEditor
from relplan.ui.main_window import MainWindow


def _dialog(qtbot: Any, window: MainWindow, action: Any, attribute: str) -> Any:
    action.trigger()
    actions = window.lifecycle_actions
    qtbot.waitUntil(lambda: getattr(actions, attribute) is not None)
    return getattr(actions, attribute)


def test_plan_menu_has_the_lifecycle_entries(sync_window: MainWindow) -> None:
    texts = [a.text() for a in sync_window.plan_menu.actions()]
    for text in (
        "&Templates…",
        "New Release from &Template…",
        "New T&rain from Template…",
        "Feature F&lags…",
    ):
        assert text in texts


def test_new_release_from_template_then_undo(
    qtbot: Any, window: MainWindow, demo_ws: Workspace
) -> None:
    actions = window.lifecycle_actions
    dialog: NewReleaseDialog = _dialog(qtbot, window, actions.new_release_action, "release_dialog")
    dialog.key.setText("PAY-LC1")
    dialog.team.setCurrentText("PAY")
    dialog.template.setCurrentText("standard")
    dialog.target.setDate(QDate(2026, 9, 30))
    preview = dialog.preview.toPlainText()
    assert "PAY-LC1: 2026-08-17 .. 2026-09-30" in preview
    assert "Production   2026-09-29 .. 2026-09-30  canary" in preview
    dialog.buttons.accepted.emit()
    qtbot.waitUntil(lambda: window.runner.idle and window.model.row_for("PAY-LC1") is not None)
    release = demo_ws.release("PAY-LC1")
    assert [s.environment for s in release.stages] == ["Dev", "QA", "Staging", "Production"]
    assert release.monitoring_days == 7
    assert window.undo_action.text() == "&Undo New release PAY-LC1 from template standard"
    window.undo_action.trigger()
    qtbot.waitUntil(lambda: window.runner.idle and window.model.row_for("PAY-LC1") is None)
    assert demo_ws.release_plan().release("PAY-LC1") is None


def test_a_taken_key_is_refused_and_nothing_written(
    qtbot: Any, window: MainWindow, demo_ws: Workspace
) -> None:
    taken = demo_ws.release_plan().releases[0].key
    before = demo_ws.release_plan()
    dialog: NewReleaseDialog = _dialog(
        qtbot, window, window.lifecycle_actions.new_release_action, "release_dialog"
    )
    dialog.key.setText(taken)
    dialog.buttons.accepted.emit()
    qtbot.waitUntil(lambda: window.runner.idle and bool(dialog.error.text()))
    assert "already exists" in dialog.error.text()
    assert dialog.isVisible()  # kept open, to change the key
    assert demo_ws.release_plan() == before
    dialog.key.setText("PAY-FRESH")
    dialog.buttons.accepted.emit()
    qtbot.waitUntil(lambda: window.runner.idle and window.lifecycle_actions.release_dialog is None)
    assert demo_ws.release_plan().release("PAY-FRESH") is not None


def test_train_preview_then_create_and_undo(
    qtbot: Any, window: MainWindow, demo_ws: Workspace
) -> None:
    dialog: NewTrainDialog = _dialog(
        qtbot, window, window.lifecycle_actions.new_train_action, "train_dialog"
    )
    dialog.key.setText("R26")
    dialog.target.setDate(QDate(2026, 9, 2))
    dialog.template.setCurrentText("hotfix")
    dialog.set_teams(["PAY", "WEB"])
    dialog.every.setValue(2)
    dialog.count.setValue(3)
    table = dialog.preview
    assert table.rowCount() == 3
    rows = [[table.item(r, c).text() for c in range(3)] for r in range(3)]
    assert rows[0] == ["R26.1", "2026-09-02", "PAY-R26.1, WEB-R26.1"]
    assert rows[2][:2] == ["R26.3", "2026-09-30"]
    dialog.buttons.accepted.emit()
    qtbot.waitUntil(lambda: window.runner.idle and window.model.row_for("WEB-R26.3") is not None)
    trains = {t.key: t.target for t in demo_ws.release_plan().trains}
    assert trains["R26.2"] == dt.date(2026, 9, 16)
    window.undo_action.trigger()
    qtbot.waitUntil(lambda: window.runner.idle and window.model.row_for("WEB-R26.3") is None)
    assert "R26.1" not in {t.key for t in demo_ws.release_plan().trains}


def test_flag_add_edit_remove_with_undo(qtbot: Any, window: MainWindow, demo_ws: Workspace) -> None:
    dialog: FlagsDialog = _dialog(
        qtbot, window, window.lifecycle_actions.flags_action, "flags_dialog"
    )
    release = demo_ws.release_plan().releases[0].key
    dialog.new_button.click()
    dialog.key.setText("dark-mode")
    dialog.release.setCurrentText(release)
    dialog.environment.setCurrentText("Production")
    dialog.steps.setText("2026-07-01:10, 2026-07-08:100")
    dialog.save_button.click()
    qtbot.waitUntil(lambda: window.runner.idle and dialog.list.count() == 1)
    [flag] = demo_ws.release_plan().flags
    assert (flag.release, [s.percent for s in flag.steps]) == (release, [10, 100])
    dialog.owner.setText("web-team")
    dialog.save_button.click()
    qtbot.waitUntil(
        lambda: window.runner.idle and demo_ws.release_plan().flags[0].owner == "web-team"
    )
    assert window.undo_action.text() == "&Undo Edit flag dark-mode"
    dialog.steps.setText("soon:10")
    dialog.save_button.click()
    assert "expected DAY:PERCENT" in dialog.error.text()
    dialog.remove_button.click()
    qtbot.waitUntil(lambda: window.runner.idle and dialog.list.count() == 0)
    window.undo_action.trigger()
    qtbot.waitUntil(lambda: window.runner.idle and len(demo_ws.release_plan().flags) == 1)
    assert demo_ws.release_plan().flags[0].owner == "web-team"


def test_templates_dialog_adds_and_removes_a_template(
    qtbot: Any, window: MainWindow, demo_ws: Workspace, tmp_path: Path
) -> None:
    dialog = _dialog(qtbot, window, window.lifecycle_actions.templates_action, "templates_dialog")
    assert dialog.list.count() == 3
    assert not dialog.remove_button.isEnabled()  # shipped
    path = tmp_path / "t.json"
    path.write_text(
        json.dumps(
            {
                "key": "weekly",
                "name": "Weekly",
                "stages": [{"environment": "Production", "days": 1}],
            }
        ),
        encoding="utf-8",
    )
    window.lifecycle_actions.add_template_file(str(path))
    qtbot.waitUntil(lambda: window.runner.idle and dialog.list.count() == 4)
    rows = [dialog.list.item(r).data(Qt.ItemDataRole.UserRole) for r in range(4)]
    dialog.list.setCurrentRow(rows.index("weekly"))
    assert dialog.remove_button.isEnabled()
    assert "Stage Production: 1 days" in dialog.details.toPlainText()
    dialog.remove_button.click()
    qtbot.waitUntil(lambda: window.runner.idle and dialog.list.count() == 3)
    assert demo_ws.release_plan().templates == ()


def test_duplicate_edit_a_template_in_the_editor_then_undo(
    qtbot: Any, window: MainWindow, demo_ws: Workspace
) -> None:
    dialog = _dialog(qtbot, window, window.lifecycle_actions.templates_action, "templates_dialog")
    keys = [dialog.list.item(r).data(Qt.ItemDataRole.UserRole) for r in range(dialog.list.count())]
    dialog.list.setCurrentRow(keys.index("standard"))
    assert not dialog.edit_button.isEnabled()  # shipped: duplicate it instead
    dialog.duplicate_button.click()
    editor: TemplateEditor = window.lifecycle_actions.template_editor  # type: ignore[assignment]
    assert editor is not None
    assert editor.key.text() == "standard-copy"
    assert editor.stages.table.rowCount() == 4
    # A bad cell is named in words and nothing can be saved.
    editor.stages.table.item(1, 1).setText("soon")
    assert "Stages, row 2, days" in editor.error.text()
    assert not editor.save_button.isEnabled()
    editor.stages.table.item(1, 1).setText("9")
    assert editor.save_button.isEnabled()
    editor.key.setText("long-qa")
    editor.milestones.add_row(("Go/no-go", "3"))
    editor.save_button.click()
    qtbot.waitUntil(lambda: window.runner.idle and window.lifecycle_actions.template_editor is None)
    [saved] = demo_ws.release_plan().templates
    assert saved.key == "long-qa"
    assert saved.stages[1].days == 9
    assert ("Go/no-go", 3) in [(m.name, m.before_target) for m in saved.milestones]
    qtbot.waitUntil(lambda: dialog.list.count() == 4)
    # Edit the workspace's own template: one undoable change that replaces it.
    keys = [dialog.list.item(r).data(Qt.ItemDataRole.UserRole) for r in range(4)]
    dialog.list.setCurrentRow(keys.index("long-qa"))
    assert dialog.edit_button.isEnabled()
    dialog.edit_button.click()
    editor = window.lifecycle_actions.template_editor  # type: ignore[assignment]
    assert editor is not None
    editor.monitoring.setValue(14)
    editor.save_button.click()
    qtbot.waitUntil(lambda: window.runner.idle and window.lifecycle_actions.template_editor is None)
    assert demo_ws.release_plan().templates[0].monitoring_days == 14
    assert window.undo_action.text() == "&Undo Edit template long-qa"
    window.undo_action.trigger()
    qtbot.waitUntil(lambda: window.runner.idle)
    assert demo_ws.release_plan().templates[0].monitoring_days == saved.monitoring_days


def test_the_table_shows_each_releases_phase_today(window: MainWindow, demo_ws: Workspace) -> None:
    from relplan.planning.lifecycle import phase_of
    from relplan.ui.models.releases import Col

    from .conftest import DEMO_TODAY

    model = window.model
    assert model.headerData(Col.PHASE, Qt.Orientation.Horizontal) == "Phase"
    seen = set()
    for release in demo_ws.release_plan().releases:
        row = model.row_of(release.key)
        if row is None:
            continue
        shown = model.data(model.index(row, Col.PHASE))
        assert shown == str(phase_of(release, DEMO_TODAY))
        seen.add(shown)
    # The demo on its day has releases in planning, under way and done.
    assert {"planning", "done"} <= seen
    assert seen - {"planning", "done", "monitoring", "cancelled", "unscheduled"}


def test_calendar_tooltips_name_the_phase(window: MainWindow) -> None:
    from relplan.ui.views.calendar_legend import describe_release

    from .conftest import DEMO_TODAY

    assert window.show_view("Calendar")
    layout = window.calendar.layout_model
    assert layout is not None
    day = layout.day(DEMO_TODAY)
    assert day is not None
    assert day.entries
    key = day.entries[0].key
    text = describe_release(layout, key, day)
    phase = window.model.phase_for(key)
    assert f"Phase on {DEMO_TODAY:%a %d %b}: <b>{phase}</b>" in text


def test_requiring_approval_in_the_environment_editor_then_undo(
    qtbot: Any, window: MainWindow, demo_ws: Workspace
) -> None:
    window.environments_action.trigger()
    qtbot.waitUntil(lambda: window.editors.environment_editor is not None)
    dialog = window.editors.environment_editor
    assert dialog is not None
    names = [dialog.table.value(r, 0) for r in range(dialog.table.rowCount())]
    qa = names.index("QA")
    assert dialog.table.value(qa, 3) is False
    dialog.table.set_value(qa, 3, True)
    dialog.apply()
    qtbot.waitUntil(
        lambda: (
            window.runner.idle
            and any(e.requires_approval for e in demo_ws.release_plan().environments)
        )
    )
    assert [e.name for e in demo_ws.release_plan().environments if e.requires_approval] == ["QA"]
    assert window.undo_action.text() == "&Undo Edit environment QA"
    window.undo_action.trigger()
    qtbot.waitUntil(
        lambda: (
            window.runner.idle
            and not any(e.requires_approval for e in demo_ws.release_plan().environments)
        )
    )


def test_the_release_editor_edits_monitoring_and_rollouts_with_undo(
    qtbot: Any, window: MainWindow, demo_ws: Workspace
) -> None:
    release = next(r for r in demo_ws.release_plan().releases if len(r.stages) >= 2)
    window.open_release_editor(release.key)
    qtbot.waitUntil(lambda: window.editors.release_editor is not None)
    dialog = window.editors.release_editor
    assert dialog is not None
    last = dialog.stages_table.rowCount() - 1
    stage = release.stages[last]
    dialog.stages_table.set_value(last, 4, "soon")
    dialog.buttons.accepted.emit()
    assert "Cannot save" in dialog.error_label.text()
    assert "expected DAY:PERCENT" in dialog.error_label.text()
    rollout = f"{stage.start}:20, {stage.end}:100; switch {stage.end}"
    dialog.stages_table.set_value(last, 4, rollout)
    dialog.monitoring_spin.setValue(9)
    dialog.buttons.accepted.emit()
    qtbot.waitUntil(lambda: window.runner.idle and window.editors.release_editor is None)
    saved = demo_ws.release(release.key)
    assert saved.monitoring_days == 9
    stored = next(
        s for s in saved.stages if (s.environment, s.start) == (stage.environment, stage.start)
    )
    assert [(p.date, p.percent) for p in stored.steps] == [(stage.start, 20), (stage.end, 100)]
    assert stored.switch == stage.end
    # Opening and saving again keeps them (the editor shows what it does not change).
    window.open_release_editor(release.key)
    qtbot.waitUntil(lambda: window.editors.release_editor is not None)
    again = window.editors.release_editor
    assert again is not None
    assert again.stages_table.value(last, 4) == rollout
    again.reject()
    window.undo_action.trigger()
    qtbot.waitUntil(lambda: window.runner.idle and demo_ws.release(release.key) == release)


def test_a_flag_saved_in_the_window_is_checked_at_once(
    qtbot: Any, window: MainWindow, demo_ws: Workspace
) -> None:
    release = next(
        r
        for r in demo_ws.release_plan().releases
        if r.status == "planned" and any(s.environment == "Production" for s in r.stages)
    )
    production = min(s.start for s in release.stages if s.environment == "Production")
    early = production - dt.timedelta(days=3)
    dialog: FlagsDialog = _dialog(
        qtbot, window, window.lifecycle_actions.flags_action, "flags_dialog"
    )
    dialog.key.setText("too-early")
    dialog.release.setCurrentText(release.key)
    dialog.environment.setCurrentText("Production")
    dialog.steps.setText(f"{early}:10, {production}:100")
    dialog.save_button.click()

    def flagged() -> bool:
        latest = window.analyser.latest
        return latest is not None and any(
            p.kind == "flag_before_release" and "flag:too-early" in p.subjects
            for p in latest.problems
        )

    qtbot.waitUntil(lambda: window.runner.idle and flagged())
    window.undo_action.trigger()
    qtbot.waitUntil(lambda: window.runner.idle and not flagged())


def test_flag_subjects_read_as_flags_in_the_problems_panel() -> None:
    from relplan.ui.models.problems import subject_label

    assert subject_label("flag:new-checkout") == "flag new-checkout"
