"""Direction page: the directions grouped by category, a detail pane with the guide's facts, search."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout, QLabel, QLineEdit, QPushButton, QSplitter, QTextBrowser, QToolButton, QTreeWidget, QTreeWidgetItem,
    QVBoxLayout, QWidget,
)

from zscq_desktop.call.model import Direction
from zscq_desktop.ui.pages.base import Page
from zscq_desktop.ui.widgets import dialogs

ID_ROLE = Qt.ItemDataRole.UserRole


def direction_html(call, d: Direction) -> str:
    """The detail pane: every fact of the guide a unit weighs before choosing."""
    e = html.escape
    funded = f"不超过{d.max_funded}项" if d.max_funded > 1 else "1项"
    if d.contracts:
        funded += f"（签订任务合同不超过{d.contracts}家）"
    review = ("须先报送所在区知识产权局审核盖章，再寄送受理地址" if d.district_review
              else "申报单位直接寄送受理地址")
    rows = [("所属类别", d.category_name), ("申报书", d.form_label), ("资助额度", d.cap_text()), ("资助数量", funded),
            ("配套要求", d.matching_text()), ("项目周期", d.period_text()), ("报送方式", review),
            ("联系人", f"{d.contact.name}　电话 {d.contact.phone}")]
    if d.enterprise_only:
        rows.append(("申报主体", "限企业申报"))
    table = "".join(f"<tr><td style='color:#556;padding:2px 12px 2px 0;white-space:nowrap'>{e(k)}</td>"
                    f"<td style='padding:2px 0'>{e(v)}</td></tr>" for k, v in rows)
    parts = [f"<h2 style='margin:0 0 6px 0'>{e(d.name)}</h2>", f"<table>{table}</table>"]
    if d.selection_note:
        parts.append(f"<p style='color:#445'>{e(d.selection_note)}</p>")
    parts.append(f"<h3>项目目标</h3><p>{e(d.goals)}</p>")
    if d.conditions:
        parts.append("<h3>申报条件</h3><ol>" + "".join(f"<li>{e(c)}</li>" for c in d.conditions) + "</ol>")
    if d.tasks:
        items = []
        for t in d.tasks:
            inds = "；".join(f"{i.name}{'≥' + format(i.min, 'g') if i.min is not None else ''}"
                            f"{'≤' + format(i.max, 'g') if i.max is not None else ''}{i.unit}" for i in t.indicators)
            items.append(f"<li>{e(t.text)}" + (f"<br><span style='color:#1f5fa8'>考核指标：{e(inds)}</span>" if inds else "")
                         + "</li>")
        parts.append("<h3>项目任务</h3><ol>" + "".join(items) + "</ol>")
    if d.continuing_note:
        parts.append(f"<p style='color:#445'>{e(d.continuing_note)}</p>")
    parts.append(f"<p style='color:#778'>出处：{e(call.guide_title)} {e(d.source)}</p>")
    return "".join(parts)


class DirectionPage(Page):
    scrollable = False  # the list and the detail pane scroll on their own

    def __init__(self, window, spec) -> None:
        super().__init__(window, spec)
        self.intro("请选择一个支持方向。左侧按指南的三类项目分组，右侧是该方向的资助额度、数量、配套、周期、报送方式、"
                   "联系人以及指南规定的目标、条件和任务。")
        self.search = QLineEdit(placeholderText="搜索方向、条件或任务关键词，如“专利导航”“地理标志”")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("搜索支持方向")
        for clear in self.search.findChildren(QToolButton):  # Qt's clear button has no name of its own
            clear.setAccessibleName("清除搜索")
            clear.setToolTip("清除搜索")
        self.tree = QTreeWidget()
        self.tree.setHeaderHidden(True)
        self.tree.setRootIsDecorated(False)
        self.tree.setMinimumWidth(260)
        self.detail = QTextBrowser()
        self.detail.setOpenLinks(False)
        self.choose_button = QPushButton("选择此方向")
        self.choose_button.setMinimumHeight(34)
        self.chosen_label = QLabel()
        self.chosen_label.setWordWrap(True)
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(self.search)
        ll.addWidget(self.tree, 1)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(self.detail, 1)
        row = QHBoxLayout()
        row.addWidget(self.chosen_label, 1)
        row.addWidget(self.choose_button)
        rl.addLayout(row)
        split = QSplitter()
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        split.setSizes([300, 700])
        self.layout_.addWidget(split, 1)
        self._fill()
        self.search.textChanged.connect(self._filter)
        self.tree.currentItemChanged.connect(self._show)
        self.tree.itemActivated.connect(lambda item, _col: self.choose())
        self.choose_button.clicked.connect(self.choose)

    def _fill(self) -> None:
        self.tree.clear()
        for cat_id, cat_name in self.call.categories:
            head = QTreeWidgetItem([cat_name])
            head.setFlags(Qt.ItemFlag.ItemIsEnabled)
            f = head.font(0)
            f.setBold(True)
            head.setFont(0, f)
            self.tree.addTopLevelItem(head)
            for d in self.call.directions:
                if d.category == cat_id:
                    item = QTreeWidgetItem([f"{d.name}　{d.cap_wan:g}万元"])
                    item.setData(0, ID_ROLE, d.id)
                    item.setToolTip(0, d.goals)
                    head.addChild(item)
        self.tree.expandAll()

    def _items(self):
        for i in range(self.tree.topLevelItemCount()):
            head = self.tree.topLevelItem(i)
            for j in range(head.childCount()):
                yield head, head.child(j)

    def _filter(self, text: str) -> None:
        words = text.split()
        visible: dict[int, bool] = {}
        for head, item in self._items():
            d = self.call.direction(item.data(0, ID_ROLE))
            hay = " ".join([d.name, d.category_name, d.goals, *d.conditions, *(t.text for t in d.tasks), d.contact.name])
            hit = all(w.lower() in hay.lower() for w in words)
            item.setHidden(not hit)
            visible[id(head)] = visible.get(id(head), False) or hit
        for i in range(self.tree.topLevelItemCount()):
            head = self.tree.topLevelItem(i)
            head.setHidden(not visible.get(id(head), False))

    def _show(self, item: QTreeWidgetItem | None, _prev=None) -> None:
        direction_id = item.data(0, ID_ROLE) if item else None
        self.choose_button.setEnabled(bool(direction_id))
        if direction_id:
            self.detail.setHtml(direction_html(self.call, self.call.direction(direction_id)))

    def select(self, direction_id: str) -> bool:
        for _head, item in self._items():
            if item.data(0, ID_ROLE) == direction_id:
                self.tree.setCurrentItem(item)
                return True
        return False

    def choose(self) -> None:
        item = self.tree.currentItem()
        direction_id = item.data(0, ID_ROLE) if item else None
        session = self.session
        if not direction_id or session is None:
            return
        current = session.submission.direction
        if current == direction_id:
            self.window_.go_next()
            return
        if current:
            old, new = self.call.direction(current), self.call.direction(direction_id)
            note = "申报书格式将由{}改为{}，".format(old.form_label, new.form_label) if old.form != new.form else ""
            if not dialogs.ask(self, "更换支持方向",
                               f"当前方向为“{old.name}”。更换为“{new.name}”后，{note}考核指标将按新方向重新预填；"
                               "已填写的单位信息和其他内容保留。确定更换吗？", ok="更换"):
                return
        session.edit("direction", direction_id)
        self.load()
        self.window_.go_next()

    def load(self) -> None:
        session = self.session
        d = session.direction if session else None
        if d is not None:
            self.chosen_label.setText(f"已选择：<b>{html.escape(d.name)}</b>（{d.form_label}）")
            self.select(d.id)
        else:
            self.chosen_label.setText("尚未选择支持方向。")
            if self.tree.currentItem() is None:
                self.select(self.call.directions[0].id)

    def first_field(self):
        return self.tree  # the choice itself; ↑/↓ move, Enter chooses, the search box is one Tab away

    def focus_path(self, path: str) -> bool:
        self.tree.setFocus()
        return True
