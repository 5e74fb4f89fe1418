"""Form fields and annotations → page content, so what a viewer shows is what is bound.

The binder keeps no annotations, so everything a viewer draws on top of a page must become part
of it before the page is normalised.  qpdf does most of it (:meth:`pikepdf.Pdf.
generate_appearance_streams` for forms that ask for it with ``/NeedAppearances``, then
:meth:`~pikepdf.Pdf.flatten_annotations` in ``"print"`` mode), with two measured gaps filled here:

* qpdf writes a field value only in the single-byte encoding of the field's font, so Chinese values
  come out as ``??``.  Such values (and values of fields that have no appearance at all) are drawn
  here inside the widget's /Rect with the application's CJK fonts (a small reportlab page turned
  into the widget's appearance Form XObject), honouring the field's size, colour and alignment.
* markup annotations saved without an appearance (/Highlight, /Underline, /StrikeOut, /Squiggly,
  /Square, /Circle, /Ink, /Line, /Polygon, /PolyLine) are not flattened by qpdf; a plain appearance
  is synthesised from /QuadPoints, /InkList, /L, /Vertices, /Rect, /C and /IC (a highlight as a
  translucent multiply fill, the others as strokes).  Visible markup without the Print flag is
  printed too: a viewer shows it, and the evaluator must see what the applicant saw.

What cannot be drawn (e.g. a /FreeText or /Stamp without appearance) is reported, naming the page.

No Qt here.
"""

from __future__ import annotations

import io
import logging
import math
import re
from dataclasses import dataclass, field
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name

log = logging.getLogger(__name__)

_HIDDEN, _PRINT, _NOVIEW = 2, 4, 32
MARKUP = ("/Highlight", "/Underline", "/StrikeOut", "/Squiggly", "/Square", "/Circle", "/Ink", "/Line",
          "/Polygon", "/PolyLine")
_SHOWN_ON_PAPER = MARKUP + ("/FreeText", "/Stamp", "/Caret")
_NAMES = {"/Highlight": "高亮", "/Underline": "下划线", "/StrikeOut": "删除线", "/Squiggly": "波浪线",
          "/Square": "方框", "/Circle": "圆圈", "/Ink": "手写", "/Line": "直线", "/Polygon": "多边形",
          "/PolyLine": "折线", "/FreeText": "文字批注", "/Stamp": "图章", "/Caret": "插入符号"}


@dataclass
class Flattened:
    """What :func:`flatten_for_print` did, by 1-based page number."""

    fields: set[int] = field(default_factory=set)  # pages whose form fields were fixed
    markup: dict[int, set[str]] = field(default_factory=dict)  # page → Chinese names of markup drawn
    lost: dict[int, set[str]] = field(default_factory=dict)  # page → what could not be drawn


def flatten_for_print(pdf: pikepdf.Pdf, fonts: Any = None) -> Flattened:
    """Turn every printable field and annotation of ``pdf`` into page content (in place)."""
    done = Flattened()
    pages = list(pdf.pages)
    if not any("/Annots" in p.obj for p in pages):
        return done
    acro = pdf.Root.get("/AcroForm")
    need_all = bool(acro is not None and acro.get("/NeedAppearances", False))
    ours: list[tuple[Any, str, dict]] = []  # widgets whose value we draw
    for number, page in enumerate(pages, 1):
        for annot in _annots(page):
            subtype = annot.get("/Subtype")
            flags = _int(annot.get("/F", 0))
            if flags & (_HIDDEN | _NOVIEW):
                continue
            has_ap = _normal_appearance(annot) is not None
            if subtype == "/Widget":
                spec = _field_spec(annot)
                if spec is None:
                    if not has_ap and flags & _PRINT and _checked(annot):
                        has_ap = _draw_check(pdf, annot)
                    if has_ap and flags & _PRINT:
                        done.fields.add(number)
                    continue
                if flags & _PRINT and (has_ap or spec["value"]):
                    done.fields.add(number)
                if spec["value"] and (need_all or not has_ap) and not _single_byte(spec["value"]):
                    ours.append((annot, spec["value"], spec))
                continue
            if subtype not in _SHOWN_ON_PAPER:
                continue
            if not flags & _PRINT:  # visible on screen: the viewer shows it, so paper shows it
                annot.F = flags | _PRINT
            if not has_ap and subtype in MARKUP:
                try:
                    has_ap = _synthesise(pdf, annot, subtype)
                except Exception as exc:  # noqa: BLE001 - a malformed annotation: report it below
                    log.info("page %d: cannot draw %s: %r", number, subtype, exc)
            if has_ap:
                done.markup.setdefault(number, set()).add(_NAMES.get(str(subtype), "批注"))
            else:
                done.lost.setdefault(number, set()).add(_NAMES.get(str(subtype), "批注"))
    if need_all:
        try:
            pdf.generate_appearance_streams()
        except Exception as exc:  # noqa: BLE001 - qpdf failed on a field: ours and the rest still print
            log.info("generate_appearance_streams: %r", exc)
    if ours:
        _draw_values(pdf, ours, fonts)
    if acro is not None and "/NeedAppearances" in acro:
        del acro["/NeedAppearances"]
    pdf.flatten_annotations("print")
    return done


