"""The open submission: model + its `.zscq` document + autosave + findings.

Every page edits through `Session.edit(path, value)`. Each edit marks the session dirty and
(re)starts a single-shot timer; when it fires (≈ 0.5 s after the last keystroke) the whole
submission is written to the document in one transaction, so nothing typed is lost for more than
a second. Findings are recomputed on a second, shorter timer: the rules engine
(`core.rules.check`), glyph coverage (`render.glyphs`, when present) and the normalisation
findings of the supporting files. The session decides no rule itself.

A new submission lives in the user data folder (`store.profiles.new_draft_path`) until the user
chooses 另存为; the draft file is then removed so it no longer counts as another project of the unit.
"""

from __future__ import annotations

import copy
import hashlib
import logging
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QObject, QTimer, Signal

from zscq_desktop.call.model import Call
from zscq_desktop.core import flow
from zscq_desktop.core.findings import Finding, Severity, sort_findings
from zscq_desktop.checks import all_findings
from zscq_desktop.core.submission import Attachment, Submission, SubmissionError
from zscq_desktop.docio import Loaded

log = logging.getLogger(__name__)

SAVE_DELAY_MS = 500
FINDINGS_DELAY_MS = 150
A4PDF = "a4pdf"  # the derived-data kind render.export caches normalised attachments under


class SessionError(Exception):
    """A document could not be opened, created or written; the message is plain Chinese."""


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
    """The store package (imported late: it is written concurrently and its import is not free)."""
    from zscq_desktop.store import document, profiles

    return document, profiles


