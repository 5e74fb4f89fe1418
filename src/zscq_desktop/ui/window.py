"""The main window: a side navigation list, the current page, and 上一步/下一步 at the bottom.

Why not QWizard: people fill an application form in any order, come back to fix the one field the
review page points at, and the form pages change when the direction changes (附件2 vs 附件3).
QWizard's side panel cannot be clicked, it insists on a linear path and rebuilds awkwardly when
pages appear or vanish. A QStackedWidget with a clickable navigation list (grouped 准备 / 申报书 /
实施方案与附件 / 提交, each page showing how many errors it holds) keeps the guided 上一步/下一步 path
and adds free movement. The order and which pages exist come from `core.flow`, not from here.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Callable

from PySide6.QtCore import QByteArray, QEventLoop, QSize, Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QCloseEvent, QFont, QKeySequence, QPaintEvent, QShortcut
from PySide6.QtWidgets import (
    QAbstractButton, QApplication, QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QMainWindow, QPushButton, QStackedWidget,
    QVBoxLayout, QWidget,
)

from zscq_desktop.core import flow
from zscq_desktop.core.flow import PageSpec
from zscq_desktop.ui import settings, word_import_menu
from zscq_desktop.ui.pages import page_class
from zscq_desktop.ui.pages.base import Page, field_path
from zscq_desktop.ui.actions import FileActions
from zscq_desktop.ui.call_actions import CallActions
from zscq_desktop.ui.widgets import dialogs

if TYPE_CHECKING:  # start-up shows the start page only: the session and its store load with a document
    from zscq_desktop.call.model import Call
    from zscq_desktop.call.summary import CallSummary
    from zscq_desktop.ui.session import Session

log = logging.getLogger(__name__)
PAGE_ROLE = Qt.ItemDataRole.UserRole
MINIMUM_SIZE = QSize(720, 440)
EXPORT_STOP_WAIT_S = 20.0  # how long closing waits for a cancelled export to stop
STYLE = """
#nav { background: #f3f5f8; border: none; border-right: 1px solid #d9dee5; font-size: 10.5pt; }
#nav::item { padding: 5px 8px; }
#nav::item:selected { background: #1f5fa8; color: white; }
#pageTitle { font-size: 15pt; font-weight: bold; color: #1f3b5c; }
#intro { color: #445; }
#fieldError { color: #b3261e; }
#fieldHelp { color: #667; }
#banner { background: #fff6db; border: 1px solid #e9c96b; border-radius: 4px; padding: 8px; }
QLineEdit, QPlainTextEdit, QTextEdit, QDateEdit, QSpinBox, QComboBox {
    border: 1px solid #a7b1bc; border-radius: 3px; padding: 2px 3px; background: white; }
QLineEdit:focus, QPlainTextEdit:focus, QTextEdit:focus, QDateEdit:focus, QSpinBox:focus, QComboBox:focus {
    border: 2px solid #1f5fa8; padding: 1px 2px; }
QLineEdit:disabled, QPlainTextEdit:disabled, QDateEdit:disabled, QSpinBox:disabled, QComboBox:disabled {
    background: #f1f3f5; color: #8a929b; }
QPushButton, QToolButton { border: 1px solid #a7b1bc; border-radius: 4px; padding: 4px 8px; background: #f7f9fb; }
QToolButton { padding: 2px 6px; }
QPushButton:hover, QToolButton:hover { background: #e9f0f8; }
QPushButton:pressed, QToolButton:pressed, QToolButton:checked { background: #d5e3f3; }
QPushButton:focus, QToolButton:focus { border: 2px solid #1f5fa8; padding: 3px 7px; outline: none; }
QToolButton:focus { padding: 1px 5px; }
QPushButton:disabled, QToolButton:disabled { color: #9aa3ad; background: #f3f4f6; border-color: #d3d8de; }
QPushButton#primary { background: #1f5fa8; color: white; border-color: #1f5fa8; font-weight: bold; }
QPushButton#primary:focus { border: 2px solid #0b2f5c; background: #2a6fbf; }
QPushButton#primary:disabled { background: #9db4cf; border-color: #9db4cf; }
QCheckBox:focus, QRadioButton:focus { background: #dbe8f7; border-radius: 3px; }
QTreeView:focus, QTableView:focus, QListView:focus, QTextBrowser:focus { border: 2px solid #1f5fa8; }
#nav:focus { border: 2px solid #1f5fa8; }
"""


def _cannot_start(exc: Exception) -> None:
    log.error("cannot load the call data", exc_info=exc)
    dialogs.inform(None, "无法启动", f"申报指南数据无法读取，程序可能安装不完整：\n{exc}", warning=True)


def _mark(path, is_open: bool) -> None:
    """Record in the user data folder that this process has `path` open (or closed it normally)."""
    try:
        from zscq_desktop.store import recovery

        (recovery.mark_open if is_open else recovery.mark_closed)(path)
    except Exception:  # bookkeeping for the crash notice must never stop the user's work
        log.exception("open-document mark for %s", path)


class MainWindow(FileActions, CallActions, QMainWindow):
    """The application window; owns the open `Session` and the pages."""

    def __init__(self, call: "Call | CallSummary") -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        # The start page needs only a call's summary (`call.summary`): the model loads right after the
        # first picture (`_load_call`), or whenever something asks for `self.call` before.
        from zscq_desktop.call.summary import CallSummary

        self._summary: CallSummary | None = call if isinstance(call, CallSummary) else None
        self._call: Call | None = None if isinstance(call, CallSummary) else call
        self.session: Session | None = None
        self._pages: dict[str, Page] = {}
        self._specs: list[PageSpec] = []
        self._current = ""
        # fields whose "please fill in" errors show: left by the user, or opened from the review page
        self.revealed_paths: set[str] = set()
        self.setStyleSheet(STYLE)
        # Fits 1366×768 at 150 % (≈ 911×485 logical px left by the taskbar) and 1280×720 at 100 %:
        # every page scrolls inside the window, 上一步/下一步 stay visible.
        self.setMinimumSize(MINIMUM_SIZE)

        self.nav = QListWidget(objectName="nav")
        self.nav.setFixedWidth(210)
        self.nav.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.nav.currentItemChanged.connect(self._nav_changed)
        self.title = QLabel(objectName="pageTitle")
        self.stack = QStackedWidget()
        self.saved_label = QLabel()
        self.back_button = QPushButton("上一步")
        self.next_button = QPushButton("下一步")
        self.back_button.setShortcut(QKeySequence("Alt+Left"))
        self.next_button.setShortcut(QKeySequence("Alt+Right"))
        self.back_button.setToolTip("上一步（Alt+←）")
        self.next_button.setToolTip("下一步（Alt+→ 或 Ctrl+Enter）")
        self.back_button.setAccessibleName("上一步")
        self.next_button.setAccessibleName("下一步")
        self.nav.setAccessibleName("页面导航")
        for keys in ("Ctrl+Return", "Ctrl+Enter"):  # from any field, as in a wizard
            QShortcut(QKeySequence(keys), self, self.go_next)
        self.back_button.clicked.connect(self.go_back)
        self.next_button.clicked.connect(self.go_next)
        self.next_button.setDefault(False)

        right = QVBoxLayout()
        right.setContentsMargins(0, 10, 0, 0)
        head = QHBoxLayout()
        head.setContentsMargins(20, 0, 20, 0)
        head.addWidget(self.title, 1)
        right.addLayout(head)
        right.addWidget(self.stack, 1)
        bottom = QHBoxLayout()
        bottom.setContentsMargins(20, 6, 20, 10)
        bottom.addWidget(self.saved_label, 1)
        bottom.addWidget(self.back_button)
        bottom.addWidget(self.next_button)
        right.addLayout(bottom)
        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.nav)
        row.addLayout(right, 1)
        self.setCentralWidget(central)
        self._build_menu()
        word_import_menu.install(self)  # 文件 → 从 Word 导入修改…, and Word files dropped on the window
        bottom.insertWidget(1, self.busy_bar)
        self._restore_geometry()
        # Focus bookkeeping starts with the first session (`_watch_focus`); until the window is shown,
        # the Tab order of the page waits (`settle_focus`): see there for why.
        self._watching_focus = False
        self._focus_unsettled = False
        self._settle_posted = False
        self._focus_first_pending = False
        self._painted = False
        self._after_paint: list[Callable[[], object]] = []
        if self._call is None:
            self._after_paint.append(self._load_call)
        self._rebuild_nav()
        self.goto(flow.START)
        self._update_title()

    @classmethod
    def create(cls) -> "MainWindow | None":
        """Build the window on the default call — from its summary when the call was loaded and checked
        unchanged before, else loaded now; None (after telling the user) when the data cannot be read."""
        from zscq_desktop.call import CallDataError, load_call
        from zscq_desktop.call.summary import start_call
        from zscq_desktop.resources import ResourceError

        try:
            call: Call | CallSummary | None = start_call()
            if call is None:
                call = load_call()
        except (CallDataError, ResourceError, OSError) as exc:
            _cannot_start(exc)
            return None
        return cls(call)

    @property
    def call(self) -> Call:
        """The window's call (loaded now if the window was built on its summary)."""
        if self._call is None:
            from zscq_desktop.call import load_call

            assert self._summary is not None
            self._call = load_call(self._summary.id)
            self._summary = None
        return self._call

    @call.setter
    def call(self, call: Call) -> None:
        self._call, self._summary = call, None

    @property
    def call_view(self) -> "Call | CallSummary":
        """What the start page shows of the call: the call if loaded, else its summary."""
        return self._call if self._call is not None else self._summary  # type: ignore[return-value]

    def _flow_call(self) -> "Call | CallSummary":
        # `core.flow` reads nothing of the call while no submission is open: the summary does then
        return self.call_view if self.session is None else self.call

    def _load_call(self) -> None:
        """Right after the first picture: load and check the call the start page showed from its summary.
        Should its files have become unreadable since, the user is told and the program ends (exit 2),
        as when they are unreadable at start-up."""
        from zscq_desktop.call import CallDataError
        from zscq_desktop.resources import ResourceError

        if self._call is not None:
            return
        try:
            self.call  # noqa: B018 — loads it
        except (CallDataError, ResourceError, OSError) as exc:
            _cannot_start(exc)
            self.close()
            QApplication.exit(2)

    # ---- sessions -------------------------------------------------------------------------------
    def set_session(self, session: Session | None) -> None:
        """Make `session` the open submission (the previous one is saved and closed)."""
        old = self.session
        if old is not None:
            self._end_session(old)
            old.deleteLater()
        self.session = session
        self.revealed_paths = set()
        for page_id in list(self._pages):
            if page_id != flow.START:
                self._drop_page(page_id)
        if session is not None:
            self._watch_focus()
            _mark(session.path, True)
            session.saved_changed.connect(self._update_title)
            session.findings_changed.connect(self._findings_changed)
            session.changed.connect(self._session_changed)
            session.save_failed.connect(self._save_failed)
            session.conflicted.connect(self._conflicted)
            session.restored.connect(self._restored)
            self.undo_group.addStack(session.undo_stack)
            self.undo_group.setActiveStack(session.undo_stack)
        self._rebuild_nav()
        self._update_title()
        if flow.START in self._pages:
            self._pages[flow.START].load()

    @staticmethod
    def _end_session(session: Session) -> None:
        """Close `session` normally: unmark it (no recovery notice next time) and give a draft the
        name of its project."""
        session.close()
        _mark(session.path, False)
        if session.is_draft:
            try:
                from zscq_desktop.store.profiles import rename_draft

                rename_draft(session.path, session.submission.to_dict())
            except Exception:  # naming is a convenience; the draft itself is safe on disk
                log.exception("renaming draft %s", session.path)

    # ---- navigation -----------------------------------------------------------------------------
    def page(self, page_id: str) -> Page:
        """The page widget for `page_id`, created on first use."""
        page = self._pages.get(page_id)
        if page is None:
            spec = next((s for s in self._specs if s.id == page_id), None) or PageSpec(page_id, page_id, "")
            page = page_class(page_id)(self, spec)
            for corner in page.findChildren(QAbstractButton, "qt_tableview_cornerbutton"):
                corner.setAccessibleName("全选表格")  # Qt's own button in a table's corner has no name
            self._pages[page_id] = page
            self.stack.addWidget(page)
        return page

    def current_page(self) -> Page | None:
        return self._pages.get(self._current)

    @property
    def current_page_id(self) -> str:
        return self._current

    def goto(self, page_id: str, path: str = "") -> bool:
        """Show `page_id` (and focus the widget of field `path`); False when it cannot be entered."""
        sub = self.session.submission if self.session else None
        reason = flow.can_enter(page_id, sub, self._flow_call())
        if reason is not None or page_id not in [s.id for s in self._specs]:
            if reason:
                self.statusBar().showMessage(reason, 5000)
            self._select_nav(self._current)
            return False
        current = self.current_page()
        if current is not None and page_id != self._current:
            current.save()
        page = self.page(page_id)
        if page_id != self._current:
            page.load()
        self._current = page_id
        self.stack.setCurrentWidget(page)
        self.title.setText(page.spec.title)
        self._select_nav(page_id)
        self._update_buttons()
        if self.isVisible():
            self._tab_order(page)
        else:
            self._focus_unsettled = True  # done by `settle_focus` once the window is on screen
        if path:
            self.revealed_paths.add(path)  # the user asked for this check: show it in full
            page.findings_changed()
            QTimer.singleShot(0, lambda: page.focus_path(path))
        elif self.isVisible():
            page.focus_first()  # typing goes into the page, whatever moved here (sidebar, 下一步, Alt+→)
        return True

    def settle_focus(self) -> None:
        """The Tab order of a page built before the window was shown (the start page), and the focus
        on its first field when `focus_first_field_when_shown` asked for it; posted by the first
        `paintEvent`, so it runs right after the first picture. Why not before: walking Qt's focus
        chain hands Python Qt's internal widgets (scroll-area viewports …), and PySide6 then creates
        the Python class of every Qt widget type once (≈ 8 ms) — work the first picture of the start
        page does not need."""
        self._settle_posted = False
        page = self.current_page()
        if page is None:
            return
        if self._focus_unsettled:
            self._focus_unsettled = False
            self._tab_order(page)
        if self._focus_first_pending and self.isVisible():
            self._focus_first_pending = False
            page.focus_first()

    def focus_first_field_when_shown(self) -> None:
        """Put the focus on the current page's first field with the Tab order (`settle_focus`), right
        after the window's first paint — or now, when the Tab order is already settled."""
        if self._focus_unsettled:
            self._focus_first_pending = True
        else:
            page = self.current_page()
            if page is not None:
                page.focus_first()

    def _watch_focus(self) -> None:
        """From the first open document on, leaving a field reveals its "please fill in" errors
        (`_focus_changed`); before that there are no fields, and `set_session` clears the record."""
        if self._watching_focus:
            return
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._focus_changed)
            self._watching_focus = True

    def after_first_paint(self, fn: Callable[[], object]) -> None:
        """Run `fn` right after the window's first picture (at once if it was painted already): for
        start-up work the first page does not need."""
        if self._painted:
            fn()
        else:
            self._after_paint.append(fn)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 — Qt API
        super().paintEvent(event)
        if self._focus_unsettled and not self._settle_posted:
            # The first picture is being drawn: the Tab order follows right after it (`settle_focus`).
            self._settle_posted = True
            QTimer.singleShot(0, self.settle_focus)
        if not self._painted:
            self._painted = True
            QTimer.singleShot(0, self._run_after_paint)

    def _run_after_paint(self) -> None:
        pending, self._after_paint = self._after_paint, []
        for fn in pending:
            fn()

    def _tab_order(self, page: Page) -> None:
        """Tab goes through the page top to bottom, then 上一步, 下一步 and the navigation list, and
        from there back into the page (the buttons were created first, so they came first)."""
        last = page.focus_chain()[-1:] or [page]
        QWidget.setTabOrder(last[0], self.back_button)
        QWidget.setTabOrder(self.back_button, self.next_button)
        QWidget.setTabOrder(self.next_button, self.nav)

    def go_next(self) -> None:
        page = self.current_page()
        if page is not None:
            page.save()
            reason = page.validate(forward=True)
            if reason:
                dialogs.inform(self, "还不能继续", reason)
                return
        sub = self.session.submission if self.session else None
        target = flow.next_page(self._flow_call(), sub, self._current)
        if target:
            self.goto(target)

    def go_back(self) -> None:
        sub = self.session.submission if self.session else None
        target = flow.previous_page(self._flow_call(), sub, self._current)
        if target:
            self.goto(target)

    def _update_buttons(self) -> None:
        sub = self.session.submission if self.session else None
        self.back_button.setEnabled(flow.previous_page(self._flow_call(), sub, self._current) is not None)
        target = flow.next_page(self._flow_call(), sub, self._current)
        # e.g. on the start page before a submission is open: 下一步 would lead nowhere
        self.next_button.setEnabled(target is not None and flow.can_enter(target, sub, self._flow_call()) is None)

    def _drop_page(self, page_id: str) -> None:
        page = self._pages.pop(page_id, None)
        if page is not None:
            self.stack.removeWidget(page)
            page.deleteLater()

    def _rebuild_nav(self) -> None:
        sub = self.session.submission if self.session else None
        self._specs = flow.pages(self._flow_call(), sub)
        for page_id in list(self._pages):
            if page_id not in [s.id for s in self._specs]:
                self._drop_page(page_id)
        self.nav.blockSignals(True)
        self.nav.clear()
        group = None
        for spec in self._specs:
            if spec.group != group:
                group = spec.group
                head = QListWidgetItem(group)
                head.setFlags(Qt.ItemFlag.NoItemFlags)
                font = QFont(head.font())
                font.setBold(True)
                head.setFont(font)
                head.setForeground(QBrush(QColor("#6b7684")))
                self.nav.addItem(head)
            item = QListWidgetItem("    " + spec.title)
            item.setData(PAGE_ROLE, spec.id)
            if flow.can_enter(spec.id, sub, self._flow_call()) is not None:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
            self.nav.addItem(item)
        self.nav.blockSignals(False)
        self._select_nav(self._current)
        self._update_badges()
        self._update_buttons()

    def _select_nav(self, page_id: str) -> None:
        self.nav.blockSignals(True)
        for i in range(self.nav.count()):
            item = self.nav.item(i)
            if item.data(PAGE_ROLE) == page_id:
                self.nav.setCurrentItem(item)
                break
        self.nav.blockSignals(False)

    def _nav_changed(self, item: QListWidgetItem | None, _previous: QListWidgetItem | None) -> None:
        if item is not None and item.data(PAGE_ROLE):
            self.goto(item.data(PAGE_ROLE))

    def _update_badges(self) -> None:
        """Each navigation entry shows how many errors its page holds."""
        counts: dict[str, int] = {}
        if self.session is not None:
            for f in self.session.findings():
                if f.blocking:
                    owner = flow.owner_page(self.call, self.session.submission, f.path)
                    counts[owner] = counts.get(owner, 0) + 1
        titles = {s.id: s.title for s in self._specs}
        for i in range(self.nav.count()):
            item = self.nav.item(i)
            page_id = item.data(PAGE_ROLE)
            if not page_id:
                continue
            n = counts.get(page_id, 0) if page_id not in (flow.REVIEW, flow.EXPORT, flow.START) else 0
            item.setText("    " + titles[page_id] + (f"  （{n}）" if n else ""))
            item.setForeground(QBrush(QColor("#b3261e")) if n else QBrush())
            item.setToolTip(f"此页有 {n} 处须修改的错误" if n else "")

    def _focus_changed(self, old: QWidget | None, new: QWidget | None) -> None:
        """The user left a field: from now on its "please fill in" errors show (`Page.inline_findings`)."""
        path = field_path(old)
        if not path or path in self.revealed_paths or field_path(new) == path:
            return
        self.revealed_paths.add(path)
        page = self.current_page()
        if page is not None and self.session is not None:
            page.findings_changed()

    # ---- session signals ------------------------------------------------------------------------
    def _findings_changed(self) -> None:
        self._update_badges()
        for page in self._pages.values():
            page.findings_changed()

    def _session_changed(self, path: str) -> None:
        if path == "direction":
            for page_id in list(self._pages):
                if page_id not in (flow.START, flow.DIRECTION):
                    self._drop_page(page_id)
            self._rebuild_nav()

    def _restored(self, path: str) -> None:
        """An undo or redo changed `path`: show its page with the restored values."""
        page_id = flow.owner_page(self.call, self.session.submission, path) if self.session else ""
        if page_id == flow.REVIEW or page_id == self._current or not self.goto(page_id, path):
            page = self.current_page()
            if page is not None:
                page.load()

    def _update_title(self, *_args: object) -> None:
        s = self.session
        if s is None:
            self.setWindowTitle("开始")
            self.saved_label.setText("")
            self.saved_label.setStyleSheet("")
            return
        if s.readonly:
            state, line = "只读", "只读：修改不会写入此文件，请用“另存为”保存修改"
        elif s.conflict:
            state, line = "未保存", "⚠ 未保存：文件已被其他窗口修改，请重新载入或“另存为”（Ctrl+S）"
        elif s.dirty and s.save_problem:
            state, line = "未保存", "⚠ " + s.save_problem
        elif s.dirty:
            state, line = "未保存", "● 正在保存…"
        else:
            state, line = "已保存", "✓ 已自动保存"
        self.setWindowTitle(f"{s.display_name()} — {state}")
        where = "草稿保存在本机用户文件夹，可用“另存为”保存到其他位置" if s.is_draft else str(s.path)
        problem = s.readonly or s.conflict or bool(s.save_problem and s.dirty)
        self.saved_label.setText(line if problem else f"{line}　{where}")
        self.saved_label.setStyleSheet("color: #b3261e;" if problem else "")
        self.saved_label.setToolTip(str(s.path))
        self.save_action.setEnabled(True)
        from zscq_desktop.system import locations

        synced = None if s.is_draft else locations.warn_once(s.path)  # OneDrive/network: once, without blocking
        if synced:  # after the event in progress, whose own status message (已保存到…) would replace it
            QTimer.singleShot(0, lambda: self.statusBar().showMessage(synced, 30000))

    def reload_pages(self) -> None:
        """Rebuild every page from the session (after the submission was reloaded from the file)."""
        current = self._current
        for page_id in list(self._pages):
            if page_id != flow.START:
                self._drop_page(page_id)
        self._rebuild_nav()
        self._current = ""
        if not self.goto(current):
            self.goto(flow.START)
        self._update_title()

    # ---- window state ---------------------------------------------------------------------------
    def _restore_geometry(self) -> None:
        geometry = settings.get(settings.WINDOW_GEOMETRY)
        if isinstance(geometry, QByteArray) and not geometry.isEmpty() and self.restoreGeometry(geometry):
            return
        screen = QApplication.primaryScreen()
        avail = screen.availableGeometry() if screen else None
        w, h = 1280, 800
        if avail is not None:
            w, h = min(w, avail.width() - 40), min(h, avail.height() - 40)
        self.resize(max(w, MINIMUM_SIZE.width()), max(h, MINIMUM_SIZE.height()))

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._stop_export_before_closing():
            event.ignore()
            return
        if self.opening is not None:  # a .json being imported: let it finish, it is then saved and closed
            self._wait_for(lambda: self.opening is None, EXPORT_STOP_WAIT_S)
        page = self.current_page()
        if page is not None:
            page.save()
        if self.session is not None:
            self.session.save_now()
            if self.session.dirty and not self._keep_unsaved_edits():
                event.ignore()
                return
            self._end_session(self.session)
            self.session = None
        settings.put(settings.WINDOW_GEOMETRY, self.saveGeometry())
        event.accept()

    def _keep_unsaved_edits(self) -> bool:
        """The edits could not be written (read-only, changed elsewhere, disk full): offer 另存为
        before quitting. False = stay open."""
        s = self.session
        assert s is not None
        why = ("此文件以只读方式打开。" if s.readonly else
               f"{s.save_problem}\n\n" if s.save_problem else "")
        choice = dialogs.choose(self, "尚未保存", f"{why}本窗口中最近的修改尚未写入文件。",
                                ["另存为…", "不保存，直接退出"], cancel="返回")
        if choice is None:
            return False
        return choice == 1 or self.save_as()

    def _stop_export_before_closing(self) -> bool:
        """While an export runs, ask before quitting; on yes cancel it and wait (bounded) for the
        worker to stop, so no half-written file is left in the output folder. False = stay open."""
        export = self._pages.get(flow.EXPORT)
        if export is None:
            return True
        from zscq_desktop.ui.pages.export import ExportPage

        if not isinstance(export, ExportPage) or not export.is_busy():
            return True
        if not dialogs.ask(self, "正在导出", "导出尚未完成。要取消导出并退出程序吗？",
                           ok="取消导出并退出", cancel="继续导出"):
            return False
        export.cancel_export()
        if not self._wait_for(lambda: not export.is_busy(), EXPORT_STOP_WAIT_S):
            log.warning("export did not stop within %s s; closing anyway", EXPORT_STOP_WAIT_S)
        return True

    @staticmethod
    def _wait_for(done, seconds: float) -> bool:
        """Process events (not user input) until `done()` or `seconds` passed; a job's end is
        delivered through the event loop. True when done."""
        deadline = time.monotonic() + seconds
        while not done() and time.monotonic() < deadline:
            QApplication.processEvents(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents, 50)
            time.sleep(0.01)
        return bool(done())
