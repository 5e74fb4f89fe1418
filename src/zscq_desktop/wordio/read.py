"""Read a DOCX back: text under each ``zscq_`` bookmark, tables, tracked changes, comments, the rest.

Every text is kept twice: *accepted* (all tracked changes taken: ``w:ins`` kept, ``w:del`` dropped)
and *before* (as it was before them). Text is a list of paragraphs; `Text.text` joins the non-blank
ones stripped, which is exactly how the writers print a value (one paragraph a line, no blank
lines), so an unchanged value reads back equal to its printed form.

The file is untrusted: the zip is checked for size before reading, XML is parsed without entities,
DTDs or network, and a password-protected, damaged or empty file raises `WordError` in Chinese.
"""

from __future__ import annotations

import io
import logging
import zipfile
from dataclasses import dataclass, field
from typing import Any, Iterator

from lxml import etree

from zscq_desktop.package.ziplimits import ZipLimitError, read_member

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
PREFIX = "zscq_"
log = logging.getLogger(__name__)
MAX_PART = 64 * 1024 * 1024  # an uncompressed part larger than this is not a form anybody wrote
MAX_FILE = 100 * 1024 * 1024
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def w(tag: str) -> str:
    return f"{{{W_NS}}}{tag}"


_W_OPEN = "{" + W_NS + "}"
_W_LEN = len(_W_OPEN)


class WordError(Exception):
    """The Word file cannot be read; the message says why in Chinese and what to do."""


_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                          remove_blank_text=False)


def parse_xml(data: bytes) -> Any:
    return etree.fromstring(data, _PARSER)


@dataclass
class Text:
    """The text of one field (or cell) in a Word file."""

    accepted: list[str] = field(default_factory=list)
    before: list[str] = field(default_factory=list)
    tracked: bool = False
    comments: list[str] = field(default_factory=list)  # comment ids anchored here
    extras: list[str] = field(default_factory=list)  # what is there but cannot be imported (图片, 表格)

    @property
    def text(self) -> str:
        return join_lines(self.accepted)

    @property
    def before_text(self) -> str:
        return join_lines(self.before)


def join_lines(paras: list[str]) -> str:
    """Paragraphs as the writers print a value: stripped, blank ones left out, one a line."""
    return "\n".join(p.strip() for p in "\n".join(paras).split("\n") if p.strip())


@dataclass
class Block:
    """A top-level paragraph or table of the body, in order (what the label/heading matcher sees)."""

    kind: str  # "p" | "tbl"
    text: str = ""
    style: str = ""
    rows: list[list[Text]] = field(default_factory=list)
    element: Any = None


@dataclass
class WordDoc:
    """What the reader found in a DOCX."""

    spans: dict[str, Text]  # bookmark name → text under it
    blocks: list[Block]
    frame: list[str]  # paragraphs outside every mark (labels, headings, copies): where edits are not imported
    comments: dict[str, str]  # comment id → "作者：text"
    custom: list[Any]  # root elements of the custom XML parts
    body: Any = None
    unanchored: list[str] = field(default_factory=list)  # comment ids outside every mark


# -- opening ---------------------------------------------------------------------------------------

def open_parts(data: bytes, name: str = "") -> dict[str, bytes]:
    """The XML parts the reader needs, or `WordError` for a file that is not a usable DOCX."""
    label = f"《{name}》" if name else "该文件"
    if not data:
        raise WordError(f"{label}是空文件（0 字节），请重新保存后再导入。")
    if data[:8] == OLE_MAGIC:
        if b"E\x00n\x00c\x00r\x00y\x00p\x00t\x00i\x00o\x00n\x00I\x00n\x00f\x00o" in data:
            raise WordError(f"{label}设置了打开密码，无法读取。请在 Word 或 WPS 中取消密码（文件 → 信息 → 保护文档）"
                            "后另存为 .docx 再导入。")
        raise WordError(f"{label}是旧版 Word（.doc）或 WPS（.wps）格式，请在 Word 或 WPS 中“另存为” .docx 后再导入。")
    if len(data) > MAX_FILE:
        raise WordError(f"{label}超过 {MAX_FILE // 1024 // 1024} MB，不像是申报书或实施方案，未导入。")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = {i.filename: i for i in zf.infolist()}
        doc = infos.get("word/document.xml")
        if doc is None:
            raise WordError(f"{label}不是 Word 文档（缺少正文 word/document.xml），可能已损坏或是其他格式。")
        wanted = ["word/document.xml", "word/comments.xml"] + sorted(
            n for n in infos if n.startswith("customXml/item") and n.endswith(".xml") and "Props" not in n)
        out: dict[str, bytes] = {}
        for n in wanted:
            info = infos.get(n)
            if info is None:
                continue
            if info.file_size > MAX_PART:
                raise WordError(f"{label}中的 {n} 过大（解压后超过 {MAX_PART // 1024 // 1024} MB），未导入。")
            if info.flag_bits & 0x1:
                raise WordError(f"{label}已加密，无法读取。请取消密码后另存为 .docx 再导入。")
            out[n] = read_member(zf, info, MAX_PART)  # bounded even where the stated size lies
    except WordError:
        raise
    except ZipLimitError:
        raise WordError(f"{label}中的内容解压后大小异常，可能已损坏或是恶意构造的文件，未导入。") from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, NotImplementedError) as exc:
        # the library's English reason goes to the log, not to the user
        log.info("DOCX unreadable: %s", exc)
        raise WordError(f"{label}已损坏或不是 .docx 文件。请在 Word 或 WPS 中打开并重新另存为 .docx。") from None
    return out


