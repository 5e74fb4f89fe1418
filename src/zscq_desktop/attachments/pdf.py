"""PDF supporting files → A4 portrait pages with the binding margin and bands free (pikepdf/qpdf).

qpdf opens what viewers open: a broken cross-reference table or a missing ``%PDF-`` header is
repaired (an info finding says so), an encryption with an empty user password is opened without a
word; only a file that is truly unreadable or needs a password is refused, with that reason.

Before a page is placed, its form fields and annotations are flattened into it
(``attachments.flatten``): the binder keeps no annotations, and the evaluator must see what the
applicant saw.  Each source page is then copied, not rasterised: its content becomes a Form
XObject drawn as

    q <placed rectangle> re W n <matrix> cm /ZqPage Do Q

on an A4 page.  The matrix maps the page's visible box (CropBox ∩ MediaBox, with /Rotate and
/UserUnit honoured, so a rotated page comes out upright as the reader saw it) onto its placement
(``attachments.common.place``: scaled down only, centred; a very large landscape page is turned
with its top toward the binding edge).  The clip keeps anything outside the visible box from
leaking into the margins.  A page whose MediaBox is missing or empty uses the inherited box, its
CropBox or A4, in that order.

Resources (fonts, images) are copied once per document by qpdf, so pages that share them share
them in the output too.

No Qt here.
"""

from __future__ import annotations

import io
import logging
import re
import zlib
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name

from zscq_desktop.attachments import quiet
from zscq_desktop.attachments.common import (
    PAGE_H,
    PAGE_W,
    ROTATE_CW,
    SMALL_SCALE,
    Context,
    Matrix,
    Problem,
    place,
    then,
)
from zscq_desktop.attachments.flatten import flatten_for_print, inherited

log = logging.getLogger(__name__)

A4_BOX = (0.0, 0.0, PAGE_W, PAGE_H)
#: a page's content that inflates beyond this is a zip bomb, not a document (pypdf's former limit)
MAX_CONTENT = 75 * 1024 * 1024
_FIXED = "/ZqBoxFilledIn"
_NO_MEDIABOX = re.compile(r"object (\d+) (\d+)\b.*MediaBox is undefined")
_MAX_DEPTH = 64  # page-tree depth walked when checking boxes (a cycle or a hostile tree stops here)


def open_pdf(data: bytes, ctx: Context) -> pikepdf.Pdf:
    """Open (repairing, and with an empty user password decrypting) a PDF; check it has 1…max pages."""
    quiet.install()
    try:
        pdf = pikepdf.open(io.BytesIO(data), password="")
    except pikepdf.PasswordError:
        raise Problem("attachment.pdf.password",
                      f"{ctx.label}设置了打开密码，请先用原软件去掉密码后重新添加。") from None
    except pikepdf.DependencyError as exc:  # an encryption qpdf does not implement
        log.info("cannot decrypt %s: %s", ctx.name, exc)
        raise Problem("attachment.pdf.encryption",
                      f"{ctx.label}使用了本程序无法解开的加密方式，请用原软件另存为不加密的 PDF 后重新添加。") from None
    except MemoryError:
        raise
    except Exception as exc:  # PdfError and whatever a hostile file provokes
        log.info("unreadable PDF %s: %s", ctx.name, exc)
        raise _damaged(ctx) from None
    # a quick look at the page tree's own count first, so that a huge file is refused at once
    try:
        declared = int(pdf.Root.Pages.get("/Count", 0))
    except Exception:  # noqa: BLE001 - a broken page tree: qpdf counts the real pages below
        declared = 0
    if declared > ctx.limits.max_pages:
        raise _too_many(ctx, declared)
    try:
        n = len(pdf.pages)
    except MemoryError:
        raise
    except Exception as exc:
        log.info("broken page tree in %s: %s", ctx.name, exc)
        raise _damaged(ctx) from None
    if n > ctx.limits.max_pages:
        raise _too_many(ctx, n)
    if n == 0:
        raise Problem("attachment.pdf.empty", f"{ctx.label}中没有任何页面，请检查文件后重新添加。")
    if _fill_missing_boxes(pdf, quiet.log_qpdf(pdf, ctx.name)):
        ctx.note("attachment.pdf.repaired",
                 f"{ctx.label}的文件结构有损坏，已自动修复；请核对装订后的页面是否完整。")
    return pdf


