"""The supporting-file half of `ui.session.Session`: add / remove / rename / reorder attachments and
normalise each one in the background as soon as it is added.

`AttachmentOps` is a mixin of `Session` (the public API stays `Session.add_attachment` etc.). The
normalised A4 PDF of each file is cached in the document (derived kind ``a4pdf``), so the thumbnail,
the page count and the export reuse it. A document opened read-only cannot hold that cache:
`derived_cache` then keeps new results in memory for this session.
"""

from __future__ import annotations

import copy
import hashlib
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from PySide6.QtCore import QObject

from zscq_desktop.core.findings import Finding
from zscq_desktop.core.submission import Attachment

if TYPE_CHECKING:
    from PySide6.QtCore import QTimer, SignalInstance
    from PySide6.QtGui import QUndoStack

    from zscq_desktop.call.model import Call
    from zscq_desktop.core.submission import Submission
    from zscq_desktop.docio import Loaded

log = logging.getLogger(__name__)
from zscq_desktop.attachments.normalize import CACHE_KIND as A4PDF  # noqa: E402 - the kind export caches under


class MemoryOverlayCache:
    """Reads derived data from a read-only document, keeps what is computed now in memory."""

    def __init__(self, document: Any) -> None:
        self._document = document
        self._mine: dict[tuple[str, str], tuple[bytes, dict]] = {}

    def get_derived(self, sha256: str, kind: str) -> tuple[bytes, dict] | None:
        hit = self._mine.get((sha256, kind))
        return hit if hit is not None else self._document.get_derived(sha256, kind)

    def put_derived(self, sha256: str, kind: str, data: bytes, meta: dict) -> None:
        self._mine[(sha256, kind)] = (bytes(data), dict(meta))


def _error(message: str):
    from zscq_desktop.ui.session import SessionError  # imported late: session imports this module

    return SessionError(message)


