"""The Connections dialog: list, add and remove tracker connections, and test one.

The dialog never touches the store or the keyring: it starts from a list of
:class:`~relplan.sync.tracker.ConnectionConfig` values and hands back what was added (with the
token the user typed) and what was removed; the window stores them. "Test connection" runs the
given ``tester`` off the GUI thread through the given ``submit`` (a task runner's), so a slow
server never freezes the window.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from relplan.errors import CredentialError, RelplanError, SyncError, ValidationError
from relplan.sync.tracker import (
    AZURE_BOARDS,
    CONNECTION_KINDS,
    JIRA_CLOUD,
    ConnectionConfig,
    Identity,
    normalize_url,
)

#: ``(config, token) -> Identity``: the identity call (engine.check_connection with a token).
Tester = Callable[[ConnectionConfig, str], Identity]
#: A task runner's ``submit(fn, *, lane, on_done, on_error)``.
Submit = Callable[..., None]


def describe_error(exc: BaseException) -> str:
    """One line for the dialog's status label."""
    if isinstance(exc, SyncError) and exc.kind == SyncError.AUTH:
        return "Credentials rejected: check the e-mail and token."
    if isinstance(exc, ValidationError):
        return "; ".join(exc.lines())
    if isinstance(exc, CredentialError):
        return f"Keyring problem: {exc.reason}. {exc.hint}"
    if isinstance(exc, RelplanError):
        return str(exc)
    return f"Unexpected error: {type(exc).__name__}: {exc}"


