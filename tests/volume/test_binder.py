"""The binder: page order, contents, page numbers, stamp, labels, bookmarks, metadata, duplex."""

from __future__ import annotations

import io
import re
import time

import pytest
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from zscq_desktop.render import page as P
from zscq_desktop.volume.binder import (ATTACHMENT_FOOTER_Y, VERSO_SHIFT, AttachmentPart, Cancelled, Volume, VolumeInput,
                                       bind)
from zscq_desktop.render.fonts import register_fonts

STAMP = "1A2B3C4D"
NUMBER_RE = re.compile(r"—\s*(\d+)\s*—")
BLANK_NOTE = "此页为空白页"


def make_pdf(prefix: str, n: int, *, image: bytes | None = None) -> bytes:
    """An A4 PDF whose page i says "<prefix>-<i>" (inside the text block, clear of the margins)."""
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4, invariant=1)
    for i in range(n):
        c.setFont("Helvetica", 20)
        c.drawString(40 * mm, 200 * mm, f"{prefix}-{i + 1}")
        if image is not None:
            from reportlab.lib.utils import ImageReader

            c.drawImage(ImageReader(io.BytesIO(image)), 40 * mm, 40 * mm, 130 * mm, 140 * mm)
        c.showPage()
    c.save()
    return buf.getvalue()


def make_input(form: int = 3, plan: int = 4, atts: tuple[int, ...] = (2, 1, 3), *, image: bytes | None = None,
               cats: tuple[str, ...] = ("申报单位资质", "申报单位资质", "知识产权")) -> VolumeInput:
    return VolumeInput(
        form_pdf=make_pdf("FORM", form),
        plan_pdf=make_pdf("PLAN", plan),
        attachments=[AttachmentPart(label=f"附件材料3-{k + 1}", title=f"营业执照副本{k + 1}",
                                    category=cats[k % len(cats)], pdf=make_pdf(f"ATT{k + 1}", n, image=image))
                     for k, n in enumerate(atts)],
        title="2023年天津市知识产权资助项目申报书—测试项目",
        unit="天津某某科技有限公司",
        direction="专利导航",
        stamp=STAMP,
    )


@pytest.fixture(scope="module")
def fonts():
    return register_fonts()


@pytest.fixture(scope="module")
def simple(fonts) -> tuple[VolumeInput, Volume, PdfReader]:
    inp = make_input()
    vol = bind(inp, fonts=fonts)
    return inp, vol, PdfReader(io.BytesIO(vol.pdf))


@pytest.fixture(scope="module")
def duplex(fonts) -> tuple[VolumeInput, Volume, PdfReader]:
    inp = make_input()
    vol = bind(inp, duplex=True, fonts=fonts)
    return inp, vol, PdfReader(io.BytesIO(vol.pdf))


def texts(reader: PdfReader) -> list[str]:
    return [p.extract_text() for p in reader.pages]


def marker(text: str) -> str | None:
    m = re.search(r"\b(FORM|PLAN|ATT\d+)-\d+\b", text)
    return m.group(0) if m else None


def number(text: str) -> int | None:
    m = NUMBER_RE.search(text)
    return int(m.group(1)) if m else None


# -- order and count -------------------------------------------------------------------------------


def test_order_cover_contents_form_plan_attachments(simple) -> None:
    _inp, vol, reader = simple
    got = [marker(t) for t in texts(reader)]
    assert got == ["FORM-1", None, "FORM-2", "FORM-3", "PLAN-1", "PLAN-2", "PLAN-3", "PLAN-4",
                   "ATT1-1", "ATT1-2", "ATT2-1", "ATT3-1", "ATT3-2", "ATT3-3"]
    assert "目" in texts(reader)[1] and "录" in texts(reader)[1]
    assert vol.pages == len(reader.pages) == 3 + 1 + 4 + (2 + 1 + 3)


