"""PDF supporting files → A4 portrait pages with the binding margin and bands free.

Each source page is copied, not rasterised: its content stream is wrapped as

    q <placed rectangle> re W n <matrix> cm  …original content…  <visible annotations>  Q

and its MediaBox becomes A4.  The matrix maps the page's visible box (CropBox ∩ MediaBox, with
/Rotate and /UserUnit honoured, so a rotated page comes out upright as the reader saw it) onto its
placement (``normalize_common.place``: scaled down only, centred; a very large landscape page is
turned with its top toward the binding edge).  The clip keeps anything outside the source's
visible box from leaking into the margins.

Resources (fonts, images) are cloned once per document by pypdf, so pages that share them share
them in the output too.  Annotations that are visible (filled form fields, stamps, highlights) are
drawn into the page from their appearance streams, since the binder keeps no annotations; links
and pop-ups are dropped.

No Qt here.
"""

from __future__ import annotations

import io
import logging
from typing import Any

from pypdf import PdfReader, PdfWriter
from pypdf.errors import DependencyError, FileNotDecryptedError
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    RectangleObject,
)

from zscq_desktop.attachments.common import (
    PAGE_H,
    PAGE_W,
    ROTATE_CW,
    SMALL_SCALE,
    Context,
    Matrix,
    Problem,
    apply,
    place,
    then,
)

log = logging.getLogger(__name__)

_DROP = ("/Annots", "/Contents", "/B", "/Thumb", "/StructParents", "/Tabs", "/AA", "/PieceInfo", "/Metadata",
         "/CropBox", "/BleedBox", "/TrimBox", "/ArtBox", "/Rotate", "/UserUnit", "/VP")


def open_pdf(data: bytes, ctx: Context) -> PdfReader:
    """Open (and, with an empty user password, decrypt) a PDF; check it has 1…max pages."""
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
    except Exception as exc:  # pypdf raises many kinds of errors for broken files
        log.info("unreadable PDF %s: %s", ctx.name, exc)
        raise _damaged(ctx) from None
    if reader.is_encrypted:
        try:
            ok = reader.decrypt("")
        except (DependencyError, NotImplementedError) as exc:
            log.info("cannot decrypt %s: %s", ctx.name, exc)
            raise Problem("attachment.pdf.encryption",
                          f"{ctx.label}使用了本程序无法解开的加密方式，请用原软件另存为不加密的 PDF 后重新添加。") from None
        except Exception:
            raise _damaged(ctx) from None
        if not ok:
            raise Problem("attachment.pdf.password",
                          f"{ctx.label}设置了打开密码，请先用原软件去掉密码后重新添加。")
    # a quick look at the page tree's own count first, so that a huge file is refused at once
    try:
        declared = int(reader.trailer["/Root"]["/Pages"].get("/Count", 0))
    except FileNotDecryptedError:
        raise Problem("attachment.pdf.password", f"{ctx.label}设置了打开密码，请先用原软件去掉密码后重新添加。") from None
    except Exception:
        declared = 0
    if declared > ctx.limits.max_pages:
        raise _too_many(ctx, declared)
    try:
        n = len(reader.pages)
    except Exception as exc:
        log.info("broken page tree in %s: %s", ctx.name, exc)
        raise _damaged(ctx) from None
    if n > ctx.limits.max_pages:
        raise _too_many(ctx, n)
    if n == 0:
        raise Problem("attachment.pdf.empty", f"{ctx.label}中没有任何页面，请检查文件后重新添加。")
    return reader


