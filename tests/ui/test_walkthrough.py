"""A whole submission walked through every page of the real window by simulated input, then exported.

New submission → choose the direction → answer the eligibility questions → unit → every generated
form page → plan → attach the example files → review (no errors) → export; the produced files are
read back (volume page count and text with pypdf, DOCX, zip names and manifest).

The values typed are those of the creation-pilot sample, so at the end the submission must equal
the sample in everything a user enters.  How input is simulated: single-line fields get one key
event per character (as an input method commits Chinese), long texts are pasted with Ctrl+V,
check boxes and buttons are clicked, combo boxes are chosen through ``activated`` (what a click in
the popup emits), dates are set on the date widget, and table cells are committed through the
table model (what the cell delegate does when the user presses Enter).
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from docx import Document as Docx
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

from zscq_desktop.core import flow
from zscq_desktop.core.sample import build_sample, example_attachments
from zscq_desktop.ui import jobs
from zscq_desktop.ui.pages import export as export_page
from zscq_desktop.ui.widgets.fields import (BoolEditor, ChoiceEditor, DateEditor, LineEditor, MultiChoiceEditor,
                                            TextAreaEditor, format_number)
from zscq_desktop.ui.widgets.table import TableEditor

pytestmark = pytest.mark.gui
DIRECTION = "creation-pilot"


# ---- simulated input ------------------------------------------------------------------------------
def _paste(qtbot, widget: QWidget, text: str) -> None:
    widget.setFocus()
    widget.selectAll()
    QGuiApplication.clipboard().setText(text)
    qtbot.keyClick(widget, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)


def _choose(combo, data: Any) -> None:
    i = combo.findData(data)
    assert i >= 0, f"{data!r} is not offered"
    combo.setCurrentIndex(i)
    combo.activated.emit(i)


def _fill_table(qtbot, table: TableEditor, rows: list[dict]) -> None:
    model = table.model
    for r, row in enumerate(rows):
        if r >= model.rowCount():
            qtbot.mouseClick(table.add_button, Qt.MouseButton.LeftButton)
        for c, column in enumerate(model.columns):
            if column.key in row and model.flags(model.index(r, c)) & Qt.ItemFlag.ItemIsEditable:
                value = row[column.key]
                model.setData(model.index(r, c), format_number(value) if isinstance(value, (int, float)) else value)


def _enter(qtbot, type_text, editor, value: Any) -> None:
    if value in (None, "", []):
        return
    if isinstance(editor, TableEditor):
        _fill_table(qtbot, editor, value)
    elif isinstance(editor, TextAreaEditor):
        _paste(qtbot, editor.edit, str(value))
    elif isinstance(editor, LineEditor):
        editor.edit.clear()
        type_text(editor.edit, format_number(value) if isinstance(value, (int, float)) else str(value))
    elif isinstance(editor, DateEditor):
        editor.edit.clear()
        type_text(editor.edit, str(value).replace("-", "/"))  # typed as many do: 2023/05/20
    elif isinstance(editor, ChoiceEditor):
        _choose(editor.combo, value)
    elif isinstance(editor, MultiChoiceEditor):
        for box in editor.boxes:
            if box.text() in value:
                qtbot.mouseClick(box, Qt.MouseButton.LeftButton)
    elif isinstance(editor, BoolEditor):
        if value:
            qtbot.mouseClick(editor.box, Qt.MouseButton.LeftButton)
    else:  # a new editor type: the walk-through must learn it
        raise AssertionError(f"unknown editor {type(editor).__name__}")


def _next(qtbot, window) -> str:
    qtbot.mouseClick(window.next_button, Qt.MouseButton.LeftButton)
    return window.current_page_id


# ---- the walk-through -----------------------------------------------------------------------------------
def test_walk_through_every_page_and_export(window, qtbot, type_text, dialogs_recorder, tmp_path, call,
                                            monkeypatch):
    sample = build_sample(call, DIRECTION)
    monkeypatch.setattr(export_page, "open_url", lambda url: True)

    # start → new submission
    qtbot.mouseClick(window.page(flow.START).new_button, Qt.MouseButton.LeftButton)
    session = window.session
    assert session is not None and window.current_page_id == flow.DIRECTION

    # direction: pick it in the list, click 选择此方向
    page = window.current_page()
    assert page.select(DIRECTION)
    qtbot.mouseClick(page.choose_button, Qt.MouseButton.LeftButton)
    assert session.submission.direction == DIRECTION
    assert window.current_page_id == flow.ELIGIBILITY

    # eligibility: answer every question as the sample does; a wrong answer shows the guide's words at once
    page = window.current_page()
    first_path, first = next(iter(page.questions.items()))
    qtbot.mouseClick(first.no, Qt.MouseButton.LeftButton)
    assert first.error.isVisibleTo(page) and first.error.text()
    for path, q in page.questions.items():
        wanted = sample.get(path)
        qtbot.mouseClick(q.yes if wanted else q.no, Qt.MouseButton.LeftButton)
    assert not first.error.isVisibleTo(page)
    type_text(page.other, str(sample.get("eligibility.other_projects")))

    # unit, then every generated form page, in the order of the navigation
    visited = []
    while True:
        page_id = _next(qtbot, window)
        if page_id == flow.PLAN:
            break
        assert page_id == flow.UNIT or page_id.startswith(flow.FORM_PREFIX), page_id
        visited.append(page_id)
        page = window.current_page()
        assert page.rows, f"{page_id} has no fields"
        for path, row in page.rows.items():
            _enter(qtbot, type_text, row.editor, sample.get(path))
    expected_forms = [p.id for p in flow.pages(call, session.submission)
                      if p.id == flow.UNIT or p.id.startswith(flow.FORM_PREFIX)]
    assert visited == expected_forms

    # plan: texts pasted, task texts, indicator targets, schedule rows
    page = window.current_page()
    for path, editor in page.editors.items():
        _enter(qtbot, type_text, editor, sample.get(path))
    for i, editor in enumerate(page.task_editors):
        _enter(qtbot, type_text, editor, sample.plan["tasks"][i])
    _fill_table(qtbot, page.indicators, [{"target": r["target"], "note": r.get("note", "")}
                                         for r in sample.plan["indicators"]])
    _fill_table(qtbot, page.schedule, sample.plan["schedule"])

    # attachments: the example files, each through its category's 添加文件… button, then renamed
    # to the title printed on its label
    assert _next(qtbot, window) == flow.ATTACHMENTS
    page = window.current_page()
    for category, title, name, data in example_attachments():
        file = tmp_path / name
        file.write_bytes(data)
        dialogs_recorder.files = [file]
        box = page.boxes[category]
        qtbot.mouseClick(box.add_button, Qt.MouseButton.LeftButton)
        box.list.setCurrentRow(box.list.count() - 1)
        dialogs_recorder.text = title
        qtbot.mouseClick(page.rename_button, Qt.MouseButton.LeftButton)
    assert jobs.wait_idle(60)
    names = [a.source_name for a in session.submission.attachments]
    assert sorted(names) == sorted(n for _, _, n, _ in example_attachments())
    assert sorted(a.title for a in session.submission.attachments) == sorted(t for _, t, _, _ in example_attachments())
    assert all(session.attachment_state(i)[0] == "ok" for i in range(len(names)))

    # review: nothing blocks
    assert _next(qtbot, window) == flow.REVIEW
    session.refresh_findings()
    assert [f.message for f in session.blocking()] == []
    assert "没有需要修改的错误" in window.current_page().summary.text()

    # what was typed is what the sample holds
    typed, wanted = session.submission.to_dict(), sample.to_dict()
    for key in ("direction", "eligibility", "unit", "form"):
        assert json.loads(json.dumps(typed[key])) == json.loads(json.dumps(wanted[key])), key
    assert typed["plan"]["sections"] == wanted["plan"]["sections"]
    assert typed["plan"]["tasks"] == wanted["plan"]["tasks"]
    assert [r["target"] for r in typed["plan"]["indicators"]] == [r["target"] for r in wanted["plan"]["indicators"]]
    assert [(r["start"], r["end"], r["content"]) for r in typed["plan"]["schedule"]] == \
        [(r["start"], r["end"], r["content"]) for r in wanted["plan"]["schedule"]]

    # export
    assert _next(qtbot, window) == flow.EXPORT
    page = window.current_page()
    out = tmp_path / "申报材料"
    page.folder_edit.clear()
    type_text(page.folder_edit, str(out))
    assert page.export_button.isEnabled()
    qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.job is None, timeout=120000)
    result = page.result
    assert result is not None, page.status_label.text()
    _check_output(out, result, session, call)
    qtbot.waitUntil(lambda: page.preview.page_count() == result.pages, timeout=5000)


def _check_output(out: Path, result, session, call) -> None:
    unit = session.submission.unit["name"]
    d = call.direction(DIRECTION)
    files = sorted(p.name for p in out.iterdir())
    assert files == sorted([
        f"申报材料-{d.name}-{unit}.pdf", f"申报书-{d.name}-{unit}.docx", f"实施方案-{d.name}-{unit}.docx",
        f"打印与报送清单-{d.name}-{unit}.pdf", f"2023天津知识产权资助-{d.name}-{unit}.zip"])

    reader = PdfReader(result.volume)
    assert len(reader.pages) == result.pages >= 10
    text = "".join(p.extract_text() for p in reader.pages)
    for needle in ("申 报 书", "高质量知识产权创造试点项目（示例）", unit, "项目实施方案", "营业执照副本（示例）",
                   session.submission.get("form.cover.leader")):
        assert needle.replace(" ", "") in text.replace(" ", ""), needle
    assert result.stamp in reader.pages[1].extract_text()
    bookmarks = [o.title for o in reader.outline if not isinstance(o, list)]
    assert len(bookmarks) >= 3

    form_docx = Docx(str(out / f"申报书-{d.name}-{unit}.docx"))
    body = "\n".join(p.text for p in form_docx.paragraphs) + "".join(
        c.text for t in form_docx.tables for r in t.rows for c in r.cells)
    assert unit in body and "高质量知识产权创造试点项目（示例）" in body

    with zipfile.ZipFile(result.zip) as zf:
        members = zf.namelist()
        manifest = json.loads(zf.read("manifest.json"))
        sub = json.loads(zf.read("submission.json"))
    assert result.volume.name in members and "submission.json" in members
    assert manifest["stamp"] == result.stamp and manifest["volume_pages"] == result.pages
    assert manifest["direction_id"] == DIRECTION and manifest["unit_name"] == unit
    assert {f["name"] for f in manifest["files"]} >= {result.volume.name, "submission.json"}
    assert sub["unit"]["name"] == unit and sub["direction"] == DIRECTION