def _fill_missing_boxes(pdf: pikepdf.Pdf, warnings: list[str]) -> list[str]:
    """Give each page qpdf found without any MediaBox its CropBox, else A4 (qpdf put US Letter
    there); return the other warnings (the real repairs)."""
    rest = []
    for w in warnings:
        m = _NO_MEDIABOX.search(w)
        if m is None:
            rest.append(w)
            continue
        try:
            page = pdf.get_object((int(m.group(1)), int(m.group(2))))
            page.MediaBox = Array(_box(page.get("/CropBox")) or A4_BOX)
            page[_FIXED] = True  # only on the source page: the output pages are new
        except Exception as exc:  # noqa: BLE001 - keep qpdf's Letter box
            log.info("cannot fill in the MediaBox: %r", exc)
    return rest


def normalize_pdf(data: bytes, ctx: Context, fonts: Any = None) -> tuple[bytes, int]:
    """The A4 portrait PDF of a PDF supporting file and its page count; raises :class:`Problem`."""
    src = open_pdf(data, ctx)
    if _is_xfa(src):
        ctx.warn("attachment.pdf.xfa",
                 f"{ctx.label}是动态表单（XFA），只能装订其中保存的静态页面，阅读器中显示的填写内容可能不全。"
                 "请在 Adobe Reader 中打开后“打印为 PDF”，再添加打印出的 PDF。")
    try:
        done = flatten_for_print(src, fonts)
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001 - flattening failed: the pages still bind, say what may be missing
        log.info("flattening %s failed: %r", ctx.name, exc)
        ctx.warn("attachment.pdf.annotations",
                 f"{ctx.label}中的表单域或批注无法固定到页面上，装订后可能缺少填写内容或批注，请打印前核对。")
    else:
        _report_flattening(ctx, done)
    out = pikepdf.new()
    small: list[tuple[int, float]] = []
    turned: list[int] = []
    fixed: list[int] = []
    for i, page in enumerate(src.pages):
        ctx.check()
        try:
            scale, turn, box_fixed = _page(out, src, page)
        except Problem:
            raise
        except MemoryError:
            raise
        except Exception as exc:  # a damaged page: say which one
            log.info("page %d of %s: %r", i + 1, ctx.name, exc)
            raise Problem("attachment.pdf.damaged",
                          f"{ctx.label}第 {i + 1} 页已损坏，无法读取。请用原软件重新导出 PDF 后再添加。") from None
        if box_fixed:
            fixed.append(i + 1)
        if scale < SMALL_SCALE:
            small.append((i + 1, scale))
        if turn:
            turned.append(i + 1)
    if fixed:
        ctx.note("attachment.pdf.box",
                 f"{ctx.label}第 {_pages(fixed)} 页的页面尺寸无效，已按裁剪框或 A4 幅面放入，请核对这些页面。")
    if small:
        worst = min(s for _p, s in small)
        ctx.warn("attachment.pdf.small",
                 f"{ctx.label}第 {_pages(p for p, _s in small)} 页幅面较大，缩小到约 {worst:.0%} 才能放入 A4 页面，"
                 "打印后文字可能偏小；如需清晰，请提供 A4 幅面的版本。")
    if turned:
        ctx.note("attachment.pdf.turned",
                 f"{ctx.label}第 {_pages(turned)} 页为横向大幅面，已逆时针旋转 90°（页顶朝装订边）放入 A4 页面。")
    buf = io.BytesIO()
    out.save(buf, compress_streams=True)
    return buf.getvalue(), len(out.pages)