def test_every_page_is_a4(simple, duplex) -> None:
    for _inp, _vol, reader in (simple, duplex):
        for p in reader.pages:
            assert abs(float(p.mediabox.width) - P.PAGE_W) <= 1
            assert abs(float(p.mediabox.height) - P.PAGE_H) <= 1


# -- contents --------------------------------------------------------------------------------------


def contents_entries(text: str) -> dict[str, str]:
    """{entry text: page number} of a contents page; the number may follow on its own line."""
    out: dict[str, str] = {}
    previous = None
    for line in text.splitlines():
        line = re.sub(r"\s+", " ", line).strip()
        m = re.fullmatch(r"(.*?)[ .·…]*\b(\d+|封面)", line)
        if m and m.group(1) and not re.fullmatch(r"\d+", m.group(1)):
            out[m.group(1)] = m.group(2)
        elif re.fullmatch(r"\d+|封面", line) and previous is not None:
            out[previous] = line
        previous = line
    return out


def test_contents_lists_parts_and_attachments_with_page_numbers(simple) -> None:
    inp, _vol, reader = simple
    entries = contents_entries(texts(reader)[1])
    by_number = {number(t): i for i, t in enumerate(texts(reader)) if number(t) is not None}
    assert entries["1 申报书"] == "1"
    assert entries["2 项目实施方案"] == str(next(n for n, i in by_number.items() if marker(texts(reader)[i]) == "PLAN-1"))
    assert entries["3 附件材料"] == "7"
    for k, a in enumerate(inp.attachments):
        page = entries[f"{a.label} {a.title}"]
        assert marker(texts(reader)[by_number[int(page)]]) == f"ATT{k + 1}-1"
    assert "申报单位资质" in texts(reader)[1] and "知识产权" in texts(reader)[1]


def test_long_contents_spill_onto_more_pages(fonts) -> None:
    inp = make_input(atts=(1,) * 40, cats=("知识产权",))
    vol = bind(inp, fonts=fonts)
    reader = PdfReader(io.BytesIO(vol.pdf))
    t = texts(reader)
    first_numbered = next(i for i, x in enumerate(t) if number(x) is not None)
    assert first_numbered == 3  # cover + two contents pages
    assert marker(t[first_numbered]) == "FORM-2" and number(t[first_numbered]) == 1
    entries = {**contents_entries(t[1]), **contents_entries(t[2])}
    assert entries["附件材料3-40 营业执照副本40"] == str(number(t[-1]))
    assert vol.pages == 3 + 2 + 4 + 40


# -- page numbers, stamp, label --------------------------------------------------------------------


def test_page_numbers_one_sequence_after_the_contents(simple) -> None:
    _inp, _vol, reader = simple
    t = texts(reader)
    assert number(t[0]) is None and number(t[1]) is None  # cover, contents
    assert [number(x) for x in t[2:]] == list(range(1, len(t) - 1))


def test_every_page_carries_the_stamp(simple, duplex) -> None:
    for _inp, _vol, reader in (simple, duplex):
        for t in texts(reader):
            assert f"版本 {STAMP}" in t


def test_label_on_every_page_of_a_supporting_file_continuations_marked(simple, duplex) -> None:
    for inp, vol, reader in (simple, duplex):
        t = texts(reader)
        firsts = [p for lvl, _title, p in vol.outline if lvl == 1]
        ends = firsts[1:] + [vol.pages]
        for a, first, end in zip(inp.attachments, firsts, ends):
            assert a.label in t[first] and a.title in t[first] and "（续）" not in t[first]
            for p in range(first + 1, end):
                if marker(t[p]) is not None:  # not an inserted blank page
                    assert f"{a.label}（续）" in t[p], (p, t[p])
        labelled = [i for i, x in enumerate(t) if "附件材料3-" in x]
        assert labelled == [2 if vol is duplex[1] else 1] + [i for i in range(firsts[0], vol.pages)
                                                             if marker(t[i]) is not None]


