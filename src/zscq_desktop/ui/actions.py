"""The main window's menus and file commands: new, open (a `.zscq`, read-only when it must be, or a
submission `.json` imported in the background), the sample, save, 另存为, and what to do when the
open file can no longer take automatic saves (changed by another window, disk full).

`FileActions` is a mixin of `ui.window.MainWindow`; it uses the window's `session`, `call`,
`set_session`, `goto` and status area.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QUndoGroup
from PySide6.QtWidgets import QApplication, QProgressBar

from zscq_desktop.core import flow
from zscq_desktop.ui import settings
from zscq_desktop.ui.widgets import dialogs

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMainWindow

    from zscq_desktop.call.model import Call
    from zscq_desktop.ui.session import Session

    _WindowBase = QMainWindow
else:
    _WindowBase = object

log = logging.getLogger(__name__)
READONLY_CHOICES = ["以只读方式打开", "另存为可编辑的副本…"]
CONFLICT_CHOICES = ["重新载入文件（放弃本窗口未保存的修改）", "另存为副本…"]


class FileActions(_WindowBase):
    """Menus and file commands of the main window (see the module docstring)."""

    opening: Any = None  # the background job importing a .json, while it runs
    if TYPE_CHECKING:  # provided by MainWindow
        call: Call
        session: Session | None

        def set_session(self, session: Session | None) -> None: ...
        def goto(self, page_id: str, path: str = "") -> bool: ...
        def reload_pages(self) -> None: ...
        def _update_title(self, *_args: object) -> None: ...

    # ---- menu and shortcuts ---------------------------------------------------------------------
    def _build_menu(self) -> None:
        file_menu = self.menuBar().addMenu("文件(&F)")

        def action(text: str, slot, shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None) -> QAction:
            a = QAction(text, self)
            if shortcut is not None:
                a.setShortcut(QKeySequence(shortcut))
            a.triggered.connect(slot)
            file_menu.addAction(a)
            return a

        self.new_action = action("新建申报(&N)", self.new_submission, QKeySequence.StandardKey.New)
        self.open_action = action("打开(&O)…", self.open_file, QKeySequence.StandardKey.Open)
        self.sample_action = action("打开示例申报(&E)", self.open_sample)
        file_menu.addSeparator()
        self.add_call_actions(file_menu)  # ui.call_actions: import a call pack, carry over, compare
        file_menu.addSeparator()
        self.save_action = action("保存(&S)", self.save, QKeySequence.StandardKey.Save)
        self.save_as_action = action("另存为(&A)…", self.save_as, "Ctrl+Shift+S")
        file_menu.addSeparator()
        action("退出(&X)", self.close, QKeySequence("Ctrl+Q"))
        self._build_edit_menu()
        help_menu = self.menuBar().addMenu("帮助(&H)")
        about = QAction("关于(&A)", self)
        about.triggered.connect(self.show_about)
        help_menu.addAction(about)
        self.busy_bar = QProgressBar()
        self.busy_bar.setRange(0, 0)  # "working", no percentage
        self.busy_bar.setMaximumWidth(160)
        self.busy_bar.hide()  # the window puts it in its bottom row (no status bar taking a line at 768 px)

    def _build_edit_menu(self) -> None:
        """编辑: 撤销/重做 of the open document's one history (ui.undo), named after the step."""
        self.undo_group = QUndoGroup(self)
        menu = self.menuBar().addMenu("编辑(&E)")
        self.undo_action = self.undo_group.createUndoAction(self, "撤销")
        self.undo_action.setShortcuts([QKeySequence(QKeySequence.StandardKey.Undo)])
        self.redo_action = self.undo_group.createRedoAction(self, "重做")
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Y"), QKeySequence("Ctrl+Shift+Z")])
        menu.addActions([self.undo_action, self.redo_action])

    def show_about(self) -> None:
        from zscq_desktop.ui.about import AboutDialog

        AboutDialog(self.call, self).exec()

    # ---- opening --------------------------------------------------------------------------------
    def _busy(self) -> bool:
        if self.opening is not None:
            self.statusBar().showMessage("正在导入申报数据，请稍候……", 3000)
            return True
        return False

    def new_submission(self) -> bool:
        if self._busy():
            return False
        call = self.call_for_new()  # the newest open call; asks when several are open
        if call is None:
            return False
        from zscq_desktop.ui.session import Session, SessionError

        try:
            session = Session.new(call, parent=self)
        except SessionError as exc:
            dialogs.inform(self, "无法新建", str(exc), warning=True)
            return False
        self.use_call(call)
        self.set_session(session)
        self.goto(flow.DIRECTION)
        return True

    def open_file(self) -> bool:
        if self._busy():
            return False
        folder = settings.get(settings.LAST_FOLDER)
        path = dialogs.open_file(self, "打开申报文件", folder, "申报文件 (*.zscq *.json);;所有文件 (*)")
        if path is None:
            return False
        settings.put(settings.LAST_FOLDER, str(path.parent))
        return self.open_path(path)

    def open_path(self, path: Path) -> bool:
        """Open a .zscq document, or import a submission .json as a new draft (in the background:
        the window's `opening` job until it is done). A damaged file gives a Chinese message and is
        left untouched; a read-only one may be opened read-only. False when nothing was opened."""
        path = Path(path)
        if self._busy():
            return False
        if self.session is not None and self.session.path.resolve() == path.resolve():
            return True
        if path.suffix.lower() == ".zscqcall":  # a call pack (double-click): show it, install on confirmation
            return self.import_call_pack(path)
        if path.suffix.lower() == ".json":
            return self._import_json(path)
        call = self.call_of_file(path)  # ui.call_actions: the file's own call
        if call is None:
            return False
        from zscq_desktop.ui.session import Session, SessionError

        try:
            try:
                session = Session.open(call, path, parent=self)
                choice = None
            except SessionError as exc:
                if exc.kind == "text_damaged":  # the previous save is intact: offer it (store.document)
                    return self._open_previous(path, str(exc))
                if exc.kind != "readonly":
                    raise
                choice = dialogs.choose(self, "文件只读", f"{exc}\n\n以只读方式打开时，修改不会写入此文件；"
                                        "如需保存修改，请“另存为”一个副本。", READONLY_CHOICES)
                if choice is None:
                    return False
                session = Session.open(call, path, readonly=True, parent=self)
        except SessionError as exc:
            dialogs.inform(self, "无法打开文件", f"《{path.name}》无法打开：\n{exc}\n\n文件未被修改。", warning=True)
            return False
        self.use_call(call)
        self._adopt(session, flow.DIRECTION if not session.submission.direction else flow.REVIEW)
        if choice == 1:
            self.save_as()
        return True

    def _open_previous(self, path: Path, message: str) -> bool:
        """Offer the previous save of a file whose submission text failed its hash."""
        if dialogs.choose(self, "申报数据已损坏", message, ["使用上一次保存的版本"]) != 0:
            return False
        from zscq_desktop.ui.session import Session, SessionError

        try:
            session = Session.open(self.call, path, use_previous=True, parent=self)
        except SessionError as exc:
            dialogs.inform(self, "无法打开文件", f"《{path.name}》无法打开：\n{exc}", warning=True)
            return False
        self._adopt(session, flow.REVIEW if session.submission.direction else flow.DIRECTION)
        return True

    def _import_json(self, path: Path) -> bool:
        """Read the JSON and its files and build the draft on a worker (0.5–1.4 s for a large one);
        the Session (a QObject) is made on the GUI thread when the job is done."""
        from zscq_desktop.ui import jobs
        from zscq_desktop.ui.session import Session, SessionError

        call = self.call

        def work(progress, cancelled):
            from zscq_desktop.docio import InputError, load_json

            try:
                loaded = load_json(path)
            except InputError as exc:
                raise SessionError(str(exc)) from None
            return Session.create_draft(call, loaded.submission, hint=path.stem, blobs=loaded.blobs)

        def done(result) -> None:
            self._end_opening()
            doc, sub = result
            if not self.use_call_id(sub.call, path.name):  # the JSON's own call (ui.call_actions)
                from zscq_desktop.store.profiles import discard_draft

                doc.close()
                discard_draft(doc.path)
                return
            session = Session.adopt_draft(self.call, doc, sub, parent=self)
            self._adopt(session, flow.DIRECTION if not sub.direction else flow.REVIEW)

        def failed(exc: BaseException) -> None:
            self._end_opening()
            if not isinstance(exc, SessionError):
                log.error("importing %s failed", path, exc_info=exc)
            dialogs.inform(self, "无法打开文件", f"《{path.name}》无法导入：\n{exc}\n\n文件未被修改。", warning=True)

        self.statusBar().showMessage(f"正在导入《{path.name}》及其附件……")
        self.busy_bar.show()
        QApplication.setOverrideCursor(Qt.CursorShape.BusyCursor)
        self.opening = jobs.run_job(work, parent=self, on_success=done, on_failure=failed)
        return True

    def _end_opening(self) -> None:
        self.opening = None
        self.busy_bar.hide()
        self.statusBar().clearMessage()
        QApplication.restoreOverrideCursor()

    def open_sample(self, direction_id: str | None = None) -> bool:
        """A complete example submission (with example attachments) as a new draft."""
        import hashlib

        from zscq_desktop.core.sample import build_sample, example_attachments
        from zscq_desktop.core.submission import Attachment
        from zscq_desktop.ui.session import Session, SessionError

        if self._busy():
            return False
        # the call's example direction (its [sample] table), else its first
        direction_id = direction_id or str(self.call.sample.get("direction") or self.call.directions[0].id)
        sub = build_sample(self.call, direction_id)
        blobs = {}
        for category, title, name, data in example_attachments(self.call):
            sha = hashlib.sha256(data).hexdigest()
            blobs[sha] = data
            sub.attachments.append(Attachment(category=category, title=title, source_name=name, sha256=sha, size=len(data)))
        try:
            session = Session.new(self.call, sub, hint="示例", blobs=blobs, parent=self)
        except SessionError as exc:
            dialogs.inform(self, "无法打开示例", str(exc), warning=True)
            return False
        self._adopt(session, flow.DIRECTION)
        return True

    def _adopt(self, session: Session, page_id: str) -> None:
        self.set_session(session)
        session.normalize_pending()
        self.goto(page_id)

    # ---- saving ---------------------------------------------------------------------------------
    def save(self) -> bool:
        """Ctrl+S: everything is saved automatically; a draft or a read-only file is given a place of
        the user's choice; after a conflict the user decides."""
        s = self.session
        if s is None:
            return False
        if s.is_draft or s.readonly:
            return self.save_as()
        if s.conflict:
            self._conflicted(s.save_problem)
            return not s.dirty
        s.save_now()
        if s.dirty:
            self.statusBar().showMessage(s.save_problem or "尚未保存", 10000)
        else:
            self.statusBar().showMessage("已保存", 3000)
        return not s.dirty

    def save_as(self) -> bool:
        if self.session is None:
            return False
        from zscq_desktop.core.filenames import safe_name

        folder = settings.get(settings.LAST_FOLDER) or str(Path.home())
        name = self.session.submission.get("form.cover.project_name") or self.session.submission.unit.get("name") or "申报"
        target = dialogs.save_file(self, "另存为", str(Path(folder) / f"{safe_name(str(name), 60, '未命名')}.zscq"), "申报文件 (*.zscq)")
        if target is None:
            return False
        from zscq_desktop.ui.session import SessionError

        old_path = self.session.path
        try:
            self.session.save_as(target)
        except SessionError as exc:
            dialogs.inform(self, "另存为失败", str(exc), warning=True)
            return False
        from zscq_desktop.ui.window import _mark

        _mark(old_path, False)
        _mark(self.session.path, True)
        settings.put(settings.LAST_FOLDER, str(target.parent))
        self._update_title()
        self.statusBar().showMessage(f"已保存到 {self.session.path}", 5000)
        return True

    def _conflicted(self, message: str) -> None:
        """Another window saved the same file: reload it (dropping this window's edits) or 另存为."""
        self._update_title()
        s = self.session
        if s is None or getattr(self, "_asking_conflict", False):
            return
        self._asking_conflict = True
        try:
            choice = dialogs.choose(self, "文件已被其他窗口修改", message, CONFLICT_CHOICES, cancel="稍后处理")
        finally:
            self._asking_conflict = False
        if choice == 0:
            from zscq_desktop.ui.session import SessionError

            try:
                s.reload()
            except SessionError as exc:
                dialogs.inform(self, "无法重新载入", str(exc), warning=True)
                return
            self.reload_pages()
            self.statusBar().showMessage("已从文件重新载入。", 5000)
        elif choice == 1:
            self.save_as()

    def _save_failed(self, message: str) -> None:
        """Disk full, I/O error…: the text stays in memory and the session retries; say so where the
        user looks (the status area), without a dialog interrupting the typing."""
        self.statusBar().showMessage(message, 15000)
        self._update_title()
