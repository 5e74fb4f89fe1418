"""The document's one undo history: every change the user makes is a `QUndoCommand` on the
Session's `QUndoStack`, so Ctrl+Z / Ctrl+Y (and the 编辑 menu, which names the step: “撤销 删除第3行”)
walk back and forth through field edits, table rows, attachments and answers alike.

- `EditCommand`: one value at a field path. Typing into the same field is merged into one step
  until the user pauses (`Session` seals the step after `TYPING_PAUSE_MS` or when another field
  is edited).
- `SnapshotCommand`: a change that touches many paths at once (choosing a direction pre-fills the
  plan), restored from a copy of the whole submission.
- `AttachmentsCommand`: the list of supporting files before and after (add, remove, rename, move,
  reorder). The bytes stay in the document (blobs are never pruned while a command refers to
  them: see `Session.referenced_blobs`), so undoing a removal needs nothing but the list.

The commands change the model only through the Session's private apply functions, which mark the
document dirty, schedule the findings and emit `changed`; after an undo or redo (not the first
redo, which is the user's own action) the Session also emits `restored(path)` so the window shows
the restored values. What the user did not do (opening, migration, normalisation results,
recording an export or a send) is never a command.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any, Callable

from PySide6.QtGui import QUndoCommand

if TYPE_CHECKING:
    from zscq_desktop.core.submission import Attachment
    from zscq_desktop.ui.session import Session

TYPING_PAUSE_MS = 1000  # typing into one field within this pause is one undo step
_EDIT_ID = 0x5A01


def mergeable(value: Any) -> bool:
    """Typed values (text and numbers) merge into one step; rows, lists and choices do not."""
    return not isinstance(value, (list, dict, bool))


class EditCommand(QUndoCommand):
    """Set one field path from `old` to `new`."""

    def __init__(self, session: "Session", path: str, old: Any, new: Any, text: str, seal: int | None) -> None:
        super().__init__(text)
        self.session, self.path = session, path
        self.old, self.new = copy.deepcopy(old), copy.deepcopy(new)
        self.seal = seal  # None: never merged; else merged with the next edit of `path` under the same seal
        self._done = False

    def id(self) -> int:
        return _EDIT_ID if self.seal is not None else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 — Qt API
        if not isinstance(other, EditCommand) or other.path != self.path or other.seal != self.seal:
            return False
        self.new = other.new
        self.setObsolete(self.new == self.old)  # typed and deleted again: no step at all
        return True

    def redo(self) -> None:
        self.session._apply_value(self.path, self.new, restored=self._done)
        self._done = True

    def undo(self) -> None:
        self.session._apply_value(self.path, self.old, restored=True)


class SnapshotCommand(QUndoCommand):
    """A change of many paths at once (`action` runs on the first redo); undone from a full copy."""

    def __init__(self, session: "Session", path: str, text: str, action: Callable[[], None]) -> None:
        super().__init__(text)
        self.session, self.path, self.action = session, path, action
        self.before = session.submission.to_dict()
        self.after: dict | None = None

    def redo(self) -> None:
        if self.after is None:
            self.action()
            self.after = self.session.submission.to_dict()
            self.session._modified(self.path)
        else:
            self.session._apply_snapshot(self.after, self.path)

    def undo(self) -> None:
        self.session._apply_snapshot(self.before, self.path)


class AttachmentsCommand(QUndoCommand):
    """The attachment list from `before` to `after` (copies; the bytes stay in the document)."""

    def __init__(self, session: "Session", text: str, before: list["Attachment"], after: list["Attachment"]) -> None:
        super().__init__(text)
        self.session = session
        self.before, self.after = copy.deepcopy(before), copy.deepcopy(after)
        self._done = False

    def redo(self) -> None:
        self.session._apply_attachments(self.after, restored=self._done)
        self._done = True

    def undo(self) -> None:
        self.session._apply_attachments(self.before, restored=True)

    def blobs(self) -> set[str]:
        return {a.sha256 for a in self.before + self.after}