def positions(page) -> list[tuple[str, float, float]]:
    """(text, x, y) of every text show on a page, in user space."""
    out: list[tuple[str, float, float]] = []

    def visit(text, cm, tm, _font, _size) -> None:  # type: ignore[no-untyped-def]
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            out.append((text, x, y))

    page.extract_text(visitor_text=visit)
    return out


def test_overlay_stays_out_of_the_binding_margin_and_the_attachment_bands(simple, duplex) -> None:
    for _inp, vol, reader in (simple, duplex):
        firsts = {p for lvl, _t, p in vol.outline if lvl == 1}
        att_pages = set(range(min(firsts), vol.pages))
        for i, page in enumerate(reader.pages):
            pos = positions(page)
            assert pos
            verso = vol is duplex[1] and i % 2 == 1
            for text, x, y in pos:
                if verso:  # the spine is on the right: nothing starts in the 28 mm there
                    assert 10 * mm - 1 <= x <= P.PAGE_W - P.BINDING_MARGIN, (i, text, x)
                else:
                    assert x >= P.BINDING_MARGIN - 1, (i, text, x)
                    assert x <= P.PAGE_W - 10 * mm, (i, text, x)
            if i in att_pages:
                footer = [(t, y) for t, x, y in pos if "版本" in t or NUMBER_RE.search(t) or t.strip() == "—"]
                assert footer and all(y <= 18 * mm - 3 for _t, y in footer), (i, footer)
            if i in firsts:
                label = [y for t, x, y in pos if "附件材料" in t]
                assert label and all(P.LABEL_Y < y <= P.LABEL_Y + 3 * mm for y in label)
                shift = VERSO_SHIFT if verso else 0
                assert all(abs(x - P.MARGIN_LEFT + shift) < 1 for t, x, y in pos if t.startswith("附件材料"))
    assert ATTACHMENT_FOOTER_Y < 18 * mm


# -- bookmarks and metadata ------------------------------------------------------------------------


def test_bookmarks(simple) -> None:
    _inp, vol, reader = simple
    top = [o for o in reader.outline if not isinstance(o, list)]
    assert [o.title for o in top] == ["申报书", "目录", "项目实施方案", "附件材料"]
    assert [reader.get_destination_page_number(o) for o in top] == [0, 1, 4, 8]
    children = reader.outline[-1]
    assert isinstance(children, list)
    assert [c.title for c in children] == ["附件材料3-1 营业执照副本1", "附件材料3-2 营业执照副本2",
                                          "附件材料3-3 营业执照副本3"]
    assert [reader.get_destination_page_number(c) for c in children] == [8, 10, 11]
    assert vol.outline == [(0, "申报书", 0), (0, "目录", 1), (0, "项目实施方案", 4), (0, "附件材料", 8),
                           (1, "附件材料3-1 营业执照副本1", 8), (1, "附件材料3-2 营业执照副本2", 10),
                           (1, "附件材料3-3 营业执照副本3", 11)]
    assert reader.page_mode == "/UseOutlines"


def test_metadata(simple) -> None:
    inp, _vol, reader = simple
    meta = reader.metadata
    assert meta is not None
    assert meta["/ZSCQStamp"] == STAMP
    assert meta.title == inp.title
    assert meta.author == inp.unit
    assert inp.direction in meta.subject and f"版本 {STAMP}" in meta.subject
    assert meta.creator == "zscq-desktop"
    assert STAMP in meta["/Keywords"]
    assert reader.trailer["/Root"]["/ViewerPreferences"]["/Duplex"] == "/Simplex"


def test_same_input_same_bytes(fonts) -> None:
    a = bind(make_input(), fonts=fonts)
    b = bind(make_input(), fonts=fonts)
    assert a.pdf == b.pdf
    c = bind(make_input(), fonts=fonts, duplex=True)
    assert c.pdf != a.pdf


# -- duplex ----------------------------------------------------------------------------------------


