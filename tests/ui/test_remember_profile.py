"""Remember what the user expects remembered (issue 12 item 7): a unit typed for the first time
becomes a profile without pressing 保存为单位档案; a changed profile is offered for update once."""

from __future__ import annotations

from PySide6.QtCore import Qt

from zscq_desktop.core import flow
from zscq_desktop.core.sample import sample_credit_code
from zscq_desktop.store.profiles import ProfileLibrary


def _unit_page(window, direction="creation-pilot"):
    assert window.new_submission()
    window.session.edit("direction", direction)
    window._rebuild_nav()
    assert window.goto(flow.UNIT)
    return window.current_page()


def test_first_unit_is_kept_as_a_profile_on_leaving_the_page(window, qtbot, type_text, dialogs_recorder):
    page = _unit_page(window)
    type_text(page.rows["unit.name"].editor.edit, "天津自动档案科技有限公司")
    qtbot.keyClicks(page.rows["unit.credit_code"].editor.edit, sample_credit_code().lower())
    assert ProfileLibrary().list() == []
    qtbot.mouseClick(window.next_button, Qt.MouseButton.LeftButton)  # leaving the page keeps it
    assert window.current_page_id != flow.UNIT
    profiles = ProfileLibrary().list()
    assert [p["name"] for p in profiles] == ["天津自动档案科技有限公司"]
    assert profiles[0]["credit_code"] == sample_credit_code()
    assert dialogs_recorder.messages == []  # kept without a question


def test_half_typed_unit_is_not_kept(window, qtbot, type_text):
    page = _unit_page(window)
    type_text(page.rows["unit.name"].editor.edit, "天津")
    qtbot.mouseClick(window.next_button, Qt.MouseButton.LeftButton)
    assert ProfileLibrary().list() == []  # no valid credit code yet: not a unit worth keeping


def _changed_profile(window, qtbot, type_text):
    ProfileLibrary().save({"name": "天津档案单位", "credit_code": sample_credit_code(), "address": "河西区旧址1号"})
    page = _unit_page(window)
    qtbot.mouseClick(page.use_button, Qt.MouseButton.LeftButton)
    address = page.rows["unit.address"].editor.edit
    address.clear()
    type_text(address, "南开区新址2号")
    return page


def test_changed_profile_update_is_asked_once(window, qtbot, type_text, dialogs_recorder):
    page = _changed_profile(window, qtbot, type_text)
    dialogs_recorder.choice = 0  # 更新单位档案
    qtbot.mouseClick(window.next_button, Qt.MouseButton.LeftButton)
    asked = [m for m in dialogs_recorder.messages if m[0] == "单位档案"]
    assert len(asked) == 1 and "通讯地址" in asked[0][1]
    assert ProfileLibrary().get(sample_credit_code())["address"] == "南开区新址2号"
    assert window.goto(flow.UNIT)
    type_text(page.rows["unit.address"].editor.edit, "A座")
    qtbot.mouseClick(window.next_button, Qt.MouseButton.LeftButton)
    assert len([m for m in dialogs_recorder.messages if m[0] == "单位档案"]) == 1  # not asked again
    assert ProfileLibrary().get(sample_credit_code())["address"] == "南开区新址2号A座"


def test_changed_profile_only_for_this_submission_keeps_the_profile(window, qtbot, type_text, dialogs_recorder):
    _changed_profile(window, qtbot, type_text)
    dialogs_recorder.choice = 1  # 仅用于本申报
    qtbot.mouseClick(window.next_button, Qt.MouseButton.LeftButton)
    assert ProfileLibrary().get(sample_credit_code())["address"] == "河西区旧址1号"
    assert window.session.submission.unit["address"] == "南开区新址2号"
    window.goto(flow.UNIT)
    qtbot.mouseClick(window.next_button, Qt.MouseButton.LeftButton)
    assert len([m for m in dialogs_recorder.messages if m[0] == "单位档案"]) == 1
    path = window.session.path  # the answer holds for this document, also after reopening it
    dialogs_recorder.save_path = path.with_name("另存的申报.zscq")
    assert window.save_as()
    target = window.session.path
    window.set_session(None)
    assert window.open_path(target) and window.goto(flow.UNIT)
    qtbot.mouseClick(window.next_button, Qt.MouseButton.LeftButton)
    assert len([m for m in dialogs_recorder.messages if m[0] == "单位档案"]) == 1
    assert ProfileLibrary().get(sample_credit_code())["address"] == "河西区旧址1号"
