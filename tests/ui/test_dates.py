"""Forgiving dates and months (issue 12 item 5): typed as people write them, stored canonically,
empty until the user picks a date, and an error marks the cell it is about."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QApplication, QTableView

from zscq_desktop.core import flow


def _type_into_cell(qtbot, type_text, table, row: int, col: int, text: str) -> None:
    """F2 on the cell, the old text selected, `text` typed, Enter."""
    table.view.setFocus()
    table.view.setCurrentIndex(table.model.index(row, col))
    qtbot.keyClick(table.view, Qt.Key.Key_F2)
    cell = QApplication.focusWidget()
    cell.selectAll()
    type_text(cell, text)
    qtbot.keyClick(cell, Qt.Key.Key_Return)


@pytest.mark.parametrize("typed", ["2023-05-20", "2023/5/20", "2023.5.20", "2023年5月20日", "20230520",
                                   "２０２３年５月２０日", "２０２３－０５－２０"])
def test_a_date_typed_into_an_empty_field_is_that_date(window, qtbot, new_draft, type_text, typed):
    session = new_draft()
    window.goto(flow.UNIT)
    edit = window.page(flow.UNIT).rows["unit.registered_on"].editor.edit
    assert edit.text() == ""
    type_text(edit, typed)
    assert session.submission.unit["registered_on"] == "2023-05-20"
    qtbot.keyClick(edit, Qt.Key.Key_Tab)
    assert edit.text() == "2023-05-20"  # shown back in one style


@pytest.mark.parametrize("typed", ["2023-06", "2023/6", "2023.6", "2023年6月", "２０２３年６月"])
def test_months_in_any_common_spelling(window, qtbot, new_draft, type_text, typed):
    session = new_draft()
    window.goto("form:content")
    edit = window.page("form:content").rows["form.content.period_start"].editor.edit
    edit.setFocus()
    edit.selectAll()  # the direction pre-filled its first month
    type_text(edit, typed)
    qtbot.keyClick(edit, Qt.Key.Key_Tab)
    assert session.submission.get("form.content.period_start") == "2023-06" and edit.text() == "2023-06"


def test_the_calendar_writes_nothing_until_a_day_is_picked(window, qtbot, new_draft):
    session = new_draft()
    window.goto(flow.UNIT)
    editor = window.page(flow.UNIT).rows["unit.registered_on"].editor
    qtbot.mouseClick(editor.calendar_button, Qt.MouseButton.LeftButton)
    popup = editor.popup
    assert popup is not None and popup.isVisible()
    assert not session.submission.unit.get("registered_on") and editor.edit.text() == ""  # not today's date
    popup.setSelectedDate(QDate(2015, 3, 18))
    view = popup.findChild(QTableView)
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert session.submission.unit["registered_on"] == "2015-03-18" and editor.edit.text() == "2015-03-18"
    assert not popup.isVisible()


def test_month_cells_are_forgiving_and_an_error_marks_its_own_cell(window, qtbot, type_text):
    assert window.open_sample("creation-pilot")
    session = window.session
    window.goto(flow.PLAN)
    table = window.page(flow.PLAN).schedule
    model = table.model
    end = next(i for i, c in enumerate(model.columns) if c.key == "end")
    _type_into_cell(qtbot, type_text, table, 0, end, "2023年6月")
    qtbot.waitUntil(lambda: session.submission.plan["schedule"][0]["end"] == "2023-06", timeout=2000)
    assert model.data(model.index(0, end)) == "2023-06"
    _type_into_cell(qtbot, type_text, table, 0, end, "2023年13月")
    qtbot.waitUntil(lambda: session.submission.plan["schedule"][0]["end"] == "2023年13月", timeout=2000)  # kept as typed
    session.refresh_findings()
    assert any(f.code == "schedule.format" for f in session.findings())
    assert model.bad_cells == {(0, "end")}  # the end cell, not the start or the whole row
