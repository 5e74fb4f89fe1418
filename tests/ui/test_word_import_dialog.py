"""文件 → 从 Word 导入修改…: the diff dialog, accepting all or some, one undoable step, dropping a file."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from wordio.wordedit import Edit, export_docx, hand_written_plan

from zscq_desktop.core.sample import build_sample
from zscq_desktop.docio import Loaded, write_zscq
from zscq_desktop.ui import word_import_dialog as wid


@pytest.fixture()
def opened(window, tmp_path: Path, call):
    path = tmp_path / "申报.zscq"
    write_zscq(Loaded(build_sample(call, "creation-pilot")), path)
    assert window.open_path(path)
    return window.session


def _edited(call, session, tmp_path: Path) -> tuple[Path, str]:
    form, _ = export_docx(call, session.submission, tmp_path)
    e = Edit(form)
    e.set_text("unit.address", "天津市南开区新址路1号")
    e.set_text("unit.bank", "工商银行天津分行")
    deleted = e.track("form.content.benefits", "（修订新增）")
    e.comment("unit.address", "请核对新地址")
    e.save()
    return form, deleted


def test_the_dialog_shows_the_differences_and_applies_them_as_one_step(window, opened, call, tmp_path, monkeypatch,
                                                                       dialogs_recorder) -> None:
    session = opened
    old = {p: session.submission.get(p) for p in ("unit.address", "unit.bank", "form.content.benefits")}
    form, deleted = _edited(call, session, tmp_path)
    seen = {}

    def show(dlg: wid.WordImportDialog) -> bool:
        rows = {dlg.table.item(i, 1).text(): dlg.table.item(i, 2).text() for i in range(dlg.table.rowCount())}
        seen["rows"] = rows
        dlg.table.setCurrentCell([i for i in range(dlg.table.rowCount())
                                  if dlg.found.differences[i].path == "form.content.benefits"][0], 1)
        seen["detail"] = dlg.detail.toHtml()
        seen["reminders"] = [dlg.reminders.item(i).text() for i in range(dlg.reminders.count())]
        seen["tracked_choice"] = dlg.before_changes.isVisible() or not dlg.before_changes.isHidden()
        # take the address only: untick the bank
        for i, x in enumerate(dlg.found.differences):
            if x.path == "unit.bank":
                dlg.table.item(i, 0).setCheckState(Qt.CheckState.Unchecked)
        dlg.accept()
        return True

    monkeypatch.setattr(wid, "show_dialog", show)
    assert window.word_import_action.text().startswith("从 Word 导入修改")
    steps = session.undo_stack.count() if hasattr(session, "undo_stack") else None
    assert wid.run_import(window, form)
    assert any("修订" in k for k in seen["rows"]) and "修改" in seen["rows"].values()
    assert "line-through" in seen["detail"] and deleted[:4] in seen["detail"]
    assert seen["reminders"] == ["通讯地址：总经理：请核对新地址"]
    assert seen["tracked_choice"]
    sub = session.submission
    assert sub.get("unit.address") == "天津市南开区新址路1号"
    assert sub.get("unit.bank") == old["unit.bank"]  # not ticked: not taken
    assert sub.get("form.content.benefits").endswith(old["form.content.benefits"].split("\n", 1)[1])
    assert "（修订新增）" in sub.get("form.content.benefits")
    assert "已导入 2 处修改" in dialogs_recorder.messages[-1][1]
    if steps is not None:  # the editing issue's one undo stack: the whole import is one step
        assert session.undo_stack.count() == steps + 1
        session.undo_stack.undo()
        assert {p: session.submission.get(p) for p in old} == old


def test_tracked_changes_rejected_and_conflicts_left_unticked(window, opened, call, tmp_path, monkeypatch) -> None:
    session = opened
    form, _ = _edited(call, session, tmp_path)
    benefits = session.submission.get("form.content.benefits")
    session.edit("unit.bank", "程序中改的银行")  # changed in the app after the export: a conflict

    def show(dlg: wid.WordImportDialog) -> bool:
        kinds = {x.path: (x.kind, dlg.table.item(i, 0).checkState()) for i, x in enumerate(dlg.found.differences)}
        assert kinds["unit.bank"] == ("conflict", Qt.CheckState.Unchecked)
        assert kinds["unit.address"] == ("changed", Qt.CheckState.Checked)
        dlg.before_changes.setChecked(True)
        dlg.accept()
        return True

    monkeypatch.setattr(wid, "show_dialog", show)
    assert wid.run_import(window, form)
    assert session.submission.get("form.content.benefits") == benefits
    assert session.submission.get("unit.bank") == "程序中改的银行"


def test_unusable_files_get_a_message(window, opened, tmp_path, dialogs_recorder) -> None:
    bad = tmp_path / "坏.docx"
    bad.write_bytes(b"not a zip")
    assert not wid.run_import(window, bad)
    assert "已损坏" in dialogs_recorder.messages[-1][1]


def test_a_word_file_dropped_on_the_window_opens_the_import(window, opened, tmp_path, monkeypatch) -> None:
    got = []
    monkeypatch.setattr(wid, "run_import", lambda w, path=None: got.append(path))
    f = tmp_path / "改过的申报书.docx"
    f.write_bytes(b"x")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(f))])
    # Qt delivers drop events only during a real drag; the window's filter is handed them as Qt would
    assert window.acceptDrops()
    event = QDropEvent(QPointF(50, 50), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    assert window._word_drop.eventFilter(window, event)
    assert got == [f]
    other = QMimeData()
    other.setUrls([QUrl.fromLocalFile(str(tmp_path / "照片.png"))])
    assert not window._word_drop.eventFilter(window, QDropEvent(QPointF(50, 50), Qt.DropAction.CopyAction, other,
                                                                Qt.MouseButton.LeftButton,
                                                                Qt.KeyboardModifier.NoModifier))
    assert got == [f]


def test_a_hand_written_plan_shows_its_mapping_and_it_can_be_changed(window, opened, tmp_path, monkeypatch) -> None:
    session = opened
    path = tmp_path / "手写.docx"
    hand_written_plan(path)
    risks = session.submission.get("plan.sections.risks")

    def show(dlg: wid.WordImportDialog) -> bool:
        row = next(i for i, x in enumerate(dlg.found.differences) if x.path == "plan.sections.foundation")
        combo = dlg.table.cellWidget(row, 4)
        combo.setCurrentIndex([p for _, p in dlg.targets].index("plan.sections.outcomes"))  # the user re-maps it
        assert dlg.table.item(row, 1).text().startswith("预期成效")
        assert dlg.found.differences[row].old == session.submission.get("plan.sections.outcomes")
        assert any("其他说明" in dlg.not_imported.item(i).text() for i in range(dlg.not_imported.count()))
        dlg.accept_all()
        return True

    monkeypatch.setattr(wid, "show_dialog", show)
    foundation = session.submission.get("plan.sections.foundation")
    assert wid.run_import(window, path)
    sub = session.submission
    assert sub.get("plan.sections.outcomes") == "已有知识产权部门和三名专职人员。"
    assert sub.get("plan.sections.foundation") == foundation  # not mapped there any more
    assert sub.get("plan.sections.background").startswith("本公司") and sub.get("plan.sections.risks") == risks


def test_a_read_only_document_takes_no_import(window, opened, tmp_path, monkeypatch, dialogs_recorder) -> None:
    monkeypatch.setattr(type(opened), "readonly", property(lambda self: True))
    assert not wid.run_import(window, tmp_path / "x.docx")
    assert "只读" in dialogs_recorder.messages[-1][1]