def normalize_pdf(data: bytes, ctx: Context) -> tuple[bytes, int]:
    """The A4 portrait PDF of a PDF supporting file and its page count; raises :class:`Problem`."""
    reader = open_pdf(data, ctx)
    writer = PdfWriter()
    small: list[tuple[int, float]] = []
    turned: list[int] = []
    for i, src in enumerate(reader.pages):
        ctx.check()
        try:
            result = _page(writer, src)
        except Problem:
            raise
        except Exception as exc:  # a damaged page: say which one
            log.info("page %d of %s: %r", i + 1, ctx.name, exc)
            raise Problem("attachment.pdf.damaged",
                          f"{ctx.label}第 {i + 1} 页已损坏，无法读取。请用原软件重新导出 PDF 后再添加。") from None
        if result is None:
            ctx.warn("attachment.pdf.blank_page", f"{ctx.label}第 {i + 1} 页的页面尺寸无效，已跳过。")
            continue
        scale, turn = result
        if scale < SMALL_SCALE:
            small.append((i + 1, scale))
        if turn:
            turned.append(i + 1)
    if not writer.pages:
        raise Problem("attachment.pdf.empty", f"{ctx.label}中没有可用的页面，请检查文件后重新添加。")
    if small:
        worst = min(s for _p, s in small)
        ctx.warn("attachment.pdf.small",
                 f"{ctx.label}第 {_pages(p for p, _s in small)} 页幅面较大，缩小到约 {worst:.0%} 才能放入 A4 页面，"
                 "打印后文字可能偏小；如需清晰，请提供 A4 幅面的版本。")
    if turned:
        ctx.note("attachment.pdf.turned",
                 f"{ctx.label}第 {_pages(turned)} 页为横向大幅面，已逆时针旋转 90°（页顶朝装订边）放入 A4 页面。")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), len(writer.pages)


def _page(writer: PdfWriter, src: Any) -> tuple[float, bool] | None:
    """Append ``src`` placed on an A4 page; return (scale, turned), or None for an unusable box."""
    box = _visible_box(src)
    if box is None:
        return None
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    rotation = int(src.rotation) % 360  # pypdf resolves an inherited or indirect /Rotate
    rotation = rotation - rotation % 90  # only multiples of 90 are valid; round down as viewers do
    unit = src.get("/UserUnit")
    unit = float(unit.get_object()) if unit is not None else 1.0
    if not 0.01 <= unit <= 1000:
        unit = 1.0
    seen_w, seen_h = (h * unit, w * unit) if rotation in (90, 270) else (w * unit, h * unit)
    where = place(seen_w, seen_h)
    to_unit: Matrix = (1 / w, 0.0, 0.0, 1 / h, -x0 / w, -y0 / h)
    m = then(then(to_unit, ROTATE_CW[rotation]), where.matrix())

    content = _content(src)
    stamps, xobjects = _appearances(writer, src)

    page = writer.add_page(src, excluded_keys=_DROP)
    for key in _DROP:
        if key in page:
            del page[NameObject(key)]
    page.mediabox = RectangleObject([0, 0, PAGE_W, PAGE_H])
    if xobjects:
        _add_xobjects(page, xobjects)
    b = where.box
    head = f"q {b.x:.4f} {b.y:.4f} {b.w:.4f} {b.h:.4f} re W n {_fmt(m)} cm\n".encode()
    stream = DecodedStreamObject()
    stream.set_data(head + content + b"\n" + stamps + b"Q\n")
    page.replace_contents(stream.flate_encode())
    return where.scale, where.turned


def _visible_box(src: Any) -> tuple[float, float, float, float] | None:
    """CropBox ∩ MediaBox as (x0, y0, x1, y1), or None when empty or absurd."""
    try:
        mb = [float(v) for v in src.mediabox]
        cb = [float(v) for v in src.cropbox]
    except Exception:
        return None
    mx0, mx1 = sorted((mb[0], mb[2]))
    my0, my1 = sorted((mb[1], mb[3]))
    cx0, cx1 = sorted((cb[0], cb[2]))
    cy0, cy1 = sorted((cb[1], cb[3]))
    x0, y0, x1, y1 = max(mx0, cx0), max(my0, cy0), min(mx1, cx1), min(my1, cy1)
    if x1 - x0 < 1 or y1 - y0 < 1:  # a crop box outside the media box: fall back to the media box
        x0, y0, x1, y1 = mx0, my0, mx1, my1
    if x1 - x0 < 1 or y1 - y0 < 1 or x1 - x0 > 1e6 or y1 - y0 > 1e6:
        return None
    return x0, y0, x1, y1


