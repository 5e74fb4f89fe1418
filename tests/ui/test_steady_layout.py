"""A steady layout (issue 12 item 3): messages never move the controls below; a field turns red only
after the user has left it."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt

from zscq_desktop.core import flow


def test_a_message_waits_for_leaving_the_field_and_moves_nothing(window, qtbot):
    qtbot.mouseClick(window.page(flow.START).new_button, Qt.MouseButton.LeftButton)
    direction = window.page(flow.DIRECTION)
    assert direction.select("creation-pilot")
    qtbot.mouseClick(direction.choose_button, Qt.MouseButton.LeftButton)
    window.goto(flow.UNIT)
    page = window.page(flow.UNIT)
    session = window.session
    postcode = page.rows["unit.postcode"]
    below = page.rows["unit.legal_rep"].editor.edit

    def where():
        return below.mapTo(page.body, QPoint(0, 0))  # the scrolled content, not the viewport

    before = where()
    postcode.editor.edit.setFocus()
    qtbot.keyClicks(postcode.editor.edit, "3000")
    session.refresh_findings()  # the findings know at once …
    assert any(f.path == "unit.postcode" for f in session.findings())
    assert not postcode.error.isVisible() and postcode.editor.edit.styleSheet() == ""  # … the field stays calm
    qtbot.keyClick(postcode.editor.edit, Qt.Key.Key_Tab)  # the user leaves it
    qtbot.waitUntil(lambda: postcode.error.isVisible())
    assert "邮政编码" in postcode.error.full_text() and "#b3261e" in postcode.editor.edit.styleSheet()
    assert where() == before  # the control below did not move
    postcode.editor.edit.setFocus()
    qtbot.keyClicks(postcode.editor.edit, "72")
    session.refresh_findings()
    assert not postcode.error.isVisible()  # fixed: the message goes at once, still nothing moves
    assert where() == before


def test_long_messages_keep_one_line(window, qtbot):
    from zscq_desktop.ui.widgets.fields import FieldMessage

    label = FieldMessage()
    qtbot.addWidget(label)
    label.resize(200, label.height())
    height = label.height()
    label.setText("✗ 第一条很长很长很长很长很长很长很长很长很长很长很长的提示\n✗ 第二条")
    assert label.height() == height and "第二条" in label.toolTip()
