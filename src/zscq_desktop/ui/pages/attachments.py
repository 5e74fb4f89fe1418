"""Attachments page (附件材料): the guide's categories in order with their hints, files added by
button or dropped from the file manager, renamed, removed, reordered and moved between categories.
Each file is normalised in the background as soon as it is added (`Session.normalize_pending`);
its page count, status, first-page thumbnail and any finding appear as soon as that is done."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QEvent, QIODevice, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QGroupBox, QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton,
    QVBoxLayout,
)

from zscq_desktop.ui import settings
from zscq_desktop.ui.pages.base import Page
from zscq_desktop.ui.session import SessionError
from zscq_desktop.ui.widgets import dialogs

log = logging.getLogger(__name__)
INDEX_ROLE = Qt.ItemDataRole.UserRole
THUMB = QSize(64, 90)


def render_thumbnail(pdf: bytes, size: QSize = THUMB) -> QImage | None:
    """The first page of a PDF as a small image (QtPdf); None when QtPdf cannot read it."""
    try:
        from PySide6.QtPdf import QPdfDocument
    except ImportError:
        return None
    data = QByteArray(pdf)
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.ReadOnly)
    doc = QPdfDocument()
    doc.load(buf)
    if doc.status() != QPdfDocument.Status.Ready or doc.pageCount() < 1:
        doc.close()
        return None
    image = doc.render(0, size)
    doc.close()
    buf.close()
    return image if not image.isNull() else None


class CategoryBox(QGroupBox):
    """One category: its hint, its files, and a drop target for files from the file manager."""

    def __init__(self, page: "AttachmentsPage", category_id: str, title: str, hint: str) -> None:
        super().__init__(title)
        self.page = page
        self.category_id = category_id
        self.setAcceptDrops(True)
        layout = QVBoxLayout(self)
        hint_label = QLabel(hint + "　可将文件直接拖放到此处。", objectName="fieldHelp")
        hint_label.setWordWrap(True)
        layout.addWidget(hint_label)
        self.list = QListWidget()
        self.list.setIconSize(THUMB)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setWordWrap(True)
        self.list.setAcceptDrops(False)
        self.list.installEventFilter(self)
        layout.addWidget(self.list)
        row = QHBoxLayout()
        self.add_button = QPushButton("添加文件…")
        row.addWidget(self.add_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.add_button.clicked.connect(lambda: page.add_files_dialog(category_id))
        self.list.currentItemChanged.connect(lambda cur, _prev: page.selection_changed(self, cur))

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 — Qt API
        # Delete on a selected file removes it (undoable, like the 删除 button)
        if obj is self.list and event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Delete \
                and self.list.currentItem() is not None:
            self.page.remove_selected()
            return True
        return False

    def dragEnterEvent(self, event) -> None:  # noqa: N802 — Qt API
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802
        files = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        event.acceptProposedAction()
        self.page.add_files([f for f in files if f.is_file()], self.category_id)

    def fit(self) -> None:
        n = self.list.count()
        self.list.setFixedHeight(8 + max(1, n) * (THUMB.height() + 8) if n else 34)


class AttachmentsPage(Page):
    def __init__(self, window, spec) -> None:
        super().__init__(window, spec)
        self.boxes: dict[str, CategoryBox] = {}
        self._thumbs: dict[str, QIcon] = {}
        self._selected: int | None = None
        d = self.session.direction if self.session else None
        self.intro("按指南的类别顺序添加支撑材料（PDF、JPG、PNG、TIFF 等），装订时按此顺序排列。文件添加后会在后台"
                   "转换为 A4 页面，完成后显示页数和首页缩略图；有问题的文件会立即标出原因。")
        if d is not None and d.attachment_hints:
            hints = QLabel(f"“{d.name}”方向建议提供：" + "；".join(d.attachment_hints) + "。", objectName="banner")
            hints.setWordWrap(True)
            self.layout_.addWidget(hints)
        tools = QHBoxLayout()
        self.rename_button = QPushButton("重命名")
        self.remove_button = QPushButton("删除")
        self.up_button = QPushButton("上移")
        self.down_button = QPushButton("下移")
        self.move_combo = QComboBox()
        self.move_combo.addItem("移到类别…", None)
        for c in self.call.attachment_categories:
            self.move_combo.addItem(c.name, c.id)
        self.selected_label = QLabel("未选择文件")
        self.selected_label.setWordWrap(True)
        tools.addWidget(self.selected_label, 1)
        for w in (self.rename_button, self.remove_button, self.up_button, self.down_button, self.move_combo):
            tools.addWidget(w)
        # the tool row stays above the scrolling category list, so it is reachable from any category
        tools.setContentsMargins(20, 4, 20, 4)
        self.layout().insertLayout(0, tools)
        self.rename_button.clicked.connect(self.rename_selected)
        self.remove_button.clicked.connect(self.remove_selected)
        self.up_button.clicked.connect(lambda: self.move_selected(-1))
        self.down_button.clicked.connect(lambda: self.move_selected(1))
        self.move_combo.activated.connect(self._move_to_category)
        for n, c in enumerate(self.call.attachment_categories, start=1):
            box = CategoryBox(self, c.id, f"3-{n}　{c.name}", c.hint)
            self.boxes[c.id] = box
            self.layout_.addWidget(box)
        self.layout_.addStretch(1)
        if self.session is not None:
            self.session.attachments_changed.connect(self.refresh)
        self._update_tools()

    def first_field(self):
        """The first category's files (its 添加文件… button while it is empty), not the tool row above
        the categories: the tools act on a selection, which a fresh page does not have yet."""
        for box in self.boxes.values():
            if box.list.count():
                return box.list
        first = next(iter(self.boxes.values()), None)
        return first.add_button if first is not None else super().first_field()

    # ---- adding -----------------------------------------------------------------------------------
    def add_files_dialog(self, category_id: str) -> None:
        try:
            from zscq_desktop.attachments.normalize import supported_suffixes

            patterns = " ".join(f"*{s}" for s in supported_suffixes())
        except ImportError:
            patterns = "*.pdf *.jpg *.jpeg *.png *.tif *.tiff"
        files = dialogs.open_files(self, "添加附件材料", settings.get(settings.ATTACH_FOLDER),
                                   f"支撑材料 ({patterns});;所有文件 (*)")
        if files:
            settings.put(settings.ATTACH_FOLDER, str(files[0].parent))
            self.add_files(files, category_id)

    def add_files(self, files: list[Path], category_id: str) -> list[int]:
        """Add files to a category and start normalising them; problems are reported, never fatal."""
        session = self.session
        added, problems = [], []
        if session is None:
            return added
        with session.one_step(f"添加 {len(files)} 个附件"):  # one dialog or drop is one undo step
            for f in files:
                try:
                    added.append(session.add_attachment(f, category_id))
                except SessionError as exc:
                    problems.append(str(exc))
        if problems:
            dialogs.inform(self, "部分文件未能添加", "\n".join(problems), warning=True)
        session.normalize_pending()
        self.refresh()
        return added

    # ---- selection and tools --------------------------------------------------------------------
    def selection_changed(self, box: CategoryBox, item: QListWidgetItem | None) -> None:
        if item is None:
            return
        for other in self.boxes.values():
            if other is not box:
                other.list.blockSignals(True)
                other.list.clearSelection()
                other.list.setCurrentItem(None)
                other.list.blockSignals(False)
        self._selected = item.data(INDEX_ROLE)
        self._update_tools()

    def _update_tools(self) -> None:
        session = self.session
        ok = session is not None and self._selected is not None and self._selected < len(session.submission.attachments)
        for w in (self.rename_button, self.remove_button, self.up_button, self.down_button, self.move_combo):
            w.setEnabled(ok)
        if ok:
            a = session.submission.attachments[self._selected]
            _state, _pages, found = session.attachment_state(self._selected)
            problems = "；".join(f.message for f in found)  # in full here: the list row may cut it
            self.selected_label.setText(f"已选择：{a.title}" + (f"　—　{problems}" if problems else ""))
            self.selected_label.setToolTip(problems)
        else:
            self.selected_label.setText("选择一个文件后可重命名、删除、调整顺序或移到其他类别。")

    def rename_selected(self) -> None:
        i = self._selected
        if i is None or self.session is None:
            return
        a = self.session.submission.attachments[i]
        title = dialogs.get_text(self, "重命名附件", "附件标题（印在该附件首页的标签上）：", a.title)
        if title and title.strip():
            self.session.rename_attachment(i, title)

    def remove_selected(self) -> None:
        i = self._selected
        if i is None or self.session is None:
            return
        # no question: 撤销 (Ctrl+Z) brings it back, and the file on the computer is never touched
        title = self.session.submission.attachments[i].title
        self._selected = None
        self.session.remove_attachment(i)
        self.window_.statusBar().showMessage(f"已删除附件《{title}》（可按 Ctrl+Z 撤销）", 5000)

    def move_selected(self, delta: int) -> None:
        i = self._selected
        session = self.session
        if i is None or session is None:
            return
        items = session.submission.attachments
        j = i + delta
        if 0 <= j < len(items) and items[j].category == items[i].category:
            self._selected = j
            session.move_attachment(i, j)

    def _move_to_category(self, _index: int) -> None:
        category = self.move_combo.currentData()
        self.move_combo.setCurrentIndex(0)
        i = self._selected
        if category is None or i is None or self.session is None:
            return
        sha_id = self.session.submission.attachments[i].id
        self.session.set_attachment_category(i, category)
        self._selected = next(n for n, a in enumerate(self.session.submission.attachments) if a.id == sha_id)
        self.refresh()

    # ---- showing ------------------------------------------------------------------------------------
    def _icon(self, index: int) -> QIcon | None:
        a = self.session.submission.attachments[index]
        if a.sha256 in self._thumbs:
            return self._thumbs[a.sha256]
        pdf = self.session.normalized_pdf(index)
        if not pdf:
            return None
        image = render_thumbnail(pdf)
        if image is None:
            return None
        canvas = QPixmap(THUMB)
        canvas.fill(QColor("white"))
        from PySide6.QtGui import QPainter

        p = QPainter(canvas)
        p.drawImage(0, 0, image)
        p.setPen(QColor("#bbb"))
        p.drawRect(0, 0, THUMB.width() - 1, THUMB.height() - 1)
        p.end()
        icon = QIcon(canvas)
        self._thumbs[a.sha256] = icon
        return icon

    def refresh(self) -> None:
        session = self.session
        if session is None:
            return
        for box in self.boxes.values():
            box.list.blockSignals(True)
            box.list.clear()
        for i, a in enumerate(session.submission.attachments):
            box = self.boxes.get(a.category) or self.boxes.get("other")
            state, pages, findings = session.attachment_state(i)
            if state == "pending":
                status = "正在转换…"
            elif state == "bad":
                status = "✗ " + ("；".join(f.message for f in findings if f.blocking) or "文件无法使用")
            else:
                status = f"✓ {pages} 页" + ("　！" + "；".join(f.message for f in findings) if findings else "")
            size = f"{a.size / 1024 / 1024:.1f} MB" if a.size >= 1024 * 1024 else f"{max(1, a.size // 1024)} KB"
            item = QListWidgetItem(f"{a.title}\n{a.source_name}　{size}　{status}")
            item.setData(INDEX_ROLE, i)
            item.setToolTip(f"{a.source_name}\n{status}")
            if state == "bad":
                item.setForeground(QColor("#b3261e"))
            icon = self._icon(i) if state == "ok" else None
            if icon is not None:
                item.setIcon(icon)
            item.setSizeHint(QSize(0, THUMB.height() + 8))
            box.list.addItem(item)
            if i == self._selected:
                box.list.setCurrentItem(item)
        for box in self.boxes.values():
            box.list.blockSignals(False)
            box.fit()
        self._update_tools()

    def load(self) -> None:
        if self.session is not None:
            self.session.normalize_pending()
        self.refresh()

    def focus_path(self, path: str) -> bool:
        import re

        m = re.match(r"^attachments\[(\d+)\]", path)
        if m is None:
            box = self.boxes.get("qualification")
            if box is not None:
                self.ensure_visible(box)
                box.add_button.setFocus()
            return box is not None
        self._selected = int(m.group(1))
        self.refresh()
        for box in self.boxes.values():
            item = box.list.currentItem()
            if item is not None and item.data(INDEX_ROLE) == self._selected:
                self.ensure_visible(box)
                box.list.setFocus()
                return True
        return False
