"""The Connections dialog: list, add and remove connections, and test one.

Trackers (Jira, Azure Boards) and delivery tools (GitHub, GitLab, Azure Pipelines, Jenkins,
PagerDuty, Jira incidents; their fields are :mod:`relplan.ui.dialogs.delivery_fields`) alike.
The dialog never touches the store or the keyring: it starts from the connections'
:class:`~relplan.sync.tracker.ConnectionConfig` and
:class:`~relplan.sync.delivery.connections.DeliverySpec` values and hands back what was added
(with the token the user typed) and what was removed; the window stores them. "Test connection"
runs the given ``tester`` (a tracker) or ``delivery_tester`` (a delivery tool: a read on the
DB lane, then the sign-in on the network lane) off the GUI thread through the given ``submit``
(a task runner's), so a slow server never freezes the window.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from relplan.errors import CredentialError, RelplanError, SyncError, ValidationError
from relplan.sync.delivery.connections import DELIVERY_KINDS, DeliverySpec, is_delivery
from relplan.sync.tracker import (
    AZURE_BOARDS,
    CONNECTION_KINDS,
    JIRA_CLOUD,
    ConnectionConfig,
    Identity,
    normalize_url,
)
from relplan.ui.dialogs.delivery_fields import KIND_HELP, DeliveryFields, field_label, url_hint

#: ``(config, token) -> Identity``: the identity call (engine.check_connection with a token).
Tester = Callable[[ConnectionConfig, str], Identity]
#: ``(spec, token, stored) -> (prepare, probe)`` for a delivery tool: ``prepare()`` reads the
#: workspace (DB lane) and gives a job, ``probe(job)`` signs in (network lane) and says what it
#: reached (``relplan connection test``'s two steps).
DeliveryTester = Callable[[DeliverySpec, str, bool], tuple[Callable[[], Any], Callable[[Any], str]]]
#: A task runner's ``submit(fn, *, lane, on_done, on_error)``.
Submit = Callable[..., None]
#: Either kind of connection the dialog lists.
Listed = ConnectionConfig | DeliverySpec
_NAME = Qt.ItemDataRole.UserRole


def describe_error(exc: BaseException) -> str:
    """One line for the dialog's status label."""
    if isinstance(exc, SyncError) and exc.kind == SyncError.AUTH:
        return "Credentials rejected: check the e-mail and token."
    if isinstance(exc, ValidationError):
        return "; ".join(field_label(issue) for issue in exc.issues)
    if isinstance(exc, CredentialError):
        return f"Keyring problem: {exc.reason}. {exc.hint}"
    if isinstance(exc, RelplanError):
        return str(exc)
    return f"Unexpected error: {type(exc).__name__}: {exc}"


