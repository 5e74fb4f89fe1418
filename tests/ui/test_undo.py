"""One undo history per document (issue 12 item 1), driven by keys, clicks and the 编辑 menu."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit

from zscq_desktop.core import flow

CTRL = Qt.KeyboardModifier.ControlModifier


def test_typing_is_one_step_per_field_and_ctrl_z_in_the_box_undoes_it(window, qtbot, new_draft, type_text):
    session = new_draft()
    window.goto("form:cover")
    page = window.page("form:cover")
    name = page.rows["form.cover.project_name"].editor.edit
    type_text(name, "专利导航项目")
    assert session.submission.get("form.cover.project_name") == "专利导航项目"
    assert window.undo_action.text() == "撤销 输入 项目名称"
    session.seal_typing()  # the pause
    type_text(name, "二期")
    qtbot.keyClick(name, Qt.Key.Key_Z, CTRL)  # inside the text box: the document's last typing step
    assert session.submission.get("form.cover.project_name") == "专利导航项目"
    assert name.text() == "专利导航项目"
    qtbot.keyClick(name, Qt.Key.Key_Z, CTRL)
    assert not session.submission.get("form.cover.project_name") and name.text() == ""
    qtbot.keyClick(name, Qt.Key.Key_Y, CTRL)
    assert name.text() == "专利导航项目" and window.redo_action.text() == "重做 输入 项目名称"


def test_textarea_has_no_history_of_its_own(window, qtbot, new_draft, type_text):
    session = new_draft()
    window.goto("form:content")
    goals = window.page("form:content").rows["form.content.goals"].editor.edit
    assert not goals.isUndoRedoEnabled()
    type_text(goals, "建立导航机制")
    session.seal_typing()
    window.goto(flow.UNIT)  # Ctrl+Z elsewhere brings the page of the change back
    qtbot.keyClick(window.page(flow.UNIT).rows["unit.name"].editor.edit, Qt.Key.Key_Z, CTRL)
    assert window.current_page_id == "form:content"
    assert not session.submission.get("form.content.goals") and goals.toPlainText() == ""


def test_table_rows_delete_without_question_and_come_back(window, qtbot, new_draft, dialogs_recorder,
                                                          type_text):
    session = new_draft()
    window.goto("form:budget")
    table = window.page("form:budget").rows["form.budget.expenses"].editor
    for item in ("设备费", "咨询费", "差旅费", "会议费"):
        qtbot.mouseClick(table.add_button, Qt.MouseButton.LeftButton)
        cell = QApplication.focusWidget()  # the caret is in the new row's first cell
        assert isinstance(cell, QLineEdit) and table.view.isAncestorOf(cell)
        type_text(cell, item)
        qtbot.keyClick(cell, Qt.Key.Key_Return)  # the delegate commits through a queued call
        qtbot.waitUntil(lambda item=item: session.submission.get("form.budget.expenses")[-1].get("item") == item,
                        timeout=2000)
    assert [r.get("item") for r in session.submission.get("form.budget.expenses")] == ["设备费", "咨询费", "差旅费", "会议费"]
    table.view.setFocus()
    table.view.selectRow(2)
    qtbot.keyClick(table.view, Qt.Key.Key_Delete)
    assert [r.get("item") for r in session.submission.get("form.budget.expenses")] == ["设备费", "咨询费", "会议费"]
    assert not dialogs_recorder.messages  # no confirmation: it can be undone
    assert window.undo_action.text() == "撤销 删除第3行（经费支出明细）"
    table.view.selectRow(0)
    qtbot.mouseClick(table.down_button, Qt.MouseButton.LeftButton)
    assert window.undo_action.text() == "撤销 移动第1行（经费支出明细）"
    window.undo_action.trigger()
    window.undo_action.trigger()
    assert [r.get("item") for r in session.submission.get("form.budget.expenses")] == ["设备费", "咨询费", "差旅费", "会议费"]
    assert table.model.rowCount() == 4 and table.model.rows[2]["item"] == "差旅费"


def test_attachments_remove_rename_move_are_undone(window, qtbot, new_draft, tmp_path, dialogs_recorder):
    from zscq_desktop.core.sample import example_attachments

    session = new_draft()
    window.goto(flow.ATTACHMENTS)
    page = window.page(flow.ATTACHMENTS)
    (_c, _t, name, data), (_c2, _t2, name2, data2) = example_attachments()
    (tmp_path / name).write_bytes(data)
    (tmp_path / name2).write_bytes(data2)
    steps = session.undo_stack.count()
    page.add_files([tmp_path / name, tmp_path / name2], "qualification")
    assert session.undo_stack.count() == steps + 1  # one drop of two files: one step
    box = page.boxes["qualification"]
    box.list.setCurrentRow(0)
    dialogs_recorder.text = "营业执照（副本）"
    qtbot.mouseClick(page.rename_button, Qt.MouseButton.LeftButton)
    box.list.setCurrentRow(1)
    qtbot.mouseClick(page.up_button, Qt.MouseButton.LeftButton)
    assert [a.source_name for a in session.submission.attachments] == [name2, name]
    box.list.setFocus()
    box.list.setCurrentRow(0)
    qtbot.keyClick(box.list, Qt.Key.Key_Delete)  # Delete on a selected file, no question
    assert [a.source_name for a in session.submission.attachments] == [name]
    assert not [m for m in dialogs_recorder.messages if "删除" in m[0]]
    assert window.undo_action.text().startswith("撤销 删除附件")
    window.undo_action.trigger()
    assert [a.source_name for a in session.submission.attachments] == [name2, name]
    assert session.loaded().blob(session.submission.attachments[0].sha256) == data2  # the bytes are still there
    assert box.list.count() == 2
    window.undo_action.trigger()
    window.undo_action.trigger()
    assert [a.title for a in session.submission.attachments] == [name.rsplit(".", 1)[0], name2.rsplit(".", 1)[0]]
    window.undo_action.trigger()
    assert session.submission.attachments == [] and box.list.count() == 0
    assert {a.sha256 for a in session.loaded().submission.attachments} == set()
    assert len(session.referenced_blobs()) == 2  # what redo can bring back keeps its bytes
    window.redo_action.trigger()
    assert [a.source_name for a in session.submission.attachments] == [name, name2]


def test_direction_and_answers_are_steps_opening_is_not(window, qtbot, tmp_path):
    assert window.open_sample("creation-pilot")
    session = window.session
    assert session.undo_stack.count() == 0  # opening is not something the user can undo
    session.record_send({"to": "x@example.com", "at": "2023-05-20T10:00:00"})
    assert session.undo_stack.count() == 0  # nor is recording a send
    window.goto(flow.ELIGIBILITY)
    page = window.page(flow.ELIGIBILITY)
    path, question = next(iter(page.questions.items()))
    before = session.submission.get(path)
    qtbot.mouseClick(question.no if before else question.yes, Qt.MouseButton.LeftButton)
    assert session.submission.get(path) is (not before)
    window.goto(flow.DIRECTION)
    direction = window.page(flow.DIRECTION)
    assert direction.select("patent-navigation")
    qtbot.mouseClick(direction.choose_button, Qt.MouseButton.LeftButton)
    assert session.submission.direction == "patent-navigation"
    assert window.undo_action.text().startswith("撤销 选择方向")
    window.undo_action.trigger()
    assert session.submission.direction == "creation-pilot"
    assert session.submission.get("form.cover.project_name")  # the sample's values are back
    window.undo_action.trigger()
    assert session.submission.get(path) == before
    assert window.current_page_id == flow.ELIGIBILITY
    shown = window.page(flow.ELIGIBILITY).questions[path]  # the page was rebuilt for the direction
    assert shown.yes.isChecked() is (before is True) and shown.no.isChecked() is (before is False)