def test_duplex_parts_start_on_right_hand_pages(duplex) -> None:
    _inp, vol, reader = duplex
    t = texts(reader)
    starts = {title: p for _lvl, title, p in vol.outline}
    for lvl, title, p in vol.outline:
        if title != "目录" and lvl == 0:
            assert p % 2 == 0, title  # 0-based even = physical odd = right-hand
    assert starts["目录"] == 2  # the cover's back is blank
    assert BLANK_NOTE in t[1] and number(t[1]) is None
    first_numbered = next(i for i, x in enumerate(t) if number(x) is not None)
    assert first_numbered % 2 == 0 and number(t[first_numbered]) == 1
    assert marker(t[first_numbered]) == "FORM-2"
    # the printed sequence continues through blank pages: number = physical page - front matter
    assert [number(x) for x in t[first_numbered:]] == list(range(1, len(t) - first_numbered + 1))
    for i, x in enumerate(t):
        if marker(x) is None and i not in (starts["目录"],):
            assert BLANK_NOTE in x, i
        if BLANK_NOTE in x:
            assert marker(x) is None and f"版本 {STAMP}" in x
    # 6 source pages of attachments, form 3, plan 4 with blanks: cover|blank|toc|blank|F2 F3|P1..P4|
    # A1-1 A1-2 A2-1 A3-1 A3-2 A3-3: no blank sheet before a supporting file inside part 3
    assert [marker(x) for x in t] == ["FORM-1", None, None, None, "FORM-2", "FORM-3", "PLAN-1", "PLAN-2",
                                      "PLAN-3", "PLAN-4", "ATT1-1", "ATT1-2", "ATT2-1", "ATT3-1",
                                      "ATT3-2", "ATT3-3"]
    assert reader.trailer["/Root"]["/ViewerPreferences"]["/Duplex"] == "/DuplexFlipLongEdge"


def test_duplex_inserts_blank_before_the_plan_when_the_form_ends_on_a_right_hand_page(fonts) -> None:
    vol = bind(make_input(form=2, plan=1, atts=(1,)), duplex=True, fonts=fonts, each_attachment_recto=False)
    reader = PdfReader(io.BytesIO(vol.pdf))
    t = texts(reader)
    # cover | blank | toc | blank | FORM-2 (1) | blank (2) | PLAN-1 (3) | blank (4) | ATT1-1 (5)
    assert [marker(x) for x in t] == ["FORM-1", None, None, None, "FORM-2", None, "PLAN-1", None, "ATT1-1"]
    assert BLANK_NOTE in t[5] and number(t[5]) == 2
    assert BLANK_NOTE in t[7] and number(t[7]) == 4
    assert number(t[8]) == 5


def test_duplex_even_contents_need_no_blank(fonts) -> None:
    vol = bind(make_input(atts=(1,) * 40, cats=("知识产权",)), duplex=True, fonts=fonts, each_attachment_recto=False)
    t = texts(PdfReader(io.BytesIO(vol.pdf)))
    assert BLANK_NOTE in t[1]
    assert "目" in t[2] and "附件材料3-40" in t[3]
    assert marker(t[4]) == "FORM-2" and number(t[4]) == 1


def test_form_with_only_a_cover(fonts) -> None:
    vol = bind(make_input(form=1, plan=2, atts=()), fonts=fonts)
    reader = PdfReader(io.BytesIO(vol.pdf))
    t = texts(reader)
    assert [marker(x) for x in t] == ["FORM-1", None, "PLAN-1", "PLAN-2"]
    assert contents_entries(t[1])["1 申报书"] == "封面"
    assert number(t[2]) == 1
    assert [title for _l, title, _p in vol.outline] == ["申报书", "目录", "项目实施方案"]


# -- progress, cancel, errors, fallback ------------------------------------------------------------


