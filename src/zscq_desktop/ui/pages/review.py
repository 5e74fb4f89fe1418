"""Review page: every finding, grouped by severity, errors first; double-click or Enter on one opens
the page that owns its field (`core.flow.owner_page`) and focuses the widget."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QHeaderView, QLabel, QStyledItemDelegate, QStyleOptionViewItem, QTreeWidget, QTreeWidgetItem,
)

from zscq_desktop.core import flow
from zscq_desktop.core.findings import Finding, Severity
from zscq_desktop.ui.pages.base import Page, counts_text

PATH_ROLE = Qt.ItemDataRole.UserRole
SOURCE_ROLE = Qt.ItemDataRole.UserRole + 1
GROUPS = ((Severity.ERROR, "错误（须修改后才能导出）", "#b3261e"), (Severity.WARNING, "提醒（建议核对，不影响导出）", "#9a6700"),
          (Severity.INFO, "提示", "#445"))


class _WrappingDelegate(QStyledItemDelegate):
    """Row heights for word-wrapped messages: Qt's tree view measures an item without knowing its
    column's width, so a wrapped message would be painted into a one-line row and cut."""

    def __init__(self, tree: QTreeWidget) -> None:
        super().__init__(tree)
        self.tree = tree

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        size = super().sizeHint(option, index)
        if index.column() != 0:
            return size
        depth, parent = 0, index.parent()
        while parent.isValid():
            depth, parent = depth + 1, parent.parent()
        indent = self.tree.indentation() * (depth + (1 if self.tree.rootIsDecorated() else 0))
        width = max(40, self.tree.header().sectionSize(0) - indent - 10)
        text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        bounds = option.fontMetrics.boundingRect(QRect(0, 0, width, 100_000), Qt.TextFlag.TextWordWrap, text)
        return QSize(size.width(), max(size.height(), bounds.height() + 6))


class ReviewPage(Page):
    scrollable = False

    def __init__(self, window, spec) -> None:
        super().__init__(window, spec)
        self.summary = QLabel(objectName="banner")
        self.summary.setWordWrap(True)
        self.layout_.addWidget(self.summary)
        self.intro("双击某一条（或选中后按回车）即可跳到对应页面并定位到该项。")
        self.tree = QTreeWidget()
        self.tree.setColumnCount(2)
        self.tree.setHeaderLabels(["问题", "所在页面"])
        # Long Chinese messages wrap inside the message column instead of running off the edge at
        # 1366 px; the page column keeps its contents' width; the guide citation (依据) is shown in
        # full in the detail area below, not squeezed into a third column.
        self.tree.setWordWrap(True)
        self.tree.setItemDelegate(_WrappingDelegate(self.tree))
        self.tree.setUniformRowHeights(False)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.tree.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        # rows are re-measured when the width changes (a narrower window needs more lines)
        header.sectionResized.connect(lambda *_: self.tree.scheduleDelayedItemsLayout())
        self.layout_.addWidget(self.tree, 1)
        # the selected finding in full (item views cut long Chinese lines), with the guide's words
        self.detail = QLabel(objectName="fieldHelp")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.setMinimumHeight(48)
        self.layout_.addWidget(self.detail)
        self.tree.itemActivated.connect(self._open)
        self.tree.currentItemChanged.connect(self._show_detail)

    def load(self) -> None:
        self.findings_changed()

    def findings_changed(self) -> None:
        session = self.session
        if session is None:
            self.summary.setText("尚未打开申报。")
            self.tree.clear()
            return
        findings = session.findings()
        titles = {p.id: p.title for p in flow.pages(self.call, session.submission)}
        self.summary.setText(counts_text(findings))
        self.tree.clear()
        for severity, title, color in GROUPS:
            mine = [f for f in findings if f.severity is severity]
            if not mine:
                continue
            head = QTreeWidgetItem([f"{title}：{len(mine)} 条"])
            head.setForeground(0, QBrush(QColor(color)))
            font = head.font(0)
            font.setBold(True)
            head.setFont(0, font)
            head.setFirstColumnSpanned(False)
            self.tree.addTopLevelItem(head)
            for f in mine:
                owner = flow.owner_page(self.call, session.submission, f.path)
                item = QTreeWidgetItem([f.message, titles.get(owner, "") if owner != flow.REVIEW else ""])
                item.setData(0, PATH_ROLE, f.path)
                item.setData(0, SOURCE_ROLE, f.source)
                item.setToolTip(0, f.message + (f"\n依据：{f.source}" if f.source else ""))
                head.addChild(item)
            head.setExpanded(True)
        first = self.tree.topLevelItem(0)
        if first is not None and first.childCount():
            self.tree.setCurrentItem(first.child(0))  # shows its details; Enter opens it
        self._show_detail(self.tree.currentItem())

    def _show_detail(self, item: QTreeWidgetItem | None, _prev: QTreeWidgetItem | None = None) -> None:
        if item is None or item.data(0, PATH_ROLE) is None:
            self.detail.setText("选中一条可在此查看完整说明。")
            return
        source = item.data(0, SOURCE_ROLE)
        self.detail.setText(item.text(0) + (f"\n依据：{source}" if source else ""))

    def items(self) -> list[tuple[Finding | None, QTreeWidgetItem]]:
        out = []
        for i in range(self.tree.topLevelItemCount()):
            head = self.tree.topLevelItem(i)
            for j in range(head.childCount()):
                out.append((None, head.child(j)))
        return out

    def _open(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        path = item.data(0, PATH_ROLE)
        if path is None or self.session is None:
            return
        owner = flow.owner_page(self.call, self.session.submission, path)
        if owner != flow.REVIEW:
            self.window_.goto(owner, path)
