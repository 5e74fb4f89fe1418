"""Start page: new submission, open a file, recent files, the sample; the call's deadline banner."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox, QFrame, QGridLayout, QGroupBox, QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton,
    QVBoxLayout,
)

from zscq_desktop.ui.pages.base import Page

PATH_ROLE = Qt.ItemDataRole.UserRole


def deadline_text(call, now: datetime | None = None) -> tuple[str, bool]:
    """The banner text and whether the deadline has passed."""
    now = now or datetime.now(timezone.utc)
    when = f"{call.deadline.year}年{call.deadline.month}月{call.deadline.day}日{call.deadline:%H:%M}"
    if now > call.deadline:
        return (f"《{call.guide_title}》的申报已于{when}截止，逾期不再受理。您仍可以起草、检查和导出申报材料，"
                "供参考或为下一年度做准备。"), True
    days = (call.deadline - now).days
    return f"《{call.guide_title}》申报截止时间：{when}（还有 {days} 天）。纸质材料与电子版须同时提交。", False


class StartPage(Page):
    def __init__(self, window, spec) -> None:
        super().__init__(window, spec)
        text, passed = deadline_text(self.window_.call_view)  # the summary at start-up
        self.banner = QLabel(text, objectName="banner")
        self.banner.setWordWrap(True)
        self.layout_.addWidget(self.banner)
        # After a crash or a kill: which documents were open, saved by autosave (≤ 1 s behind).
        self.recovered_box = QFrame(objectName="banner")
        self.recovered_layout = QVBoxLayout(self.recovered_box)
        self.recovered_layout.setContentsMargins(8, 6, 8, 6)
        self.recovered_box.hide()
        self.recovered_buttons: list[QPushButton] = []
        self.layout_.addWidget(self.recovered_box)
        self.intro("本助手帮助您按指南准备申报书、项目实施方案和附件材料，生成可直接装订的 PDF、可编辑的 Word 文档、"
                   "打印清单和用于邮件报送的压缩包。所有内容随时自动保存在本机。")

        actions = QGroupBox("开始")
        grid = QGridLayout(actions)
        self.new_button = QPushButton("新建申报")
        self.new_button.setToolTip("新建一份空白申报（Ctrl+N），草稿自动保存在本机")
        self.open_button = QPushButton("打开文件…")
        self.open_button.setToolTip("打开 .zscq 申报文件或申报数据 .json 文件（Ctrl+O）")
        self.sample_button = QPushButton("打开示例")
        self.sample_button.setToolTip("打开一份完整的示例申报，看看导出的效果")
        self.sample_direction = QComboBox()
        for d in self.window_.call_view.directions:
            self.sample_direction.addItem(d.name, d.id)
        for b in (self.new_button, self.open_button, self.sample_button):
            b.setMinimumHeight(36)
        grid.addWidget(self.new_button, 0, 0)
        grid.addWidget(QLabel("从零开始填写，先选择支持方向。"), 0, 1, 1, 2)
        grid.addWidget(self.open_button, 1, 0)
        grid.addWidget(QLabel("继续已有的申报文件（.zscq），或导入申报数据（.json）。"), 1, 1, 1, 2)
        grid.addWidget(self.sample_button, 2, 0)
        grid.addWidget(QLabel("示例方向："), 2, 1)
        grid.addWidget(self.sample_direction, 2, 2)
        grid.setColumnStretch(2, 1)
        self.layout_.addWidget(actions)

        from zscq_desktop.ui.call_list import CallListBox

        self.calls_box = CallListBox(self.window_)  # open calls first, then closed; import and compare
        self.layout_.addWidget(self.calls_box)

        self.current_box = QGroupBox("当前申报")
        cur = QHBoxLayout(self.current_box)
        self.current_label = QLabel()
        self.current_label.setWordWrap(True)
        self.continue_button = QPushButton("继续填写")
        cur.addWidget(self.current_label, 1)
        cur.addWidget(self.continue_button)
        self.layout_.addWidget(self.current_box)

        recent_box = QGroupBox("最近的申报文件和草稿（双击打开）")
        rl = QVBoxLayout(recent_box)
        self.recent = QListWidget()
        self.recent.setMinimumHeight(120)
        self.recent_empty = QLabel("还没有打开过申报文件。")
        rl.addWidget(self.recent)
        rl.addWidget(self.recent_empty)
        self.layout_.addWidget(recent_box)
        self.layout_.addStretch(1)

        self.new_button.clicked.connect(self.window_.new_submission)
        self.open_button.clicked.connect(self.window_.open_file)
        self.sample_button.clicked.connect(lambda: self.window_.open_sample(self.sample_direction.currentData()))
        self.continue_button.clicked.connect(self.window_.go_next)
        self.recent.itemActivated.connect(self._open_recent)

    def _show_recovered(self) -> None:
        """The notice of documents a crashed or killed program left open, each opened with one click."""
        while self.recovered_layout.count():
            w = self.recovered_layout.takeAt(0).widget()
            if w is not None:
                w.deleteLater()
        self.recovered_buttons = []
        try:
            from zscq_desktop.store import recovery

            found = recovery.recovered()
        except Exception:  # the notice is a convenience; the start page must always show
            found = []
        session = self.session
        if session is not None:
            found = [r for r in found if r["path"].resolve() != session.path.resolve()]
        self.recovered_box.setVisible(bool(found))
        if not found:
            return
        head = QLabel("<b>上次程序没有正常退出</b>（可能是崩溃、断电或被强制结束）。以下内容已由自动保存恢复，"
                      "最多缺少退出前 1 秒内的输入：")
        head.setWordWrap(True)
        self.recovered_layout.addWidget(head)
        for r in found[:3]:
            row = QHBoxLayout()
            label = QLabel(f"已恢复草稿《{r['name']}》，最后保存于 {r['saved']}")
            label.setToolTip(str(r["path"]))
            label.setWordWrap(True)
            button = QPushButton("打开恢复的草稿")
            button.setAccessibleName(f"打开恢复的草稿《{r['name']}》")
            button.clicked.connect(lambda _=False, p=r["path"]: self.window_.open_path(Path(p)))
            self.recovered_buttons.append(button)
            row.addWidget(label, 1)
            row.addWidget(button)
            holder = QFrame()
            holder.setLayout(row)
            row.setContentsMargins(0, 0, 0, 0)
            self.recovered_layout.addWidget(holder)
        dismiss = QPushButton("不再提示")
        dismiss.setToolTip("草稿仍保存在“最近的申报文件和草稿”中")
        dismiss.clicked.connect(lambda: self._dismiss([r["path"] for r in found]))
        self.recovered_layout.addWidget(dismiss, 0, Qt.AlignmentFlag.AlignRight)
        # the notice is at the top of the page, so it comes first when tabbing (it was created last)
        box = self.calls_box  # every stop of the page, or those left out would come before the notice
        order = [*self.recovered_buttons, dismiss, self.new_button, self.open_button, self.sample_button,
                 self.sample_direction, box.list, box.import_button, box.diff_button, self.continue_button,
                 self.recent]
        for a, b in zip(order, order[1:]):
            self.setTabOrder(a, b)

    def _dismiss(self, paths: list[Path]) -> None:
        from zscq_desktop.store import recovery

        for p in paths:
            recovery.dismiss(p)
        self._show_recovered()

    def load(self) -> None:
        self._show_recovered()
        session = self.session
        self.current_box.setVisible(session is not None)
        if session is not None:
            d = session.direction
            self.current_label.setText(f"{session.display_name()}　·　{d.name if d else '尚未选择支持方向'}\n{session.path}")
        self.recent.clear()
        try:
            from zscq_desktop.store.profiles import RecentFiles

            paths = RecentFiles().list()
        except Exception:  # the list is a convenience; a broken one must not block the start page
            paths = []
        try:
            from zscq_desktop.store.profiles import drafts_dir

            drafts = drafts_dir().resolve()
        except Exception:
            drafts = None
        from zscq_desktop.store.profiles import DraftIndex

        index = DraftIndex()
        for p in paths:
            is_draft = drafts is not None and p.resolve().parent == drafts
            where = "草稿（本机用户文件夹）" if is_draft else str(p.parent)
            entry = (index.entry(p) or {}) if is_draft else {}
            name = entry.get("project") or entry.get("unit") or p.name  # a draft is known by its project
            item = QListWidgetItem(f"{name}　　{where}")
            item.setData(PATH_ROLE, str(p))
            item.setToolTip(str(p))
            self.recent.addItem(item)
        self.recent.setVisible(bool(paths))
        self.recent_empty.setVisible(not paths)

    def _open_recent(self, item: QListWidgetItem) -> None:
        self.window_.open_path(Path(item.data(PATH_ROLE)))
