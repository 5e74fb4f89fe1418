"""Test helpers: edit a DOCX the way a colleague would in Word (python-docx + lxml), re-save it through
LibreOffice (another editor), export samples."""

from __future__ import annotations

import copy
import shutil
import subprocess
from pathlib import Path

import docx
from lxml import etree

from zscq_desktop.render.content import form_document, plan_document
from zscq_desktop.render.docx_writer import render_docx
from zscq_desktop.wordio.marks import Marker, find_marks
from zscq_desktop.wordio.read import parse_xml, w

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def export_docx(call, sub, folder: Path, stamp: str = "TESTSTMP") -> tuple[Path, Path]:
    """The form and plan DOCX as the export writes them (with marks)."""
    form, plan = folder / "form.docx", folder / "plan.docx"
    render_docx(form_document(call, sub), form, stamp=stamp, marker=Marker(sub, kind="form", stamp=stamp))
    render_docx(plan_document(call, sub), plan, stamp=stamp, marker=Marker(sub, kind="plan", stamp=stamp))
    return form, plan


def resave(files: list[Path], out: Path) -> list[Path]:
    """Open and save every file in LibreOffice (one soffice run for all) → the copies in `out`."""
    out.mkdir(parents=True, exist_ok=True)
    profile = out.parent / f"{out.name}-profile"
    subprocess.run([SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                    "--convert-to", "docx", "--outdir", str(out), *map(str, files)],
                   check=True, capture_output=True, timeout=600)
    result = [out / f.name for f in files]
    assert all(p.is_file() for p in result), result
    return result


class Edit:
    """A DOCX opened for editing by field path (through its marks)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.doc = docx.Document(str(path))
        self.body = self.doc.element.body
        custom = [parse_xml(p.blob) for p in self.doc.part.package.iter_parts()
                  if str(p.partname).startswith("/customXml/item") and "Props" not in str(p.partname)]
        self.marks = find_marks(custom)
        self.names = {f.path: f.name for f in self.marks.fields}

    def _start(self, path: str):
        name = self.names[path]
        return next(b for b in self.body.iter(w("bookmarkStart")) if b.get(w("name")) == name)

    def paragraphs(self, path: str) -> list:
        start = self._start(path)
        end = next(b for b in self.body.iter(w("bookmarkEnd")) if b.get(w("id")) == start.get(w("id")))
        first, last = start.getparent(), end.getparent()
        out, p = [first], first
        while p is not last:
            p = p.getnext()
            out.append(p)
        return out

    def set_text(self, path: str, text: str) -> None:
        """Type over a field: its first paragraph gets `text`, the others go."""
        paras = self.paragraphs(path)
        first = paras[0]
        end = next(e for e in paras[-1].iter(w("bookmarkEnd")))
        for p in paras[1:]:
            p.getparent().remove(p)
        for r in first.findall(w("r")):
            first.remove(r)
        first.append(_run(text))
        end.getparent().remove(end)
        first.append(end)

    def table(self, path: str):
        el = self._start(path)
        while el.tag != w("tbl"):
            el = el.getparent()
        return el

    def set_cell(self, path: str, row: int, col: int, text: str) -> None:
        tr = self.table(path).findall(w("tr"))[row]
        set_cell_text(tr.findall(w("tc"))[col], text)

    def add_row(self, path: str, after: int, texts: list[str]) -> None:
        rows = self.table(path).findall(w("tr"))
        new = copy.deepcopy(rows[after])
        for tc, text in zip(new.findall(w("tc")), texts):
            set_cell_text(tc, text)
        rows[after].addnext(new)

    def delete_row(self, path: str, row: int) -> None:
        tr = self.table(path).findall(w("tr"))[row]
        tr.getparent().remove(tr)

    def track(self, path: str, inserted: str) -> str:
        """A tracked change in the field's first paragraph: its first run deleted, `inserted` added.
        Returns the deleted text."""
        p = self.paragraphs(path)[0]
        run = p.find(w("r"))
        deleted = "".join(t.text or "" for t in run.iter(w("t")))
        for t in run.iter(w("t")):
            t.tag = w("delText")
        d = etree.Element(w("del"), {w("id"): "801", w("author"): "技术负责人", w("date"): "2023-05-01T00:00:00Z"})
        run.addprevious(d)
        d.append(run)
        ins = etree.Element(w("ins"), {w("id"): "802", w("author"): "技术负责人", w("date"): "2023-05-01T00:00:00Z"})
        ins.append(_run(inserted))
        end = p.find(w("bookmarkEnd"))
        (end.addprevious if end is not None else p.append)(ins)
        return deleted

    def comment(self, path: str, text: str) -> None:
        from docx.text.paragraph import Paragraph

        p = Paragraph(self.paragraphs(path)[0], self.doc.part)
        self.doc.add_comment(p.runs, text=text, author="总经理", initials="Z")

    def replace_frame(self, old: str, new: str) -> None:
        """Edit printed text that is not a field (a label)."""
        for t in self.body.iter(w("t")):
            if t.text == old:
                t.text = new
                return
        raise AssertionError(old)

    def remove_bookmark(self, path: str) -> None:
        start = self._start(path)
        for b in list(self.body.iter(w("bookmarkEnd"))):
            if b.get(w("id")) == start.get(w("id")):
                b.getparent().remove(b)
        start.getparent().remove(start)

    def save(self, path: Path | None = None) -> Path:
        target = path or self.path
        self.doc.save(str(target))
        return target


def _run(text: str):
    r = etree.Element(w("r"))
    t = etree.SubElement(r, w("t"))
    t.text = text
    return r


def set_cell_text(tc, text: str) -> None:
    paras = tc.findall(w("p"))
    for p in paras[1:]:
        tc.remove(p)
    p = paras[0]
    for r in p.findall(w("r")):
        p.remove(r)
    p.append(_run(text))


def hand_written_plan(path: Path) -> None:
    """A plan typed in Word by hand: numbered headings, one that fits no outline entry, an indicator table."""
    d = docx.Document()
    d.add_heading("高质量知识产权创造试点项目实施方案", 0)
    d.add_heading("一、项目背景", 1)
    d.add_paragraph("本公司是一家高新技术企业，专利布局薄弱。")
    d.add_paragraph("需要系统开展专利挖掘。")
    d.add_heading("二、项目基础与条件", 1)
    d.add_paragraph("已有知识产权部门和三名专职人员。")
    d.add_heading("三、考核指标", 1)
    t = d.add_table(rows=3, cols=4)
    for r, row in enumerate([["序号", "考核指标", "单位", "目标值"], ["1", "专利挖掘与布局分析报告", "份", "2"],
                             ["2", "项目期内授权专利", "件", "15"]]):
        for c, text in enumerate(row):
            t.cell(r, c).text = text
    d.add_heading("四、其他说明", 1)
    d.add_paragraph("这一节在实施方案提纲里没有。")
    d.save(str(path))
