"""Invisible field marks in an exported DOCX, so that edits made in Word can come back.

What survives Word, WPS and LibreOffice (measured with LibreOffice 7.4; see the issue): bookmarks
with short ASCII names, and custom XML parts. So each field value gets a bookmark ``zscq_<n>`` —
around its paragraphs, around the text of its table cell, or (a table field) around the first
header cell — and one custom XML part holds the map bookmark → field path, the random document id
(also kept in the .zscq, ``meta.word_id``), the version stamp, the exported value of every marked
field (as stored and as printed) and the text printed outside the marks (to tell edits there as
not imported). No paths of files, no user names: the DOCX goes into the e-mailed zip.

Bookmarks print nothing and the part is never shown: the document looks as without them.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from zscq_desktop.wordio.read import PREFIX, W_NS, element_text, join_lines, w, walk

NS = "urn:zscq-desktop:word-round-trip:1"
ID_KEY = "word_id"  # in Submission.meta (meta is left out of the version stamp)
FIRST_ID = 9000  # bookmark ids: far from the ones Word and LibreOffice number from 0


def document_id(meta: dict[str, Any]) -> str:
    """The submission's random Word round-trip id, created on first use (stored in `meta`)."""
    value = meta.get(ID_KEY)
    if not (isinstance(value, str) and value):
        value = meta[ID_KEY] = uuid.uuid4().hex
    return value


@dataclass
class FieldMark:
    """One marked field as exported."""

    name: str  # bookmark
    path: str
    kind: str  # "text" (a value or paragraphs) | "table"
    printed: str  # as printed (tables: JSON list of rows of cell texts, header first)
    value: Any  # as stored in the submission at export
    label: str = ""  # the label or heading printed before it (the fallback when the bookmark is gone)


@dataclass
class Marks:
    """The custom XML part, read back."""

    doc_id: str
    stamp: str
    kind: str  # "form" | "plan"
    call: str
    direction: str
    fields: list[FieldMark]
    frame: list[str] = field(default_factory=list)

    def by_name(self) -> dict[str, FieldMark]:
        return {f.name: f for f in self.fields}


class Marker:
    """Collects where the DOCX writer put each field value and marks it when the document is done.

    `add` is called by `render.docx_writer` with the element holding the value: a ``w:p`` (one line
    of a text; consecutive lines of the same field are one mark), a ``w:tc`` (a value cell) or a
    ``w:tbl`` (a table field). `finish` inserts the bookmarks and the custom XML part.
    """

    def __init__(self, submission: Any, *, kind: str, stamp: str) -> None:
        self.sub = submission
        self.kind = kind
        self.stamp = stamp
        self.items: list[tuple[str, list[Any], Any]] = []  # (path, elements, printed)

    def add(self, el: Any, path: str, printed: Any) -> None:
        last = self.items[-1] if self.items else None
        if last and last[0] == path and el.tag == w("p") and last[1][-1].tag == w("p") \
                and last[1][-1].getnext() is el:
            last[1].append(el)  # the next line of the same text
            return
        self.items.append((path, [el], printed))

    def finish(self, document: Any) -> None:
        body = document.element.body
        fields: list[FieldMark] = []
        tables: set[str] = set()
        for n, (path, els, printed) in enumerate(self.items, start=1):
            name = f"{PREFIX}{n}"
            first, last = els[0], els[-1]
            label = _label(first)
            if first.tag == w("tbl"):
                cell = first.find(f"{w('tr')}/{w('tc')}")
                first = last = cell.find(w("p"))
                tables.add(name)
                rows = [[join_lines(element_text(tc).accepted) for tc in tr.iter(w("tc"))]
                        for tr in els[0].iter(w("tr"))]
                text = json.dumps(rows, ensure_ascii=False)
                kind = "table"
            elif first.tag == w("tc"):
                paras = first.findall(w("p"))
                first, last = paras[0], paras[-1]
                text = join_lines(element_text(els[0]).accepted)
                kind = "text"
            else:
                text = join_lines(["\n".join(element_text(p).accepted) for p in els])
                kind = "text"
            _bookmark(first, last, name, FIRST_ID + n)
            fields.append(FieldMark(name, path, kind, text, self.sub.get(path), label))
        frame = walk(body, tables).frame
        meta = self.sub.meta if isinstance(getattr(self.sub, "meta", None), dict) else {}
        marks = Marks(document_id(meta), self.stamp, self.kind, str(getattr(self.sub, "call", "")),
                      str(getattr(self.sub, "direction", "")), fields, frame)
        add_custom_part(document, to_xml(marks))


def _text_of(el: Any) -> str:
    return join_lines(element_text(el).accepted) if el is not None else ""


