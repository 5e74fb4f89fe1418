"""The main window's yearly-call commands: which call a new submission uses, switching to the call of
an opened file, 导入申报年度数据…, 年度对比… and 转为新年度申报….

`CallActions` is a mixin of `ui.window.MainWindow` (beside `FileActions`); it uses the window's `call`,
`session`, `set_session`, `goto` and pages.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog

from zscq_desktop.call import CallDataError, load_call
from zscq_desktop.call.registry import list_calls
from zscq_desktop.core import flow
from zscq_desktop.ui import settings
from zscq_desktop.ui.widgets import dialogs

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMainWindow

    from zscq_desktop.call.model import Call

    _WindowBase = QMainWindow
else:
    _WindowBase = object

log = logging.getLogger(__name__)


class CallActions(_WindowBase):
    """Yearly-call commands of the main window (see the module docstring)."""

    if TYPE_CHECKING:
        call: Call
        session: Any
        _pages: dict
        _current: str

        def set_session(self, session: Any) -> None: ...
        def goto(self, page_id: str, path: str = "") -> bool: ...
        def _drop_page(self, page_id: str) -> None: ...
        def _rebuild_nav(self) -> None: ...

    def add_call_actions(self, menu: Any) -> None:
        """文件 menu entries for calls."""
        for text, slot in (("导入申报年度数据(&I)…", self.import_call_pack), ("转为新年度申报(&Y)…", self.carry_over_document),
                           ("申报年度对比(&D)…", self.show_call_diff)):
            a = QAction(text, self)
            a.triggered.connect(lambda _checked=False, slot=slot: slot())
            menu.addAction(a)

    # ---- which call ----------------------------------------------------------------------------
    def use_call(self, call: "Call") -> None:
        """Make `call` the window's call; every page is rebuilt from it (also the start page's banner)."""
        if call.id == self.call.id and call.version == self.call.version:
            return
        self.call = call
        for page_id in list(self._pages):
            self._drop_page(page_id)
        self._current = ""
        self._rebuild_nav()

    def call_for_new(self) -> "Call | None":
        """The call a new submission starts on: the newest open one; asks when several are open."""
        calls = list_calls()
        if not calls:
            return self.call
        open_ = [e for e in calls if e.open]
        if len(open_) > 1:
            choice = dialogs.choose(self, "选择申报年度", "目前有多个申报年度正在受理，请选择新申报所属的年度：",
                                    [f"{e.title}（截止 {e.deadline:%Y-%m-%d}）" for e in open_])
            if choice is None:
                return None
            return load_call(open_[choice].id)
        return load_call((open_ or calls)[0].id)

    def call_of_file(self, path: Path) -> "Call | None":
        """The call a `.zscq` file was made for (the window's when unreadable: opening it will explain);
        None after telling the user that call is not installed."""
        from zscq_desktop.store.document import Document, DocumentError

        try:
            with Document.open(path, readonly=True) as doc:
                call_id = str(doc.load().get("call") or "")
        except (DocumentError, OSError, AttributeError):
            return self.call
        if not call_id or call_id == self.call.id:
            return self.call
        return self._load_or_say(call_id, path.name)

    def use_call_id(self, call_id: str, name: str) -> bool:
        """Switch to call `call_id` (the call file `name` was made for); False after saying it is missing."""
        if not call_id or call_id == self.call.id:
            return True
        call = self._load_or_say(call_id, name)
        if call is not None:
            self.use_call(call)
        return call is not None

    def _load_or_say(self, call_id: str, name: str) -> "Call | None":
        try:
            return load_call(call_id)
        except CallDataError:
            dialogs.inform(self, "缺少申报年度数据", f"《{name}》属于申报年度“{call_id}”，本机尚未安装该年度的数据。\n"
                           "请先通过 文件 → 导入申报年度数据… 安装发布单位提供的 .zscqcall 文件。", warning=True)
            return None

    # ---- import ---------------------------------------------------------------------------------
    def import_call_pack(self, path: Path | None = None) -> bool:
        """Read a `.zscqcall`, show it, install it only when the user confirms."""
        from zscq_desktop.call.pack import PackError, install, read_pack
        from zscq_desktop.ui.call_dialogs import CallImportDialog

        if path is None:
            path = dialogs.open_file(self, "导入申报年度数据", settings.get(settings.LAST_FOLDER) or "",
                                     "申报年度数据包 (*.zscqcall);;所有文件 (*)")
            if path is None:
                return False
        preview = read_pack(Path(path))
        dialog = CallImportDialog(preview, self)
        if dialog.exec() != QDialog.DialogCode.Accepted or preview.refused:
            return False
        try:
            target = install(preview)
        except (PackError, OSError) as exc:
            dialogs.inform(self, "安装失败", str(exc), warning=True)
            return False
        log.info("installed call %s v%s into %s", preview.id, preview.version, target)
        self.refresh_call_list()
        dialogs.inform(self, "已安装", f"已安装申报年度“{preview.title}”。新建申报时将使用最新的申报中年度。")
        return True

    def refresh_call_list(self) -> None:
        start = self._pages.get(flow.START)
        box = getattr(start, "calls_box", None)
        if box is not None:
            box.load()

    def show_call_diff(self) -> None:
        from zscq_desktop.ui.call_dialogs import CallDiffDialog

        CallDiffDialog(self).exec()

    # ---- carrying a document over --------------------------------------------------------------
    def carry_over_document(self) -> bool:
        """A NEW draft for a newer call from the open document (which is left as it is)."""
        from zscq_desktop.call.carry import carry_over
        from zscq_desktop.ui.session import Session, SessionError

        s = self.session
        if s is None:
            dialogs.inform(self, "转为新年度申报", "请先打开要转换的申报文件。")
            return False
        others = [e for e in list_calls() if e.id != self.call.id and e.deadline > self.call.deadline]
        if not others:
            dialogs.inform(self, "转为新年度申报", "本机没有比当前申报更新的申报年度。\n"
                           "请先通过 文件 → 导入申报年度数据… 安装新年度的数据。")
            return False
        choice = 0 if len(others) == 1 else dialogs.choose(
            self, "转为新年度申报", "转到哪个申报年度？", [f"{e.title}（截止 {e.deadline:%Y-%m-%d}）" for e in others])
        if choice is None:
            return False
        if len(others) == 1 and not dialogs.ask(self, "转为新年度申报",
                                                f"将按《{others[0].title}》新建一份申报，带入单位信息、填写内容和附件；"
                                                f"原文件《{s.path.name}》保持不变。继续？"):
            return False
        s.save_now()
        new = load_call(others[choice].id)
        result = carry_over(s.submission, self.call, new)
        blobs = {a.sha256: s.document.get_blob(a.sha256) for a in s.submission.attachments}
        try:
            session = Session.new(new, result.submission, hint="转年度", blobs=blobs, parent=self)
        except SessionError as exc:
            dialogs.inform(self, "无法转换", str(exc), warning=True)
            return False
        self.use_call(new)
        self.set_session(session)
        self.goto(flow.REVIEW if result.submission.direction else flow.DIRECTION)
        lines = [f"已按《{new.title}》新建申报草稿，原文件未改动。"]
        if result.dropped:
            lines += ["", "以下内容不适用于新年度，未带入："] + [f"· {d}" for d in result.dropped]
        if result.notes:
            lines += ["", *[f"· {n}" for n in result.notes]]
        lines += ["", "已按新年度的规则重新检查，请查看“检查”页的问题。"]
        dialogs.inform(self, "转为新年度申报", "\n".join(lines))
        return True
