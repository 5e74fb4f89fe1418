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
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from zscq_desktop.core import flow
from zscq_desktop.core.flow import PageSpec

if TYPE_CHECKING:
    from zscq_desktop.ui.session import Session


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
        user has seen the review page once, so a fresh form is not a wall of red."""
        session = self.session
        if session is None:
            return []
        found = flow.findings_for(session.findings(), prefix)
        if not getattr(self.window_, "reveal_required", False):
            found = [f for f in found if f.code not in QUIET_CODES]
        return found

    def findings_changed(self) -> None:
        """The session recomputed its findings: refresh inline error texts."""

    def focus_path(self, path: str) -> bool:
        """Show and focus the widget of a field path; True when found."""
        return False

    def ensure_visible(self, widget: QWidget) -> None:
        if self.scroll_area is not None:
            self.scroll_area.ensureWidgetVisible(widget, 40, 80)
