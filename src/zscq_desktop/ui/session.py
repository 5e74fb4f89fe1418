"""The open submission: model + its `.zscq` document + autosave + findings.

Every page edits through `Session.edit(path, value)`. Each edit marks the session dirty and
(re)starts a single-shot timer; when it fires (≈ 0.5 s after the last keystroke, but never later
than `SAVE_MAX_WAIT_MS` after the first unsaved change, so continuous typing cannot postpone it)
the whole submission is written to the document in one transaction, so nothing typed is lost for
more than a second. Findings are recomputed on a second, shorter timer: the rules engine
(`core.rules.check`), glyph coverage and the normalisation findings of the supporting files
(`ui.session_attachments`). The session decides no rule itself.

When the document cannot take a save, what was typed always stays in memory, by the store's
`DocumentError.kind`:
- ``readonly`` at opening: the window may open the file read-only; edits then go nowhere and
  另存为 keeps them;
- ``conflict`` (another window or process saved the same file): no more automatic saves — the
  `conflicted` signal lets the window ask to reload the file or 另存为 a copy;
- anything else (disk full, I/O, locked): `save_failed` with the Chinese message, retried with a
  growing pause (2 s … 60 s).

A new submission lives in the user data folder (`store.profiles.new_draft_path`) until the user
chooses 另存为; the draft file is then removed (`store.profiles.discard_draft`).
"""

from __future__ import annotations

import copy
import logging
import time
from pathlib import Path
from typing import Any

from contextlib import contextmanager
from typing import Iterator

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer, Signal
from PySide6.QtGui import QUndoStack

from zscq_desktop.call.model import Call
from zscq_desktop.checks import all_findings
from zscq_desktop.core import flow
from zscq_desktop.core.findings import Finding, Severity, sort_findings
from zscq_desktop.core.submission import Submission, SubmissionError
from zscq_desktop.docio import Loaded
from zscq_desktop.ui import undo
from zscq_desktop.ui.session_attachments import A4PDF, AttachmentOps
from zscq_desktop.ui.undo_names import current_name, describe_edit, field_label

log = logging.getLogger(__name__)

__all__ = ["A4PDF", "Session", "SessionError"]
SAVE_DELAY_MS = 500
SAVE_MAX_WAIT_MS = 800  # ceiling from the first unsaved change: on disk ≤ 1 s even while typing goes on
FINDINGS_DELAY_MS = 150
RETRY_FIRST_MS, RETRY_MAX_MS = 2000, 60000  # a failed save is retried after 2 s, 4 s, … at most 60 s


class SessionError(Exception):
    """A document could not be opened, created or written; the message is plain Chinese.

    `kind` is the store's `DocumentError.kind` when there was one (``"readonly"``, ``"damaged"``…).
    """

    def __init__(self, message: str, kind: str = "") -> None:
        super().__init__(message)
        self.kind = kind


class _DocumentBlobs(dict):
    """`Loaded.blobs` that reads each attachment's bytes from the document on first use."""

    def __init__(self, document: Any) -> None:
        super().__init__()
        self._document = document

    def __missing__(self, sha256: str) -> bytes:
        data = self._document.get_blob(sha256)  # KeyError when absent, as Loaded.blob promises
        self[sha256] = data
        return data


def _store():
    """The store package (imported late: its import is not free and start-up does not need it)."""
    from zscq_desktop.store import document, profiles

    return document, profiles


