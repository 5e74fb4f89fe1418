"""Implementation plan page (项目实施方案): the outline's sections as multi-line editors with word
counts, one editor per guide task, the indicator table pre-filled with the direction's indicators
and minimums (`core.flow.apply_direction`), and the schedule table."""

from __future__ import annotations

import re

from PySide6.QtWidgets import QGroupBox, QLabel, QVBoxLayout

from zscq_desktop.call.model import Column, Field
from zscq_desktop.ui.pages.base import PATH_PROPERTY, Page
from zscq_desktop.ui.widgets.fields import TextAreaEditor, error_label
from zscq_desktop.ui.widgets.table import TableEditor

INDICATOR_COLUMNS = (
    Column("task", "对应任务", "int"), Column("name", "指标名称", "text", required=True),
    Column("unit", "单位", "text", max_chars=10), Column("min", "指南要求（不少于）", "amount"),
    Column("target", "目标值", "amount", required=True), Column("note", "说明", "text"),
)
SCHEDULE_COLUMNS = (
    Column("start", "开始年月（年-月）", "month", required=True),
    Column("end", "结束年月", "month", required=True), Column("content", "工作内容", "text", required=True),
)
ROW_PATH = re.compile(r"^plan\.(indicators|schedule)\[(\d+)\](?:\.(\w+))?")


class PlanPage(Page):
    def __init__(self, window, spec) -> None:
        super().__init__(window, spec)
        self.editors: dict[str, TextAreaEditor] = {}
        self.errors: dict[str, QLabel] = {}
        self.boxes: dict[str, QGroupBox] = {}
        self.task_editors: list[TextAreaEditor] = []
        self.indicators: TableEditor | None = None
        self.schedule: TableEditor | None = None
        d = self.session.direction if self.session else None
        if d is None:
            self.intro("请先选择支持方向。")
            return
        self.intro("按指南要求撰写项目实施方案。每段另起一行；以“1.”“（1）”“-”等开头的行按列表排版（可用编辑框上方的按钮插入或取消）。"
                   "考核指标已按所选方向的任务和指南最低要求预填，目标值不得低于指南要求。")
        for n, s in enumerate(self.call.plan.sections, start=1):
            box = QGroupBox(f"{n}. {s.title}")
            bl = QVBoxLayout(box)
            self.boxes[s.key] = box
            if s.kind == "text":
                path = f"plan.sections.{s.key}"
                ed = TextAreaEditor(Field(s.key, s.title, "textarea", max_chars=s.max_chars), min_height=120)
                if s.min_chars:
                    ed.edit.setPlaceholderText(f"建议不少于 {s.min_chars} 字")
                ed.setProperty(PATH_PROPERTY, path)
                ed.edit.setAccessibleName(s.title)
                ed.edited.connect(lambda v, path=path: self.session.edit(path, v or ""))
                self.editors[path] = ed
                bl.addWidget(ed)
                self._error(bl, path)
            elif s.kind == "tasks":
                for i, t in enumerate(d.tasks):
                    label = QLabel(f"任务{i + 1}：{t.text}")
                    label.setWordWrap(True)
                    bl.addWidget(label)
                    ed = TextAreaEditor(Field(f"task{i}", label.text(), "textarea", max_chars=s.max_chars), min_height=80)
                    ed.edit.setPlaceholderText("本任务的实施内容、方法和步骤")
                    ed.setProperty(PATH_PROPERTY, f"plan.tasks[{i}]")
                    ed.edit.setAccessibleName(f"任务{i + 1}的实施内容")
                    ed.edited.connect(self._tasks_edited)
                    self.task_editors.append(ed)
                    bl.addWidget(ed)
                    self._error(bl, f"plan.tasks[{i}]")
            elif s.kind == "indicators":
                self.indicators = TableEditor(None, Field("indicators", s.title, "table", columns=INDICATOR_COLUMNS),
                                              read_only=("task", "min"))
                self.indicators.setProperty(PATH_PROPERTY, "plan.indicators")
                self.indicators.setAccessibleName(s.title)
                self.indicators.edited.connect(lambda v: self.session.edit("plan.indicators", v))
                bl.addWidget(self.indicators)
                self._error(bl, "plan.indicators")
            elif s.kind == "schedule":
                self.schedule = TableEditor(None, Field("schedule", s.title, "table", columns=SCHEDULE_COLUMNS))
                period = QLabel()
                period.setObjectName("fieldHelp")
                self.period_label = period
                bl.addWidget(period)
                self.schedule.setProperty(PATH_PROPERTY, "plan.schedule")
                self.schedule.setAccessibleName(s.title)
                self.schedule.edited.connect(lambda v: self.session.edit("plan.schedule", v))
                bl.addWidget(self.schedule)
                self._error(bl, "plan.schedule")
            self.layout_.addWidget(box)
        self.layout_.addStretch(1)

    def _error(self, layout: QVBoxLayout, path: str) -> None:
        self.errors[path] = error_label(layout)

    def _tasks_edited(self, _value=None) -> None:
        self.session.edit("plan.tasks", [ed.edit.toPlainText() for ed in self.task_editors])

    def load(self) -> None:
        session = self.session
        if session is None or session.direction is None:
            return
        sub = session.submission
        for path, ed in self.editors.items():
            ed.set_value(sub.get(path))
        tasks = sub.plan.get("tasks") or []
        for i, ed in enumerate(self.task_editors):
            ed.set_value(tasks[i] if i < len(tasks) else "")
        if self.indicators is not None:
            self.indicators.set_value(sub.plan.get("indicators") or [])
        if self.schedule is not None:
            self.schedule.set_value(sub.plan.get("schedule") or [])
            start, end = sub.get("form.content.period_start"), sub.get("form.content.period_end")
            self.period_label.setText(f"项目周期（在“三、项目内容”中填写）：{start or '未填写'} 至 {end or '未填写'}；"
                                      "每一行的起止年月须在项目周期之内。")
        self.findings_changed()

    def findings_changed(self) -> None:
        if self.session is None:
            return
        for path, label in self.errors.items():
            mine = self.inline_findings(path)
            label.setText("\n".join(("✗ " if f.blocking else "！") + f.message for f in mine))
            label.setVisible(bool(mine))
        for table, prefix in ((self.indicators, "plan.indicators"), (self.schedule, "plan.schedule")):
            if table is not None:
                table.show_bad([f.path for f in self.inline_findings(prefix)], prefix)

    def first_field(self):
        editors = [*self.editors.values(), *self.task_editors]
        return editors[0].edit if editors else super().first_field()

    def focus_path(self, path: str) -> bool:
        if path in self.editors:
            self.ensure_visible(self.editors[path])
            self.editors[path].edit.setFocus()
            return True
        m = re.match(r"^plan\.tasks\[(\d+)\]", path)
        if m and int(m.group(1)) < len(self.task_editors):
            ed = self.task_editors[int(m.group(1))]
            self.ensure_visible(ed)
            ed.edit.setFocus()
            return True
        m = ROW_PATH.match(path)
        table = {"indicators": self.indicators, "schedule": self.schedule}.get(m.group(1)) if m else None
        if table is None:
            for key, t in (("plan.indicators", self.indicators), ("plan.schedule", self.schedule)):
                if path == key and t is not None:
                    table = t
        if table is not None:
            self.ensure_visible(table)
            table.focus_cell(int(m.group(2)) if m else 0, (m.group(3) or "") if m else "")
            return True
        return False