class ConnectionsDialog(QDialog):
    """Manage connections.

    Args:
        connections: the workspace's connections.
        submit: runs the test in the background (``lane="net"``).
        tester: the identity call.
        parent: the parent widget.

    Signals:
        test_finished(str): the status text after a test, success or failure.
    """

    test_finished = Signal(str)

    def __init__(
        self,
        connections: Sequence[ConnectionConfig],
        *,
        submit: Submit,
        tester: Tester,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Connections")
        self._submit = submit
        self._tester = tester
        self._connections: dict[str, ConnectionConfig] = {c.name: c for c in connections}
        self._tokens: dict[str, str] = {}
        self._removed: list[str] = []
        self._testing = False

        self.list = QListWidget()
        self.list.addItems(sorted(self._connections))
        self.list.currentTextChanged.connect(self._on_list_selected)
        self.kind = QComboBox()
        self.kind.addItems(list(CONNECTION_KINDS))
        self.kind.currentTextChanged.connect(self._on_kind_changed)
        self.name = QLineEdit()
        self.url = QLineEdit()
        self.url.setPlaceholderText("https://your-site.atlassian.net")
        self.email = QLineEdit()
        self.token = QLineEdit()
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.scope = QLineEdit()
        self.project = QLineEdit()
        self.team = QLineEdit()
        form = QFormLayout()
        for label, widget in (
            ("Kind", self.kind), ("Name", self.name), ("URL", self.url), ("E-mail", self.email),
            ("Token", self.token), ("Scope (JQL / WIQL)", self.scope),
            ("Project (Azure)", self.project), ("Team (Azure)", self.team),
        ):  # fmt: skip
            form.addRow(label, widget)
        self.add_button = QPushButton("Add")
        self.add_button.clicked.connect(self._on_add_clicked)
        self.remove_button = QPushButton("Remove")
        self.remove_button.clicked.connect(self._on_remove_clicked)
        self.test_button = QPushButton("Test connection")
        self.test_button.clicked.connect(self._on_test_clicked)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.remove_button, self.test_button):
            buttons.addWidget(button)
        box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)
        right = QVBoxLayout()
        right.addLayout(form)
        right.addLayout(buttons)
        right.addWidget(self.status)
        top = QHBoxLayout()
        top.addWidget(self.list, 1)
        top.addLayout(right, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(box)
        self._on_kind_changed(self.kind.currentText())

    # -- results ----------------------------------------------------------------------------------
    def connections(self) -> list[ConnectionConfig]:
        """Every connection now listed."""
        return [self._connections[n] for n in sorted(self._connections)]

    def added(self) -> list[tuple[ConnectionConfig, str]]:
        """Connections added in this dialog, with the token to store in the keyring."""
        return [
            (self._connections[n], t) for n, t in self._tokens.items() if n in self._connections
        ]

    def removed(self) -> list[str]:
        """Names of connections that existed before and were removed."""
        return list(self._removed)

    # -- form ------------------------------------------------------------------------------------
    def form_config(self) -> ConnectionConfig:
        """The connection the form describes.

        Raises:
            ValidationError: something is missing or wrong.
        """
        kind = self.kind.currentText()
        jira = kind != AZURE_BOARDS
        config = ConnectionConfig(
            name=self.name.text().strip(),
            kind=kind,
            url=self.url.text().strip(),
            user=self.email.text().strip() if kind == JIRA_CLOUD else "",
            jql=self.scope.text().strip() if jira else "",
            wiql="" if jira else self.scope.text().strip(),
            project="" if jira else self.project.text().strip(),
            team="" if jira else self.team.text().strip(),
        )
        config.validate()
        return replace(config, url=normalize_url(config.url))

    def _on_kind_changed(self, kind: str) -> None:
        self.email.setEnabled(kind == JIRA_CLOUD)
        self.project.setEnabled(kind == AZURE_BOARDS)
        self.team.setEnabled(kind == AZURE_BOARDS)
        hint = (
            "https://dev.azure.com/ORG"
            if kind == AZURE_BOARDS
            else "https://your-site.atlassian.net"
        )
        self.url.setPlaceholderText(hint)

    def _on_list_selected(self, name: str) -> None:
        config = self._connections.get(name)
        if config is None:
            return
        self.kind.setCurrentText(config.kind)
        self.name.setText(config.name)
        self.url.setText(config.url)
        self.email.setText(config.user)
        self.scope.setText(config.jql or config.wiql)
        self.project.setText(config.project)
        self.team.setText(config.team)
        self.token.clear()

    def _on_add_clicked(self) -> None:
        try:
            config = self.form_config()
        except ValidationError as exc:
            self.status.setText(describe_error(exc))
            return
        if config.name in self._connections:
            self.status.setText(f"A connection {config.name!r} exists already.")
            return
        if not self.token.text():
            self.status.setText("Paste the token (it is kept in the OS keyring only).")
            return
        self._connections[config.name] = config
        self._tokens[config.name] = self.token.text()
        self.list.addItem(config.name)
        self.status.setText(f"Added {config.name}.")

    def _on_remove_clicked(self) -> None:
        row = self.list.currentRow()
        if row < 0:
            return
        name = self.list.item(row).text()
        self.list.takeItem(row)
        self._connections.pop(name, None)
        if self._tokens.pop(name, None) is None:
            self._removed.append(name)
        self.status.setText(f"Removed {name}.")

    def _on_test_clicked(self) -> None:
        if self._testing:
            return
        try:
            config = self.form_config()
        except ValidationError as exc:
            self.status.setText(describe_error(exc))
            return
        token = self.token.text() or self._tokens.get(config.name, "")
        self._testing = True
        self.test_button.setEnabled(False)
        self.status.setText(f"Testing {config.url} ...")
        tester = self._tester
        self._submit(
            lambda: tester(config, token),
            lane="net",
            on_done=self._on_test_done,
            on_error=self._on_test_failed,
        )

    def _on_test_done(self, identity: Any) -> None:
        self._finish_test(f"Signed in as {identity}.")

    def _on_test_failed(self, exc: BaseException) -> None:
        self._finish_test(describe_error(exc))

    def _finish_test(self, text: str) -> None:
        self._testing = False
        self.test_button.setEnabled(True)
        self.status.setText(text)
        self.test_finished.emit(text)
