"""Eligibility page: the call's global conditions and the direction's own as yes/no questions.
A failing answer shows the rules engine's finding (quoting the guide) under the question at once."""

from __future__ import annotations

from PySide6.QtWidgets import QButtonGroup, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QRadioButton, QVBoxLayout, QWidget

from zscq_desktop.ui.pages.base import PATH_PROPERTY, Page
from zscq_desktop.ui.undo_keys import route_undo_keys
from zscq_desktop.ui.widgets.fields import INT_RE, error_label, parse_int

OTHER_PROJECTS = "eligibility.other_projects"


class Question(QWidget):
    def __init__(self, number: int, text: str, note: str = "") -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 4)
        layout.setSpacing(3)
        label = QLabel(f"{number}. {text}")
        label.setWordWrap(True)
        layout.addWidget(label)
        row = QHBoxLayout()
        self.yes, self.no = QRadioButton("是"), QRadioButton("否")
        self.group = QButtonGroup(self)
        self.group.addButton(self.yes)
        self.group.addButton(self.no)
        row.addWidget(self.yes)
        row.addWidget(self.no)
        if note:
            n = QLabel(note, objectName="fieldHelp")
            n.setWordWrap(True)
            row.addWidget(n, 1)
        row.addStretch(1)
        layout.addLayout(row)
        self.error = error_label(layout)

    def set_answer(self, value) -> None:
        self.group.setExclusive(False)
        self.yes.setChecked(value is True)
        self.no.setChecked(value is False)
        self.group.setExclusive(True)


class EligibilityPage(Page):
    def __init__(self, window, spec) -> None:
        super().__init__(window, spec)
        self.questions: dict[str, Question] = {}
        session = self.session
        d = session.direction if session else None
        self.intro("请如实回答下列申报条件。与指南要求不符的回答会立即显示提示及指南原文出处；"
                   "这些条件同样列入最后的检查结果。")
        groups = [("通用申报条件（指南第一部分）", self.call.questions)]
        if d is not None and d.questions:
            groups.append((f"“{d.name}”方向的申报条件", d.questions))
        n = 0
        for title, questions in groups:
            box = QGroupBox(title)
            bl = QVBoxLayout(box)
            for q in questions:
                n += 1
                note = "（如符合请选“是”，用于确定适用的资助额度或要求）" if q.kind == "flag" else ""
                w = Question(n, q.text, note)
                path = f"eligibility.{q.key}"
                w.setProperty(PATH_PROPERTY, path)
                w.yes.setAccessibleName(f"第{n}条：是")
                w.no.setAccessibleName(f"第{n}条：否")
                w.yes.toggled.connect(lambda on, path=path: on and self._answer(path, True))
                w.no.toggled.connect(lambda on, path=path: on and self._answer(path, False))
                self.questions[path] = w
                bl.addWidget(w)
            self.layout_.addWidget(box)
        box = QGroupBox("同一单位申报项目数：不得超过两项（指南第一部分二、2）")
        bl = QVBoxLayout(box)
        row = QHBoxLayout()
        row.addWidget(QLabel("本单位今年另外申报的资助项目数（不含本项目，没有填 0）："))
        self.other = route_undo_keys(QLineEdit())  # Ctrl+Z: the document's history, not the box's
        self.other.setProperty(PATH_PROPERTY, OTHER_PROJECTS)
        self.other.setAccessibleName("本单位今年另外申报的资助项目数")
        self.other.setMaximumWidth(80)
        from PySide6.QtGui import QRegularExpressionValidator

        self.other.setValidator(QRegularExpressionValidator(INT_RE, self))
        row.addWidget(self.other)
        row.addStretch(1)
        bl.addLayout(row)
        self.other_error = error_label(bl)
        self.layout_.addWidget(box)
        self.layout_.addStretch(1)
        self.other.textEdited.connect(lambda t: self._answer(OTHER_PROJECTS, parse_int(t)))

    def _answer(self, path: str, value) -> None:
        session = self.session
        if session is None:
            return
        session.edit(path, value)
        session.refresh_findings()  # show the guide's words at once, not after the debounce

    def load(self) -> None:
        session = self.session
        if session is None:
            return
        for path, w in self.questions.items():
            w.set_answer(session.submission.get(path))
        value = session.submission.get(OTHER_PROJECTS)
        self.other.setText("" if value is None else str(value))
        self.findings_changed()

    def findings_changed(self) -> None:
        session = self.session
        if session is None:
            return
        for path, w in self.questions.items():
            mine = self.inline_findings(path)
            w.error.setText("\n".join(f"✗ {f.message}" for f in mine))
            w.error.setVisible(bool(mine))
        mine = self.inline_findings(OTHER_PROJECTS)
        self.other_error.setText("\n".join(("✗ " if f.blocking else "！") + f.message for f in mine))
        self.other_error.setVisible(bool(mine))

    def focus_path(self, path: str) -> bool:
        if path == OTHER_PROJECTS:
            self.ensure_visible(self.other)
            self.other.setFocus()
            return True
        w = self.questions.get(path)
        if w is None:
            return False
        self.ensure_visible(w)
        w.yes.setFocus()
        return True
