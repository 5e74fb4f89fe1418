"""Each page loads from and saves to the session by simulated input; review links focus the field."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from zscq_desktop.core import flow
from zscq_desktop.core.sample import sample_credit_code


def _new(window, qtbot, direction="creation-pilot"):
    qtbot.mouseClick(window.page(flow.START).new_button, Qt.MouseButton.LeftButton)
    page = window.page(flow.DIRECTION)
    assert page.select(direction)
    qtbot.mouseClick(page.choose_button, Qt.MouseButton.LeftButton)
    return window.session


def test_direction_search_and_detail(window, qtbot, type_text):
    _new(window, qtbot)
    window.goto(flow.DIRECTION)
    page = window.page(flow.DIRECTION)
    type_text(page.search, "地理标志")
    shown = [item.data(0, Qt.ItemDataRole.UserRole) for _h, item in page._items() if not item.isHidden()]
    assert shown and all(window.call.direction(d).name.find("地理标志") >= 0 or "地理标志" in window.call.direction(d).goals
                         for d in shown)
    assert "creation-pilot" not in shown
    page.select("gi-protection")
    text = page.detail.toPlainText()
    assert "马博" in text and "84493629" in text and "资助额度" in text and "项目任务" in text


def test_changing_direction_asks_and_rebuilds_form_pages(window, qtbot, dialogs_recorder):
    session = _new(window, qtbot)
    window.goto(flow.DIRECTION)
    page = window.page(flow.DIRECTION)
    dialogs_recorder.answer = False
    page.select("innovation-culture")
    qtbot.mouseClick(page.choose_button, Qt.MouseButton.LeftButton)
    assert session.submission.direction == "creation-pilot"
    dialogs_recorder.answer = True
    qtbot.mouseClick(page.choose_button, Qt.MouseButton.LeftButton)
    assert session.submission.direction == "innovation-culture"
    assert "附件2" in dialogs_recorder.messages[-1][1] and "附件3" in dialogs_recorder.messages[-1][1]
    ids = [window.nav.item(i).data(Qt.ItemDataRole.UserRole) for i in range(window.nav.count())]
    assert "form:work_base" in ids and "form:ip_base" not in ids


def test_eligibility_failing_answer_shows_guide_words_at_once(window, qtbot):
    session = _new(window, qtbot)
    assert window.current_page_id == flow.ELIGIBILITY
    page = window.page(flow.ELIGIBILITY)
    q = page.questions["eligibility.independent_account"]
    qtbot.mouseClick(q.no, Qt.MouseButton.LeftButton)
    assert session.submission.eligibility["independent_account"] is False
    assert q.error.isVisible() and "应具有独立财务账户" in q.error.text()
    qtbot.mouseClick(q.yes, Qt.MouseButton.LeftButton)
    assert session.submission.eligibility["independent_account"] is True
    assert not q.error.isVisible()
    qtbot.keyClicks(page.other, "3")
    assert session.submission.eligibility["other_projects"] == 3
    assert "不得超过2项" in page.other_error.text()


def test_unit_page_field_types_and_profile_library(window, qtbot, type_text):
    session = _new(window, qtbot)
    window.goto(flow.UNIT)
    page = window.page(flow.UNIT)
    type_text(page.rows["unit.name"].editor.edit, "天津测试科技有限公司")
    code = page.rows["unit.credit_code"].editor
    qtbot.keyClicks(code.edit, "91120116ma05xk3p7")
    assert "18位" in code.status.text()
    good = sample_credit_code()
    qtbot.keyClicks(code.edit, "0" if good[-1] != "0" else "1")
    assert "校验位不正确" in code.status.text()
    code.edit.clear()
    qtbot.keyClicks(code.edit, good.lower())
    assert code.status.text() == "✓ 校验位正确"
    assert session.submission.unit["credit_code"] == good
    qtbot.keyClicks(page.rows["unit.registered_capital_wan"].editor.edit, "1000.5")
    assert session.submission.unit["registered_capital_wan"] == 1000.5
    qtbot.keyClicks(page.rows["unit.staff"].editor.edit, "12a")
    assert session.submission.unit["staff"] == 12
    district = page.rows["unit.district"].editor.combo
    district.setCurrentIndex(district.findData("河西区"))
    district.activated.emit(district.currentIndex())
    assert session.submission.unit["district"] == "河西区"
    date = page.rows["unit.registered_on"].editor.edit
    qtbot.keyClicks(date, "2015.3.18")
    assert session.submission.unit["registered_on"] == "2015-03-18"
    honours = page.rows["unit.honours"].editor.boxes
    qtbot.mouseClick(honours[1], Qt.MouseButton.LeftButton)
    assert session.submission.unit["honours"] == [honours[1].text()]

    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert page.profiles.count() == 1 and "天津测试科技有限公司" in page.profiles.currentText()
    # a second draft picks the saved profile
    _new(window, qtbot, "patent-navigation")
    window.goto(flow.UNIT)
    page2 = window.page(flow.UNIT)
    assert page2.use_button.isEnabled()
    qtbot.mouseClick(page2.use_button, Qt.MouseButton.LeftButton)
    assert window.session.submission.unit["name"] == "天津测试科技有限公司"
    assert page2.rows["unit.name"].editor.edit.text() == "天津测试科技有限公司"


def test_table_rows_add_edit_move_remove(window, qtbot, type_text):
    session = _new(window, qtbot)
    window.goto("form:team")
    page = window.page("form:team")
    table = page.rows["form.team.members"].editor
    qtbot.mouseClick(table.add_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(table.add_button, Qt.MouseButton.LeftButton)
    model = table.model
    model.setData(model.index(0, 0), "张三")
    model.setData(model.index(1, 0), "李四")
    assert [r.get("name") for r in session.submission.form["team"]["members"]] == ["张三", "李四"]
    table.view.setCurrentIndex(model.index(1, 0))
    qtbot.mouseClick(table.up_button, Qt.MouseButton.LeftButton)
    assert [r.get("name") for r in session.submission.form["team"]["members"]] == ["李四", "张三"]
    # edit a cell with the keyboard
    table.view.setCurrentIndex(model.index(0, 1))
    table.view.setFocus()
    qtbot.keyClick(table.view, Qt.Key.Key_F2)
    editor = QApplication.focusWidget()
    assert editor is not table.view and hasattr(editor, "selectAll"), editor
    editor.selectAll()
    type_text(editor, "高级工程师")
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # the delegate commits through a queued call
    qtbot.waitUntil(lambda: session.submission.form["team"]["members"][0].get("title") == "高级工程师", timeout=1000)
    table.view.setCurrentIndex(model.index(1, 0))
    qtbot.mouseClick(table.remove_button, Qt.MouseButton.LeftButton)
    assert [r.get("name") for r in session.submission.form["team"]["members"]] == ["李四"]

    window.goto("form:ip_base")
    yearly = window.page("form:ip_base").rows["form.ip_base.yearly"].editor
    assert yearly.fixed and yearly.model.rowCount() == 3
    assert yearly.model.headerData(2, Qt.Orientation.Vertical) == "2022年"
    yearly.model.setData(yearly.model.index(2, 1), "7")
    assert session.submission.form["ip_base"]["yearly"][2]["invention_grant"] == 7


def test_textarea_counter_and_plan_page(window, qtbot, type_text):
    session = _new(window, qtbot)
    window.goto("form:content")
    goals = window.page("form:content").rows["form.content.goals"].editor
    type_text(goals.edit, "目标一")
    assert session.submission.form["content"]["goals"] == "目标一"
    assert "已输入 3 字" in goals.counter.text()

    window.goto(flow.PLAN)
    page = window.page(flow.PLAN)
    bg = page.editors["plan.sections.background"]
    type_text(bg.edit, "背景")
    assert session.submission.plan["sections"]["background"] == "背景"
    type_text(page.task_editors[1].edit, "任务二内容")
    assert session.submission.plan["tasks"][1] == "任务二内容"
    ind = page.indicators.model
    d = window.call.direction("creation-pilot")
    assert [r["key"] for r in ind.rows] == [i.key for _t, i in d.indicators]
    target_col = [c.key for c in ind.columns].index("target")
    assert not ind.flags(ind.index(0, [c.key for c in ind.columns].index("min"))) & Qt.ItemFlag.ItemIsEditable
    ind.setData(ind.index(0, target_col), "3")
    assert session.submission.plan["indicators"][0]["target"] == 3
    qtbot.mouseClick(page.schedule.add_button, Qt.MouseButton.LeftButton)
    page.schedule.model.setData(page.schedule.model.index(0, 0), "2023-01")
    assert session.submission.plan["schedule"][0]["start"] == "2023-01"


def test_attachments_added_normalised_and_bad_file_flagged(window, qtbot, tmp_path, dialogs_recorder):
    from zscq_desktop.core.sample import example_attachments

    session = _new(window, qtbot)
    window.goto(flow.ATTACHMENTS)
    page = window.page(flow.ATTACHMENTS)
    (_c, _t, name, data), (_c2, _t2, name2, data2) = example_attachments()
    pdf, png = tmp_path / name, tmp_path / name2
    pdf.write_bytes(data)
    png.write_bytes(data2)
    bad = tmp_path / "坏文件.pdf"
    bad.write_bytes(b"%PDF-1.4 this is not really a pdf")
    dialogs_recorder.files = [pdf, bad]
    qtbot.mouseClick(page.boxes["qualification"].add_button, Qt.MouseButton.LeftButton)
    page.add_files([png], "cases")  # what a drop from the file manager does
    from zscq_desktop.ui import jobs

    assert jobs.wait_idle(60)
    session.refresh_findings()
    atts = session.submission.attachments
    assert [a.source_name for a in atts] == [name, "坏文件.pdf", name2]
    assert atts[0].pages == 1 and atts[2].pages == 1
    state, _pages, found = session.attachment_state(1)
    assert state == "bad" and found and all(f.path == "attachments[1]" for f in found)
    box = page.boxes["qualification"]
    assert box.list.count() == 2
    assert "✓ 1 页" in box.list.item(0).text() and not box.list.item(0).icon().isNull()
    assert "✗" in box.list.item(1).text()
    assert any(f.path == "attachments[1]" and f.blocking for f in session.findings())

    # rename, reorder, move to another category, remove
    box.list.setCurrentRow(1)
    dialogs_recorder.text = "改名后的标题"
    qtbot.mouseClick(page.rename_button, Qt.MouseButton.LeftButton)
    assert atts[1].title == "改名后的标题"
    qtbot.mouseClick(page.up_button, Qt.MouseButton.LeftButton)
    assert [a.source_name for a in session.submission.attachments][:2] == ["坏文件.pdf", name]
    page.move_combo.setCurrentIndex(page.move_combo.findData("other"))
    page.move_combo.activated.emit(page.move_combo.currentIndex())
    assert [a.category for a in session.submission.attachments] == ["qualification", "cases", "other"]
    page.boxes["other"].list.setCurrentRow(0)
    qtbot.mouseClick(page.remove_button, Qt.MouseButton.LeftButton)
    assert [a.source_name for a in session.submission.attachments] == [name, name2]
    session.refresh_findings()
    assert not any(f.path.startswith("attachments[") and f.blocking for f in session.findings())


def test_review_lists_errors_first_and_link_focuses_field(window, qtbot):
    assert window.open_sample("creation-pilot")
    session = window.session
    session.edit("unit.credit_code", "91120116MA05XK3P70")
    session.refresh_findings()
    window.goto(flow.REVIEW)
    page = window.page(flow.REVIEW)
    first = page.tree.topLevelItem(0)
    assert first.text(0).startswith("错误")
    item = next(first.child(i) for i in range(first.childCount())
                if first.child(i).data(0, Qt.ItemDataRole.UserRole) == "unit.credit_code")
    assert "申报单位信息" == item.text(1)
    assert page.detail.text().startswith(first.child(0).text(0))  # the first error's details are shown
    page.tree.setCurrentItem(item)
    page.tree.setFocus()
    qtbot.keyClick(page.tree, Qt.Key.Key_Return)
    assert window.current_page_id == flow.UNIT
    unit = window.page(flow.UNIT)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is unit.rows["unit.credit_code"].editor.edit, timeout=1000)
    assert unit.rows["unit.credit_code"].error.isVisible()
    assert "校验位不正确" in unit.rows["unit.credit_code"].error.text()

    # a cell of a table: the review link selects the cell
    session.edit("form.budget.expenses", [{"item": "专利申请", "funded_wan": 10, "self_wan": None, "note": ""}])
    session.refresh_findings()
    window.goto("form:budget", "form.budget.expenses[0].self_wan")
    table = window.page("form:budget").rows["form.budget.expenses"].editor
    qtbot.waitUntil(lambda: table.view.currentIndex().column() == 2, timeout=1000)
    assert QApplication.focusWidget() is table.view


def test_navigation_badges_and_buttons(window, qtbot):
    _new(window, qtbot)
    assert not window.back_button.isEnabled() is True or window.current_page_id != flow.START
    window.goto(flow.REVIEW)
    session = window.session
    qtbot.waitUntil(lambda: any(f.path.startswith("unit.") for f in session.findings()), timeout=1000)
    texts = [window.nav.item(i).text() for i in range(window.nav.count())]
    assert any("申报单位信息" in t and "（" in t for t in texts)  # errors counted on the page entry
    qtbot.mouseClick(window.back_button, Qt.MouseButton.LeftButton)
    assert window.current_page_id == flow.ATTACHMENTS
    qtbot.mouseClick(window.next_button, Qt.MouseButton.LeftButton)
    assert window.current_page_id == flow.REVIEW


def test_drop_files_from_the_file_manager(window, qtbot, tmp_path):
    from PySide6.QtCore import QMimeData, QPointF, QUrl
    from PySide6.QtGui import QDropEvent

    from zscq_desktop.core.sample import example_attachments

    session = _new(window, qtbot)
    window.goto(flow.ATTACHMENTS)
    box = window.page(flow.ATTACHMENTS).boxes["staff"]
    _c, _t, name, data = example_attachments()[1]
    file = tmp_path / name
    file.write_bytes(data)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(file))])
    assert box.acceptDrops()
    drop = QDropEvent(QPointF(box.rect().center()), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    box.dropEvent(drop)  # Qt only routes a Drop after a real drag; the handler is what matters
    assert drop.isAccepted()
    from zscq_desktop.ui import jobs

    assert jobs.wait_idle(60)
    assert [(a.category, a.source_name, a.pages) for a in session.submission.attachments] == [("staff", name, 1)]
    assert box.list.count() == 1 and "✓ 1 页" in box.list.item(0).text()


def test_keyboard_shortcuts_and_sample_button(window, qtbot, dialogs_recorder, tmp_path):
    from PySide6.QtGui import QKeySequence

    start = window.page(flow.START)
    start.sample_direction.setCurrentIndex(start.sample_direction.findData("data-ip-protection"))
    qtbot.mouseClick(start.sample_button, Qt.MouseButton.LeftButton)
    assert window.session.submission.direction == "data-ip-protection"
    assert window.session.submission.unit["name"]
    sample_path = window.session.path
    qtbot.keySequence(window, QKeySequence(QKeySequence.StandardKey.New))
    assert window.session.path != sample_path and window.current_page_id == flow.DIRECTION
    from zscq_desktop.store.profiles import RecentFiles

    if not sample_path.exists():  # closed normally: the draft now carries its project's name
        sample_path = next(p for p in RecentFiles().list() if p != window.session.path)
    dialogs_recorder.open_path = sample_path
    qtbot.keySequence(window, QKeySequence(QKeySequence.StandardKey.Open))
    assert window.session.path == sample_path
    dialogs_recorder.save_path = tmp_path / "快捷键保存.zscq"
    qtbot.keySequence(window, QKeySequence(QKeySequence.StandardKey.Save))
    assert window.session.path == tmp_path / "快捷键保存.zscq" and (tmp_path / "快捷键保存.zscq").exists()