class AttachmentOps:
    """Attachment operations of `Session` (see the module docstring)."""

    if TYPE_CHECKING:  # provided by Session
        call: Call
        document: Any
        submission: Submission
        closed: bool
        _jobs: dict[str, Any]
        _attachment_results: dict[str, tuple[int, list[Finding]]]
        _findings_timer: QTimer
        attachments_changed: SignalInstance
        _overlay: MemoryOverlayCache

        undo_stack: QUndoStack

        def loaded(self) -> Loaded: ...
        def seal_typing(self) -> None: ...
        def _attachments_modified(self) -> None: ...
        def _mark_dirty(self) -> None: ...

    # ---- editing --------------------------------------------------------------------------------
    def add_attachment(self, file: Path, category: str, title: str = "") -> int:
        """Read a file into the document and append it to `category`; returns its index."""
        from zscq_desktop.attachments.common import Limits
        from zscq_desktop.store.safe_read import ReadRefused, read_regular

        file = Path(file)
        try:  # a regular file within the size limit only: a FIFO, a device or 3 GB are refused unread
            data = read_regular(file, Limits().max_bytes, f"文件《{file.name}》")
        except ReadRefused as exc:
            raise _error(str(exc)) from None
        except OSError as exc:
            raise _error(f"无法读取文件《{file.name}》：{exc.strerror or exc}") from None
        return self.add_attachment_bytes(data, file.name, category, title)

    def add_attachment_bytes(self, data: bytes, name: str, category: str, title: str = "") -> int:
        """Put `data` in the document as a supporting file; returns the new attachment's index."""
        from zscq_desktop.store.errors import DocumentError

        if not data:
            raise _error(f"文件《{name}》是空文件，无法作为附件。")
        try:
            sha = self.document.put_blob(data)
        except DocumentError as exc:
            raise _error(f"无法保存附件《{name}》：{exc}") from None
        except OSError as exc:
            raise _error(f"无法保存附件《{name}》：{exc.strerror or exc}") from None
        if sha != hashlib.sha256(data).hexdigest():
            raise _error(f"附件《{name}》写入后校验失败，请重试。")
        a = Attachment(category=category, title=title or Path(name).stem, source_name=name, sha256=sha, size=len(data))
        # Keep the guide's category order: insert after the last file of the same or an earlier category.
        rank = {c.id: i for i, c in enumerate(self.call.attachment_categories)}
        pos = len(self.submission.attachments)
        for i, other in enumerate(self.submission.attachments):
            if rank.get(other.category, len(rank)) > rank.get(category, len(rank)):
                pos = i
                break
        self._change_attachments(f"添加附件《{a.title}》", lambda items: items.insert(pos, a))
        return pos

    def remove_attachment(self, index: int) -> None:
        """Remove a supporting file from the submission (undoable: its bytes stay in the document)."""
        a = self.submission.attachments[index]
        if a.sha256 in self._jobs and sum(x.sha256 == a.sha256 for x in self.submission.attachments) == 1:
            self._jobs.pop(a.sha256).cancel()
        self._change_attachments(f"删除附件《{a.title}》", lambda items: items.pop(index))

    def rename_attachment(self, index: int, title: str) -> None:
        def rename(items: list[Attachment]) -> None:
            items[index].title = title.strip()

        self._change_attachments(f"重命名附件《{self.submission.attachments[index].title}》", rename)

    def move_attachment(self, index: int, new_index: int) -> None:
        items = self.submission.attachments
        if not (0 <= index < len(items) and 0 <= new_index < len(items)) or index == new_index:
            return
        self._change_attachments(f"移动附件《{items[index].title}》",
                                 lambda items: items.insert(new_index, items.pop(index)))

    def set_attachment_category(self, index: int, category: str) -> None:
        order = [c.id for c in self.call.attachment_categories]
        name = next((c.name for c in self.call.attachment_categories if c.id == category), category)

        def move(items: list[Attachment]) -> None:
            a = items.pop(index)
            a.category = category
            items.append(a)
            # the binder orders by category; keep the list in that order so the page shows what prints
            items[:] = _in_order(items, order)

        self._change_attachments(f"移动附件《{self.submission.attachments[index].title}》到“{name}”", move)

    def _change_attachments(self, text: str, change: Callable[[list[Attachment]], Any]) -> None:
        """Apply `change` to a copy of the attachment list as one undo step (ui.undo)."""
        from zscq_desktop.ui.undo import AttachmentsCommand

        before = self.submission.attachments
        after = copy.deepcopy(before)
        change(after)
        if after != before:
            self.seal_typing()
            self.undo_stack.push(AttachmentsCommand(self, text, before, after))  # type: ignore[arg-type]  # a Session

    # ---- state ------------------------------------------------------------------------------------
    @property
    def derived_cache(self) -> Any:
        """Where normalised files are cached: the document, or a memory overlay when it is read-only."""
        if not self.document.readonly:
            return self.document
        overlay = getattr(self, "_overlay", None)
        if overlay is None or overlay._document is not self.document:
            overlay = self._overlay = MemoryOverlayCache(self.document)
        return overlay

    def attachment_state(self, index: int) -> tuple[str, int | None, list[Finding]]:
        """("pending" | "ok" | "bad", pages, findings) of attachment `index`."""
        a = self.submission.attachments[index]
        result = self._attachment_results.get(a.sha256)
        if result is None:
            return "pending", a.pages, []
        pages, found = result
        bad = any(f.blocking for f in found) or pages == 0
        return ("bad" if bad else "ok"), pages, [_repath(f, index) for f in found]

    def normalized_pdf(self, index: int) -> bytes | None:
        """The cached A4 PDF of attachment `index` (None until normalised or when unusable)."""
        hit = self.derived_cache.get_derived(self.submission.attachments[index].sha256, A4PDF)
        return (hit[0] or None) if hit else None

    def attachment_findings(self) -> list[Finding]:
        """The normalisation findings of every attachment, pathed to its current index."""
        out: list[Finding] = []
        for i, a in enumerate(self.submission.attachments):
            result = self._attachment_results.get(a.sha256)
            if result is not None:
                out.extend(_repath(f, i) for f in result[1])
        return out

    # ---- background normalisation -----------------------------------------------------------------
    def normalize_pending(self, on_done: Callable[[str], None] | None = None) -> int:
        """Start background normalisation for every attachment not yet normalised; returns how many."""
        from zscq_desktop.ui import jobs

        started = 0
        for i, a in enumerate(self.submission.attachments):
            if a.sha256 in self._attachment_results or a.sha256 in self._jobs:
                continue
            loaded, sha, doc, cache = self.loaded(), a.sha256, self.document, self.derived_cache

            def work(progress, cancelled, loaded=loaded, index=i, cache=cache):
                from zscq_desktop.volume.export import normalized_attachment

                return normalized_attachment(loaded, index, cache, cancelled)

            job = jobs.run_job(work, parent=self if isinstance(self, QObject) else None)
            self._jobs[sha] = job
            job.succeeded.connect(lambda result, sha=sha, doc=doc: self._normalised(sha, doc, result, on_done))
            job.failed.connect(lambda exc, sha=sha, doc=doc: self._normalise_failed(sha, doc, exc, on_done))
            started += 1
        return started

    def _stale(self, sha: str, doc: Any, on_done) -> bool:
        """True when a job's result belongs to a document no longer open (另存为, closed)."""
        if self.closed:
            return True
        if doc is not self.document:
            self._jobs.pop(sha, None)
            self.normalize_pending(on_done)  # again, so the new document caches the result
            return True
        return False

    def _normalised(self, sha: str, doc: Any, result: tuple[bytes | None, int, list[Finding]],
                    on_done) -> None:
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
            self._mark_dirty()
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
        log.error("normalising %s failed", sha, exc_info=exc)
        name = next((a.title or a.source_name for a in self.submission.attachments if a.sha256 == sha), sha[:8])
        self._attachment_results[sha] = (0, [error("attachment.unreadable", f"附件《{name}》无法处理：{exc}", "")])
        self.attachments_changed.emit()
        self._findings_timer.start()
        if on_done:
            on_done(sha)

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


def _in_order(items: list[Attachment], category_ids: list[str]) -> list[Attachment]:
    """`Submission.attachments_in_order` for a list that is not (yet) the submission's."""
    rank = {c: i for i, c in enumerate(category_ids)}
    return sorted(items, key=lambda a: rank.get(a.category, len(rank)))


def _repath(f: Finding, index: int) -> Finding:
    return Finding(f.severity, f.code, f.message, f"attachments[{index}]", f.source)
