"""Spreadsheet tables (issue 12 item 4): block paste from Excel/WPS/Word, copy out, totals, one undo step."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QMimeData, Qt
from PySide6.QtWidgets import QApplication

from zscq_desktop.core import flow
from zscq_desktop.core.validators import column_total

CTRL = Qt.KeyboardModifier.ControlModifier


def _budget_table(window, new_draft):
    new_draft()
    window.goto("form:budget")
    return window.session, window.page("form:budget").rows["form.budget.expenses"].editor


def _clipboard(text: str = "", html: str = "") -> None:
    mime = QMimeData()
    if text:
        mime.setText(text)
    if html:
        mime.setHtml(html)
    QApplication.clipboard().setMimeData(mime)


def _select(view, top, left, bottom, right):
    model = view.model()
    view.setCurrentIndex(model.index(top, left))
    view.selectionModel().select(QItemSelection(model.index(top, left), model.index(bottom, right)),
                                 QItemSelectionModel.SelectionFlag.ClearAndSelect)


def test_paste_a_block_from_excel_adds_rows_parses_amounts_and_is_one_step(window, qtbot, new_draft):
    session, table = _budget_table(window, new_draft)
    _clipboard("设备费\t1,200.50\t5万\r\n咨询费\t3\t0.5\r\n差旅费\t\t12000元\r\n")
    table.view.setFocus()
    steps = session.undo_stack.count()
    qtbot.keyClick(table.view, Qt.Key.Key_V, CTRL)
    rows = session.submission.get("form.budget.expenses")
    assert rows == [{"item": "设备费", "funded_wan": 1200.5, "self_wan": 5},
                    {"item": "咨询费", "funded_wan": 3, "self_wan": 0.5},
                    {"item": "差旅费", "self_wan": 1.2}]
    assert session.undo_stack.count() == steps + 1
    assert window.undo_action.text() == "撤销 粘贴 3 行（经费支出明细）"
    totals = table.totals.totals()
    assert totals == {"funded_wan": "1,203.50", "self_wan": "6.70"}
    assert Decimal(totals["self_wan"]) == column_total(rows, "self_wan")
    qtbot.keyClick(table.view, Qt.Key.Key_Z, CTRL)
    assert not session.submission.get("form.budget.expenses") and table.model.rowCount() == 0
    assert table.totals.totals() == {"funded_wan": "0.00", "self_wan": "0.00"}


def test_paste_html_from_word_into_the_selection_and_copy_a_block_out(window, qtbot, new_draft):
    session, table = _budget_table(window, new_draft)
    table.model.paste_block(0, 0, [["a"], ["b"], ["c"]])
    word = ("<html><body><table><tr><td><p>设备费</p></td><td>2</td><td>1</td><td><p>含</p><p>安装</p></td></tr>"
            "<tr><td>会议费</td><td>1.5</td><td>0</td><td>两次</td></tr></table></body></html>")
    _clipboard("设备费\t2", word)  # Word puts both; the HTML table keeps the cells apart
    table.view.setFocus()
    _select(table.view, 1, 0, 1, 0)
    qtbot.keyClick(table.view, Qt.Key.Key_V, CTRL)
    rows = session.submission.get("form.budget.expenses")
    assert [r.get("item") for r in rows] == ["a", "设备费", "会议费"]
    assert rows[1]["note"] == "含\n安装" and rows[2]["funded_wan"] == 1.5
    cell = table.view.visualRect(table.model.index(1, 1)).center()  # a click, then Shift+arrows: a block
    qtbot.mouseClick(table.view.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    qtbot.keyClick(table.view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(table.view, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    assert table.view.selected_cells() == {(1, 1), (1, 2), (2, 1), (2, 2)}
    qtbot.keyClick(table.view, Qt.Key.Key_C, CTRL)
    mime = QApplication.clipboard().mimeData()
    assert mime.text() == "2\t1\n1.5\t0\n"
    assert "<table>" in mime.html() and "<td>1.5</td>" in mime.html()
    _clipboard("7")  # one value onto a selection fills it
    qtbot.keyClick(table.view, Qt.Key.Key_V, CTRL)
    assert [(r["funded_wan"], r["self_wan"]) for r in session.submission.get("form.budget.expenses")[1:]] == [(7, 7), (7, 7)]
    qtbot.keyClick(table.view, Qt.Key.Key_Delete)  # cells selected, not whole rows: cleared
    rows = session.submission.get("form.budget.expenses")
    assert len(rows) == 3 and "funded_wan" not in rows[1] and rows[1]["item"] == "设备费"


def test_fixed_rows_are_not_extended_and_counts_are_integers(window, qtbot, new_draft):
    new_draft()
    window.goto("form:ip_base")
    table = window.page("form:ip_base").rows["form.ip_base.yearly"].editor
    _clipboard("1\t2\n３\t4\n5\t6\n7\t8\n")
    table.view.setFocus()
    _select(table.view, 0, 0, 0, 0)
    qtbot.keyClick(table.view, Qt.Key.Key_V, CTRL)
    rows = window.session.submission.get("form.ip_base.yearly")
    assert len(rows) == 3 and [r["invention_apply"] for r in rows] == [1, 3, 5]
    assert table.totals is None  # counts of patents are not money


def test_a_block_pasted_into_a_new_rows_cell_fills_the_table(window, qtbot, new_draft):
    session, table = _budget_table(window, new_draft)
    qtbot.mouseClick(table.add_button, Qt.MouseButton.LeftButton)  # the caret is in the new row's cell
    cell = QApplication.focusWidget()
    assert table.view.isAncestorOf(cell)
    _clipboard("设备费\t2\t1\n会议费\t1\t0\n")
    qtbot.keyClick(cell, Qt.Key.Key_V, CTRL)
    qtbot.waitUntil(lambda: len(session.submission.get("form.budget.expenses") or []) == 2, timeout=2000)
    assert [r.get("item") for r in session.submission.get("form.budget.expenses")] == ["设备费", "会议费"]