def read_docx(data: bytes, name: str = "", table_marks: set[str] | None = None) -> WordDoc:
    """Read a DOCX. `table_marks`: bookmark names that mark whole tables (kept out of `frame`);
    when None they are taken from the custom XML part."""
    parts = open_parts(data, name)
    label = f"《{name}》" if name else "该文件"
    try:
        root = parse_xml(parts["word/document.xml"])
        custom = []
        for n, blob in parts.items():
            if n.startswith("customXml/"):
                try:
                    custom.append(parse_xml(blob))
                except etree.XMLSyntaxError:
                    continue  # another program's damaged part is not our business
        comments = _comments(parse_xml(parts["word/comments.xml"])) if "word/comments.xml" in parts else {}
    except etree.XMLSyntaxError as exc:
        log.info("DOCX XML unreadable: %s", exc)
        raise WordError(f"{label}的内容已损坏，无法读取。请在 Word 或 WPS 中打开并重新另存为 .docx。") from None
    body = root.find(w("body"))
    if body is None:
        raise WordError(f"{label}没有正文，无法导入。")
    if table_marks is None:
        from zscq_desktop.wordio.marks import table_bookmarks

        table_marks = table_bookmarks(custom)
    doc = walk(body, table_marks)
    doc.comments, doc.custom = comments, custom
    if not any(b.text.strip() or b.rows for b in doc.blocks):
        raise WordError(f"{label}是空文档，没有可导入的内容。")
    return doc


def _comments(root: Any) -> dict[str, str]:
    out = {}
    for cm in root.iter(w("comment")):
        text = join_lines(element_text(cm).accepted).replace("\n", " ")
        author = cm.get(w("author")) or ""
        out[cm.get(w("id")) or ""] = f"{author}：{text}" if author else text
    return out


# -- walking -----------------------------------------------------------------------------------------

class _Walker:
    """One pass in document order; `active` holds the zscq bookmarks open at the current point."""

    def __init__(self, table_marks: set[str]) -> None:
        self.table_marks = table_marks
        self.active: set[str] = set()  # names of the zscq bookmarks open here
        self.ids: dict[str, str] = {}  # bookmark id → name
        self.spans: dict[str, dict[int, list[str]]] = {}
        self.info: dict[str, Text] = {}
        self.frame: dict[int, str] = {}
        self.unanchored: list[str] = []
        self.para = -1
        self.in_marked_table = 0

    def add(self, acc: str, bef: str) -> None:
        if self.active:
            for name in self.active:
                buf = self.spans.setdefault(name, {}).setdefault(self.para, ["", ""])
                buf[0] += acc
                buf[1] += bef
        elif not self.in_marked_table and acc:
            self.frame[self.para] = self.frame.get(self.para, "") + acc

    def note(self, what: str, value: str) -> None:
        for name in self.active:
            t = self.info.setdefault(name, Text())
            if what == "tracked":
                t.tracked = True
            elif what == "comment":
                if value not in t.comments:
                    t.comments.append(value)
            elif value not in t.extras:
                t.extras.append(value)
        if what == "comment" and not self.active and value not in self.unanchored:
            self.unanchored.append(value)

    def visit(self, el: Any, ins: bool = False, dele: bool = False) -> None:
        tag = el.tag
        if not isinstance(tag, str):
            return
        # compared by local name: building "{ns}name" for every test made this the slowest part of
        # writing a DOCX (the marks walk every element); another namespace never matches
        tag = tag[_W_LEN:] if tag.startswith(_W_OPEN) else ""
        if tag == "bookmarkStart":
            name = el.get(w("name")) or ""
            if name.startswith(PREFIX):
                # LibreOffice 7.4 writes a bookmark over several paragraphs as two starts of the same
                # name and one end: a second start joins the first, and the end closes the name.
                self.ids[el.get(w("id")) or name] = name
                self.active.add(name)
                self.spans.setdefault(name, {})
            return
        if tag == "bookmarkEnd":
            self.active.discard(self.ids.get(el.get(w("id")) or "", ""))
            return
        if tag == "p":
            self.para += 1
            for name in self.active:
                self.spans.setdefault(name, {}).setdefault(self.para, ["", ""])
        elif tag == "t":
            if not dele:
                text = _own_text(el)
                self.add(text, "" if ins else text)
            return
        elif tag == "delText":
            self.add("", _own_text(el))
            return
        elif tag in ("tab", "ptab"):
            if el.getparent() is not None and el.getparent().tag == w("r"):
                self.add("" if dele else "\t", "" if ins else "\t")
            return
        elif tag == "noBreakHyphen":
            self.add("" if dele else "-", "" if ins else "-")
            return
        elif tag in ("br", "cr"):
            if el.get(w("type")) not in ("page", "column"):
                self.add("" if dele else "\n", "" if ins else "\n")
            return
        elif tag in ("instrText", "delInstrText", "pPr", "rPr", "tblPr", "trPr", "tcPr", "sectPr"):
            return
        elif tag in ("ins", "moveTo"):
            self.note("tracked", "")
            ins = True
        elif tag in ("del", "moveFrom"):
            self.note("tracked", "")
            dele = True
        elif tag in ("drawing", "pict", "object"):
            self.note("extra", "图片或嵌入对象")
            return
        elif tag in ("commentRangeStart", "commentReference"):
            self.note("comment", el.get(w("id")) or "")
            return
        elif tag == "tbl":
            if self.active:
                self.note("extra", "嵌套表格")
            marked = any((b.get(w("name")) or "") in self.table_marks for b in el.iter(w("bookmarkStart")))
            self.in_marked_table += marked
            for child in el:
                self.visit(child, ins, dele)
            self.in_marked_table -= marked
            return
        for child in el:
            self.visit(child, ins, dele)


