"""Form pages generated from the form definitions: one page per section of the direction's form
(附件2 or 附件3), one `FieldRow` per field that applies to the direction. No page is written by
hand for a particular set of fields; next year's form is new data, not new code."""

from __future__ import annotations

import re

from PySide6.QtWidgets import QGroupBox, QLabel, QVBoxLayout

from zscq_desktop.call.model import Section
from zscq_desktop.ui.pages.base import PATH_PROPERTY, Page
from zscq_desktop.ui.widgets.fields import FieldRow
from zscq_desktop.ui.widgets.table import TableEditor

ROW_PATH = re.compile(r"^(.*?)\[(\d+)\](?:\.(\w+))?")


class FormSectionPage(Page):
    """Edits one form section; `spec.section` names it."""

    def __init__(self, window, spec) -> None:
        super().__init__(window, spec)
        self.rows: dict[str, FieldRow] = {}
        self.section: Section | None = None
        self._build()

    def _build(self) -> None:
        session = self.session
        d = session.direction if session else None
        if d is None:
            self.intro("请先选择支持方向。")
            return
        form = self.call.forms[d.form]
        self.section = form.section(self.spec.section)
        self.build_header()
        if self.section.statement:
            box = QGroupBox("声明")
            bl = QVBoxLayout(box)
            text = QLabel(self.section.statement)
            text.setWordWrap(True)
            bl.addWidget(text)
            self.layout_.addWidget(box)
        for f in self.section.fields:
            if not f.applies_to(d.id):
                continue
            path = f"{self.section.prefix}.{f.key}"
            row = FieldRow(self.call, f, path, d.id)
            row.setProperty(PATH_PROPERTY, path)
            row.editor.focus_target().setAccessibleName(f.label)
            row.editor.edited.connect(lambda value, path=path: self._edited(path, value))
            self.rows[path] = row
            self.layout_.addWidget(row)
        self.layout_.addStretch(1)

    def build_header(self) -> None:
        """Hook for pages that put something above the fields (the unit page's profile picker)."""
        self._intro = self.intro("")
        self._refresh_intro()
        self.session.saved_changed.connect(self._refresh_intro)  # 另存为 turns a read-only file editable

    def _refresh_intro(self, *_: object) -> None:
        session = self.session
        if session is None or session.closed:
            return
        d = session.direction
        saving = ("此文件以只读方式打开，修改不会写入文件，请用“另存为”保存副本"
                  if session.readonly else "每次修改都会自动保存")
        self._intro.setText(f"{d.form_label}《{self.call.forms[d.form].title}》— {self.section.title}。"
                            f"带 * 的为必填项；{saving}，错误提示显示在对应项目下方。")

    def _edited(self, path: str, value) -> None:
        if self.session is not None:
            self.session.edit(path, value)

    def load(self) -> None:
        session = self.session
        if session is None:
            return
        for path, row in self.rows.items():
            row.editor.blockSignals(True)
            try:
                row.editor.set_value(session.submission.get(path))
            finally:
                row.editor.blockSignals(False)
        self.findings_changed()

    def findings_changed(self) -> None:
        session = self.session
        if session is None:
            return
        for path, row in self.rows.items():
            mine = self.inline_findings(path)
            row.show_findings([f.message for f in mine])
            if isinstance(row.editor, TableEditor):
                row.editor.show_bad([f.path for f in mine], path)

    def first_field(self):
        """The first field of the section (not the list tools above a text box, nor the profile picker)."""
        for row in self.rows.values():
            target = row.editor.focus_target()
            if target.isVisibleTo(self) and target.isEnabled():
                return target
        return super().first_field()

    def focus_path(self, path: str) -> bool:
        for row_path, row in self.rows.items():
            if path == row_path or path.startswith(row_path + ".") or path.startswith(row_path + "["):
                self.ensure_visible(row)
                if isinstance(row.editor, TableEditor):
                    m = ROW_PATH.match(path)
                    row.editor.focus_cell(int(m.group(2)) if m else 0, (m.group(3) or "") if m else "")
                else:
                    row.editor.focus_target().setFocus()
                return True
        return False