class Session(QObject):
    """The open submission. Signals are emitted on the GUI thread only."""

    changed = Signal(str)  # field path that changed ("" = many)
    findings_changed = Signal()
    saved_changed = Signal(bool)  # True when everything is on disk
    attachments_changed = Signal()
    save_failed = Signal(str)  # Chinese message; the edit stays in memory and is retried

    def __init__(self, call: Call, document: Any, submission: Submission, *, is_draft: bool,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.call = call
        self.document = document
        self.submission = submission
        self.path: Path = Path(document.path)
        self.is_draft = is_draft
        self._dirty = False
        self._findings: list[Finding] = []
        # sha256 -> (pages, findings) of the normalised file; findings re-pathed to the current index.
        self._attachment_results: dict[str, tuple[int, list[Finding]]] = {}
        self._jobs: dict[str, Any] = {}
        self._save_timer = QTimer(self, singleShot=True, interval=SAVE_DELAY_MS)
        self._save_timer.timeout.connect(self._autosave)
        self._findings_timer = QTimer(self, singleShot=True, interval=FINDINGS_DELAY_MS)
        self._findings_timer.timeout.connect(self.refresh_findings)
        self._load_cached_results()
        self.refresh_findings()

    # ---- opening ------------------------------------------------------------------------------
    @classmethod
    def new(cls, call: Call, submission: Submission | None = None, *, hint: str = "",
            blobs: dict[str, bytes] | None = None, parent: QObject | None = None) -> "Session":
        """A new draft in the user data folder (optionally pre-filled, e.g. the sample)."""
        document, profiles = _store()
        sub = submission or Submission(call=call.id)
        sub.touch()
        path = profiles.new_draft_path(hint)
        try:
            doc = document.Document.create(path, sub.to_dict())
            for sha, data in (blobs or {}).items():
                if doc.put_blob(data) != sha:
                    raise SessionError("附件数据校验失败，请重试。")
        except document.DocumentError as exc:
            raise SessionError(str(exc)) from None
        except OSError as exc:
            raise SessionError(f"无法在用户文件夹中创建草稿（{path.parent}）：{exc.strerror or exc}") from None
        session = cls(call, doc, sub, is_draft=True, parent=parent)
        session._record_draft()
        try:  # drafts are listed with the recent files, so a draft is found again after a crash
            profiles.RecentFiles().add(path)
        except Exception:
            log.exception("recent files")
        return session

    @classmethod
    def open(cls, call: Call, path: Path, *, parent: QObject | None = None) -> "Session":
        """Open an existing `.zscq` file. A damaged or foreign file raises `SessionError` and is
        never modified."""
        document, profiles = _store()
        path = Path(path)
        try:
            doc = document.Document.open(path)
        except document.DocumentError as exc:
            raise SessionError(str(exc)) from None
        except OSError as exc:
            raise SessionError(f"无法打开《{path.name}》：{exc.strerror or exc}") from None
        try:
            sub = Submission.from_dict(doc.load())
        except (SubmissionError, document.DocumentError) as exc:
            doc.close()
            raise SessionError(f"《{path.name}》：{exc}") from None
        if sub.call != call.id:
            doc.close()
            raise SessionError(f"《{path.name}》属于申报年度“{sub.call}”，本程序当前为“{call.title}”，无法打开。")
        is_draft = _is_inside(path, profiles.drafts_dir())
        session = cls(call, doc, sub, is_draft=is_draft, parent=parent)
        try:
            profiles.RecentFiles().add(path)
        except Exception:
            log.exception("recent files")
        return session

    # ---- the contract -------------------------------------------------------------------------
    def edit(self, path: str, value: Any) -> None:
        """Set one value; autosave follows within a second and findings are recomputed."""
        if path == "direction":
            flow.apply_direction(self.call, self.submission, str(value or ""))
        elif self.submission.get(path) == value and value is not None:
            return
        else:
            self.submission.set(path, copy.deepcopy(value))
        self._modified(path)

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
        """Write the submission to the document now (no-op when nothing changed)."""
        self._save_timer.stop()
        if self._dirty:
            self._write()

    def save_as(self, target: Path) -> None:
        """Copy the document to `target` and continue there; a draft left behind is removed."""
        _, profiles = _store()
        target = Path(target)
        if target.suffix.lower() != ".zscq":
            target = target.with_name(target.name + ".zscq")
        self.save_now()
        if self._dirty:
            raise SessionError("当前内容尚未能保存，无法另存为。请先处理保存失败的问题。")
        document, _ = _store()
        try:
            self.document.save_as(target)
            new_doc = document.Document.open(target)
        except document.DocumentError as exc:
            raise SessionError(str(exc)) from None
        except OSError as exc:
            raise SessionError(f"无法保存到《{target}》：{exc.strerror or exc}") from None
        old_doc, old_path, was_draft = self.document, self.path, self.is_draft
        for job in self._jobs.values():
            job.cancel()  # they write to the old document; their results are redone for the new one
        self.document, self.path, self.is_draft = new_doc, target, False
        old_doc.close()
        index = profiles.DraftIndex()
        if was_draft and old_path != target:
            index.forget(old_path)
            profiles.RecentFiles().remove(old_path)
            try:
                old_path.unlink()
            except OSError:
                log.warning("could not remove draft %s", old_path)
        profiles.RecentFiles().add(target)
        self._record_draft()
        self.saved_changed.emit(True)

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
        """Save what is pending and close the document."""
        for job in list(self._jobs.values()):
            job.cancel()
        self._closed = True
        self.save_now()
        self._findings_timer.stop()
        self.document.close()
        if self.is_draft and self._is_blank():
            self._discard_draft()  # a 新建 that was never filled in leaves nothing behind

    def _is_blank(self) -> bool:
        sub = self.submission
        return not (sub.direction or sub.unit or any(sub.form.values()) or sub.attachments or sub.eligibility)

    def _discard_draft(self) -> None:
        _, profiles = _store()
        try:
            profiles.DraftIndex().forget(self.path)
            profiles.RecentFiles().remove(self.path)
            self.path.unlink()
        except OSError:
            log.warning("could not remove the empty draft %s", self.path)

    # ---- attachments --------------------------------------------------------------------------------
    def add_attachment(self, file: Path, category: str, title: str = "") -> int:
        """Read a file into the document and append it to `category`; returns its index."""
        file = Path(file)
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise SessionError(f"无法读取文件《{file.name}》：{exc.strerror or exc}") from None
        return self.add_attachment_bytes(data, file.name, category, title)

    def add_attachment_bytes(self, data: bytes, name: str, category: str, title: str = "") -> int:
        """Put `data` in the document as a supporting file; returns the new attachment's index."""
        if not data:
            raise SessionError(f"文件《{name}》是空文件，无法作为附件。")
        document, _ = _store()
        try:
            sha = self.document.put_blob(data)
        except document.DocumentError as exc:
            raise SessionError(f"无法保存附件《{name}》：{exc}") from None
        except OSError as exc:
            raise SessionError(f"无法保存附件《{name}》：{exc.strerror or exc}") from None
        if sha != hashlib.sha256(data).hexdigest():
            raise SessionError(f"附件《{name}》写入后校验失败，请重试。")
        a = Attachment(category=category, title=title or Path(name).stem, source_name=name, sha256=sha, size=len(data))
        # Keep the guide's category order: insert after the last file of the same or an earlier category.
        order = [c.id for c in self.call.attachment_categories]
        rank = {c: i for i, c in enumerate(order)}
        pos = len(self.submission.attachments)
        for i, other in enumerate(self.submission.attachments):
            if rank.get(other.category, len(rank)) > rank.get(category, len(rank)):
                pos = i
                break
        self.submission.attachments.insert(pos, a)
        self._attachments_modified()
        return pos

    def remove_attachment(self, index: int) -> None:
        a = self.submission.attachments.pop(index)
        if a.sha256 in self._jobs:
            self._jobs.pop(a.sha256).cancel()
        self._attachments_modified()
        if all(x.sha256 != a.sha256 for x in self.submission.attachments):
            self._attachment_results.pop(a.sha256, None)

    def rename_attachment(self, index: int, title: str) -> None:
        self.submission.attachments[index].title = title.strip()
        self._attachments_modified()

    def move_attachment(self, index: int, new_index: int) -> None:
        items = self.submission.attachments
        if not (0 <= index < len(items) and 0 <= new_index < len(items)) or index == new_index:
            return
        items.insert(new_index, items.pop(index))
        self._attachments_modified()

    def set_attachment_category(self, index: int, category: str) -> None:
        a = self.submission.attachments.pop(index)
        a.category = category
        self.submission.attachments.append(a)
        # the binder orders by category; keep the list in that order so the page shows what prints
        order = [c.id for c in self.call.attachment_categories]
        self.submission.attachments[:] = self.submission.attachments_in_order(order)
        self._attachments_modified()

    def attachment_state(self, index: int) -> tuple[str, int | None, list[Finding]]:
        """("pending" | "ok" | "bad", pages, findings) of attachment `index`."""
        a = self.submission.attachments[index]
        result = self._attachment_results.get(a.sha256)
        if result is None:
            return "pending", a.pages, []
        pages, found = result
        bad = any(f.blocking for f in found) or pages == 0
        return ("bad" if bad else "ok"), pages, [self._repath(f, index) for f in found]

    def normalized_pdf(self, index: int) -> bytes | None:
        """The cached A4 PDF of attachment `index` (None until normalised or when unusable)."""
        hit = self.document.get_derived(self.submission.attachments[index].sha256, A4PDF)
        return (hit[0] or None) if hit else None

    def normalize_pending(self, on_done: Callable[[str], None] | None = None) -> int:
        """Start background normalisation for every attachment not yet normalised; returns how many."""
        from zscq_desktop.ui import jobs  # owned by the jobs module; imported late

        started = 0
        for i, a in enumerate(self.submission.attachments):
            if a.sha256 in self._attachment_results or a.sha256 in self._jobs:
                continue
            loaded, sha, doc = self.loaded(), a.sha256, self.document
            index = i

            def work(progress, cancelled, loaded=loaded, index=index, doc=doc):
                from zscq_desktop.render.export import normalized_attachment

                return normalized_attachment(loaded, index, doc, cancelled)

            job = jobs.run_job(work, parent=self)
            self._jobs[sha] = job
            job.succeeded.connect(lambda result, sha=sha, doc=doc: self._normalised(sha, doc, result, on_done))
            job.failed.connect(lambda exc, sha=sha, doc=doc: self._normalise_failed(sha, doc, exc, on_done))
            started += 1
        return started

    def _stale(self, sha: str, doc: Any, on_done) -> bool:
        """True when a job's result belongs to a document no longer open (另存为, closed)."""
        if getattr(self, "_closed", False):
            return True
        if doc is not self.document:
            self._jobs.pop(sha, None)
            self.normalize_pending(on_done)  # again, so the new document caches the result
            return True
        return False

    def _normalised(self, sha: str, doc: Any, result: tuple[bytes | None, int, list[Finding]], on_done) -> None:
        if self._stale(sha, doc, on_done):
            return
        self._jobs.pop(sha, None)
        _pdf, pages, found = result
        self._attachment_results[sha] = (pages, list(found))
        changed = False
        for a in self.submission.attachments:
            if a.sha256 == sha and a.pages != pages:
                a.pages, changed = pages, True
        if changed:
            self._dirty = True
            self._save_timer.start()
            self.saved_changed.emit(False)
        self.attachments_changed.emit()
        self._findings_timer.start()
        if on_done:
            on_done(sha)

    def _normalise_failed(self, sha: str, doc: Any, exc: BaseException, on_done) -> None:
        if self._stale(sha, doc, on_done):
            return
        self._jobs.pop(sha, None)
        from zscq_desktop.core.findings import error

        if type(exc).__name__ in ("Cancelled", "ExportCancelled"):
            return
        log.exception("normalising %s failed", sha, exc_info=exc)
        name = next((a.title or a.source_name for a in self.submission.attachments if a.sha256 == sha), sha[:8])
        self._attachment_results[sha] = (0, [error("attachment.unreadable", f"附件《{name}》无法处理：{exc}", "")])
        self.attachments_changed.emit()
        self._findings_timer.start()
        if on_done:
            on_done(sha)

    # ---- internals ----------------------------------------------------------------------------------
    def _modified(self, path: str) -> None:
        self.submission.touch()
        self._dirty = True
        self._save_timer.start()
        self._findings_timer.start()
        self.saved_changed.emit(False)
        self.changed.emit(path)

    def _attachments_modified(self) -> None:
        self._modified("attachments")
        self.attachments_changed.emit()

    def _autosave(self) -> None:
        if self._dirty:
            self._write()

    def _write(self) -> None:
        document, _ = _store()
        try:
            self.document.save(self.submission.to_dict())
        except (document.DocumentError, OSError) as exc:
            log.error("autosave of %s failed: %s", self.path, exc)
            msg = str(exc) if isinstance(exc, document.DocumentError) else (exc.strerror or str(exc))
            self.save_failed.emit(f"自动保存失败：{msg}。内容仍在程序中，请释放磁盘空间或用“另存为”换一个位置。")
            self._save_timer.start(5000)  # retry later; the data stays in memory
            return
        self._dirty = False
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

    def _load_cached_results(self) -> None:
        """Normalisation results already in the document (from an earlier session)."""
        for a in self.submission.attachments:
            try:
                hit = self.document.get_derived(a.sha256, A4PDF)
            except Exception:
                log.exception("reading cached normalisation of %s", a.sha256)
                continue
            if hit is not None:
                data, meta = hit
                found = [Finding.from_dict({**f, "path": ""}) for f in meta.get("findings", [])]
                self._attachment_results[a.sha256] = (int(meta.get("pages", 0)) if data else 0, found)

    @staticmethod
    def _repath(f: Finding, index: int) -> Finding:
        return Finding(f.severity, f.code, f.message, f"attachments[{index}]", f.source)

    def refresh_findings(self) -> None:
        """Recompute all findings now (normally triggered by the debounce timer)."""
        self._findings_timer.stop()
        extra: list[Finding] = []
        for i, a in enumerate(self.submission.attachments):
            result = self._attachment_results.get(a.sha256)
            if result is not None:
                extra.extend(self._repath(f, i) for f in result[1])
        try:
            found = all_findings(self.call, self.submission, path=self.path, extra=extra)
        except Exception:  # a rule crashing must not take the editor down
            log.exception("rules engine failed")
            found = [Finding(Severity.ERROR, "internal.rules", "检查规则时发生内部错误，请查看日志。")]
        self._findings = sort_findings(found)
        self.findings_changed.emit()


def _is_inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
        return True
    except ValueError:
        return False
