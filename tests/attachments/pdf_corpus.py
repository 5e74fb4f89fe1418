"""Real-world PDF oddities, made here with pikepdf (no downloaded files).

Each builder returns the bytes of a one-page A4 PDF with a line of text at the top, plus the oddity:
a form asking the viewer to draw its fields (``/NeedAppearances``), markup annotations saved without
appearance, a broken cross-reference table, a missing header, odd page boxes, encryption.
"""

from __future__ import annotations

import io

import pikepdf
from pikepdf import Array, Dictionary, Name, String


def base(text: bytes = b"BT /F1 18 Tf 72 760 Td (Supporting file page) Tj ET") -> pikepdf.Pdf:
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    page = pdf.pages[0]
    font = pdf.make_indirect(Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica))
    page.obj.Resources = Dictionary(Font=Dictionary(F1=font))
    page.obj.Contents = pdf.make_stream(text)
    return pdf


def save(pdf: pikepdf.Pdf, **kw: object) -> bytes:
    buf = io.BytesIO()
    pdf.save(buf, **kw)
    return buf.getvalue()


#: where form_pdf puts its fields, top to bottom (x0, y0, x1, y1)
FIELD_RECTS = [(100, 600, 450, 640), (100, 520, 450, 560), (100, 380, 450, 480)]


def form_pdf(values: list[str], *, multiline_last: bool = False, need_appearances: bool = True) -> bytes:
    """Text fields without appearance streams, values as given (Helvetica in /DA, as Acrobat writes)."""
    pdf = base()
    page = pdf.pages[0]
    fields, annots = Array(), Array()
    for i, (value, rect) in enumerate(zip(values, FIELD_RECTS)):
        f = pdf.make_indirect(Dictionary(
            Type=Name.Annot, Subtype=Name.Widget, FT=Name.Tx, T=String(f"field{i}"), V=String(value),
            DA=String("/Helv 14 Tf 0 0 1 rg"), Rect=Array(list(rect)), F=4, P=page.obj))
        if multiline_last and i == len(values) - 1:
            f.Ff = 1 << 12
        fields.append(f)
        annots.append(f)
    page.obj.Annots = annots
    helv = pdf.make_indirect(Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica,
                                        Encoding=Name.WinAnsiEncoding))
    pdf.Root.AcroForm = Dictionary(Fields=fields, NeedAppearances=need_appearances,
                                   DR=Dictionary(Font=Dictionary(Helv=helv)), DA=String("/Helv 0 Tf 0 g"))
    return save(pdf)


CHECK_RECT = (100, 300, 130, 330)


def checkbox_pdf() -> bytes:
    """A ticked check box (value /Yes) saved without any appearance, as some form fillers do."""
    pdf = base()
    page = pdf.pages[0]
    box = pdf.make_indirect(Dictionary(Type=Name.Annot, Subtype=Name.Widget, FT=Name.Btn, T=String("agree"),
                                       V=Name.Yes, Rect=Array(list(CHECK_RECT)), F=4, P=page.obj))
    page.obj.Annots = Array([box])
    pdf.Root.AcroForm = Dictionary(Fields=Array([box]), NeedAppearances=True)
    return save(pdf)


HIGHLIGHT_RECT = (70, 700, 360, 730)
INK_POINTS = [100, 200, 200, 400, 300, 200]


def markup_pdf(print_flag: bool = True) -> bytes:
    """A yellow highlight, a red strike-out, a blue ink stroke, a green square and a line, none with /AP."""
    pdf = base(b"BT /F1 18 Tf 72 710 Td (Highlighted words here) Tj ET "
               b"BT /F1 18 Tf 72 600 Td (Struck out words) Tj ET")
    x0, y0, x1, y1 = HIGHLIGHT_RECT
    flags = 4 if print_flag else 0
    annots = [
        Dictionary(Type=Name.Annot, Subtype=Name.Highlight, Rect=[x0, y0, x1, y1], F=flags, C=[1, 1, 0],
                   QuadPoints=[x0, y1, x1, y1, x0, y0, x1, y0]),
        Dictionary(Type=Name.Annot, Subtype=Name.StrikeOut, Rect=[70, 592, 300, 622], F=flags, C=[1, 0, 0],
                   QuadPoints=[70, 622, 300, 622, 70, 592, 300, 592]),
        Dictionary(Type=Name.Annot, Subtype=Name.Ink, Rect=[95, 195, 305, 405], F=flags, C=[0, 0, 1],
                   InkList=[INK_POINTS], BS=Dictionary(W=4)),
        Dictionary(Type=Name.Annot, Subtype=Name.Square, Rect=[380, 150, 520, 250], F=flags, C=[0, 0.6, 0],
                   BS=Dictionary(W=3)),
        Dictionary(Type=Name.Annot, Subtype=Name.Line, Rect=[380, 80, 520, 120], F=flags, C=[0, 0, 0],
                   L=[380, 100, 520, 100]),
    ]
    pdf.pages[0].obj.Annots = pdf.make_indirect(Array([pdf.make_indirect(a) for a in annots]))
    return save(pdf)


def freetext_without_appearance() -> bytes:
    pdf = base()
    pdf.pages[0].obj.Annots = Array([pdf.make_indirect(Dictionary(
        Type=Name.Annot, Subtype=Name.FreeText, Rect=[100, 100, 300, 150], F=4, Contents=String("note"),
        DA=String("/Helv 12 Tf 0 g")))])
    return save(pdf)


def broken_xref() -> bytes:
    good = save(base())
    i = good.rfind(b"startxref")
    return good[:i] + b"startxref\n999\n%%EOF\n"


def without_header() -> bytes:
    return save(base()).split(b"\n", 1)[1]


def page_without_mediabox(crop: tuple[float, float, float, float] | None = None) -> bytes:
    pdf = base()
    pdf.pages[0].obj.MediaBox = Array([0, 0, 0, 0])  # replaced below: qpdf needs one to build the page
    data = save(pdf)
    # remove the MediaBox in the file itself (qpdf always writes one); same length, so the xref holds
    old = b"/MediaBox [ 0 0 0 0 ]"
    new = b"" if crop is None else b"/CropBox[" + " ".join(f"{v:g}" for v in crop).encode() + b"]"
    assert len(new) <= len(old)
    return data.replace(old, new.ljust(len(old)))


def page_with_empty_mediabox() -> bytes:
    pdf = base()
    pdf.pages[0].obj.MediaBox = Array([0, 0, 0, 0])
    return save(pdf)


def encrypted(user: str) -> bytes:
    return save(base(), encryption=pikepdf.Encryption(owner="owner-secret", user=user, R=6))