def _own_text(el: Any) -> str:
    """The text of a ``w:t``; an entity reference inside it (never expanded) is left out."""
    return (el.text or "") + "".join(child.tail or "" for child in el)


def walk(body: Any, table_marks: set[str] = frozenset()) -> WordDoc:  # type: ignore[assignment]
    """Read a body (or any element) in one pass."""
    wk = _Walker(set(table_marks))
    blocks: list[Block] = []
    for child in _top_level(body):
        wk.visit(child)
        if child.tag == w("p"):
            blocks.append(Block("p", join_lines([paragraph_text(child)]), _style(child), element=child))
        elif child.tag == w("tbl"):
            blocks.append(Block("tbl", rows=table_rows(child), element=child))
    spans: dict[str, Text] = {}
    for name, paras in wk.spans.items():
        t = wk.info.get(name, Text())
        ordered = [paras[k] for k in sorted(paras)]
        t.accepted = [a for a, _ in ordered]
        t.before = [b for _, b in ordered]
        spans[name] = t
    frame = [wk.frame[k].strip() for k in sorted(wk.frame) if wk.frame[k].strip()]
    return WordDoc(spans, blocks, frame, {}, [], body, wk.unanchored)


def _top_level(body: Any) -> Iterator[Any]:
    """Body children; content controls (w:sdt) are looked into."""
    for child in body:
        if child.tag == w("sdt"):
            content = child.find(w("sdtContent"))
            if content is not None:
                yield from _top_level(content)
        elif isinstance(child.tag, str):
            yield child


def element_text(el: Any) -> Text:
    """The accepted/before paragraphs of any element (a cell, a comment), tracked changes noted."""
    wk = _Walker(set())
    wk.active = {"_all"}
    wk.visit(el)
    paras = wk.spans.get("_all", {})
    t = wk.info.get("_all", Text())
    t.accepted = [paras[k][0] for k in sorted(paras)]
    t.before = [paras[k][1] for k in sorted(paras)]
    return t


def paragraph_text(p: Any) -> str:
    return "\n".join(element_text(p).accepted)


def _style(p: Any) -> str:
    ppr = p.find(w("pPr"))
    st = ppr.find(w("pStyle")) if ppr is not None else None
    return (st.get(w("val")) or "") if st is not None else ""


def table_rows(tbl: Any) -> list[list[Text]]:
    """The rows of a table (direct rows only), each a list of cell texts; a merged cell counts once."""
    rows = []
    for tr in tbl.iter(w("tr")):
        if _owner_table(tr) is not tbl:
            continue
        cells = []
        for tc in tr:
            if tc.tag == w("tc"):
                cells.append(element_text(tc))
            elif tc.tag == w("sdt"):  # a cell inside a content control
                cells += [element_text(x) for x in tc.iter(w("tc"))]
        rows.append(cells)
    return rows


def _owner_table(el: Any) -> Any:
    p = el.getparent()
    while p is not None and p.tag != w("tbl"):
        p = p.getparent()
    return p


def bookmark_table(body: Any, name: str) -> Any:
    """The table a table mark sits in, or None when the bookmark is gone or left the table."""
    for b in body.iter(w("bookmarkStart")):
        if b.get(w("name")) == name:
            return _owner_table(b)
    return None
