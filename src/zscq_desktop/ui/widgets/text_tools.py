"""List and paragraph tools for the long text editors (plan sections, tasks, long form fields).

The stored value stays plain text; the renderers (`render.content`) already print a line starting
with "1." / "（1）" / "一、" as a list item or sub-heading without indent, a line starting with "-"
as a bullet, and every other line as an indented paragraph. The toolbar only writes and removes
those markers on the selected lines, and the hint under the editor says how the text will print.
"""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPlainTextEdit, QToolButton, QWidget

from zscq_desktop.render.content import LIST_ITEM

BULLETS = "-•·"
# a list marker and the blank after it, as the renderers recognise it
_MARKER = re.compile(LIST_ITEM.pattern + r"\s*|^[" + re.escape(BULLETS) + r"]\s*")


def line_kind(line: str) -> str:
    """"number", "bullet", "para" or "" (blank) — how the renderers print this line."""
    s = line.strip()
    if not s:
        return ""
    if s[:1] in BULLETS:
        return "bullet"
    return "number" if LIST_ITEM.match(s) else "para"


def strip_marker(line: str) -> str:
    """The line without its list marker (and without leading blanks)."""
    return _MARKER.sub("", line.strip(), count=1)


def numbered(lines: list[str]) -> list[str]:
    """Number the non-blank lines 1. 2. 3. …; if they all are numbered already, make them paragraphs."""
    filled = [ln for ln in lines if ln.strip()]
    if filled and all(line_kind(ln) == "number" for ln in filled):
        return paragraphs(lines)
    out, n = [], 0
    for ln in lines:
        if ln.strip():
            n += 1
            out.append(f"{n}. {strip_marker(ln)}")
        else:
            out.append(ln)
    return out


def bulleted(lines: list[str]) -> list[str]:
    """Put "- " before the non-blank lines; if they all are bullets already, make them paragraphs."""
    filled = [ln for ln in lines if ln.strip()]
    if filled and all(line_kind(ln) == "bullet" for ln in filled):
        return paragraphs(lines)
    return [f"- {strip_marker(ln)}" if ln.strip() else ln for ln in lines]


def paragraphs(lines: list[str]) -> list[str]:
    """Remove the list markers: every non-blank line prints as an indented paragraph."""
    return [strip_marker(ln) if ln.strip() else ln for ln in lines]


def print_hint(text: str) -> str:
    """How the text will print, e.g. "打印效果：2 段正文（首行缩进），3 个编号项，1 个项目符号项"."""
    kinds = [line_kind(ln) for ln in str(text or "").splitlines()]
    paras, numbers, bullets = kinds.count("para"), kinds.count("number"), kinds.count("bullet")
    if not (paras or numbers or bullets):
        return "打印效果：（空）"
    parts = [f"{paras} 段正文（首行缩进）"] if paras else []
    if numbers:
        parts.append(f"{numbers} 个编号项")
    if bullets:
        parts.append(f"{bullets} 个项目符号项")
    return "打印效果：" + "，".join(parts)


class TextTools(QWidget):
    """A row of buttons acting on the selected lines of `edit`, and the live print hint."""

    def __init__(self, edit: QPlainTextEdit, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = edit
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        self.buttons: dict[str, QToolButton] = {}
        for key, text, tip, fn in (
                ("number", "1. 插入编号列表", "给选中的各行加上 1. 2. 3. 编号（再点一次取消）", numbered),
                ("bullet", "• 插入项目符号", "给选中的各行加上项目符号 -（再点一次取消）", bulleted),
                ("para", "¶ 段落", "去掉选中各行的编号或符号，作为普通段落（首行缩进）", paragraphs)):
            b = QToolButton()
            b.setText(text)
            b.setToolTip(tip)
            b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keep the selection and the Tab order of the form
            b.clicked.connect(lambda _=False, fn=fn: self.apply(fn))
            row.addWidget(b)
            self.buttons[key] = b
        row.addSpacing(12)
        self.hint = QLabel()
        self.hint.setObjectName("fieldHelp")
        row.addWidget(self.hint, 1)
        edit.textChanged.connect(self.update_hint)
        self.update_hint()

    def update_hint(self) -> None:
        self.hint.setText(print_hint(self.edit.toPlainText()))

    def apply(self, transform) -> None:
        """Replace the lines touched by the selection (or the cursor's line) with `transform(lines)`,
        as one undoable step, and select them again so a second click toggles back."""
        doc = self.edit.document()
        cursor = self.edit.textCursor()
        first = doc.findBlock(cursor.selectionStart())
        last = doc.findBlock(cursor.selectionEnd())
        if cursor.hasSelection() and last != first and cursor.selectionEnd() == last.position():
            last = last.previous()  # a selection ending at the start of a line does not take that line
        lines, block = [], first
        while True:
            lines.append(block.text())
            if block == last:
                break
            block = block.next()
        new = "\n".join(transform(lines))
        start = first.position()
        edit_cursor = QTextCursor(doc)
        edit_cursor.setPosition(start)
        edit_cursor.setPosition(last.position() + len(last.text()), QTextCursor.MoveMode.KeepAnchor)
        edit_cursor.beginEditBlock()
        edit_cursor.insertText(new)
        edit_cursor.endEditBlock()
        edit_cursor.setPosition(start)
        edit_cursor.setPosition(start + len(new), QTextCursor.MoveMode.KeepAnchor)
        self.edit.setTextCursor(edit_cursor)
        self.edit.setFocus()
