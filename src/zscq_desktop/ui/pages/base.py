"""The one base class of every wizard page: load from the session, validate, save, focus a field.

A page is a thin view: it reads the `Session`, forwards each user action as `session.edit(path,
value)` and shows the findings the session computed. It never decides a rule.

Constructor contract (the export page and every generated page use it)::

    Page(window, spec)   # window: ui.window.MainWindow; spec: core.flow.PageSpec

`window.session` is the open `Session` (None on the start page before one is opened);
`window.goto(page_id, path="")` moves to another page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (QAbstractButton, QAbstractItemView, QApplication, QCheckBox, QFrame, QLabel,
                               QRadioButton, QScrollArea, QVBoxLayout, QWidget)

from zscq_desktop.core import flow
from zscq_desktop.core.flow import PageSpec

if TYPE_CHECKING:
    from zscq_desktop.core.findings import Finding
    from zscq_desktop.ui.session import Session


#: What a 提醒 is, said wherever reminders are counted.
REMINDER_MEANING = "提醒是建议核对的地方，不影响导出"
#: The dynamic property naming the field path a widget edits (set by the pages); leaving such a
#: widget lets its "please fill in" errors show (see `Page.inline_findings`).
PATH_PROPERTY = "fieldPath"


def finding_counts(findings: list[Finding]) -> tuple[int, int]:
    """(errors, reminders) of the session's findings — the one count every page shows. Errors block
    the export; reminders are the warnings (提示, informational notes, are not counted)."""
    from zscq_desktop.core.findings import Severity

    errors = sum(1 for f in findings if f.blocking)
    return errors, sum(1 for f in findings if f.severity is Severity.WARNING)


def counts_text(findings: list[Finding]) -> str:
    """The sentence the review and export pages both show."""
    errors, reminders = finding_counts(findings)
    more = f"另有 {reminders} 条提醒（{REMINDER_MEANING}）。" if reminders else ""
    if errors:
        return f"共有 {errors} 处错误须修改后才能导出。{more}"
    return f"没有需要修改的错误，可以导出。{more}"


def revealed(window: Any, prefix: str) -> bool:
    """Whether the user left the field `prefix` (or asked for it from the review page): only then
    its "please fill in" errors are shown, so a fresh form is not a wall of red."""
    for r in getattr(window, "revealed_paths", ()):
        if r == prefix or r.startswith((prefix + ".", prefix + "[")) or prefix.startswith((r + ".", r + "[")):
            return True
    return False


QUIET_CODES = frozenset({"field.required", "eligibility.unanswered", "field.table.rows", "plan.section_empty",
                         "plan.task_empty", "indicator.target", "schedule.empty"})


class Page(QWidget):
    """Base wizard page. Subclasses build widgets into `self.body` (inside a scroll area, so
    nothing is cut off on a 1366×768 screen) and override the hooks below."""

    #: whether the page content sits in a vertical scroll area (pages with their own big views,
    #: such as an embedded PDF preview, turn it off)
    scrollable = True

    def __init__(self, window: Any, spec: PageSpec) -> None:
        super().__init__()
        self.window_ = window
        self.spec = spec
        self.setObjectName(f"page-{spec.id}")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.body = QWidget()
        self.body.setObjectName("pageBody")
        self.layout_ = QVBoxLayout(self.body)
        self.layout_.setContentsMargins(20, 12, 20, 16)
        self.layout_.setSpacing(10)
        if self.scrollable:
            area = QScrollArea()
            area.setWidgetResizable(True)
            area.setFrameShape(QFrame.Shape.NoFrame)
            area.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # not an invisible Tab stop before the fields
            area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            area.setWidget(self.body)
            outer.addWidget(area)
            # (not `self.scroll`: that would shadow QWidget.scroll())
            self.scroll_area: QScrollArea | None = area
        else:
            self.scroll_area = None
            outer.addWidget(self.body)

    # ---- context ----------------------------------------------------------------------------
    @property
    def session(self) -> "Session | None":
        return self.window_.session

    @property
    def call(self):
        return self.window_.call

    def intro(self, text: str) -> QLabel:
        """A short explanatory paragraph at the top of the page."""
        label = QLabel(text)
        label.setWordWrap(True)
        label.setObjectName("intro")
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.layout_.addWidget(label)
        return label

    # ---- hooks --------------------------------------------------------------------------------
    def load(self) -> None:
        """Fill the widgets from the session (called when the page is shown and on outside changes)."""

    def save(self) -> None:
        """Push anything not yet forwarded to the session (most widgets forward on every edit)."""

    def validate(self, forward: bool = True) -> str | None:
        """None when the user may leave the page, else the Chinese reason (from `core.flow`)."""
        session = self.session
        return flow.can_leave(self.spec.id, session.submission if session else None, self.call, forward=forward)

    def inline_findings(self, prefix: str):
        """Findings to show under the widget of `prefix`. "Please fill in" errors stay hidden until the
        user has left that field or opened it from the review page (`revealed`): visiting the review
        page does not paint a fresh form red."""
        session = self.session
        if session is None:
            return []
        found = flow.findings_for(session.findings(), prefix)
        if not revealed(self.window_, prefix):
            found = [f for f in found if f.code not in QUIET_CODES]
        return found

    def findings_changed(self) -> None:
        """The session recomputed its findings: refresh inline error texts."""

    def focus_path(self, path: str) -> bool:
        """Show and focus the widget of a field path; True when found."""
        return False

    # ---- keyboard -----------------------------------------------------------------------------------
    def focus_chain(self) -> list[QWidget]:
        """The widgets of this page Tab reaches, in Tab order (visible and enabled ones only)."""
        out: list[QWidget] = []
        w = self.nextInFocusChain()
        seen = 0
        while w is not self and seen < 5000:
            seen += 1
            if (self.isAncestorOf(w) and w.isVisibleTo(self) and w.isEnabled()
                    and w.focusPolicy() & Qt.FocusPolicy.TabFocus and w.focusProxy() is None):
                out.append(w)
            w = w.nextInFocusChain()
        return out

    def first_field(self) -> QWidget | None:
        """What gets the focus when the page is shown (the first widget in Tab order)."""
        chain = self.focus_chain()
        return chain[0] if chain else None

    def focus_first(self) -> None:
        target = self.first_field()
        if target is not None:
            target.setFocus(Qt.FocusReason.TabFocusReason)
            self.ensure_visible(target)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 — Qt API
        """Enter in a single-line field (line edit, list box, date, check box) moves to the next field,
        as in a paper-like form; on a button it presses the button. Multi-line text keeps Enter for a
        new line (it never lets the key through), tables and lists keep theirs."""
        focus = QApplication.focusWidget()
        plain = not (event.modifiers() & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
                                          | Qt.KeyboardModifier.ShiftModifier))
        if (event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and plain and focus is not None
                and self.isAncestorOf(focus) and not _in_item_view(focus, self)):
            if isinstance(focus, QAbstractButton) and not isinstance(focus, (QCheckBox, QRadioButton)):
                focus.click()
            else:
                field = field_path(focus)
                for _ in range(4):  # past the field's own buttons (日历…): to the next field
                    self.focusNextChild()
                    landed = QApplication.focusWidget()
                    if not (field and isinstance(landed, QAbstractButton) and field_path(landed) == field):
                        break
            event.accept()
            return
        super().keyPressEvent(event)

    def ensure_visible(self, widget: QWidget) -> None:
        if self.scroll_area is not None:
            self.scroll_area.ensureWidgetVisible(widget, 40, 80)


def field_path(widget: QWidget | None) -> str:
    """The field path (`PATH_PROPERTY`) of the page widget `widget` belongs to ("" when none)."""
    try:
        while widget is not None:
            path = widget.property(PATH_PROPERTY)
            if path:
                return str(path)
            widget = widget.parentWidget()
    except RuntimeError:  # a widget already deleted (page dropped)
        return ""
    return ""


def _in_item_view(widget: QWidget, stop: QWidget) -> bool:
    """Whether `widget` is (inside) a list, tree or table — those handle Enter themselves."""
    w: QWidget | None = widget
    while w is not None and w is not stop:
        if isinstance(w, QAbstractItemView):
            return True
        w = w.parentWidget()
    return False