def _content(src: Any) -> bytes:
    """The page's content streams, decoded and joined (an array's parts are separate streams)."""
    obj = src.get("/Contents")
    if obj is None:
        return b""
    obj = obj.get_object()
    parts = obj if isinstance(obj, ArrayObject) else [obj]
    out = []
    for part in parts:
        part = part.get_object()
        if part is not None:
            out.append(part.get_data())
    return b"\n".join(out)


def _appearances(writer: PdfWriter, src: Any) -> tuple[bytes, dict[str, Any]]:
    """Content drawing the page's visible annotations, and the appearance XObjects it uses.

    PDF 32000-1 §12.5.5: the appearance's BBox, transformed by its Matrix, is mapped onto the
    annotation's Rect.
    """
    annots = src.get("/Annots")
    if annots is None:
        return b"", {}
    ops: list[bytes] = []
    xobjects: dict[str, Any] = {}
    for ref in annots.get_object():
        try:
            a = ref.get_object()
            if a.get("/Subtype") in ("/Popup", "/Link") or int(a.get("/F", 0)) & (2 | 32):  # Hidden, NoView
                continue
            ap = a.get("/AP")
            normal = ap.get_object().get("/N") if ap is not None else None
            if normal is None:
                continue
            normal = normal.get_object()
            if "/BBox" not in normal:  # a dictionary of states: the current one
                state = a.get("/AS")
                normal = normal.get(state).get_object() if state is not None and state in normal else None
                if normal is None or "/BBox" not in normal:
                    continue
            rect = [float(v) for v in a["/Rect"]]
            bbox = [float(v) for v in normal["/BBox"]]
            v6 = [float(v) for v in normal.get("/Matrix", [1, 0, 0, 1, 0, 0])]
            fm: Matrix = (v6[0], v6[1], v6[2], v6[3], v6[4], v6[5])
            corners = [apply(fm, x, y) for x in (bbox[0], bbox[2]) for y in (bbox[1], bbox[3])]
            tx0, tx1 = min(c[0] for c in corners), max(c[0] for c in corners)
            ty0, ty1 = min(c[1] for c in corners), max(c[1] for c in corners)
            rx0, rx1 = sorted((rect[0], rect[2]))
            ry0, ry1 = sorted((rect[1], rect[3]))
            if tx1 - tx0 <= 0 or ty1 - ty0 <= 0:
                continue
            sx, sy = (rx1 - rx0) / (tx1 - tx0), (ry1 - ry0) / (ty1 - ty0)
            m: Matrix = (sx, 0.0, 0.0, sy, rx0 - tx0 * sx, ry0 - ty0 * sy)
            name = f"/ZqAnnot{len(xobjects)}"
            xobjects[name] = normal.clone(writer).indirect_reference
            ops.append(f"q {_fmt(m)} cm {name} Do Q\n".encode())
        except Exception as exc:  # a broken annotation is dropped, the page is kept
            log.info("annotation skipped: %r", exc)
    return b"".join(ops), xobjects


def _add_xobjects(page: Any, xobjects: dict[str, Any]) -> None:
    res = page.get("/Resources")
    res = res.get_object() if res is not None else None
    if res is None:
        res = DictionaryObject()
        page[NameObject("/Resources")] = res
    xo = res.get("/XObject")
    xo = xo.get_object() if xo is not None else None
    if xo is None:
        xo = DictionaryObject()
        res[NameObject("/XObject")] = xo
    for name, ref in xobjects.items():
        xo[NameObject(name)] = ref


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