def test_progress_and_cancel(fonts) -> None:
    seen: list[tuple[float, str]] = []
    bind(make_input(), fonts=fonts, progress=lambda f, m: seen.append((f, m)))
    fractions = [f for f, _m in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert all(m for _f, m in seen)

    calls = 0

    def cancel_after_a_few() -> bool:
        nonlocal calls
        calls += 1
        return calls > 6

    with pytest.raises(Cancelled):
        bind(make_input(), fonts=fonts, cancel=cancel_after_a_few)
    with pytest.raises(Cancelled):
        bind(make_input(), fonts=fonts, cancel=lambda: True)


def test_broken_or_empty_input_is_a_value_error(fonts) -> None:
    good = make_input()
    with pytest.raises(ValueError, match="申报书"):
        bind(VolumeInput(**{**good.__dict__, "form_pdf": b"not a pdf"}), fonts=fonts)
    empty = AttachmentPart("附件材料3-1", "空文件", "其他", b"%PDF-1.4\n%%EOF\n")
    with pytest.raises(ValueError, match="附件材料3-1"):
        bind(VolumeInput(**{**good.__dict__, "attachments": [empty]}), fonts=fonts)


def test_rare_characters_and_long_titles_do_not_break_the_label(fonts) -> None:
    title = "喆堃\U00020000" + "很长的附件标题" * 12
    inp = VolumeInput(**{**make_input(atts=(1,)).__dict__,
                         "attachments": [AttachmentPart("附件材料3-1", title, "其他", make_pdf("ATT1", 1))]})
    vol = bind(inp, fonts=fonts)
    reader = PdfReader(io.BytesIO(vol.pdf))
    last = reader.pages[-1]
    label = [(t, x) for t, x, y in positions(last) if P.LABEL_Y < y <= P.LABEL_Y + 3 * mm]
    assert label and "附件材料3-1" in label[0][0]
    assert "…" in "".join(t for t, _x in label)  # cut to the text block's width
    fontnames = str(last["/Resources"]["/Font"])
    assert fontnames  # drew without error; the Ext-B character came from a fallback font


# -- size ------------------------------------------------------------------------------------------


def test_three_hundred_pages_bind(fonts, capsys) -> None:
    from PIL import Image

    img = io.BytesIO()
    Image.new("RGB", (600, 800), (200, 220, 240)).save(img, "JPEG", quality=70)
    inp = make_input(form=6, plan=20, atts=(10,) * 27, image=img.getvalue())
    t0 = time.perf_counter()
    vol = bind(inp, fonts=fonts)
    elapsed = time.perf_counter() - t0
    reader = PdfReader(io.BytesIO(vol.pdf))
    contents = {t: p for _l, t, p in vol.outline}["项目实施方案"] - 6
    assert contents in (2, 3)
    assert vol.pages == 6 + contents + 20 + 270
    assert number(reader.pages[-1].extract_text()) == 6 + 20 + 270 - 1
    # the image is stored once, not once per page
    assert len(vol.pdf) < 2 * len(inp.attachments[0].pdf) + 2_000_000
    with capsys.disabled():
        print(f"\n[binder] {vol.pages} pages in {elapsed:.2f} s, {len(vol.pdf) / 1e6:.1f} MB")


def test_rotated_and_offset_source_pages_get_an_upright_overlay(fonts) -> None:
    from pypdf import PdfWriter
    from pypdf.generic import RectangleObject

    # a landscape page shown portrait through /Rotate 90, and a page whose MediaBox is not at 0,0
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=(A4[1], A4[0]), invariant=1)
    c.setFont("Helvetica", 20)
    c.drawString(100, 300, "ATT1-1")
    c.showPage()
    c.save()
    w = PdfWriter()
    w.append(PdfReader(io.BytesIO(buf.getvalue())))
    w.pages[0].rotate(90)
    w.append(PdfReader(io.BytesIO(make_pdf("ATT1", 2))), pages=[1])
    w.pages[1].mediabox = RectangleObject((10, 20, 10 + A4[0], 20 + A4[1]))
    out = io.BytesIO()
    w.write(out)
    inp = VolumeInput(**{**make_input(atts=()).__dict__,
                         "attachments": [AttachmentPart("附件材料3-1", "旋转页", "其他", out.getvalue())]})
    vol = bind(inp, fonts=fonts)
    reader = PdfReader(io.BytesIO(vol.pdf))
    for page in reader.pages[-2:]:
        box = page.mediabox
        assert page.rotation == 0
        assert abs(float(box.width) - A4[0]) <= 1 and abs(float(box.height) - A4[1]) <= 1
        stamp = [(x - float(box.left), y - float(box.bottom)) for t, x, y in positions(page) if "版本" in t]
        assert stamp and all(x > A4[0] / 2 and y < 18 * mm for x, y in stamp)


