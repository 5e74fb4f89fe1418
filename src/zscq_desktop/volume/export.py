"""Export: everything the user hands in, written to one folder.

The bound-ready volume PDF (form → plan → supporting files), the DOCX of form and plan, the
one-page print checklist, and the e-mail zip. Supporting files are normalised once (when
attached, in the GUI) and cached by SHA-256, so an export only renders the form and the plan and
assembles. Blocking findings refuse the export; nothing half-written is left behind. The files are
made in a hidden staging folder inside the target folder and replace the previous set all or nothing
(`system.replace`): a file held open by another program keeps every previous file in place.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Protocol

from zscq_desktop.call.model import Call
from zscq_desktop.core.filenames import safe_name
from zscq_desktop.core.findings import Finding, error, has_blocking
from zscq_desktop.core.stamp import version_stamp
from zscq_desktop.docio import Loaded
from zscq_desktop.package.zipper import PackageError
from zscq_desktop.system import tempdirs
from zscq_desktop.volume.caches import reuse_rendering
from zscq_desktop.system.replace import FileInUse, ReadOnlyTarget, replace_all

log = logging.getLogger(__name__)
Progress = Callable[[float, str], None]
Cancel = Callable[[], bool]
from zscq_desktop.attachments.normalize import CACHE_KIND as A4PDF  # noqa: E402 - one name for GUI and export
STAGING_PREFIX = ".zscq-export-"
PARTS_PREFIX = "zscq-parts-"


class ExportError(Exception):
    """The export could not be written (disk full, folder not writable…); message in Chinese."""


class ExportBlocked(Exception):
    """Errors remain that must be fixed before exporting."""

    def __init__(self, findings: list[Finding]) -> None:
        self.findings = [f for f in findings if f.blocking]
        super().__init__("存在须先修改的错误：" + "；".join(f.message for f in self.findings[:5]))


class ExportCancelled(Exception):
    """The user cancelled the export."""


class DerivedCache(Protocol):
    """Where normalised supporting files are kept between exports (a `.zscq` Document is one)."""

    def get_derived(self, sha256: str, kind: str) -> tuple[bytes, dict] | None: ...

    def put_derived(self, sha256: str, kind: str, data: bytes, meta: dict) -> None: ...


class MemoryCache:
    """A `DerivedCache` in memory, for JSON inputs and tests."""

    def __init__(self) -> None:
        self._d: dict[tuple[str, str], tuple[bytes, dict]] = {}

    def get_derived(self, sha256: str, kind: str) -> tuple[bytes, dict] | None:
        return self._d.get((sha256, kind))

    def put_derived(self, sha256: str, kind: str, data: bytes, meta: dict) -> None:
        self._d[(sha256, kind)] = (data, meta)


@dataclass
class ExportResult:
    files: list[Path]
    volume: Path
    zip: Path | None
    stamp: str
    pages: int
    findings: list[Finding] = field(default_factory=list)


def normalized_attachment(loaded: Loaded, index: int, cache: DerivedCache, cancel: Cancel | None = None
                          ) -> tuple[bytes | None, int, list[Finding]]:
    """The A4 PDF of attachment `index`, from the cache or normalised now (and cached)."""
    from zscq_desktop.attachments.normalize import normalize

    a = loaded.submission.attachments[index]
    path = f"attachments[{index}]"
    hit = cache.get_derived(a.sha256, A4PDF)
    if hit is not None:
        data, meta = hit
        findings = [Finding.from_dict({**f, "path": path}) for f in meta.get("findings", [])]
        return (data or None), int(meta.get("pages", 0)), findings
    try:
        blob = loaded.blob(a.sha256)
    except KeyError:
        return None, 0, [error("attachment.missing", f"附件《{a.title or a.source_name}》的文件数据缺失，请重新添加。", path)]
    result = normalize(blob, a.source_name or a.title, path=path, cancel=cancel)
    cache.put_derived(a.sha256, A4PDF, result.pdf or b"", {"pages": result.pages,
                                                           "findings": [f.to_dict() for f in result.findings]})
    return result.pdf, result.pages, list(result.findings)


#: A4 PDFs kept as bytes up to this total; beyond it they go to files (small exports write none)
IN_MEMORY_PDFS = 32 * 1024 * 1024


class _Remembered:
    """A DerivedCache in front of another that keeps what was read or written during one export.

    Supporting files' A4 PDFs beyond the first `IN_MEMORY_PDFS` bytes are kept as files in
    `folder`, not in memory: the binder opens them from there, so binding a large document does not
    hold every PDF as bytes besides qpdf's own copy of the pages it copies (issue 15 item 5)."""

    def __init__(self, inner: DerivedCache, folder: Path) -> None:
        self.inner, self.folder = inner, folder
        self._seen: dict[tuple[str, str], tuple[bytes, dict] | None] = {}
        self._pdfs: dict[str, tuple[bytes | Path, dict]] = {}
        self._in_memory = 0

    def get_derived(self, sha256: str, kind: str) -> tuple[bytes, dict] | None:
        if kind == A4PDF and sha256 in self._pdfs:
            pdf, meta = self._pdfs[sha256]
            return (pdf.read_bytes() if isinstance(pdf, Path) else pdf), meta
        key = (sha256, kind)
        if key not in self._seen:
            hit = self.inner.get_derived(sha256, kind)
            if hit is not None and kind == A4PDF and hit[0]:
                self.keep(sha256, *hit)
                return hit
            self._seen[key] = hit
        return self._seen[key]

    def put_derived(self, sha256: str, kind: str, data: bytes, meta: dict) -> None:
        if kind == A4PDF and data:
            self.keep(sha256, data, meta)
        else:
            self._seen[(sha256, kind)] = (data, meta)
        self.inner.put_derived(sha256, kind, data, meta)

    def keep(self, sha256: str, data: bytes, meta: dict) -> bytes | Path:
        """Keep the A4 PDF of `sha256` (once) and return it as the binder takes it: bytes or a file."""
        if sha256 not in self._pdfs:
            kept: bytes | Path = data
            if self._in_memory + len(data) > IN_MEMORY_PDFS:
                kept = self.folder / f"{len(self._pdfs) + 1}.pdf"
                try:
                    kept.write_bytes(data)
                except OSError as exc:  # the temporary folder is full or not writable
                    raise ExportError(_os_message(exc, self.folder.parent)) from None
            else:
                self._in_memory += len(data)
            self._pdfs[sha256] = (kept, meta)
        return self._pdfs[sha256][0]


