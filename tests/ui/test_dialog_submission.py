"""The submit / refuse / done round trip every lifecycle dialog shares, driven with the mouse."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QPushButton

from relplan.domain.templates import SHIPPED
from relplan.ui.dialogs.lifecycle import (
    LifecycleChoices,
    NewReleaseDialog,
    NewReleaseRequest,
    NewTrainDialog,
    NewTrainRequest,
)
from relplan.ui.dialogs.template_editor import TemplateEditor

_CHOICES = LifecycleChoices(
    templates=tuple(SHIPPED),
    shipped=frozenset(t.key for t in SHIPPED),
    teams=("PAY", "WEB"),
    trains=(),
    environments=("Dev", "QA", "Staging", "Production"),
    releases=(),
    today=dt.date(2026, 6, 1),
)


def _ok(dialog: QDialog) -> QPushButton:
    box = dialog.findChild(QDialogButtonBox)
    assert box is not None
    for role in (QDialogButtonBox.StandardButton.Ok, QDialogButtonBox.StandardButton.Save):
        button = box.button(role)
        if button is not None:
            return button
    raise AssertionError("no OK or Save button")


def _new_release(qtbot: Any) -> tuple[QDialog, list[Any]]:
    dialog = NewReleaseDialog(_CHOICES)
    dialog.key.setText("PAY-NEW")
    sent: list[Any] = []
    dialog.submitted.connect(sent.append)
    return dialog, sent


def _new_train(qtbot: Any) -> tuple[QDialog, list[Any]]:
    dialog = NewTrainDialog(_CHOICES)
    dialog.key.setText("T1")
    dialog.set_teams(["PAY"])
    sent: list[Any] = []
    dialog.submitted.connect(sent.append)
    return dialog, sent


def _template_editor(qtbot: Any) -> tuple[QDialog, list[Any]]:
    dialog = TemplateEditor(SHIPPED[0], None, _CHOICES.environments)
    dialog.key.setText("mine")
    sent: list[Any] = []
    dialog.save_requested.connect(lambda before, template: sent.append((before, template)))
    return dialog, sent


@pytest.mark.parametrize("make", [_new_release, _new_train, _template_editor])
def test_a_refused_request_keeps_the_dialog_open_and_a_made_one_closes_it(
    qtbot: Any, make: Any
) -> None:
    dialog, sent = make(qtbot)
    qtbot.addWidget(dialog)
    dialog.show()
    ok = _ok(dialog)
    QTest.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert len(sent) == 1
    assert not ok.isEnabled()  # no second request while one is out
    QTest.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert len(sent) == 1

    dialog.show_error("Not made: the key is taken")  # type: ignore[attr-defined]
    assert ok.isEnabled()
    assert dialog.isVisible()
    assert dialog.error.text() == "Not made: the key is taken"  # type: ignore[attr-defined]

    QTest.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert len(sent) == 2
    dialog.done_ok()  # type: ignore[attr-defined]
    assert not dialog.isVisible()
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_the_requests_carry_what_the_forms_hold(qtbot: Any) -> None:
    release, sent_release = _new_release(qtbot)
    train, sent_train = _new_train(qtbot)
    for dialog in (release, train):
        qtbot.addWidget(dialog)
        dialog.show()
        QTest.mouseClick(_ok(dialog), Qt.MouseButton.LeftButton)
    assert isinstance(sent_release[0], NewReleaseRequest)
    assert (sent_release[0].key, sent_release[0].team) == ("PAY-NEW", "PAY")
    assert isinstance(sent_train[0], NewTrainRequest)
    assert (sent_train[0].key, sent_train[0].teams) == ("T1", ("PAY",))
