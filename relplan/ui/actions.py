"""The main window's menus and the actions that need no view: files, undo, help.

:class:`WindowActions` is the main window's base class: it builds the menu bar (File, Edit,
View, Plan, Help) and implements the File and Help commands. The window
(:mod:`relplan.ui.main_window`) implements what the menus call on views, and its base class
:class:`~relplan.ui.dialog_actions.DialogActions` what they call on the editors and dialogs.

Shortcuts: Ctrl+N/O new/open, Ctrl+I/E import/export JSON, Ctrl+Shift+E export the current view
as an image, Ctrl+Z/Ctrl+Y undo/redo, Ctrl+F find in the current view, Ctrl+1..5 the views (added
by ``add_view``), Ctrl+Shift+M the Problems panel, F5 check, Ctrl+Return edit the selected
release, Ctrl+Shift+F freezes. The deployment and calendar commands (Ctrl+Shift+C export calendar)
are added by :mod:`relplan.ui.plan_actions`, the Sync menu (Ctrl+Shift+S sync now) by
:mod:`relplan.ui.sync_actions`.
"""

from __future__ import annotations

import html
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Slot, qVersion
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QInputDialog,
    QMainWindow,
    QMenu,
    QMessageBox,
    QWidget,
)

from relplan import __version__, config
from relplan.planning.wording import count
from relplan.ui.empty_state import EmptyState
from relplan.ui.errors import present_error
from relplan.ui.views.base import EXPORT_SUFFIXES, PlanView

if TYPE_CHECKING:
    from relplan.store.undo import UndoStep
    from relplan.ui.filter_bar import FilterBar
    from relplan.ui.session import WorkspaceSession
    from relplan.ui.tasks import BaseTaskRunner
    from relplan.ui.views.problems import ProblemsDock

WORKSPACE_FILTER: Final = "relplan workspaces (*.relplan);;All files (*)"
JSON_FILTER: Final = "Workspace JSON (*.json);;All files (*)"
IMAGE_FILTER: Final = "PNG image (*.png);;SVG image (*.svg);;PDF (*.pdf)"
PROBLEMS_SHORTCUT: Final = "Ctrl+Shift+M"


def keyring_description() -> str:
    """The keyring backend tokens would go to: class name and priority, or "none usable".

    Only the backend is looked at; no secret is ever read.
    """
    import keyring

    # The very test KeyringStore applies before it stores a token.
    from relplan.sync.credentials import _unusable

    try:
        backend = keyring.get_keyring()
    except Exception as exc:  # a broken keyring configuration must not break the About box
        return f"none usable ({type(exc).__name__})"
    why = _unusable(backend)
    if why:
        return f"none usable ({why})"
    return f"{type(backend).__name__} (priority {getattr(backend, 'priority', '?')})"


