"""The list / paragraph tools of the long text editors: what they write is what the renderers print
as list items and paragraphs, the value stays plain text, and the hint counts what will print."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor

from zscq_desktop.core import flow
from zscq_desktop.render import content
from zscq_desktop.ui.widgets import text_tools as tt

TEXT = "项目背景说明\n（1）第一项工作\n- 第二项工作\n\n第三段正文"


def _printed(text: str) -> list[tuple[str, bool]]:
    """(text, indented) of each paragraph as the renderers lay it out."""
    return [(p.text, p.indent) for p in content._paras(text)]


def test_markers_are_what_the_renderers_print_as_lists():
    assert [tt.line_kind(x) for x in TEXT.splitlines()] == ["para", "number", "bullet", "", "para"]
    numbered = "\n".join(tt.numbered(TEXT.splitlines()))
    assert numbered == "1. 项目背景说明\n2. 第一项工作\n3. 第二项工作\n\n4. 第三段正文"
    assert all(not indent for _t, indent in _printed(numbered))  # every line a list item
    bulleted = "\n".join(tt.bulleted(TEXT.splitlines()))
    assert [t for t, _i in _printed(bulleted)] == ["• 项目背景说明", "• 第一项工作", "• 第二项工作", "• 第三段正文"]
    plain = "\n".join(tt.paragraphs(TEXT.splitlines()))
    assert all(indent for _t, indent in _printed(plain))
    # toggling: numbering numbered lines (or bulleting bullets) gives paragraphs back
    assert tt.numbered(numbered.splitlines()) == plain.splitlines()
    assert tt.bulleted(bulleted.splitlines()) == plain.splitlines()
    hint = tt.print_hint(TEXT)
    printed = _printed(TEXT)
    assert f"{sum(i for _t, i in printed)} 段正文" in hint
    assert "1 个编号项" in hint and "1 个项目符号项" in hint
    assert tt.print_hint("") == "打印效果：（空）"


def _select_lines(edit, first: int, last: int) -> None:
    doc = edit.document()
    cursor = QTextCursor(doc)
    cursor.setPosition(doc.findBlockByNumber(first).position())
    end = doc.findBlockByNumber(last)
    cursor.setPosition(end.position() + len(end.text()), QTextCursor.MoveMode.KeepAnchor)
    edit.setTextCursor(cursor)


def test_plan_editor_toolbar_edits_the_selected_lines(window, qtbot):
    assert window.open_sample("creation-pilot")
    assert window.goto(flow.PLAN)
    page = window.current_page()
    path, editor = next(iter(page.editors.items()))
    assert editor.tools is not None and all(ed.tools is not None for ed in page.task_editors)
    editor.edit.setPlainText("甲段\n乙项\n丙项\n丁段")
    _select_lines(editor.edit, 1, 2)
    qtbot.mouseClick(editor.tools.buttons["number"], Qt.MouseButton.LeftButton)
    session = window.session
    assert session.submission.get(path) == "甲段\n1. 乙项\n2. 丙项\n丁段"  # plain text, stored at once
    assert "2 段正文" in editor.tools.hint.text() and "2 个编号项" in editor.tools.hint.text()
    qtbot.mouseClick(editor.tools.buttons["number"], Qt.MouseButton.LeftButton)  # same lines: toggled off
    assert session.submission.get(path) == "甲段\n乙项\n丙项\n丁段"
    qtbot.mouseClick(editor.tools.buttons["bullet"], Qt.MouseButton.LeftButton)
    assert session.submission.get(path) == "甲段\n- 乙项\n- 丙项\n丁段"
    qtbot.keyClick(editor.edit, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # one undo step per button
    assert session.submission.get(path) == "甲段\n乙项\n丙项\n丁段"
    assert editor.edit.toPlainText() == "甲段\n乙项\n丙项\n丁段"
    # the printed plan shows the lists
    _select_lines(editor.edit, 1, 2)
    qtbot.mouseClick(editor.tools.buttons["bullet"], Qt.MouseButton.LeftButton)
    doc = content.plan_document(window.call, session.submission)
    paras = [(b.text, b.indent) for b in doc.blocks if isinstance(b, content.Para)]
    assert ("• 乙项", False) in paras and ("甲段", True) in paras


def test_long_form_textareas_get_the_tools(window):
    assert window.open_sample("creation-pilot")
    assert window.goto("form:content")
    page = window.current_page()
    areas = [r.editor for r in page.rows.values() if r.editor.__class__.__name__ == "TextAreaEditor"]
    assert areas and all(a.tools is not None for a in areas)
    cursor_line = areas[0].edit
    cursor_line.setPlainText("单独一行")
    areas[0].tools.buttons["bullet"].click()  # no selection: the cursor's line
    assert areas[0].edit.toPlainText() == "- 单独一行"