# -- form fields -------------------------------------------------------------------------------


def _annots(page: Any) -> list[Any]:
    try:
        annots = page.obj.get("/Annots")
        return [a for a in annots if isinstance(a, pikepdf.Dictionary)] if isinstance(annots, Array) else []
    except Exception:  # noqa: BLE001 - a broken /Annots: nothing to flatten
        return []


def _normal_appearance(annot: Any) -> Any:
    ap = annot.get("/AP")
    n = ap.get("/N") if isinstance(ap, pikepdf.Dictionary) else None
    if isinstance(n, pikepdf.Stream):
        return n
    if isinstance(n, pikepdf.Dictionary):  # states (check boxes): the current one
        state = annot.get("/AS")
        s = n.get(state) if state is not None else None
        return s if isinstance(s, pikepdf.Stream) else None
    return None


def inherited(node: Any, key: str) -> Any:
    """``key`` of a dictionary or of its nearest /Parent that has it (fields and page trees inherit)."""
    seen = 0
    while isinstance(node, pikepdf.Dictionary) and seen < 64:
        if key in node:
            return node[key]
        node, seen = node.get("/Parent"), seen + 1
    return None


def _field_spec(annot: Any) -> dict | None:
    """Type, value and look of a text or choice field's widget, or None for other widgets."""
    ft = inherited(annot, "/FT")
    if ft not in ("/Tx", "/Ch"):
        return None
    flags = _int(inherited(annot, "/Ff") or 0)
    if ft == "/Tx" and flags & (1 << 13):  # a password field shows bullets, not its value
        return None
    v = inherited(annot, "/V")
    if isinstance(v, Array):
        value = "\n".join(str(x) for x in v if isinstance(x, pikepdf.String))
    elif isinstance(v, pikepdf.String):
        value = str(v)
    else:
        value = ""
    da = str(inherited(annot, "/DA") or "")
    size_m = re.search(r"([\d.]+)\s+Tf", da)
    rgb = re.search(r"([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+rg", da)
    grey = re.search(r"([\d.]+)\s+g\b", da)
    colour = tuple(float(x) for x in rgb.groups()) if rgb else ((float(grey.group(1)),) * 3 if grey else (0, 0, 0))
    return {"value": value, "size": float(size_m.group(1)) if size_m else 0.0, "colour": colour,
            "align": _int(inherited(annot, "/Q") or 0), "multiline": ft == "/Tx" and bool(flags & (1 << 12))}