def _label(el: Any) -> str:
    """What is printed just before a value: its label cell, the box's label row, the heading above
    the paragraphs, the caption above a table."""
    if el.tag == w("tc"):
        prev = el.getprevious()
        if prev is not None and prev.tag == w("tc"):
            return _text_of(prev)
        row = el.getparent().getprevious()  # a text box: the label is the row above
        return _text_of(row) if row is not None and row.tag == w("tr") else ""
    prev = el.getprevious()
    while prev is not None:
        if prev.tag == w("p") and (el.tag == w("tbl") or _is_heading(prev)):
            text = _text_of(prev)
            if text or el.tag != w("tbl"):
                return text
        prev = prev.getprevious()
    return ""


def _is_heading(p: Any) -> bool:
    st = p.find(f"{w('pPr')}/{w('pStyle')}")
    return st is not None and (st.get(w("val")) or "").startswith(("Heading", "Title"))


def _bookmark(first_p: Any, last_p: Any, name: str, bid: int) -> None:
    """A bookmark from the start of `first_p`'s text to the end of `last_p`'s."""
    start = etree.Element(w("bookmarkStart"))
    start.set(w("id"), str(bid))
    start.set(w("name"), name)
    ppr = first_p.find(w("pPr"))
    if ppr is not None:
        ppr.addnext(start)
    else:
        first_p.insert(0, start)
    end = etree.Element(w("bookmarkEnd"))
    end.set(w("id"), str(bid))
    last_p.append(end)


def table_bookmarks(custom: list[Any]) -> set[str]:
    marks = find_marks(custom)
    return {f.name for f in marks.fields if f.kind == "table"} if marks else set()


# -- the custom XML part ------------------------------------------------------------------------------

def to_xml(m: Marks) -> bytes:
    root = etree.Element(f"{{{NS}}}roundtrip", nsmap={None: NS})
    for k in ("doc_id", "stamp", "kind", "call", "direction"):
        root.set(k.replace("_", "-"), getattr(m, k))
    root.set("version", "1")
    for f in m.fields:
        e = etree.SubElement(root, f"{{{NS}}}field", bookmark=f.name, path=f.path, kind=f.kind, label=f.label)
        etree.SubElement(e, f"{{{NS}}}printed").text = _xml_safe(f.printed)
        etree.SubElement(e, f"{{{NS}}}value").text = _xml_safe(json.dumps(f.value, ensure_ascii=False))
    fr = etree.SubElement(root, f"{{{NS}}}frame")
    for line in m.frame:
        etree.SubElement(fr, f"{{{NS}}}line").text = _xml_safe(line)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # characters XML 1.0 cannot hold


def _xml_safe(s: str) -> str:
    return _NOT_XML.sub("", s)


def find_marks(custom: list[Any]) -> Marks | None:
    """Our part among the custom XML parts of a DOCX, or None (never exported by the app, or removed)."""
    for root in custom:
        if root.tag != f"{{{NS}}}roundtrip":
            continue
        fields = []
        for e in root.findall(f"{{{NS}}}field"):
            try:
                value = json.loads(e.findtext(f"{{{NS}}}value") or "null")
            except ValueError:
                value = None
            fields.append(FieldMark(e.get("bookmark", ""), e.get("path", ""), e.get("kind", "text"),
                                    e.findtext(f"{{{NS}}}printed") or "", value, e.get("label", "")))
        frame = [x.text or "" for x in root.iterfind(f"{{{NS}}}frame/{{{NS}}}line")]
        return Marks(root.get("doc-id", ""), root.get("stamp", ""), root.get("kind", ""), root.get("call", ""),
                     root.get("direction", ""), fields, frame)
    return None


ITEM_PROPS = ('<?xml version="1.0" encoding="UTF-8" standalone="no"?>'
              '<ds:datastoreItem ds:itemID="{%s}" '
              'xmlns:ds="http://schemas.openxmlformats.org/officeDocument/2006/customXml">'
              f'<ds:schemaRefs><ds:schemaRef ds:uri="{NS}"/></ds:schemaRefs></ds:datastoreItem>')


def add_custom_part(document: Any, xml: bytes) -> None:
    """Add a custom XML part (``customXml/itemN.xml`` with its properties), as Word stores them."""
    # python-docx is imported here, not with the module: an export that reuses its cached Word
    # copies (and the key that decides it, `document_id`) needs none of it
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    package = document.part.package
    used = {str(p.partname) for p in package.iter_parts()}
    n = 1
    while f"/customXml/item{n}.xml" in used:
        n += 1
    item = Part(PackURI(f"/customXml/item{n}.xml"), "application/xml", xml, package)
    props = Part(PackURI(f"/customXml/itemProps{n}.xml"),
                 "application/vnd.openxmlformats-officedocument.customXmlProperties+xml",
                 (ITEM_PROPS % str(uuid.uuid4()).upper()).encode("utf-8"), package)
    item.relate_to(props, RT.CUSTOM_XML_PROPS)
    document.part.relate_to(item, RT.CUSTOM_XML)


__all__ = ["Marker", "Marks", "FieldMark", "document_id", "find_marks", "table_bookmarks", "W_NS"]
