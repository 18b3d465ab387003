"""Plan → Templates…, New Release from Template…, New Train from Template… and Feature Flags….

:class:`LifecycleActions` adds the entries to the main window's Plan menu. The choices are read
on the DB lane, the dialogs only ask, and every change is built and executed on the DB lane by
the same edits as the command line (:mod:`relplan.edits.lifecycle`): one undoable command each.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog

from relplan import config
from relplan.errors import ValidationError
from relplan.ui.actions import JSON_FILTER
from relplan.ui.analysis import Clock, zone_today
from relplan.ui.dialogs.flags import FlagsDialog
from relplan.ui.dialogs.lifecycle import (
    LifecycleChoices,
    NewReleaseDialog,
    NewReleaseRequest,
    NewTrainDialog,
    NewTrainRequest,
    TemplatesDialog,
)
from relplan.ui.dialogs.template_editor import TemplateEditor
from relplan.ui.errors import present_error

if TYPE_CHECKING:
    from collections.abc import Callable

    from relplan.domain.model import Flag, Template
    from relplan.store.commands import ChangeSet, Command
    from relplan.store.workspace import Workspace
    from relplan.ui.actions import WindowActions


def lifecycle_choices(ws: Workspace, today: dt.date | None = None) -> LifecycleChoices:
    """What the lifecycle dialogs offer (DB lane): templates, teams, trains, environments,
    releases and flags, without loading work items."""
    from relplan.domain.templates import SHIPPED
    from relplan.edits.lifecycle import is_shipped, templates

    plan = ws.release_plan()
    found = templates(ws)
    shipped = frozenset(t.key for t in found if t.key in {s.key for s in SHIPPED})
    return LifecycleChoices(
        templates=tuple(found),
        shipped=frozenset(k for k in shipped if is_shipped(ws, k)),
        teams=tuple(t.key for t in plan.teams),
        trains=tuple(t.key for t in plan.trains),
        environments=tuple(e.name for e in plan.environments),
        releases=tuple(r.key for r in plan.releases),
        flags=plan.flags,
        today=today or zone_today(plan.timezone),
    )


class LifecycleActions(QObject):
    """The release lifecycle's Plan-menu entries of a main window.

    Args:
        window: the main window.
        today: the window's clock (None: today in the planning zone).
    """

    def __init__(self, window: WindowActions, *, today: Clock | None = None) -> None:
        super().__init__(window)
        self.window = window
        self._today = today
        self.templates_dialog: TemplatesDialog | None = None
        self.template_editor: TemplateEditor | None = None
        self.flags_dialog: FlagsDialog | None = None
        self.release_dialog: NewReleaseDialog | None = None
        self.train_dialog: NewTrainDialog | None = None
        window.plan_menu.addSeparator()
        self.templates_action = self._add("&Templates…", self.open_templates)
        self.templates_action.setStatusTip("The release templates: shipped ones and your own")
        self.new_release_action = self._add("New Release from &Template…", self.open_new_release)
        self.new_release_action.setStatusTip("Make a release whose stages follow a template")
        self.new_train_action = self._add("New T&rain from Template…", self.open_new_train)
        self.new_train_action.setStatusTip("Make a train (or a series) with a release per team")
        self.flags_action = self._add("Feature F&lags…", self.open_flags)
        self.flags_action.setStatusTip("Add, change or remove feature flags and their steps")

    def _add(self, text: str, slot: Callable[[], None]) -> QAction:
        action = QAction(text, self.window)
        action.triggered.connect(slot)
        self.window.plan_menu.addAction(action)
        return action

    def _read_choices(self, then: Callable[[LifecycleChoices], None]) -> None:
        clock = self._today
        self.window.session.read(
            lambda ws: lifecycle_choices(ws, clock() if clock is not None else None), then
        )

    def _run(
        self,
        build: Callable[[Workspace], Command | None],
        done: Callable[[ChangeSet], None],
        failed: Callable[[BaseException], None],
    ) -> None:
        self.window.session.run_command(build, on_done=done, on_error=failed)

    # -- templates --------------------------------------------------------------------------
    @Slot()
    def open_templates(self) -> None:
        """Open the Templates dialog (or bring it up)."""
        if self.templates_dialog is not None:
            self.templates_dialog.raise_()
            return
        self._read_choices(self._show_templates)

    def _show_templates(self, choices: LifecycleChoices) -> None:
        if self.templates_dialog is not None:
            return
        dialog = TemplatesDialog(choices, self.window)
        dialog.add_requested.connect(self._ask_template_file)
        dialog.remove_requested.connect(self.remove_template)
        dialog.edit_requested.connect(self.open_template_editor)
        dialog.finished.connect(lambda _r: setattr(self, "templates_dialog", None))
        self.templates_dialog = dialog
        dialog.show()

    @Slot()
    def _ask_template_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self.window, "Add template", self.window.exchange_path(), JSON_FILTER
        )
        if path:
            config.remember_export_dir(path)
            self.add_template_file(path)

    def add_template_file(self, path: str) -> None:
        """Add the template in the JSON file ``path`` (one undoable change)."""

        def build(ws: Workspace) -> Command:
            from relplan.domain import codec, lifecycle_codec
            from relplan.edits.lifecycle import add_template_command
            from relplan.formats.workspace_json import read_json_file

            dec = codec.Decoder()
            template = lifecycle_codec.read_template(dec, read_json_file(path), "")
            dec.raise_if_any(source=path)
            assert template is not None
            return add_template_command(ws, template)

        self._run(build, lambda _c: self._refresh_templates(), self._template_failed)

    def open_template_editor(self, template: Template | None, before: str | None) -> None:
        """Open the template editor on ``template`` (None: a new one) replacing ``before``."""
        if self.template_editor is not None:
            self.template_editor.raise_()
            return
        dialog = self.templates_dialog
        environments = dialog.environments() if dialog is not None else ()
        editor = TemplateEditor(template, before, environments, dialog or self.window)
        editor.save_requested.connect(self.save_template)
        editor.finished.connect(lambda _r: setattr(self, "template_editor", None))
        self.template_editor = editor
        editor.open()

    def save_template(self, before: str | None, template: Template) -> None:
        """Add or replace a workspace template from the editor (one undoable change)."""
        from relplan.edits.lifecycle import save_template_command

        def saved(_c: ChangeSet) -> None:
            if self.template_editor is not None:
                self.template_editor.done_ok()
            self._refresh_templates()

        def refused(exc: BaseException) -> None:
            if self.template_editor is not None:
                self.template_editor.show_error(str(exc))

        self._run(lambda ws: save_template_command(ws, before, template), saved, refused)

    def remove_template(self, key: str) -> None:
        """Remove workspace template ``key`` (one undoable change)."""
        from relplan.edits.lifecycle import remove_template_command

        self._run(
            lambda ws: remove_template_command(ws, key),
            lambda _c: self._refresh_templates(),
            self._template_failed,
        )

    def _refresh_templates(self) -> None:
        dialog = self.templates_dialog
        if dialog is not None:
            self._read_choices(dialog.set_choices)

    def _template_failed(self, exc: BaseException) -> None:
        if self.templates_dialog is not None:
            self.templates_dialog.show_error(str(exc))

    # -- new release ------------------------------------------------------------------------
    @Slot()
    def open_new_release(self) -> None:
        """Ask for a release to make from a template, then make it."""
        self._read_choices(self._show_new_release)

    def _show_new_release(self, choices: LifecycleChoices) -> None:
        dialog = NewReleaseDialog(choices, self.window)
        self.release_dialog = dialog
        dialog.submitted.connect(self.new_release)
        dialog.finished.connect(lambda _r: setattr(self, "release_dialog", None))
        dialog.open()

    def new_release(self, req: NewReleaseRequest) -> None:
        """Make the release ``req`` asks for: one undoable change."""
        from relplan.edits.lifecycle import new_release_command

        def build(ws: Workspace) -> Command:
            return new_release_command(
                ws, key=req.key, team=req.team, template=req.template, target=req.target,
                train=req.train, name=req.name,
            )[1]  # fmt: skip

        self._run(build, lambda _c: self._made(self.release_dialog), self._refused_release)

    def _made(self, dialog: NewReleaseDialog | NewTrainDialog | None) -> None:
        if dialog is not None:
            dialog.done_ok()

    def _refused_release(self, exc: BaseException) -> None:
        self._refused(self.release_dialog, exc)

    def _refused_train(self, exc: BaseException) -> None:
        self._refused(self.train_dialog, exc)

    def _refused(
        self, dialog: NewReleaseDialog | NewTrainDialog | None, exc: BaseException
    ) -> None:
        """A refused release or train: say why in its dialog (kept open), else in a box."""
        if dialog is not None and isinstance(exc, ValidationError):
            dialog.show_error("Not made: " + "; ".join(exc.lines()))
        else:
            if dialog is not None:
                dialog.show_error("Not made.")
            present_error(self.window, exc)

    # -- new train --------------------------------------------------------------------------
    @Slot()
    def open_new_train(self) -> None:
        """Ask for a train to make from a template (with its preview), then make it."""
        self._read_choices(self._show_new_train)

    def _show_new_train(self, choices: LifecycleChoices) -> None:
        dialog = NewTrainDialog(choices, self.window)
        self.train_dialog = dialog
        dialog.submitted.connect(self.new_train)
        dialog.finished.connect(lambda _r: setattr(self, "train_dialog", None))
        dialog.open()

    def new_train(self, req: NewTrainRequest) -> None:
        """Make the train(s) ``req`` asks for: one undoable change."""
        from relplan.edits.lifecycle import preview_train, train_command

        def build(ws: Workspace) -> Command:
            plans = preview_train(
                ws, key=req.key, target=req.target, teams=req.teams, template=req.template,
                every_days=req.every_days, count=req.count, name=req.name,
            )  # fmt: skip
            return train_command(plans, req.template)

        self._run(build, lambda _c: self._made(self.train_dialog), self._refused_train)

    # -- flags ------------------------------------------------------------------------------
    @Slot()
    def open_flags(self) -> None:
        """Open the Feature Flags dialog (or bring it up)."""
        if self.flags_dialog is not None:
            self.flags_dialog.raise_()
            return
        self._read_choices(self._show_flags)

    def _show_flags(self, choices: LifecycleChoices) -> None:
        if self.flags_dialog is not None:
            return
        dialog = FlagsDialog(choices, self.window)
        dialog.save_requested.connect(self.save_flag)
        dialog.finished.connect(lambda _r: setattr(self, "flags_dialog", None))
        self.flags_dialog = dialog
        dialog.show()

    def save_flag(self, before: Flag | None, after: Flag | None) -> None:
        """Add, change or remove a flag: one undoable change."""
        from relplan.edits.lifecycle import flag_command

        def done(_changes: ChangeSet) -> None:
            dialog = self.flags_dialog
            if dialog is not None:
                select = after.key if after is not None else None
                self._read_choices(lambda c: dialog.set_choices(c, select))

        def failed(exc: BaseException) -> None:
            if self.flags_dialog is not None:
                self.flags_dialog.show_error(str(exc))

        self._run(lambda ws: flag_command(ws, before, after), done, failed)