def _single_byte(text: str) -> bool:
    """Whether qpdf can write ``text`` with a standard font (WinAnsi), i.e. without ``?``."""
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def _draw_values(pdf: pikepdf.Pdf, widgets: list[tuple[Any, str, dict]], fonts: Any) -> None:
    """Give each widget an appearance showing its value in the CJK fonts (one reportlab document)."""
    from reportlab.pdfgen.canvas import Canvas

    from zscq_desktop.render.fonts import register_fonts

    fonts = fonts or register_fonts()
    buf = io.BytesIO()
    c = Canvas(buf, invariant=1, pageCompression=1, initialFontName=fonts.body)
    sizes = []
    for annot, value, spec in widgets:
        x0, y0, x1, y1 = _rect(annot)
        w, h = max(1.0, x1 - x0), max(1.0, y1 - y0)
        sizes.append((w, h))
        c.setPageSize((w, h))
        _draw_field(c, value, spec, w, h, fonts)
        c.showPage()
    c.save()
    drawn = pikepdf.open(io.BytesIO(buf.getvalue()))
    for (annot, _value, _spec), page, (w, h) in zip(widgets, drawn.pages, sizes):
        form = drawn.make_stream(_content(page), Type=Name.XObject, Subtype=Name.Form,
                                 BBox=Array([0, 0, w, h]), Resources=page.obj.get("/Resources", Dictionary()))
        annot.AP = Dictionary(N=pdf.copy_foreign(drawn.make_indirect(form)))
        if "/AS" in annot:
            del annot["/AS"]


def _draw_field(c: Any, value: str, spec: dict, w: float, h: float, fonts: Any) -> None:
    from zscq_desktop.render.fonts import font_runs

    pad = 2.0
    lines = value.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    size = spec["size"]
    if not size:  # auto size: as large as fits, 4…12 pt
        size = max(4.0, min(12.0, (h - 2 * pad) / max(1, len(lines)) / 1.2 if spec["multiline"] else h * 0.7))

    def width(text: str, s: float) -> float:
        from reportlab.pdfbase.pdfmetrics import stringWidth
        return sum(stringWidth(run, name, s) for name, run in font_runs(text, fonts.body, fonts))

    if spec["multiline"]:
        lines = [part for line in lines for part in _wrap(line, lambda t: width(t, size), w - 2 * pad)]
    elif not spec["size"]:
        while size > 4 and width(lines[0], size) > w - 2 * pad:
            size -= 0.5
    c.setFillColorRGB(*spec["colour"][:3])
    leading = size * 1.15
    y = h - pad - size if spec["multiline"] else (h - size * 0.78) / 2
    for line in lines if spec["multiline"] else lines[:1]:
        lw = width(line, size)
        x = {1: (w - lw) / 2, 2: w - pad - lw}.get(spec["align"], pad)
        t = c.beginText(x, y)
        for name, run in font_runs(line, fonts.body, fonts):
            t.setFont(name, size)
            t.textOut(run)
        c.drawText(t)
        y -= leading


def _wrap(text: str, measure: Any, width: float) -> list[str]:
    """Break ``text`` into lines of at most ``width`` (character by character, as CJK wraps)."""
    out, line = [], ""
    for ch in text:
        if line and measure(line + ch) > width:
            out.append(line)
            line = ""
        line += ch
    return out + [line]


def _content(page: Any) -> bytes:
    contents = page.obj.get("/Contents")
    if isinstance(contents, Array):
        return b"\n".join(s.read_bytes() for s in contents)
    return contents.read_bytes() if isinstance(contents, pikepdf.Stream) else b""


def _checked(annot: Any) -> bool:
    """A check box or radio button that is on (its state, else its field's value, is not /Off)."""
    if inherited(annot, "/FT") != "/Btn" or _int(inherited(annot, "/Ff") or 0) & (1 << 16):  # push button
        return False
    state = annot.get("/AS")
    if state is None:
        state = inherited(annot, "/V")
    return isinstance(state, Name) and state != "/Off"


def _draw_check(pdf: pikepdf.Pdf, annot: Any) -> bool:
    """A plain check mark (a stroked tick) for a check box that is on but has no appearance."""
    x0, y0, x1, y1 = _rect(annot)
    w, h = x1 - x0, y1 - y0
    if w <= 0 or h <= 0:
        return False
    lw = max(0.8, min(w, h) / 8)
    tick = (f"q 0 g 0 G 1 J 1 j {lw:.2f} w {0.2 * w:.2f} {0.5 * h:.2f} m {0.42 * w:.2f} {0.22 * h:.2f} l "
            f"{0.82 * w:.2f} {0.8 * h:.2f} l S Q\n")
    annot.AP = Dictionary(N=pdf.make_stream(tick.encode("ascii"), Type=Name.XObject, Subtype=Name.Form,
                                            BBox=Array([0, 0, w, h]), Resources=Dictionary()))
    if "/AS" in annot:
        del annot["/AS"]
    return True