class Normalizing:
    """The supporting files the cache lacks, normalised by the process pool (`volume.parallel`) in a
    background thread while the calling thread lays out the form and the plan: on a cold export the
    two overlap instead of following one another (issue 15).

    The cache is only touched in the calling thread (an SQLite connection belongs to the thread that
    opened it): the lookups happen here, the results are written by `finish`. Files still inside a
    `.zscq` go to the workers as references, so their bytes are read there, not held here.
    """

    def __init__(self, loaded: Loaded, cache: DerivedCache, cancel: Cancel | None) -> None:
        sub = loaded.submission
        self.jobs: list[tuple[int, Any, str, str]] = []
        seen: set[str] = set()
        ref = getattr(loaded.blobs, "ref", None)
        # The command line's caches answer without reading the PDF (the export reads it once, later);
        # the export's own `_Remembered` has no such method: what it reads here it keeps for the export.
        has = getattr(cache, "has_derived", None) or (lambda sha, kind: cache.get_derived(sha, kind) is not None)
        for i, a in enumerate(sub.attachments):
            if a.sha256 in seen or a.sha256 not in loaded.blobs or has(a.sha256, A4PDF):
                continue
            seen.add(a.sha256)
            data = ref(a.sha256) if ref else loaded.blobs[a.sha256]
            self.jobs.append((i, data, a.source_name or a.title, f"attachments[{i}]"))
        self.results: list[tuple[int, Any]] = []  # appended by the background thread
        self._error: BaseException | None = None
        self._stopped = threading.Event()
        self._cancel = cancel
        self._thread: threading.Thread | None = None
        if len(self.jobs) >= 2:  # one file or none: the export's own loop does it
            self._thread = threading.Thread(target=self._run, name="zscq-normalize", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        from zscq_desktop.volume.parallel import normalize_many

        try:
            normalize_many(self.jobs, done=lambda i, r: self.results.append((i, r)),
                           cancel=lambda: self._stopped.is_set() or bool(self._cancel and self._cancel()))
        except BaseException as exc:  # handed to the calling thread by `finish`
            self._error = exc

    def finish(self, loaded: Loaded, cache: DerivedCache, report: Progress) -> None:
        """Wait for the pool, then cache every result (in the calling thread)."""
        if self._thread is None:
            return
        while self._thread.is_alive():
            self._thread.join(0.1)
            report(0.05 + 0.35 * len(self.results) / len(self.jobs), f"处理附件 {len(self.results)}/{len(self.jobs)}")
        if self._error is not None:
            raise self._error
        sub = loaded.submission
        for i, result in self.results:
            cache.put_derived(sub.attachments[i].sha256, A4PDF, result.pdf or b"",
                              {"pages": result.pages, "findings": [f.to_dict() for f in result.findings]})
        self.results = []

    def stop(self) -> None:
        """Stop the workers (an export that failed or was cancelled before `finish`)."""
        self._stopped.set()
        if self._thread is not None:
            self._thread.join(30)  # the pool checks the flag every 0.1 s and then ends its workers




def rendered(doc: Any, part: str, *, fonts: Any, stamp: str, cache: DerivedCache, duplex: bool = False) -> bytes:
    """The PDF of the form or plan content `doc`, reusing the last rendering when nothing changed
    (`volume.caches.reuse_rendering`; the key: the content, the fonts, the stamp, duplex)."""
    from zscq_desktop.render.pdf_writer import render_pdf

    return reuse_rendering(cache, part, (doc, fonts.all, stamp, duplex),  # duplex: mirrored versos
                           lambda: render_pdf(doc, fonts=fonts, stamp=stamp, duplex=duplex))


def export(loaded: Loaded, call: Call, out_dir: Path, *, duplex: bool = False, findings: list[Finding] | None = None,
           progress: Progress | None = None, cancel: Cancel | None = None, cache: DerivedCache | None = None,
           make_zip: bool = True, budget_bytes: int = 20 * 1024 * 1024, now: datetime | None = None,
           system_fonts: bool | str = False, normalizing: Normalizing | None = None) -> ExportResult:
    """Write volume PDF, DOCX files, checklist and zip into `out_dir`.

    `normalizing`: the uncached supporting files already started (`Normalizing(loaded, cache, None)`),
    so that the command line's checks run while the workers start; stopped if the export fails.

    With `system_fonts` (True or "song"; "fangsong" for a 仿宋 body) the generated pages are set in
    Windows' own 宋体/仿宋/黑体 where installed (the bundled faces fill in what they lack); elsewhere
    it changes nothing.

    Raises:
        ExportBlocked: blocking findings (given, or found while normalising attachments).
        ExportCancelled: `cancel()` returned True.
        ExportError: the output could not be written.
    """
    from zscq_desktop.attachments.normalize import Cancelled
    from zscq_desktop.render.font_files import FontError

    try:
        with tempdirs.temporary_folder(PARTS_PREFIX) as parts_dir:  # the supporting files' A4 PDFs, for the binder
            return _export(loaded, call, out_dir, duplex=duplex, findings=findings, progress=progress, cancel=cancel,
                           cache=cache, make_zip=make_zip, budget_bytes=budget_bytes, now=now,
                           system_fonts=system_fonts, normalizing=normalizing, parts_dir=parts_dir)
    except Cancelled:  # raised by the normaliser and the binder between pages
        raise ExportCancelled("已取消导出。") from None
    except FontError as exc:  # a bundled font missing or damaged (its message says to reinstall)
        raise ExportError(str(exc)) from exc
    finally:
        if normalizing is not None:
            normalizing.stop()


def _export(loaded: Loaded, call: Call, out_dir: Path, *, duplex: bool, findings: list[Finding] | None,
            progress: Progress | None, cancel: Cancel | None, cache: DerivedCache | None, make_zip: bool,
            budget_bytes: int, now: datetime | None, system_fonts: bool | str,
            normalizing: Normalizing | None, parts_dir: Path) -> ExportResult:
    from zscq_desktop.volume.binder import AttachmentPart, VolumeInput, bind, plan_first_number
    from zscq_desktop.render.checklist import render_checklist
    from zscq_desktop.render.content import form_document, plan_document
    from zscq_desktop.render.fonts import register_fonts
    report = progress or (lambda f, m: None)

    def check_cancel() -> None:
        if cancel and cancel():
            raise ExportCancelled("已取消导出。")

    findings = list(findings or [])
    if has_blocking(findings):
        raise ExportBlocked(findings)
    sub = loaded.submission
    d = call.direction(sub.direction)
    given_cache = cache  # the zip's re-encoded images are kept only in a cache that outlives the export
    cache = cache or MemoryCache()
    stamp = version_stamp(sub.to_dict())

    # 1. supporting files the cache lacks (normally none: they are normalised when attached) start
    # in the background, and 2. the form and the plan, PDF and Word, are made meanwhile
    # what the parallel step writes is not read from the document again; the PDFs wait in `parts_dir`
    remembered = _Remembered(cache, parts_dir)
    normalizing = normalizing or Normalizing(loaded, remembered, cancel)
    try:
        fonts = register_fonts(prefer_system=system_fonts)
        check_cancel()
        report(0.05, "生成申报书")
        form_doc, plan_doc = form_document(call, sub), plan_document(call, sub)
        form_pdf = rendered(form_doc, "form", fonts=fonts, stamp=stamp, cache=cache, duplex=duplex)
        check_cancel()
        report(0.1, "生成项目实施方案")
        plan_pdf = rendered(plan_doc, "plan", fonts=fonts, stamp=stamp, cache=cache, duplex=duplex)
        check_cancel()
        report(0.15, "生成可编辑的 Word 文件")
        plan_number = plan_first_number(_page_count(_pdf_bytes(form_pdf)), duplex)
        form_docx = _docx(form_doc, "form", sub, stamp, 1, cache)
        plan_docx = _docx(plan_doc, "plan", sub, stamp, plan_number, cache)
        normalizing.finish(loaded, remembered, report)
    finally:
        normalizing.stop()
    order = [c.id for c in call.attachment_categories]
    ordered = sub.attachments_in_order(order)
    parts: list[AttachmentPart] = []
    extra: list[Finding] = []
    for n, a in enumerate(ordered):
        check_cancel()
        report(0.4 + 0.2 * n / max(1, len(ordered)), f"处理附件 {n + 1}/{len(ordered)}：{a.title}")
        index = sub.attachments.index(a)
        pdf, _pages, found = normalized_attachment(loaded, index, remembered, cancel)
        extra.extend(found)
        if pdf:  # bytes, or for a large document the file the binder opens it from
            kept = remembered.keep(a.sha256, pdf, {})
            del pdf
            parts.append(AttachmentPart(label=f"附件材料3-{n + 1}", title=a.title or a.source_name,
                                        category=call.attachment_category(a.category).name, pdf=kept))
    del remembered
    if has_blocking(extra):
        raise ExportBlocked(extra)

    # 3. the volume (bound straight into the staging folder below: never held in memory as one piece)
    unit = str(sub.unit.get("name") or "")
    project = str(sub.get("form.cover.project_name") or d.name)
    volume_input = VolumeInput(form_pdf=_pdf_bytes(form_pdf), plan_pdf=_pdf_bytes(plan_pdf), attachments=parts,
                               title=f"{call.title}申报材料—{project}", unit=unit, direction=d.name, stamp=stamp)
    del parts, form_pdf, plan_pdf

    # 4. write everything into a hidden staging folder beside the target, then replace the previous
    # set all or nothing (a file open in Acrobat/WPS/Word keeps the whole previous set in place)
    base = f"{d.name}-{safe_name(unit, 40, '未命名')}"
    names = {
        "volume": f"申报材料-{base}.pdf",
        "form_docx": f"申报书-{base}.docx",
        "plan_docx": f"实施方案-{base}.docx",
        "checklist": f"打印与报送清单-{base}.pdf",
    }
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        tempdirs.sweep(out_dir, STAGING_PREFIX)  # a previous run's folder an antivirus held
        tmp = tempdirs.staging_dir(out_dir, STAGING_PREFIX)
    except OSError as exc:
        raise ExportError(f"无法写入输出文件夹 {out_dir}：{exc.strerror or exc}") from None
    try:
        check_cancel()
        report(0.7, "装订成册")
        volume = bind(volume_input, duplex=duplex, fonts=fonts, cancel=cancel, to=tmp / names["volume"],
                          cache=cache)
        del volume_input  # the supporting files' PDFs are in the volume file now
        check_cancel()
        if _plan_number(volume) != plan_number:  # never seen; the Word copy must match the volume
            log.warning("plan numbered %s in the volume, %s expected", _plan_number(volume), plan_number)
            plan_docx = _docx(plan_doc, "plan", sub, stamp, _plan_number(volume), cache)
        (tmp / names["form_docx"]).write_bytes(form_docx)
        (tmp / names["plan_docx"]).write_bytes(plan_docx)
        # the checklist shows the call's facts (its id and edition) and the submission (its stamp)
        (tmp / names["checklist"]).write_bytes(reuse_rendering(
            cache, "checklist", (call.id, call.version, stamp, volume.pages, fonts.all, duplex),
            lambda: render_checklist(call, sub, stamp=stamp, volume_pages=volume.pages, fonts=fonts, duplex=duplex)))
        moves = [(tmp / n, out_dir / n) for n in names.values()]
        pkg_findings: list[Finding] = []
        if make_zip:
            check_cancel()
            report(0.9, "打包电子版")
            staged_zip, pkg_findings = _package(call, sub, d.id, d.name, unit, stamp, tmp, names, budget_bytes, now,
                                                  given_cache)
            moves.append((staged_zip, out_dir / staged_zip.name))
        check_cancel()
        aside = tmp / "previous"
        aside.mkdir()
        replace_all(moves, aside)
    except (FileInUse, ReadOnlyTarget) as exc:
        raise ExportError(f"{exc}之前导出的文件都保持原样，未做任何替换。") from None
    except PackageError as exc:  # an OSError subclass whose message is already specific
        raise ExportError(str(exc).replace(str(tmp), str(out_dir))) from None
    except OSError as exc:
        raise ExportError(_os_message(exc, out_dir)) from None
    finally:
        tempdirs.remove_tree(tmp)
    files = [target for _, target in moves]
    zip_path = files[-1] if make_zip else None
    report(1.0, "导出完成")
    return ExportResult(files, out_dir / names["volume"], zip_path, stamp, volume.pages, extra + pkg_findings)


def _plan_number(volume: Any) -> int:
    """The printed number of the plan's first page in the volume (its Word copy starts there), as the
    binder numbered it — blank pages it inserted included."""
    start = next((page for level, title, page in volume.outline if level == 0 and title == "项目实施方案"), None)
    number = volume.numbers[start] if start is not None and start < len(volume.numbers) else None
    return number or 1


def _docx(doc: Any, part: str, sub: Any, stamp: str, first_number: int, cache: DerivedCache) -> bytes:
    """The Word copy of the form or plan, in memory (written into the staging folder later), reusing
    the last one while nothing it depends on changed — as `rendered` does for the PDF."""
    from zscq_desktop.wordio.marks import Marker, document_id

    def make() -> bytes:
        import io

        from zscq_desktop.render.docx_writer import render_docx  # python-docx only when writing one

        buf = io.BytesIO()
        render_docx(doc, buf, stamp=stamp, first_number=first_number, marker=Marker(sub, kind=part, stamp=stamp))
        return buf.getvalue()

    meta = sub.meta if isinstance(getattr(sub, "meta", None), dict) else {}
    # the marks carry the round-trip id, the call and the direction besides the values (in `stamp`)
    key = (doc, stamp, first_number, document_id(meta), str(sub.call), str(sub.direction))
    return reuse_rendering(cache, part + "_docx", key, make)


def _page_count(pdf: bytes) -> int:
    import io

    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as doc:
        return len(doc.pages)


def _pdf_bytes(result: object) -> bytes:
    return result if isinstance(result, bytes) else result.pdf  # type: ignore[attr-defined]


def _package(call: Call, sub, direction_id: str, direction_name: str, unit: str, stamp: str, folder: Path,
             names: dict[str, str], budget_bytes: int, now: datetime | None,
             cache: DerivedCache | None = None) -> tuple[Path, list[Finding]]:
    """Build the zip in the staging `folder` from the staged files beside it."""
    from zscq_desktop.package.zipper import PackageInfo, build_package

    info = PackageInfo(call_id=call.id, call_title=call.short_title, direction_id=direction_id,
                       direction_name=direction_name, unit_name=unit, stamp=stamp, volume_name=names["volume"],
                       created=now or datetime.now(timezone.utc).astimezone())
    sent = [n for k, n in names.items() if k != "checklist"]  # the print checklist stays with the applicant
    result = build_package(folder, files=[(n, folder / n) for n in sent], submission=sub.to_dict(),
                           info=info, budget_bytes=budget_bytes, cache=cache)
    return result.path, list(getattr(result, "findings", []))


def _os_message(exc: OSError, out_dir: Path) -> str:
    import errno

    if exc.errno == errno.ENOSPC:
        return f"磁盘空间不足，无法在 {out_dir} 写入导出文件。请清理磁盘或换一个文件夹后重试；已填写的内容不受影响。"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"没有权限写入 {out_dir}，请换一个文件夹（例如“文档”）后重试。"
    return f"写入导出文件失败（{exc.strerror or exc}）：{out_dir}"