class Session(QObject, AttachmentOps):
    """The open submission. Signals are emitted on the GUI thread only."""

    changed = Signal(str)  # field path that changed ("" = many)
    findings_changed = Signal()
    saved_changed = Signal(bool)  # True when everything is on disk
    attachments_changed = Signal()
    save_failed = Signal(str)  # Chinese message; the edit stays in memory and is retried
    conflicted = Signal(str)  # another window saved the file; automatic saving has stopped
    restored = Signal(str)  # an undo or redo changed the field path ("attachments", "" = many)

    def __init__(self, call: Call, document: Any, submission: Submission, *, is_draft: bool,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.call = call
        self.document = document
        self.submission = submission
        self.path: Path = Path(document.path)
        self.is_draft = is_draft
        self.closed = False
        self._dirty = False
        self._conflict = False
        self._retry_ms = 0  # > 0 while saves fail: the pause before the next attempt
        self.save_problem = ""  # the last save failure, shown in the window's status area
        self._findings: list[Finding] = []
        # sha256 -> (pages, findings) of the normalised file; findings re-pathed to the current index.
        self._attachment_results: dict[str, tuple[int, list[Finding]]] = {}
        self._jobs: dict[str, Any] = {}
        self._unsaved_since = 0.0
        self._save_timer = QTimer(self, singleShot=True, interval=SAVE_DELAY_MS)
        self._save_timer.timeout.connect(self._autosave)
        self._findings_timer = QTimer(self, singleShot=True, interval=FINDINGS_DELAY_MS)
        self._findings_timer.timeout.connect(self.refresh_findings)
        # the one undo history of this document (ui.undo); typing merges until a pause seals the step
        self.undo_stack = QUndoStack(self)
        self._seal = 0
        self._typing_path = ""
        self._pause_timer = QTimer(self, singleShot=True, interval=undo.TYPING_PAUSE_MS)
        self._pause_timer.timeout.connect(self.seal_typing)
        app = QCoreApplication.instance()
        if app is not None:
            app.installEventFilter(self)  # a click anywhere ends the typing step (see eventFilter)
        self._load_cached_results()
        self.refresh_findings()

    # ---- opening ------------------------------------------------------------------------------
    @classmethod
    def new(cls, call: Call, submission: Submission | None = None, *, hint: str = "",
            blobs: dict[str, bytes] | None = None, parent: QObject | None = None) -> "Session":
        """A new draft in the user data folder (optionally pre-filled, e.g. the sample)."""
        doc, sub = cls.create_draft(call, submission, hint=hint, blobs=blobs)
        return cls.adopt_draft(call, doc, sub, parent=parent)

    @staticmethod
    def create_draft(call: Call, submission: Submission | None = None, *, hint: str = "",
                     blobs: dict[str, bytes] | None = None) -> tuple[Any, Submission]:
        """The Qt-free half of `new` (safe on a worker thread): the draft document with `blobs`
        stored, and its submission. Nothing is left behind when it fails."""
        document, profiles = _store()
        sub = submission or Submission(call=call.id)
        sub.touch()
        path = profiles.new_draft_path(hint)
        doc = None
        try:
            doc = document.Document.create(path, sub.to_dict())
            for sha, data in (blobs or {}).items():
                if doc.put_blob(data) != sha:
                    raise SessionError("附件数据校验失败，请重试。")
        except (document.DocumentError, OSError, SessionError) as exc:
            if doc is not None:
                doc.close()
                profiles.discard_draft(path)  # a half-filled draft must not reappear as a project
            if isinstance(exc, SessionError):
                raise
            if isinstance(exc, document.DocumentError):
                raise SessionError(str(exc), exc.kind) from None
            raise SessionError(f"无法在用户文件夹中创建草稿（{path.parent}）：{exc.strerror or exc}") from None
        return doc, sub

    @classmethod
    def adopt_draft(cls, call: Call, doc: Any, sub: Submission, *, parent: QObject | None = None) -> "Session":
        """The session of a draft made by `create_draft` (on the GUI thread)."""
        _, profiles = _store()
        session = cls(call, doc, sub, is_draft=True, parent=parent)
        session._record_draft()
        try:  # drafts are listed with the recent files, so a draft is found again after a crash
            profiles.RecentFiles().add(doc.path)
        except Exception:
            log.exception("recent files")
        return session

    @classmethod
    def open(cls, call: Call, path: Path, *, readonly: bool = False, use_previous: bool = False,
             parent: QObject | None = None) -> "Session":
        """Open an existing `.zscq` file (`readonly`: never written). A damaged or foreign file raises
        `SessionError` (with the store's `kind`) and is never modified; `use_previous` opens the
        previous save of a file whose text failed its hash (kind ``text_damaged``)."""
        document, profiles = _store()
        path = Path(path)
        try:
            doc = document.Document.open(path, readonly=readonly, use_previous=use_previous)
        except document.DocumentError as exc:
            raise SessionError(str(exc), exc.kind) from None
        except OSError as exc:
            raise SessionError(f"无法打开《{path.name}》：{exc.strerror or exc}") from None
        try:
            sub = Submission.from_dict(doc.load())
        except (SubmissionError, document.DocumentError) as exc:
            doc.close()
            raise SessionError(f"《{path.name}》：{exc}", getattr(exc, "kind", "damaged")) from None
        if sub.call != call.id:
            doc.close()
            raise SessionError(f"《{path.name}》属于申报年度“{sub.call}”，本程序当前为“{call.title}”，无法打开。", "foreign")
        is_draft = _is_inside(path, profiles.drafts_dir())
        session = cls(call, doc, sub, is_draft=is_draft, parent=parent)
        try:
            profiles.RecentFiles().add(path)
        except Exception:
            log.exception("recent files")
        return session

    # ---- the contract -------------------------------------------------------------------------
    def edit(self, path: str, value: Any, text: str = "") -> None:
        """Set one value as an undoable step (`text` names it in the 编辑 menu; by default it is read
        off the change); autosave follows within a second and findings are recomputed."""
        if path == "direction":
            value = str(value or "")
            if value == self.submission.direction:
                return
            name = next((d.name for d in self.call.directions if d.id == value), value)
            self.seal_typing()
            self.undo_stack.push(undo.SnapshotCommand(
                self, path, text or f"选择方向 {name}", lambda: flow.apply_direction(self.call, self.submission, value)))
            return
        old = self.submission.get(path)
        if old == value:
            return
        text = text or current_name()
        if not text:
            label = field_label(self.call, self.submission.direction, path)
            text = describe_edit(label, old, value)
        merge = undo.mergeable(value) and undo.mergeable(old)
        if not merge or path != self._typing_path:
            self.seal_typing()
        if merge:
            self._typing_path = path
            self._pause_timer.start()
        self.undo_stack.push(undo.EditCommand(self, path, old, value, text, self._seal if merge else None))

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 — Qt API
        if event.type() == QEvent.Type.MouseButtonPress:
            self.seal_typing()  # a click (a button, another place in the text) starts a new step
        return False

    def seal_typing(self) -> None:
        """End the current typing step: the next keystroke starts a new undo step."""
        self._seal += 1
        self._typing_path = ""
        self._pause_timer.stop()

    @contextmanager
    def one_step(self, text: str) -> Iterator[None]:
        """Every edit made inside is one undo step named `text` (e.g. filling in a unit profile)."""
        self.seal_typing()
        self.undo_stack.beginMacro(text)
        try:
            yield
        finally:
            self.undo_stack.endMacro()
            self.seal_typing()

    def referenced_blobs(self) -> set[str]:
        """The attachment bytes the document must keep: the current files and every file an undo
        or redo step can bring back (for a future `Document.prune_blobs`)."""
        keep = {a.sha256 for a in self.submission.attachments}
        for i in range(self.undo_stack.count()):
            keep |= _command_blobs(self.undo_stack.command(i))
        return keep

    def findings(self) -> list[Finding]:
        """Rules + glyph + attachment findings, errors first (recomputed now if an edit is pending)."""
        if self._findings_timer.isActive():
            self.refresh_findings()
        return list(self._findings)

    def loaded(self) -> Loaded:
        """A snapshot of the submission whose attachment bytes come from the document on demand."""
        sub = Submission.from_dict(self.submission.to_dict())
        return Loaded(sub, _DocumentBlobs(self.document), self.path)

    def save_now(self) -> None:
        """Write the submission to the document now (no-op when nothing changed or it cannot be written)."""
        self._save_timer.stop()
        if self._dirty:
            self._write()

    def save_as(self, target: Path) -> None:
        """Copy the document to `target`, write the current submission there and continue there.

        Works whatever the state of the current file (read-only, changed by another window, disk
        full): the edits kept in memory go into the copy. A draft left behind is removed.
        """
        document, profiles = _store()
        target = Path(target)
        if target.suffix.lower() != ".zscq":
            target = target.with_name(target.name + ".zscq")
        self.save_now()
        new_doc = None
        existed = target.exists()
        try:
            self.document.save_as(target)
            new_doc = document.Document.open(target)
            new_doc.save(self.submission.to_dict())  # edits the old file could not take
        except document.DocumentError as exc:
            if new_doc is not None:
                new_doc.close()
            elif not existed and target.exists():
                target.unlink(missing_ok=True)  # a copy we cannot continue in is no use: leave no stray file
            raise SessionError(str(exc), exc.kind) from None
        except OSError as exc:
            if new_doc is not None:
                new_doc.close()
            raise SessionError(f"无法保存到《{target}》：{exc.strerror or exc}") from None
        old_doc, old_path, was_draft = self.document, self.path, self.is_draft
        for job in self._jobs.values():
            job.cancel()  # they write to the old document; their results are redone for the new one
        self.document, self.path, self.is_draft = new_doc, target, False
        old_doc.close()
        self._dirty, self._conflict, self._retry_ms, self.save_problem = False, False, 0, ""
        self._save_timer.stop()
        if was_draft and old_path != target and not profiles.discard_draft(old_path):
            log.warning("draft %s not removed (outside the drafts folder)", old_path)
        profiles.RecentFiles().add(target)
        self._record_draft()
        self.saved_changed.emit(True)

    def reload(self) -> None:
        """Read the submission back from the file (after another window saved it); unsaved edits in
        this window are dropped."""
        document, _ = _store()
        try:
            sub = Submission.from_dict(self.document.load())
        except (SubmissionError, document.DocumentError) as exc:
            raise SessionError(f"《{self.path.name}》无法重新载入：{exc}", getattr(exc, "kind", "damaged")) from None
        self._save_timer.stop()
        self.submission = sub
        self.undo_stack.clear()  # the steps were about the submission this window had
        self._dirty, self._conflict, self._retry_ms, self.save_problem = False, False, 0, ""
        self._load_cached_results()
        self.saved_changed.emit(True)
        self.changed.emit("")
        self.attachments_changed.emit()
        self.refresh_findings()
        self.normalize_pending()

    def record_send(self, record: dict) -> None:
        """Append a send record (mail log) and save at once."""
        self.submission.sends.append(dict(record))
        self._dirty = True
        self.save_now()
        self.changed.emit("sends")

    # ---- state ------------------------------------------------------------------------------------
    @property
    def dirty(self) -> bool:
        return self._dirty

    @property
    def readonly(self) -> bool:
        """True when the file was opened read-only: edits stay in this window until 另存为."""
        return bool(self.document.readonly)

    @property
    def conflict(self) -> bool:
        """True after another window or process saved the file: automatic saving has stopped."""
        return self._conflict

    @property
    def direction(self):
        """The chosen `Direction`, or None before one is chosen."""
        try:
            return self.call.direction(self.submission.direction)
        except KeyError:
            return None

    def display_name(self) -> str:
        """What the title bar shows: the file name, or the project name for a draft."""
        if self.is_draft:
            name = self.submission.get("form.cover.project_name") or self.submission.unit.get("name") or "新申报"
            return f"{name}（草稿）"
        return self.path.name

    def blocking(self) -> list[Finding]:
        return [f for f in self._findings if f.blocking]

    def close(self) -> None:
        """Save what is pending, stop every timer and close the document (idempotent)."""
        if self.closed:
            return
        for job in list(self._jobs.values()):
            job.cancel()
        self.save_now()
        self.closed = True  # from here on nothing writes: a retry timer firing late is a no-op
        app = QCoreApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self._pause_timer.stop()
        self._save_timer.stop()
        self._findings_timer.stop()
        self.document.close()
        if self.is_draft and self._is_blank():
            _, profiles = _store()  # a 新建 that was never filled in leaves nothing behind
            if not profiles.discard_draft(self.path):
                log.warning("could not remove the empty draft %s", self.path)

    def _is_blank(self) -> bool:
        sub = self.submission
        return not (sub.direction or sub.unit or any(sub.form.values()) or sub.attachments or sub.eligibility)

    # ---- applied by the undo commands (ui.undo) only -----------------------------------------------
    def _apply_value(self, path: str, value: Any, *, restored: bool) -> None:
        self.submission.set(path, copy.deepcopy(value))
        self._modified(path)
        if restored:
            self.seal_typing()
            self.restored.emit(path)

    def _apply_snapshot(self, data: dict, path: str) -> None:
        self.submission = Submission.from_dict(data)
        self.seal_typing()
        self._modified(path)
        self.attachments_changed.emit()
        self.restored.emit(path)

    def _apply_attachments(self, items: list, *, restored: bool) -> None:
        self.submission.attachments[:] = copy.deepcopy(items)
        self._attachments_modified()
        if restored:
            self.seal_typing()
            self.normalize_pending()  # a file brought back whose job was cancelled
            self.restored.emit("attachments")

    # ---- internals ----------------------------------------------------------------------------------
    def _modified(self, path: str) -> None:
        self.submission.touch()
        self._mark_dirty()
        if not self.closed:
            self._findings_timer.start()
        self.changed.emit(path)

    def _mark_dirty(self) -> None:
        self._dirty = True
        if self.closed:
            return  # a closed session starts no timer (its document is gone)
        if self._retry_ms == 0:
            if not self._save_timer.isActive():
                self._unsaved_since = time.monotonic()  # debounce with a max-wait, measured from here
            waited_ms = (time.monotonic() - self._unsaved_since) * 1000
            self._save_timer.start(int(max(0, min(SAVE_DELAY_MS, SAVE_MAX_WAIT_MS - waited_ms))))
        elif not self._save_timer.isActive():
            self._save_timer.start(self._retry_ms)  # failing: keep to the back-off, not every keystroke
        self.saved_changed.emit(False)

    def _attachments_modified(self) -> None:
        self._modified("attachments")
        self.attachments_changed.emit()

    def _autosave(self) -> None:
        if self._dirty and not self.closed:
            self._write()

    def _write(self) -> None:
        if self.closed or self._conflict or self.readonly:
            return  # kept in memory: 另存为 (or reload, for a conflict) is the way on
        document, _ = _store()
        try:
            self.document.save(self.submission.to_dict())
        except (document.DocumentError, OSError) as exc:
            kind = getattr(exc, "kind", "io")
            if kind == "conflict":
                self._conflict = True
                self.save_problem = str(exc)
                self._save_timer.stop()
                log.warning("autosave of %s: the file was changed by another window", self.path)
                self.conflicted.emit(str(exc))
                return
            log.error("autosave of %s failed (%s): %s", self.path, kind, exc)
            msg = str(exc) if isinstance(exc, document.DocumentError) else (exc.strerror or str(exc))
            self.save_problem = f"自动保存失败：{msg.rstrip('。')}。内容仍在程序中，稍后自动重试；也可用“另存为”换一个位置。"
            self._retry_ms = min(RETRY_MAX_MS, max(RETRY_FIRST_MS, self._retry_ms * 2))
            self._save_timer.start(self._retry_ms)
            self.save_failed.emit(self.save_problem)
            return
        self._dirty, self._retry_ms, self.save_problem = False, 0, ""
        self._record_draft()
        self.saved_changed.emit(True)

    def _record_draft(self) -> None:
        sub = self.submission
        facts = (str(self.path), sub.direction, str(sub.unit.get("credit_code") or ""), str(sub.unit.get("name") or ""),
                 str(sub.get("form.cover.project_name") or ""))
        if facts == getattr(self, "_recorded", None):
            return  # the index only holds these facts; don't rewrite it on every keystroke
        self._recorded = facts
        _, profiles = _store()
        try:
            profiles.DraftIndex().record(self.path, sub.to_dict())
        except Exception:  # the index is a convenience; never let it stop a save
            log.exception("could not record draft %s", self.path)

    def refresh_findings(self) -> None:
        """Recompute all findings now (normally triggered by the debounce timer)."""
        self._findings_timer.stop()
        try:
            found = all_findings(self.call, self.submission, path=self.path, extra=self.attachment_findings())
        except Exception:  # a rule crashing must not take the editor down
            log.exception("rules engine failed")
            found = [Finding(Severity.ERROR, "internal.rules", "检查规则时发生内部错误，请查看日志。")]
        self._findings = sort_findings(found)
        self.findings_changed.emit()


def _command_blobs(command: Any) -> set[str]:
    found = set(command.blobs()) if isinstance(command, undo.AttachmentsCommand) else set()
    if isinstance(command, undo.SnapshotCommand):
        for data in (command.before, command.after or {}):
            found |= {str(a.get("sha256")) for a in data.get("attachments", []) if isinstance(a, dict)}
    for i in range(command.childCount()):
        found |= _command_blobs(command.child(i))
    return found


def _is_inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
        return True
    except ValueError:
        return False