# -- markup annotations ------------------------------------------------------------------------


def _synthesise(pdf: pikepdf.Pdf, annot: Any, subtype: str) -> bool:
    """Give a markup annotation without appearance a plain one; False when it has no geometry."""
    colour = _colour(annot.get("/C"))
    width = _border(annot)
    ops: list[str] = []
    pts: list[tuple[float, float]] = []
    gs = None
    if subtype in ("/Highlight", "/Underline", "/StrikeOut", "/Squiggly"):
        q = [float(v) for v in annot.get("/QuadPoints", [])]
        quads = [q[i:i + 8] for i in range(0, len(q) - 7, 8)]
        if not quads:
            return False
        colour = colour or ("1 1 0 rg" if subtype == "/Highlight" else "0 0 0 rg")
        for x1, y1, x2, y2, x3, y3, x4, y4 in quads:
            pts += [(x1, y1), (x2, y2), (x3, y3), (x4, y4)]
            height = math.hypot(x1 - x3, y1 - y3) or 1.0
            if subtype == "/Highlight":
                ops.append(f"{x1:.2f} {y1:.2f} m {x2:.2f} {y2:.2f} l {x4:.2f} {y4:.2f} l {x3:.2f} {y3:.2f} l h f")
                continue
            lw = max(0.5, height / 14)
            # the bottom edge (x3,y3)→(x4,y4), moved up a little; a strike-out through the middle
            t = 0.5 if subtype == "/StrikeOut" else 0.12
            ax, ay = x3 + (x1 - x3) * t, y3 + (y1 - y3) * t
            bx, by = x4 + (x2 - x4) * t, y4 + (y2 - y4) * t
            if subtype == "/Squiggly":
                ops.append(f"{lw:.2f} w " + _zigzag(ax, ay, bx, by, height / 8) + " S")
            else:
                ops.append(f"{lw:.2f} w {ax:.2f} {ay:.2f} m {bx:.2f} {by:.2f} l S")
        if subtype == "/Highlight":
            gs = Dictionary(Type=Name.ExtGState, BM=Name.Multiply, ca=min(0.6, _opacity(annot)))
    elif subtype in ("/Square", "/Circle"):
        x0, y0, x1, y1 = _rect(annot)
        if x1 - x0 <= 0 or y1 - y0 <= 0:
            return False
        pts += [(x0, y0), (x1, y1)]
        inset = width / 2
        x0, y0, x1, y1 = x0 + inset, y0 + inset, x1 - inset, y1 - inset
        path = (f"{x0:.2f} {y0:.2f} {x1 - x0:.2f} {y1 - y0:.2f} re" if subtype == "/Square"
                else _ellipse(x0, y0, x1, y1))
        fill = _colour(annot.get("/IC"))
        paint = "B" if fill and colour else ("f" if fill else "S")
        if not colour and not fill:
            colour = "0 0 0 rg"
        ops.append(f"{fill or ''} {width:.2f} w {path} {paint}")
    elif subtype in ("/Ink", "/Line", "/Polygon", "/PolyLine"):
        if subtype == "/Ink":
            paths = [[float(v) for v in p] for p in annot.get("/InkList", [])]
        elif subtype == "/Line":
            paths = [[float(v) for v in annot.get("/L", [])]]
        else:
            paths = [[float(v) for v in annot.get("/Vertices", [])]]
        colour = colour or "0 0 0 rg"
        for p in paths:
            xy = list(zip(p[0::2], p[1::2]))
            if not xy:
                continue
            pts += xy
            seg = " ".join(f"{x:.2f} {y:.2f} {'m' if i == 0 else 'l'}" for i, (x, y) in enumerate(xy))
            ops.append(f"1 J 1 j {width:.2f} w {seg}{' h' if subtype == '/Polygon' else ''} S")
        if not pts:
            return False
    else:
        return False
    stroke = colour.replace(" rg", " RG").replace(" g", " G").replace(" k", " K") if colour else ""
    body = f"q {'/ZqGS gs ' if gs is not None else ''}{colour} {stroke}\n" + "\n".join(ops) + "\nQ\n"
    pad = width + 2
    xs, ys = [x for x, _ in pts], [y for _, y in pts]
    bbox = [min(xs) - pad, min(ys) - pad, max(xs) + pad, max(ys) + pad]
    resources = Dictionary(ExtGState=Dictionary(ZqGS=gs)) if gs is not None else Dictionary()
    stream = pdf.make_stream(body.encode("ascii"), Type=Name.XObject, Subtype=Name.Form, BBox=Array(bbox),
                             Resources=resources)
    annot.Rect = Array(bbox)  # flattening maps BBox onto Rect: keep them equal, nothing moves
    annot.AP = Dictionary(N=stream)
    return True


