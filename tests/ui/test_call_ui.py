"""Yearly calls in the app: the start page's list, which call a new submission uses, the import dialog,
年度对比, 转为新年度申报 and the send dialog's address line."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "call"))
from callkit import author_next_year, edit, new_call  # noqa: E402

from zscq_desktop.cli import main  # noqa: E402


def _pack(folder: Path) -> Path:
    out = folder.parent / f"{folder.name}.zscqcall"
    assert main(["call", "pack", str(folder), "-o", str(out)]) == 0
    return out


def _other_office(tmp: Path, new_id: str = "bh-2098") -> Path:
    folder = new_call(tmp / "other", new_id)
    edit(folder, "call.toml", 'submit_email = "zscqsl@163.com"', 'submit_email = "apply@example.org"')
    edit(folder, "call.toml", 'address = "天津市河西区吴家窑大街22号"', 'address = "示例区示例路1号"')
    return _pack(folder)


@pytest.fixture
def next_year(tmp_path: Path) -> str:
    """tj-2099 (an open call, new form id b1, a new required field) installed before the window opens."""
    assert main(["call", "install", str(_pack(author_next_year(tmp_path)))]) == 0
    return "tj-2099"


def test_start_page_lists_open_calls_first_and_new_uses_the_newest_open(next_year: str, window) -> None:
    from zscq_desktop.core import flow

    assert window.call.id == next_year
    box = window.page(flow.START).calls_box
    assert box.ids() == [next_year, "tianjin-2023"]
    assert "申报中" in box.list.item(0).text() and "已截止" in box.list.item(1).text()
    assert window.new_submission()
    assert window.session.submission.call == next_year


def test_several_open_calls_ask(next_year: str, tmp_path: Path, window, dialogs_recorder) -> None:
    assert main(["call", "install", str(_other_office(tmp_path)), "--yes"]) == 0
    dialogs_recorder.choice = 1  # the second open call (deadline 2098)
    assert window.new_submission()
    assert window.session.submission.call == "bh-2098" and window.call.id == "bh-2098"
    assert any(title == "选择申报年度" for title, _ in dialogs_recorder.messages)
    dialogs_recorder.choice = None  # cancelled: nothing new
    before = window.session
    assert not window.new_submission() and window.session is before


def test_import_dialog_needs_confirmation_for_another_address(tmp_path: Path, qtbot) -> None:
    from zscq_desktop.call.pack import read_pack
    from zscq_desktop.ui.call_dialogs import CallImportDialog

    dialog = CallImportDialog(read_pack(_other_office(tmp_path)))
    qtbot.addWidget(dialog)
    assert "示例区示例路1号" in dialog.warning_label.text() and "apply@example.org" in dialog.warning_label.text()
    assert not dialog.install_button.isEnabled() and not dialog.confirm_box.isHidden()
    dialog.confirm_box.setChecked(True)
    assert dialog.install_button.isEnabled()


def test_refused_pack_shows_reasons_and_cannot_install(tmp_path: Path, qtbot) -> None:
    from zscq_desktop.call.pack import read_pack
    from zscq_desktop.ui.call_dialogs import CallImportDialog

    folder = new_call(tmp_path)
    pack = _pack(folder)
    import zipfile

    with zipfile.ZipFile(pack, "a") as zf:
        zf.writestr("../evil.toml", "x = 1")
    dialog = CallImportDialog(read_pack(pack))
    qtbot.addWidget(dialog)
    assert not dialog.install_button.isEnabled()
    assert "指向数据包之外" in dialog.problems.item(0).text()


def test_opening_a_pack_installs_only_on_confirmation(tmp_path: Path, window, monkeypatch) -> None:
    from zscq_desktop.call.registry import list_calls
    from zscq_desktop.core import flow
    from zscq_desktop.ui.call_dialogs import CallImportDialog

    pack = _pack(new_call(tmp_path))
    monkeypatch.setattr(CallImportDialog, "exec", lambda self: QDialog.DialogCode.Rejected)
    assert not window.open_path(pack)
    assert [e.id for e in list_calls()] == ["tianjin-2023"]
    monkeypatch.setattr(CallImportDialog, "exec", lambda self: QDialog.DialogCode.Accepted)
    assert window.open_path(pack)
    assert [e.id for e in list_calls()] == ["tj-2099", "tianjin-2023"]
    assert window.page(flow.START).calls_box.ids() == ["tj-2099", "tianjin-2023"]


def test_diff_dialog_lists_changes(next_year: str, qtbot) -> None:
    from zscq_desktop.ui.call_dialogs import CallDiffDialog

    dialog = CallDiffDialog(None, "tianjin-2023", next_year)
    qtbot.addWidget(dialog)
    rows = dialog.rows()
    assert ("高质量知识产权创造试点", "资助上限", "不超过10万元", "不超过12万元") in rows
    assert any(r[0] == "支持方向" and r[1] == "新增" and "gi-promotion" in r[3] for r in rows)
    dialog.b_combo.setCurrentIndex(dialog.a_combo.currentIndex())
    assert dialog.rows() == [] and "没有差别" in dialog.summary.text()


def test_carry_over_makes_a_new_document(next_year: str, tmp_path: Path, window, dialogs_recorder) -> None:
    old = tmp_path / "old.zscq"
    assert main(["--call", "tianjin-2023", "sample", "--direction", "public-service", "-o", str(old)]) == 0
    from zscq_desktop.docio import load_any

    before = load_any(old).submission.to_dict()
    assert window.open_path(old)
    assert window.call.id == "tianjin-2023"  # the window follows the file's call
    assert window.carry_over_document()
    s = window.session
    assert s.submission.call == next_year and s.is_draft and s.path != old
    assert s.submission.unit["name"] and len(s.submission.attachments) == 2
    assert "form.work_base.data_security" in {f.path for f in s.findings() if f.blocking}
    assert "原文件未改动" in dialogs_recorder.messages[-1][1]
    window.set_session(None)
    after = load_any(old).submission.to_dict()
    assert (after["call"], after["unit"], after["form"]) == (before["call"], before["unit"], before["form"])


def test_send_note_always_shows_the_address(next_year: str, tmp_path: Path) -> None:
    from zscq_desktop.call import load_call
    from zscq_desktop.ui.call_dialogs import recipient_note

    call = load_call(next_year)
    text, warn = recipient_note(call, call.submit_email)
    assert call.submit_email in text and not warn
    text, warn = recipient_note(call, "someone@example.org")
    assert warn and "与申报指南规定的邮箱不同" in text
    assert main(["call", "install", str(_other_office(tmp_path)), "--yes"]) == 0
    text, warn = recipient_note(load_call("bh-2098"), "apply@example.org")
    assert warn and "与程序内置年度使用的" in text


def test_opening_a_json_of_another_call_switches_to_it(next_year: str, tmp_path: Path, window, qtbot) -> None:
    old = tmp_path / "old.json"
    assert main(["--call", "tianjin-2023", "sample", "--direction", "gi-protection", "-o", str(old)]) == 0
    assert window.call.id == next_year
    assert window.open_path(old)
    qtbot.waitUntil(lambda: window.opening is None, timeout=30000)
    assert window.session.submission.call == "tianjin-2023" and window.call.id == "tianjin-2023"
    assert window.session.direction.id == "gi-protection"


def test_a_file_of_a_call_not_installed_is_refused_plainly(tmp_path: Path, window, dialogs_recorder) -> None:
    doc = tmp_path / "x.zscq"
    assert main(["sample", "-o", str(doc)]) == 0
    from zscq_desktop.store.document import Document

    with Document.open(doc) as d:
        data = d.load()
        data["call"] = "gone-2030"
        d.save(data)
    assert not window.open_path(doc)
    assert "尚未安装该年度的数据" in dialogs_recorder.messages[-1][1]
    assert window.session is None
