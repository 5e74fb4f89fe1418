"""Keyboard first (issue 12 item 2): a visible focus ring, focus in the page after every page change,
Tab through the page then 上一步/下一步, Enter to the next field, Ctrl+Enter to the next page, and a
Chinese name for every button."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QLineEdit, QPlainTextEdit, QPushButton

from zscq_desktop.core import flow
from zscq_desktop.ui import jobs


def _focus(qtbot):
    qtbot.wait(1)  # let a queued focus change arrive
    return QApplication.focusWidget()


def _new_with_direction(window, qtbot):
    start = window.page(flow.START)
    start.new_button.setFocus()
    qtbot.keyClick(start.new_button, Qt.Key.Key_Return)  # Enter presses the focused button
    assert window.current_page_id == flow.DIRECTION
    page = window.current_page()
    assert _focus(qtbot) is page.tree  # the page change put the focus into the page
    page.select("creation-pilot")
    qtbot.keyClick(page.tree, Qt.Key.Key_Return)  # Enter chooses the direction and moves on
    assert window.current_page_id == flow.ELIGIBILITY
    return window.current_page()


def test_every_page_change_puts_the_focus_into_the_page(window, qtbot):
    eligibility = _new_with_direction(window, qtbot)
    assert eligibility.isAncestorOf(_focus(qtbot))
    qtbot.keyClick(_focus(qtbot), Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)  # Alt+→
    qtbot.waitUntil(lambda: window.current_page_id != flow.ELIGIBILITY, timeout=2000)  # the button animates
    cover = window.current_page()
    assert cover.spec.section == "cover"
    assert _focus(qtbot) is cover.rows["form.cover.project_name"].editor.focus_target()
    qtbot.keyClicks(_focus(qtbot), "ABC")  # typing goes into the page
    assert window.session.submission.get("form.cover.project_name") == "ABC"
    qtbot.mouseClick(window.next_button, Qt.MouseButton.LeftButton)  # 下一步
    assert window.current_page_id == flow.UNIT
    assert _focus(qtbot) is window.current_page().rows["unit.name"].editor.focus_target()
    item = next(window.nav.item(i) for i in range(window.nav.count())
                if window.nav.item(i).data(Qt.ItemDataRole.UserRole) == flow.PLAN)
    qtbot.mouseClick(window.nav.viewport(), Qt.MouseButton.LeftButton, pos=window.nav.visualItemRect(item).center())
    assert window.current_page_id == flow.PLAN
    plan = window.current_page()
    assert _focus(qtbot) is next(iter(plan.editors.values())).edit  # the first text, not a list tool


def test_tab_goes_through_the_page_then_the_navigation_buttons(window, qtbot):
    _new_with_direction(window, qtbot)
    assert window.goto(flow.UNIT)
    page = window.current_page()
    first = _focus(qtbot)
    assert first is page.rows["unit.name"].editor.focus_target()
    seen = []
    widget = first
    for _ in range(200):
        qtbot.keyClick(widget, Qt.Key.Key_Tab)
        widget = _focus(qtbot)
        assert widget is not None and widget.isVisible(), seen  # no invisible stop
        seen.append(widget)
        if widget is window.back_button:
            break
    assert all(page.isAncestorOf(w) for w in seen[:-1])  # the page first, top to bottom …
    tops = [w.mapTo(page.body, w.rect().topLeft()).y() for w in seen[:-1]]  # in the scrolled content
    assert all(b >= a - 4 for a, b in zip(tops, tops[1:])), tops  # (widgets of one row may differ by a pixel)
    qtbot.keyClick(widget, Qt.Key.Key_Tab)
    assert _focus(qtbot) is window.next_button  # … then 上一步, 下一步
    qtbot.keyClick(window.next_button, Qt.Key.Key_Tab)
    assert _focus(qtbot) is window.nav
    qtbot.keyClick(window.nav, Qt.Key.Key_Tab)
    assert page.isAncestorOf(_focus(qtbot))  # and round into the page again
    qtbot.keyClick(_focus(qtbot), Qt.Key.Key_Backtab)
    assert _focus(qtbot) is window.nav


def test_enter_moves_to_the_next_field_and_ctrl_enter_to_the_next_page(window, qtbot):
    _new_with_direction(window, qtbot)
    assert window.goto(flow.UNIT)
    page = window.current_page()
    name = page.rows["unit.name"].editor.focus_target()
    assert _focus(qtbot) is name
    qtbot.keyClick(name, Qt.Key.Key_Return)
    assert _focus(qtbot) is page.rows["unit.credit_code"].editor.focus_target()
    date = page.rows["unit.registered_on"].editor.focus_target()
    date.setFocus()
    qtbot.keyClicks(date, "2015.3.18")
    qtbot.keyClick(date, Qt.Key.Key_Return)  # past the field's own 日历… button, to the next field
    assert _focus(qtbot) is page.rows["unit.registered_capital_wan"].editor.focus_target()
    assert window.session.submission.unit["registered_on"] == "2015-03-18"
    assert window.goto(flow.PLAN)
    text = _focus(qtbot)
    assert isinstance(text, QPlainTextEdit)
    qtbot.keyClicks(text, "ab")
    qtbot.keyClick(text, Qt.Key.Key_Return)  # multi-line text: a new line, the focus stays
    qtbot.keyClicks(text, "cd")
    assert text.toPlainText() == "ab\ncd" and _focus(qtbot) is text
    qtbot.keyClick(text, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # Ctrl+Enter: next page
    assert window.current_page_id == flow.ATTACHMENTS
    assert text.toPlainText() == "ab\ncd"


def test_every_button_has_a_chinese_name(window, qtbot):
    assert window.open_sample("creation-pilot")
    assert jobs.wait_idle(60)
    missing = []
    for spec in list(window._specs):
        assert window.goto(spec.id)
        for button in window.findChildren(QAbstractButton):
            if button.objectName().startswith("qt_") and not button.isVisible():
                continue  # Qt's own hidden helpers (the menu bar's overflow button)
            if not (button.accessibleName().strip() or button.text().replace("&", "").strip()):
                missing.append((spec.id, type(button).__name__, button.objectName(), button.toolTip()))
    assert not missing


def test_the_focus_is_drawn(window, qtbot):
    """The focused button, field and check box look different from unfocused ones (the ring)."""
    assert window.new_submission()
    window.session.edit("direction", "creation-pilot")
    window._rebuild_nav()
    assert window.goto(flow.UNIT)
    page = window.current_page()
    widgets = [page.save_button, page.rows["unit.name"].editor.focus_target(),
               page.rows["unit.honours"].editor.boxes[0]]
    assert isinstance(widgets[0], QPushButton) and isinstance(widgets[1], QLineEdit)
    for w in widgets:
        window.next_button.setFocus()
        qtbot.waitUntil(lambda: not w.hasFocus(), timeout=1000)
        plain = w.grab().toImage()
        w.setFocus(Qt.FocusReason.TabFocusReason)
        qtbot.waitUntil(w.hasFocus, timeout=1000)
        ringed = w.grab().toImage()
        differing = sum(plain.pixel(x, y) != ringed.pixel(x, y)
                        for x in range(0, plain.width(), 2) for y in range(0, plain.height(), 2))
        assert differing > (plain.width() + plain.height()) // 4, (type(w).__name__, differing)


def test_the_attachments_page_puts_the_focus_on_the_files_not_the_tool_row(window, qtbot):
    """The tool row (重命名/删除/…) acts on a selection; a fresh visit starts in the first category's
    files, where ↑/↓ select and Delete removes."""
    assert window.open_sample("creation-pilot")
    window.goto(flow.ATTACHMENTS)
    page = window.current_page()
    focus = _focus(qtbot)
    assert focus is not page.rename_button
    first = next(iter(page.boxes.values()))
    assert focus in (first.list, first.add_button)
    assert focus is (first.list if first.list.count() else first.add_button)