def _colour(c: Any) -> str:
    """A fill operator for a /C or /IC array ("" for none / transparent)."""
    try:
        v = [float(x) for x in c] if isinstance(c, Array) else []
    except (TypeError, ValueError):
        return ""
    if len(v) == 1:
        return f"{v[0]:.3f} g"
    if len(v) == 3:
        return f"{v[0]:.3f} {v[1]:.3f} {v[2]:.3f} rg"
    if len(v) == 4:
        return f"{v[0]:.3f} {v[1]:.3f} {v[2]:.3f} {v[3]:.3f} k"
    return ""


def _border(annot: Any) -> float:
    try:
        bs = annot.get("/BS")
        if isinstance(bs, pikepdf.Dictionary) and "/W" in bs:
            return max(0.25, float(bs["/W"]))
        border = annot.get("/Border")
        if isinstance(border, Array) and len(border) >= 3:
            return max(0.25, float(border[2]))
    except (TypeError, ValueError):
        pass
    return 1.0


def _opacity(annot: Any) -> float:
    try:
        return max(0.1, min(1.0, float(annot.get("/CA", 1))))
    except (TypeError, ValueError):
        return 1.0


def _rect(annot: Any) -> tuple[float, float, float, float]:
    r = [float(v) for v in annot.get("/Rect", [0, 0, 0, 0])][:4]
    return min(r[0], r[2]), min(r[1], r[3]), max(r[0], r[2]), max(r[1], r[3])


def _zigzag(ax: float, ay: float, bx: float, by: float, amp: float) -> str:
    length = math.hypot(bx - ax, by - ay) or 1.0
    n = max(2, int(length / max(1.0, 2 * amp)))
    nx, ny = -(by - ay) / length * amp, (bx - ax) / length * amp
    parts = []
    for i in range(n + 1):
        x, y = ax + (bx - ax) * i / n, ay + (by - ay) * i / n
        s = 1 if i % 2 else -1
        parts.append(f"{x + s * nx:.2f} {y + s * ny:.2f} {'m' if i == 0 else 'l'}")
    return " ".join(parts)


def _ellipse(x0: float, y0: float, x1: float, y1: float) -> str:
    k = 0.5523
    cx, cy, rx, ry = (x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 2, (y1 - y0) / 2
    return (f"{cx + rx:.2f} {cy:.2f} m "
            f"{cx + rx:.2f} {cy + k * ry:.2f} {cx + k * rx:.2f} {cy + ry:.2f} {cx:.2f} {cy + ry:.2f} c "
            f"{cx - k * rx:.2f} {cy + ry:.2f} {cx - rx:.2f} {cy + k * ry:.2f} {cx - rx:.2f} {cy:.2f} c "
            f"{cx - rx:.2f} {cy - k * ry:.2f} {cx - k * rx:.2f} {cy - ry:.2f} {cx:.2f} {cy - ry:.2f} c "
            f"{cx + k * rx:.2f} {cy - ry:.2f} {cx + rx:.2f} {cy - k * ry:.2f} {cx + rx:.2f} {cy:.2f} c h")


def _int(v: Any) -> int:
    try:
        return int(v)
    except (TypeError, ValueError):
        return 0


__all__ = ["MARKUP", "Flattened", "flatten_for_print", "inherited"]