def _is_xfa(pdf: pikepdf.Pdf) -> bool:
    """A dynamic XFA form: viewers that render XFA show other content than the static pages."""
    try:
        acro = pdf.Root.get("/AcroForm")
        return bool(pdf.Root.get("/NeedsRendering", False)) or (
            isinstance(acro, Dictionary) and acro.get("/XFA") is not None)
    except Exception:  # noqa: BLE001 - a damaged catalogue: treat as an ordinary PDF
        return False


def _report_flattening(ctx: Context, done: Any) -> None:
    if done.fields:
        ctx.note("attachment.pdf.form_flattened",
                 f"{ctx.label}第 {_pages(sorted(done.fields))} 页的表单域已按显示效果固定，请核对填写内容。")
    if done.markup:
        kinds = "、".join(sorted({k for v in done.markup.values() for k in v}))
        ctx.note("attachment.pdf.markup_flattened",
                 f"{ctx.label}第 {_pages(sorted(done.markup))} 页的批注（{kinds}）已按显示效果印在页面上。")
    if done.lost:
        kinds = "、".join(sorted({k for v in done.lost.values() for k in v}))
        ctx.warn("attachment.pdf.annotation_lost",
                 f"{ctx.label}第 {_pages(sorted(done.lost))} 页的批注（{kinds}）没有保存外观，无法印出。"
                 "如需保留，请在原软件中“打印为 PDF”后重新添加。")


def _page(out: pikepdf.Pdf, src: pikepdf.Pdf, page: Any) -> tuple[float, bool, bool]:
    """Append ``page`` placed on an A4 page of ``out``; return (scale, turned, box replaced)."""
    box, fixed = _visible_box(page)
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    rotation = _number(page.obj, "/Rotate", 0.0)
    rotation = int(rotation) % 360
    rotation = rotation - rotation % 90  # only multiples of 90 are valid; round down as viewers do
    unit = _number(page.obj, "/UserUnit", 1.0)
    if not 0.01 <= unit <= 1000:
        unit = 1.0
    seen_w, seen_h = (h * unit, w * unit) if rotation in (90, 270) else (w * unit, h * unit)
    where = place(seen_w, seen_h)
    to_unit: Matrix = (1 / w, 0.0, 0.0, 1 / h, -x0 / w, -y0 / h)
    m = then(then(to_unit, ROTATE_CW[rotation]), where.matrix())

    form = src.make_stream(b"")
    raw, filters, parms = _content(page)
    if filters is None:
        form.write(raw)
    else:
        form.write(raw, filter=filters, decode_parms=parms)
    form.Type, form.Subtype = Name.XObject, Name.Form
    form.BBox = Array([x0, y0, x1, y1])
    resources = inherited(page.obj, "/Resources")
    form.Resources = resources if isinstance(resources, Dictionary) else Dictionary()
    if isinstance(page.obj.get("/Group"), Dictionary):  # a transparency group blends as on the page
        form.Group = page.obj.Group
    copied = out.copy_foreign(src.make_indirect(form))
    b = where.box
    draw = f"q {b.x:.4f} {b.y:.4f} {b.w:.4f} {b.h:.4f} re W n {_fmt(m)} cm /ZqPage Do Q\n".encode()
    new = Dictionary(Type=Name.Page, MediaBox=Array([0, 0, PAGE_W, PAGE_H]),
                     Resources=Dictionary(XObject=Dictionary(ZqPage=copied)),
                     Contents=out.make_stream(draw))
    out.pages.append(pikepdf.Page(new))
    return where.scale, where.turned, fixed


def _box(value: Any) -> tuple[float, float, float, float] | None:
    """A usable rectangle (x0, y0, x1, y1), or None for a missing, empty or absurd one."""
    try:
        v = [float(x) for x in value]
    except Exception:  # noqa: BLE001 - missing, not an array, not numbers
        return None
    if len(v) != 4:
        return None
    x0, x1 = sorted((v[0], v[2]))
    y0, y1 = sorted((v[1], v[3]))
    if x1 - x0 < 1 or y1 - y0 < 1 or x1 - x0 > 1e6 or y1 - y0 > 1e6:
        return None
    return x0, y0, x1, y1