class ConnectionsDialog(QDialog):
    """Manage connections.

    Args:
        connections: the workspace's connections (trackers and delivery tools).
        submit: runs the tests in the background (``lane="net"``, and ``"db"`` for a delivery
            tool's first step).
        tester: the identity call of a tracker.
        delivery_tester: the two steps of testing a delivery tool (None: not offered).
        parent: the parent widget.

    Signals:
        test_finished(str): the status text after a test, success or failure.
    """

    test_finished = Signal(str)

    def __init__(
        self,
        connections: Sequence[Listed],
        *,
        submit: Submit,
        tester: Tester,
        delivery_tester: DeliveryTester | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Connections")
        self._submit = submit
        self._tester = tester
        self._delivery_tester = delivery_tester
        self._connections: dict[str, Listed] = {c.name: c for c in connections}
        self._stored = frozenset(self._connections)
        self._tokens: dict[str, str] = {}
        self._removed: list[str] = []
        self._testing = False

        self.list = QListWidget()
        for name in sorted(self._connections):
            self._list_item(self._connections[name])
        self.list.currentRowChanged.connect(self._on_list_selected)
        self.kind = QComboBox()
        self.kind.addItems([*CONNECTION_KINDS, *DELIVERY_KINDS])
        self.kind.setToolTip("Trackers first, then delivery tools (deployments, incidents)")
        self.kind.currentTextChanged.connect(self._on_kind_changed)
        self.help = QLabel("")
        self.help.setObjectName("connection-kind-help")
        self.help.setWordWrap(True)
        self.name = QLineEdit()
        self.url = QLineEdit()
        self.email = QLineEdit()
        self.token = QLineEdit()
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.token.setPlaceholderText("kept in the OS keyring only")
        self.scope = QLineEdit()
        self.project = QLineEdit()
        self.team = QLineEdit()
        self.form = form = QFormLayout()
        for label, widget in (
            ("Kind", self.kind), ("", self.help), ("Name", self.name), ("URL", self.url),
            ("E-mail", self.email), ("Token", self.token), ("Scope (JQL / WIQL)", self.scope),
            ("Project", self.project), ("Team (Azure)", self.team),
        ):  # fmt: skip
            form.addRow(label, widget)
        self.delivery = DeliveryFields(form, self)
        self.add_button = QPushButton("Add")
        self.add_button.clicked.connect(self._on_add_clicked)
        self.remove_button = QPushButton("Remove")
        self.remove_button.clicked.connect(self._on_remove_clicked)
        self.test_button = QPushButton("Test connection")
        self.test_button.clicked.connect(self._on_test_clicked)
        self.status = QLabel("")
        self.status.setObjectName("connection-status")
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
        right.addStretch(1)
        top = QHBoxLayout()
        top.addWidget(self.list, 1)
        top.addLayout(right, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(box)
        self._update_jira_choices()
        self._on_kind_changed(self.kind.currentText())

    # -- results ----------------------------------------------------------------------------------
    def connections(self) -> list[Listed]:
        """Every connection now listed."""
        return [self._connections[n] for n in sorted(self._connections)]

    def added(self) -> list[tuple[ConnectionConfig, str]]:
        """Tracker connections added in this dialog, with the token to store in the keyring."""
        return [
            (c, t)
            for n, t in self._tokens.items()
            if isinstance(c := self._connections.get(n), ConnectionConfig)
        ]

    def added_delivery(self) -> list[tuple[DeliverySpec, str]]:
        """Delivery connections added in this dialog, with their tokens (``jira_incidents``:
        empty, it signs in as its Jira connection)."""
        return [
            (c, t)
            for n, t in self._tokens.items()
            if isinstance(c := self._connections.get(n), DeliverySpec)
        ]

    def removed(self) -> list[str]:
        """Names of connections that existed before and were removed."""
        return list(self._removed)

    # -- form ------------------------------------------------------------------------------------
    def form_config(self) -> ConnectionConfig:
        """The tracker connection the form describes.

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

    def form_spec(self) -> DeliverySpec:
        """The delivery connection the form describes.

        Raises:
            ValidationError: something is missing or wrong (the workspace checks the rest
                when it stores it: a Jira connection that is gone, say).
        """
        kind = self.kind.currentText()
        spec = self.delivery.spec(
            kind, self.name.text().strip(), self.url.text().strip(), self.project.text().strip()
        )
        issues = spec.issues()
        if issues:
            raise ValidationError(issues)
        return spec

    def form_connection(self) -> Listed:
        """The connection the form describes, of either sort.

        Raises:
            ValidationError: something is missing or wrong.
        """
        if is_delivery(self.kind.currentText()):
            return self.form_spec()
        return self.form_config()

    def _list_item(self, connection: Listed) -> None:
        item = QListWidgetItem(f"{connection.name}  ({connection.kind})")
        item.setData(_NAME, connection.name)
        self.list.addItem(item)

    def _update_jira_choices(self) -> None:
        jira = [
            c.name
            for c in self._connections.values()
            if isinstance(c, ConnectionConfig) and c.kind != AZURE_BOARDS
        ]
        self.delivery.set_jira_connections(jira)

    def _on_kind_changed(self, kind: str) -> None:
        delivery = is_delivery(kind)
        visible = {
            self.url: kind != "jira_incidents",
            self.email: kind == JIRA_CLOUD,
            self.token: kind != "jira_incidents",
            self.scope: not delivery,
            self.project: kind in (AZURE_BOARDS, "gitlab", "azure_pipelines"),
            self.team: kind == AZURE_BOARDS,
        }
        for widget, shown in visible.items():
            self.form.setRowVisible(widget, shown)
            widget.setEnabled(shown)
        self.delivery.show_for(kind)
        label = self.form.labelForField(self.project)
        if isinstance(label, QLabel):
            label.setText("Project (ID or path)" if kind == "gitlab" else "Project")
        self.url.setPlaceholderText(url_hint(kind))
        self.help.setText(KIND_HELP.get(kind, ""))
        if self._chosen_kind() not in (None, kind):  # a new one is being described
            self.list.setCurrentRow(-1)

    def _chosen_kind(self) -> str | None:
        row = self.list.currentRow()
        item = self.list.item(row) if row >= 0 else None
        chosen = None if item is None else self._connections.get(str(item.data(_NAME)))
        return None if chosen is None else chosen.kind

    def _on_list_selected(self, row: int) -> None:
        item = self.list.item(row) if row >= 0 else None
        connection = None if item is None else self._connections.get(str(item.data(_NAME)))
        if connection is None:
            return
        self.kind.setCurrentText(connection.kind)
        self.name.setText(connection.name)
        self.url.setText(connection.url or "")
        self.token.clear()
        if isinstance(connection, DeliverySpec):
            self.project.setText(connection.scope.get("project") or "")
            self.delivery.fill(connection)
            return
        self.email.setText(connection.user)
        self.scope.setText(connection.jql or connection.wiql)
        self.project.setText(connection.project)
        self.team.setText(connection.team)

    def _on_add_clicked(self) -> None:
        try:
            connection = self.form_connection()
        except ValidationError as exc:
            self.status.setText(describe_error(exc))
            return
        if connection.name in self._connections:
            self.status.setText(f"A connection {connection.name!r} exists already.")
            return
        if connection.kind != "jira_incidents" and not self.token.text():
            self.status.setText("Paste the token (it is kept in the OS keyring only).")
            return
        self._connections[connection.name] = connection
        self._tokens[connection.name] = self.token.text()
        self._list_item(connection)
        self._update_jira_choices()
        self.list.blockSignals(True)  # the form shows it already (with the token typed)
        self.list.setCurrentRow(self.list.count() - 1)
        self.list.blockSignals(False)
        self.status.setText(f"Added {connection.name}.")

    def _on_remove_clicked(self) -> None:
        row = self.list.currentRow()
        if row < 0:
            return
        name = str(self.list.item(row).data(_NAME))
        self.list.takeItem(row)
        self._connections.pop(name, None)
        if self._tokens.pop(name, None) is None:
            self._removed.append(name)
        self._update_jira_choices()
        self.status.setText(f"Removed {name}.")

    def _on_test_clicked(self) -> None:
        if self._testing:
            return
        try:
            connection = self.form_connection()
        except ValidationError as exc:
            self.status.setText(describe_error(exc))
            return
        token = self.token.text() or self._tokens.get(connection.name, "")
        if isinstance(connection, DeliverySpec):
            self._test_delivery(connection, token)
            return
        self._begin_test(f"Testing {connection.url} ...")
        tester = self._tester
        self._submit(
            lambda: tester(connection, token),
            lane="net",
            on_done=self._on_test_done,
            on_error=self._on_test_failed,
        )

    def _test_delivery(self, spec: DeliverySpec, token: str) -> None:
        if self._delivery_tester is None:
            self.status.setText("Testing delivery connections is not available here.")
            return
        # A stored connection (not removed and added again here) is tested as stored: its
        # settings and, unless one is typed, its token from the keyring.
        stored = spec.name in self._stored and spec.name not in self._tokens
        stored = stored and spec.name not in self._removed
        if stored:
            listed = self._connections.get(spec.name)
            spec = listed if isinstance(listed, DeliverySpec) else spec
        prepare, probe = self._delivery_tester(spec, token, stored)
        self._begin_test(f"Testing {spec.name} ({spec.kind}) ...")
        submit = self._submit

        def prepared(job: Any) -> None:
            submit(
                lambda: probe(job), lane="net", on_done=self._on_probe_done,
                on_error=self._on_test_failed,
            )  # fmt: skip

        submit(prepare, lane="db", on_done=prepared, on_error=self._on_test_failed)

    def _begin_test(self, text: str) -> None:
        self._testing = True
        self.test_button.setEnabled(False)
        self.status.setText(text)

    def _on_test_done(self, identity: Any) -> None:
        self._finish_test(f"Signed in as {identity}.")

    def _on_probe_done(self, reached: Any) -> None:
        self._finish_test(f"Signed in; {reached} is readable.")

    def _on_test_failed(self, exc: BaseException) -> None:
        text = describe_error(exc)
        if is_delivery(self.kind.currentText()) and text.startswith("Credentials rejected"):
            text = "Credentials rejected: check the token (and the user, for Jenkins)."
        self._finish_test(text)

    def _finish_test(self, text: str) -> None:
        self._testing = False
        self.test_button.setEnabled(True)
        self.status.setText(text)
        self.test_finished.emit(text)