# -- issue 13: page labels, the mirrored verso, fewer blank pages ------------------------------------


def test_page_labels_match_the_printed_numbers(simple, duplex) -> None:
    for _inp, vol, reader in (simple, duplex):
        labels = reader.page_labels
        assert len(labels) == vol.pages
        t = texts(reader)
        toc = next(p for _l, title, p in vol.outline if title == "目录")
        first = next(i for i, x in enumerate(t) if number(x) is not None)
        assert labels[0] == "封面" and labels[toc] == "目录"
        assert all(label in ("封面", "目录") for label in labels[:first])
        for i in range(first, vol.pages):  # blank pages inside the sequence included
            assert labels[i] == str(number(t[i])), (i, labels[i], t[i])
    assert duplex[2].page_labels[1] == "封面"  # the cover's blank back


def test_the_volume_reports_the_number_printed_on_each_page(simple, duplex) -> None:
    """`Volume.numbers` (what the export gives the plan's Word copy to start at) is what is printed."""
    for _inp, vol, reader in (simple, duplex):
        assert vol.numbers == [number(x) for x in texts(reader)]


def ink_x(reader: PdfReader, index: int, needle: str) -> float:
    (x,) = [x for t, x, _y in positions(reader.pages[index]) if needle in t]
    return x


def test_duplex_verso_supporting_file_shifted_towards_the_outer_edge(fonts) -> None:
    inp = make_input(form=3, plan=4, atts=(3,))
    plain = PdfReader(io.BytesIO(bind(inp, fonts=fonts).pdf))
    vol = bind(inp, duplex=True, fonts=fonts)
    reader = PdfReader(io.BytesIO(vol.pdf))
    t = texts(reader)
    pages = {marker(x): i for i, x in enumerate(t) if marker(x)}
    recto, verso = pages["ATT1-1"], pages["ATT1-2"]
    assert recto % 2 == 0 and verso % 2 == 1
    simplex_x = ink_x(plain, next(i for i, x in enumerate(texts(plain)) if marker(x) == "ATT1-2"), "ATT1-2")
    assert abs(ink_x(reader, recto, "ATT1-1") - simplex_x) < 0.5
    assert abs(ink_x(reader, verso, "ATT1-2") - (simplex_x - 18 * mm)) < 0.5
    assert abs(ink_x(reader, verso, "附件材料3-1") - (P.MARGIN_LEFT - 18 * mm)) < 1
    # the stamp sits at the outer edge: right on a recto, left on a verso
    assert ink_x(reader, recto, "版本") > P.PAGE_W / 2 > ink_x(reader, verso, "版本")
    assert ink_x(reader, verso, "版本") < P.PAGE_W - P.BINDING_MARGIN


def test_duplex_one_page_supporting_files_cost_no_blank_sheets(fonts) -> None:
    vol = bind(make_input(form=3, plan=3, atts=(1,) * 6), duplex=True, fonts=fonts)
    t = texts(PdfReader(io.BytesIO(vol.pdf)))
    first_att = next(i for i, x in enumerate(t) if marker(x) == "ATT1-1")
    assert first_att % 2 == 0  # part 3 starts on a right-hand page
    assert [marker(x) for x in t[first_att:]] == [f"ATT{k}-1" for k in range(1, 7)]