def _visible_box(page: Any) -> tuple[tuple[float, float, float, float], bool]:
    """CropBox ∩ MediaBox as (x0, y0, x1, y1) and whether a fallback had to be used.

    An unusable MediaBox falls back to the parents' one, then the CropBox, then A4; a CropBox
    outside the MediaBox is ignored."""
    own = _box(page.obj.get("/MediaBox"))
    media = own or _box(inherited(page.obj.get("/Parent"), "/MediaBox"))
    crop = _box(inherited(page.obj, "/CropBox"))
    fixed = (own is None and "/MediaBox" in page.obj) or _FIXED in page.obj
    if media is None:
        media, fixed = crop or A4_BOX, True
    if crop is None:
        return media, fixed
    x0, y0 = max(media[0], crop[0]), max(media[1], crop[1])
    x1, y1 = min(media[2], crop[2]), min(media[3], crop[3])
    if x1 - x0 < 1 or y1 - y0 < 1:
        return media, fixed
    return (x0, y0, x1, y1), fixed


def _number(obj: Any, key: str, default: float) -> float:
    try:
        value = inherited(obj, key)
        return float(value) if value is not None else default
    except (TypeError, ValueError):
        return default


def _content(page: Any) -> tuple[bytes, Any, Any]:
    """The page's content: one stream's raw bytes with its filters (not decoded), or an array's
    parts decoded, joined and deflated (an array's parts are separate streams).

    Raises ValueError for content that inflates beyond :data:`MAX_CONTENT` (a zip bomb)."""
    obj = page.obj.get("/Contents")
    if isinstance(obj, pikepdf.Stream):
        raw = obj.read_raw_bytes()
        if _is_flate(obj):
            _inflate(raw, MAX_CONTENT)  # size check only; the stream is copied as it is
        return raw, obj.get("/Filter"), obj.get("/DecodeParms")
    if isinstance(obj, Array):
        parts, total = [], 0
        for part in obj:
            if not isinstance(part, pikepdf.Stream):
                continue
            data = _inflate(part.read_raw_bytes(), MAX_CONTENT - total) if _is_flate(part) and \
                "/DecodeParms" not in part else part.read_bytes()
            total += len(data)
            if total > MAX_CONTENT:
                raise ValueError("content stream too large")
            parts.append(data)
        return zlib.compress(b"\n".join(parts), 6), Name.FlateDecode, None
    return b"", None, None


def _is_flate(stream: Any) -> bool:
    f = stream.get("/Filter")
    return f == Name.FlateDecode or (isinstance(f, Array) and len(f) == 1 and f[0] == Name.FlateDecode)


def _inflate(raw: bytes, limit: int) -> bytes:
    """Inflate ``raw`` but stop past ``limit`` bytes (ValueError); a truncated stream is kept as far
    as it goes, as viewers do."""
    d = zlib.decompressobj()
    out = []
    size = 0
    chunk = raw
    try:
        while chunk:
            piece = d.decompress(chunk, 1 << 20)
            size += len(piece)
            if size > limit:
                raise ValueError("content stream too large")
            out.append(piece)
            chunk = d.unconsumed_tail
    except zlib.error:
        pass
    return b"".join(out)


def _fmt(m: Matrix) -> str:
    return " ".join(f"{v:.6f}".rstrip("0").rstrip(".") or "0" for v in m)


def _pages(numbers: Any) -> str:
    nums = list(numbers)
    text = "、".join(str(n) for n in nums[:8])
    return text + ("等" if len(nums) > 8 else "")


def _damaged(ctx: Context) -> Problem:
    return Problem("attachment.pdf.damaged",
                   f"{ctx.label}不是有效的 PDF 文件或已损坏，无法读取。请用原软件重新导出 PDF 后再添加。")


def _too_many(ctx: Context, n: int) -> Problem:
    return Problem("attachment.pdf.too_many_pages",
                   f"{ctx.label}共约 {n} 页，超过单个附件 {ctx.limits.max_pages} 页的上限。"
                   "请只保留需要提交的页面，或拆分成几个附件后重新添加。")


__all__ = ["normalize_pdf", "open_pdf"]