class WindowActions(QMainWindow):
    """Menus and the File/Help commands of the main window (its base class).

    Subclasses provide ``session``, ``problems_dock`` and the slots the Edit, View and Plan
    menus call (``_on_find``, ``_on_check``, ``_on_whatif``, ``_on_edit_release``,
    ``open_freeze_editor``, ``open_environment_editor``, ``current_view``, ``show_message``).
    """

    session: WorkspaceSession
    problems_dock: ProblemsDock
    # What the Plan and Sync menus' actions use too (they take the window as WindowActions).
    runner: BaseTaskRunner
    filter_bar: FilterBar

    def _action(
        self,
        menu: QMenu,
        text: str,
        slot: Callable[..., Any],
        shortcut: QKeySequence.StandardKey | str = "",
    ) -> QAction:
        action = menu.addAction(text)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        return action

    def pick_from_history(self, rows: list[dict[str, Any]]) -> None:
        """Ask which change of the history to undo; another's change needs a confirmation."""
        done = [row for row in rows if row["state"] == "done"]
        if not done:
            QMessageBox.information(self, "Undo from History", "There is nothing to undo.")
            return
        here = self.session.origin
        labels = [
            f"#{r['id']}  {r['label']} — {r['who']}, {r['at']}"
            + ("" if r["origin"] == here else f"  (elsewhere: {r['origin']})")
            for r in done
        ]
        choice, ok = QInputDialog.getItem(
            self, "Undo from History", "Undo which change?", labels, 0, False
        )
        if not ok or choice not in labels:
            return
        row = done[labels.index(choice)]
        if row["origin"] != here:
            answer = QMessageBox.question(
                self,
                "Undo another's change?",
                f"Change #{row['id']} '{row['label']}' was made by {row['who']} from another "
                f"window or program ({row['origin']}) at {row['at']}.\n\nUndo it?",
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        self.session.undo(int(row["id"]))

    def _build_menus(self) -> None:
        menus = self.menuBar()
        file = menus.addMenu("&File")
        self.new_action = self._action(file, "&New…", self._on_new, "Ctrl+N")
        self.open_action = self._action(file, "&Open…", self._on_open, "Ctrl+O")
        self.recent_menu = file.addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        file.addSeparator()
        self.import_action = self._action(file, "&Import JSON…", self._on_import, "Ctrl+I")
        self.export_action = self._action(file, "&Export JSON…", self._on_export, "Ctrl+E")
        self.export_image_action = self._action(
            file, "Export View &Image…", self._on_export_image, "Ctrl+Shift+E"
        )
        self.export_image_action.setStatusTip("Save the current view as PNG, SVG or PDF")
        self.status_report_action = self._action(file, "Status &Report…", self._on_status_report)
        self.file_menu = file
        self.file_exports_end = file.addSeparator()  # more exports go above it
        self.quit_action = self._action(file, "&Quit", self.close, "Ctrl+Q")
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)

        edit = menus.addMenu("&Edit")
        # Undo and redo act on this window's own changes; History names anyone's.
        self.undo_action = self._action(edit, "&Undo", lambda: self.session.undo())
        self.session.undo_needs_confirmation.connect(self._on_undo_needs_confirmation)
        self.undo_action.setShortcuts([QKeySequence("Ctrl+Z")])
        self.redo_action = self._action(edit, "&Redo", lambda: self.session.redo())
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Y"), QKeySequence("Ctrl+Shift+Z")])
        self.history_action = self._action(
            edit, "Undo from &History…", lambda: self.session.load_history(self.pick_from_history)
        )
        self.history_action.setStatusTip("Undo any change, this window's or another's")
        edit.addSeparator()
        self.find_action = self._action(edit, "&Find", self._on_find, "Ctrl+F")
        self.find_action.setStatusTip("Focus the search box of the current view")

        self.view_menu = menus.addMenu("&View")
        self.views_end = self.view_menu.addSeparator()  # add_view puts views above it
        self.problems_action = self.problems_dock.toggleViewAction()
        self.problems_action.setText("&Problems")
        self.problems_action.setShortcut(QKeySequence(PROBLEMS_SHORTCUT))
        self.view_menu.addAction(self.problems_action)

        self.plan_menu = plan = menus.addMenu("&Plan")
        self.check_action = self._action(plan, "&Check Plan", self._on_check, "F5")
        self.check_action.setStatusTip("Run the plan's checks and schedule again")
        self.edit_release_action = self._action(
            plan, "&Edit Release…", self._on_edit_release, "Ctrl+Return"
        )
        self.edit_release_action.setStatusTip("Open the selected release in the editor")
        self.whatif_action = self._action(
            plan, "&What If It Slips…", self._on_whatif, "Ctrl+Shift+W"
        )
        self.whatif_action.setStatusTip("Preview what a slip of the selected release moves")
        self.whatif_action.setEnabled(False)
        self.level_action = self._action(plan, "&Level the Plan…", self._on_level)
        self.level_action.setStatusTip("Preview later dates that clear the plan's date problems")
        plan.addSeparator()
        self.freezes_action = self._action(
            plan, "&Freezes…", lambda: self.open_freeze_editor(), "Ctrl+Shift+F"
        )
        self.freezes_action.setStatusTip("Add, change or remove freeze windows")
        self.environments_action = self._action(
            plan, "E&nvironments…", self.open_environment_editor
        )
        self.environments_action.setStatusTip("Set the order and capacity of environments")

        self.help_menu = help_menu = menus.addMenu("&Help")
        self.about_action = self._action(help_menu, "&About relplan", self._on_about)
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)

    # -- provided by the window -------------------------------------------------------------
    def _on_find(self) -> None:
        raise NotImplementedError

    def _on_check(self) -> None:
        raise NotImplementedError

    def _on_whatif(self) -> None:
        raise NotImplementedError

    def _on_edit_release(self) -> None:
        raise NotImplementedError

    def _on_level(self) -> None:
        raise NotImplementedError

    def open_freeze_editor(self, name: str | None = None) -> None:
        """Open the Freeze editor (selecting freeze ``name``)."""
        raise NotImplementedError

    def open_environment_editor(self) -> None:
        """Open the Environment editor."""
        raise NotImplementedError

    def current_view(self) -> Any:
        """The widget of the current view tab."""
        raise NotImplementedError

    def show_message(self, text: str) -> None:
        """Show a transient status-bar message."""
        raise NotImplementedError

    # -- file menu --------------------------------------------------------------------------
    def _start_dir(self) -> str:
        return str(self.session.path.parent)

    @staticmethod
    def exchange_path(name: str = "") -> str:
        """Where an export or import dialog starts: the last folder used, else the documents.

        Never the workspace's folder, which is the hidden data folder by default.
        """
        return str(config.export_dir() / name)

    @Slot()
    def _on_new(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self,
            "New workspace",
            str(Path(self._start_dir()) / "plan.relplan"),
            WORKSPACE_FILTER,
            options=QFileDialog.Option.DontConfirmOverwrite,
        )
        if not path:
            return
        target = Path(path)
        if not target.suffix:
            target = target.with_suffix(".relplan")
        if target.exists() and target.stat().st_size > 0:
            QMessageBox.warning(
                self,
                "New workspace",
                f"{target} already exists.\n\nChoose another name, or use File → Open.",
            )
            return
        self.session.open_workspace(target, create=True)

    @Slot()
    def _on_open(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Open workspace", self._start_dir(), WORKSPACE_FILTER
        )
        if path:
            self.session.open_workspace(path)

    @Slot()
    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        recent = [p for p in config.load_settings().recent if Path(p) != self.session.path]
        if not recent:
            self.recent_menu.addAction("No other recent workspaces").setEnabled(False)
            return
        for i, path in enumerate(recent, start=1):
            action = self.recent_menu.addAction(f"&{i % 10}  {path}")
            action.triggered.connect(lambda _=False, p=path: self.session.open_workspace(p))

    @Slot()
    def _on_import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Import workspace JSON", self.exchange_path(), JSON_FILTER
        )
        if path:
            config.remember_export_dir(path)
            self.show_message(f"Importing {Path(path).name}…")
            self.session.import_json(path)

    @Slot()
    def _on_export(self) -> None:
        default = self.exchange_path(f"{self.session.path.stem}.json")
        path, _ = QFileDialog.getSaveFileName(self, "Export workspace JSON", default, JSON_FILTER)
        if path:
            config.remember_export_dir(path)
            self.session.export_json(path)

    @Slot()
    def _on_export_image(self) -> None:
        view = self.current_view()
        if not isinstance(view, PlanView):
            self.show_message("This view cannot be exported as an image")
            return
        name = self.session.path.stem
        default = self.exchange_path(f"{name}-{view.export_widget().objectName()}.png")
        path, chosen = QFileDialog.getSaveFileName(self, "Export view image", default, IMAGE_FILTER)
        if not path:
            return
        config.remember_export_dir(path)
        if Path(path).suffix.lower() not in EXPORT_SUFFIXES:
            path += ".svg" if "svg" in chosen else ".pdf" if "pdf" in chosen.lower() else ".png"
        try:
            view.export_image(path)
        except (OSError, ValueError) as exc:
            present_error(self, exc if isinstance(exc, OSError) else OSError(str(exc)))
            return
        self.show_message(f"Exported {path}")

    @Slot()
    def _on_status_report(self) -> None:
        from relplan.ui.dialogs.status_report import StatusReportDialog

        dialog = StatusReportDialog(self.session, self, getattr(self, "clock", None))
        self.status_report_dialog = dialog
        dialog.open()
        dialog.request()

    # -- undo -------------------------------------------------------------------------------
    def _build_empty_state(self, covered: QWidget) -> EmptyState:
        """The panel an empty workspace shows over ``covered`` (the views), wired to File."""
        panel = EmptyState(covered)
        panel.open_requested.connect(self._on_open)
        panel.import_requested.connect(self._on_import)
        panel.demo_requested.connect(self.session.load_demo)
        panel.redo_requested.connect(self.session.redo)
        return panel

    @Slot(object)
    def _on_undo_needs_confirmation(self, step: UndoStep) -> None:
        # The size comes from the audit log (the core); this only asks.
        answer = QMessageBox.question(
            self,
            "Undo",
            f"Undo “{step.label}”?\n\nThis takes back {count(step.objects, 'object')} at once. "
            "Edit → Redo brings them back.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.session.undo(confirmed=step.command_id)
        else:
            self.show_message(f"Kept {step.label}")

    # -- help -------------------------------------------------------------------------------
    def about_text(self) -> str:
        """The text of the About box (rich text): versions, folders and the keyring in use."""
        python = ".".join(str(part) for part in sys.version_info[:3])
        return (
            f"<h3>relplan {__version__}</h3>"
            "<p>Release planning for release managers.</p>"
            f"<p><b>Workspace:</b> {html.escape(str(self.session.path))}<br>"
            f"<b>Data folder:</b> {html.escape(str(config.data_dir()))}<br>"
            f"<b>Settings:</b> {html.escape(str(config.settings_file()))}<br>"
            f"<b>Keyring:</b> {html.escape(keyring_description())}<br>"
            f"<b>Qt:</b> {qVersion()} (PySide6 {pyside_version})<br>"
            f"<b>Python:</b> {python}</p>"
        )

    @Slot()
    def _on_about(self) -> None:
        QMessageBox.about(self, "About relplan", self.about_text())
