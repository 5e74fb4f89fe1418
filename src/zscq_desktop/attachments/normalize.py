"""Supporting-file normalisation: any file the user attaches → A4 portrait PDF pages, or findings.

Called once when a file is attached (in the background, the result cached in the document by
SHA-256) and by ``export.normalized_attachment`` when the cache has nothing.  Every output page is
A4 portrait with the binding margin (28 mm left) and the label and page-number bands (20 mm top,
18 mm bottom) free, as the binder expects; see ``attachments.common`` for the geometry and the
landscape rule, ``attachments.pdf`` for PDFs (copied as vectors), ``attachments.image`` for images,
``office`` for Word/Excel/PowerPoint/WPS files.

The file's kind is decided by its first bytes, not its name (a ``.jpg`` that is really a PNG is
read as a PNG); the extension only decides which office converter input to use and how to word a
message.  Whatever the file, the result is pages or an ERROR finding that names the file and says
what to do — never an exception, except :class:`Cancelled`.

No Qt here.
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePath, PurePosixPath

from zscq_desktop.core.findings import Finding
from zscq_desktop.attachments import quiet
from zscq_desktop.attachments.common import AREA, Cancelled, Context, Limits, Problem
from zscq_desktop.package.ziplimits import read_member
from zscq_desktop.attachments.office import OFFICE_SUFFIXES, convert_to_pdf, find_converter

log = logging.getLogger(__name__)

__all__ = ["AREA", "CACHE_KIND", "Cancelled", "Limits", "NormalizeResult", "normalize", "office_available", "sniff",
           "supported_suffixes"]

_PDF_OBJECT = re.compile(rb"(?:^|[\r\n])\s*\d+\s+\d+\s+obj\b")
#: the derived-data kind a document caches normalised supporting files under; it names the engine, so
#: pages normalised by an earlier one (pypdf: no flattened forms, TIFFs turned twice) are made again
CACHE_KIND = "a4pdf-qpdf1"
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp", ".jp2", ".j2k", ".jpf", ".webp", ".gif")
#: pictures Pillow cannot (or should not) read here: one wording for all of them
OTHER_PICTURES = (".psd", ".heic", ".heif", ".avif", ".ico", ".jxl", ".svg", ".emf", ".wmf", ".tga", ".pcx",
                  ".cr2", ".nef", ".arw", ".dng", ".raw", ".xcf", ".cdr", ".ai", ".eps")


@dataclass
class NormalizeResult:
    pdf: bytes | None  # A4 portrait PDF, None when the file is unusable
    pages: int
    findings: list[Finding] = field(default_factory=list)


def supported_suffixes() -> tuple[str, ...]:
    """File-name suffixes for the file dialog (office files are listed even without a converter:
    the user then gets a finding telling how to save them as PDF)."""
    return (".pdf",) + IMAGE_SUFFIXES + OFFICE_SUFFIXES


def office_available() -> bool:
    """Whether Word/Excel/PowerPoint/WPS files can be converted on this machine."""
    return find_converter() is not None


def normalize(data: bytes, name: str, *, path: str = "", cancel: Callable[[], bool] | None = None,
              limits: Limits | None = None) -> NormalizeResult:
    """Normalise one supporting file.

    Args:
        data: the file's bytes.
        name: its original file name (messages quote it; its suffix helps office conversion).
        path: the field path put on findings, e.g. ``attachments[3]``.
        cancel: polled between pages (and while an office converter runs).
        limits: size, page and pixel limits (default :class:`Limits`).

    Returns:
        The A4 PDF and its page count, with warnings/infos; or ``pdf=None`` and an ERROR finding.

    Raises:
        Cancelled: ``cancel()`` returned True.
    """
    quiet.install()  # library warnings to the log, never to the terminal
    base = PurePosixPath(name.replace("\\", "/")).name if name else ""  # a Windows path names only the file
    ctx = Context(name=base, path=path, cancel=cancel, limits=limits or Limits())
    try:
        pdf, pages = _normalize(data, ctx)
    except Problem as p:
        return NormalizeResult(None, 0, ctx.findings + [ctx.error(p)])
    except MemoryError:
        return NormalizeResult(None, 0, ctx.findings + [ctx.error(Problem(
            "attachment.memory", f"{ctx.label}太大，处理时内存不足。请缩小文件或拆分成几个附件后重新添加。"))])
    except Cancelled:
        raise
    except Exception:  # a bug or a file nobody foresaw: tell the user, keep the application running
        log.exception("normalising %s failed", ctx.name)
        return NormalizeResult(None, 0, ctx.findings + [ctx.error(Problem(
            "attachment.failed", f"{ctx.label}无法处理。请用原软件另存为 PDF 后重新添加。"))])
    return NormalizeResult(pdf, pages, ctx.findings)


def _normalize(data: bytes, ctx: Context) -> tuple[bytes, int]:
    from zscq_desktop.attachments.image import normalize_image
    from zscq_desktop.attachments.pdf import normalize_pdf

    if not data:
        raise Problem("attachment.empty", f"{ctx.label}是空文件（0 字节），请检查后重新添加。")
    if len(data) > ctx.limits.max_bytes:
        raise Problem("attachment.too_large",
                      f"{ctx.label}有 {len(data) / 2**20:.0f} MB，超过单个附件 {ctx.limits.max_bytes / 2**20:.0f} MB "
                      "的上限。请压缩图片、只保留需要的页面或拆分后重新添加。")
    ctx.check()
    suffix = PurePath(ctx.name).suffix.lower()
    kind = sniff(data, suffix)
    if kind == "pdf":
        return normalize_pdf(data, ctx)
    if kind in ("jpeg", "png", "tiff", "bmp", "jpeg2000", "webp", "gif"):
        return normalize_image(data, ctx)
    if kind.startswith("."):  # an office document, with the suffix to give the converter
        converted = convert_to_pdf(data, kind, ctx)
        ctx.check()
        return normalize_pdf(converted, ctx)
    raise _unusable(kind, suffix, ctx)


def sniff(data: bytes, suffix: str = "") -> str:
    """What the file is, from its first bytes: ``pdf``, ``jpeg``, ``png``, ``tiff``, ``bmp``, an office
    suffix such as ``.docx`` (convert with that), or ``ofd``, ``zip``, ``other-image``, ``unknown``."""
    head = data[:1024]
    if b"%PDF-" in head:  # the header may follow some junk (PDF 32000 tolerates up to 1 KB)
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return "tiff"
    if head.startswith(b"BM") and len(data) > 26:
        return "bmp"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):  # OLE2: .doc/.xls/.ppt/.wps/.et/.dps
        return suffix if suffix in OFFICE_SUFFIXES else _ole_kind(data)
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(data, suffix)
    if head.startswith(b"{\\rtf"):
        return ".rtf"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(b"\x00\x00\x00\x0cjP  \r\n\x87\n") or head.startswith(b"\xff\x4f\xff\x51"):
        return "jpeg2000"
    if (head.startswith((b"8BPS", b"\x00\x00\x01\x00", b"\xff\x0a", b"\x00\x00\x00\x0cJXL ", b"gimp xcf",
                         b"\xd7\xcd\xc6\x9a")) or head[40:44] == b" EMF"
            or head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"avif", b"heim", b"heis")
            or (b"<svg" in head[:512] and suffix not in OFFICE_SUFFIXES) or suffix in OTHER_PICTURES):
        return "other-image"
    if suffix == ".pdf" or _PDF_OBJECT.search(head):  # a PDF without its header: qpdf repairs what it can
        return "pdf"
    if suffix in OFFICE_SUFFIXES and suffix not in (".docx", ".xlsx", ".pptx", ".odt", ".ods", ".odp"):
        return suffix  # e.g. an old "Word" file that is really HTML: LibreOffice reads those too
    return "unknown"


def _ole_kind(data: bytes) -> str:
    for marker, kind in (("WordDocument", ".doc"), ("Workbook", ".xls"), ("Book", ".xls"),
                         ("PowerPoint Document", ".ppt")):
        if marker.encode("utf-16-le") in data:
            return kind
    return ".doc"


def _zip_kind(data: bytes, suffix: str) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
            # bounded read: a "mimetype" member could be a bomb (ZipLimitError is a ValueError)
            mimetype = (read_member(z, z.getinfo("mimetype"), 256).decode("ascii", "replace").strip()
                        if "mimetype" in names else "")
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError, ValueError):
        return suffix if suffix in OFFICE_SUFFIXES else "unknown"
    if "word/document.xml" in names:
        return ".docx"
    if "xl/workbook.xml" in names:
        return ".xlsx"
    if "ppt/presentation.xml" in names:
        return ".pptx"
    for kind in ("text", "spreadsheet", "presentation"):
        if mimetype == f"application/vnd.oasis.opendocument.{kind}":
            return {"text": ".odt", "spreadsheet": ".ods", "presentation": ".odp"}[kind]
    if "OFD.xml" in names or suffix == ".ofd":
        return "ofd"
    return suffix if suffix in OFFICE_SUFFIXES else "zip"  # a damaged document: the converter will say so


def _unusable(kind: str, suffix: str, ctx: Context) -> Problem:
    if suffix == ".pdf":
        return Problem("attachment.pdf.damaged",
                       f"{ctx.label}不是有效的 PDF 文件或已损坏，无法读取。请用原软件重新导出 PDF 后再添加。")
    if suffix in IMAGE_SUFFIXES:
        return Problem("attachment.image.damaged",
                       f"{ctx.label}不是有效的图片文件或已损坏，无法读取。请重新扫描或另存后再添加。")
    if kind == "ofd":
        return Problem("attachment.format.ofd",
                       f"{ctx.label}是 OFD 版式文件，本程序无法直接读取。请用 OFD 阅读器打开后“另存为/打印为 PDF”，再添加这个 PDF。")
    if kind == "zip":
        return Problem("attachment.format.archive", f"{ctx.label}是压缩包，请解压后把其中的文件分别添加。")
    if kind == "other-image":
        return Problem("attachment.format.image",
                       f"{ctx.label}的图片格式不受支持（可用 JPEG、PNG、TIFF、BMP、JPEG 2000、WebP、GIF），"
                       "请用看图软件另存为 JPEG 或 PNG 后重新添加。")
    return Problem("attachment.format.unknown",
                   f"无法识别{ctx.label}的文件格式。支持 PDF、JPEG、PNG、TIFF、BMP、JPEG 2000、WebP、GIF 图片和 Word/Excel/PowerPoint/WPS 文档，"
                   "请另存为 PDF 后重新添加。")
