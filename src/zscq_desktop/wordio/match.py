"""Find fields by label and heading: the fallback where a bookmark is gone, and the whole way in for a
Word file the app never exported (last year's application, a plan written by hand).

Headings are compared by title without their numbering (“一、项目背景与必要性”, “（一）项目基础”,
“第二章 项目目标”, “3.项目背景”), a title containing the other counting as a match; tables are
recognised by their header row, value cells by the label cell before them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from zscq_desktop.call.model import Call
from zscq_desktop.wordio.read import Block, Text, WordDoc, join_lines

NUMBERING = re.compile(r"^\s*(第[一二三四五六七八九十百\d]+[章节部分条]|[一二三四五六七八九十]+\s*[、.．,，]|"
                       r"[（(]\s*[一二三四五六七八九十\d]+\s*[)）]|\d+(\.\d+)*\s*[、.．)）]?)\s*")
PUNCT = re.compile(r"[\s:：、，,。.．;；（）()“”\"'《》【】\-—]+")
HEADING_STYLES = ("heading", "title", "标题", "1", "2", "3")
UNIT_SUFFIX = re.compile(r"[（(][^（()）]{1,6}[）)]\s*[:：]?$")
THRESHOLD = 0.6


def title_key(text: str) -> str:
    """A heading reduced to its words: numbering, punctuation and spaces removed."""
    return PUNCT.sub("", NUMBERING.sub("", text.strip(), count=1))


def title_score(a: str, b: str) -> float:
    ka, kb = title_key(a), title_key(b)
    if not ka or not kb:
        return 0.0
    if ka == kb:
        return 1.0
    if len(min(ka, kb, key=len)) >= 2 and (ka in kb or kb in ka):
        return 0.9
    return SequenceMatcher(None, ka, kb, autojunk=False).ratio()


def is_heading(b: Block) -> bool:
    if b.kind != "p" or not b.text or len(b.text) > 60 or "\n" in b.text:
        return False
    style = b.style.lower()
    if style.startswith(HEADING_STYLES[:3]) or style in HEADING_STYLES[3:]:
        return True
    return bool(NUMBERING.match(b.text)) and not b.text.rstrip().endswith(("。", "；", ";"))


@dataclass(frozen=True)
class ColSpec:
    label: str
    key: str  # "" for a column that is not a field (序号, 对应任务, 指南要求, 合计)
    type: str = "text"


@dataclass
class TableSpec:
    path: str
    label: str
    cols: list[ColSpec]
    fixed_rows: tuple[str, ...] = ()

    def header_score(self, header: list[str]) -> float:
        want = [c.label for c in self.cols if c.key]
        got = {title_key(h) for h in header}
        return sum(title_key(x) in got for x in want) / max(1, len(want))


PLAN_TABLES = {
    "plan.indicators": TableSpec("plan.indicators", "考核指标", [
        ColSpec("序号", ""), ColSpec("对应任务", ""), ColSpec("考核指标", "name"), ColSpec("单位", "unit"),
        ColSpec("指南要求", ""), ColSpec("目标值", "target", "number"), ColSpec("说明", "note")]),
    "plan.schedule": TableSpec("plan.schedule", "进度安排", [
        ColSpec("阶段", ""), ColSpec("起止时间", "start+end", "period"), ColSpec("工作内容", "content")]),
}


def field_types(call: Call, direction: str) -> dict[str, str]:
    """Field path → type, for every field the form of `direction` prints (plan texts are textareas)."""
    out: dict[str, str] = {}
    d = call.direction(direction)
    for section in call.forms[d.form].sections:
        for f in section.fields:
            if f.applies_to(direction):
                out[f"{section.prefix}.{f.key}"] = f.type
    for s in call.plan.sections:
        if s.kind == "text":
            out[f"plan.sections.{s.key}"] = "textarea"
    for j in range(len(d.tasks)):
        out[f"plan.tasks[{j}]"] = "textarea"
    out["plan.indicators"] = out["plan.schedule"] = "table"
    return out


def table_spec(call: Call, direction: str, path: str) -> TableSpec | None:
    if path in PLAN_TABLES:
        return PLAN_TABLES[path]
    d = call.direction(direction)
    for section in call.forms[d.form].sections:
        for f in section.fields:
            if f"{section.prefix}.{f.key}" == path and f.type == "table":
                first = ColSpec("年度" if "年" in "".join(f.fixed_rows) else "项目", "") if f.fixed_rows \
                    else ColSpec("序号", "")
                return TableSpec(path, f.label, [first, *(ColSpec(c.label, c.key, c.type) for c in f.columns)],
                                 f.fixed_rows)
    return None


# -- fallback: one field whose bookmark is gone ----------------------------------------------------------

def _label_key(text: str) -> str:
    """A label cell without its unit: “注册资金（万元）” → 注册资金."""
    return title_key(UNIT_SUFFIX.sub("", text.strip()))


def find_value_cell(wd: WordDoc, label: str) -> Text | None:
    """The value cell after a label cell (申报书 tables), or the row under a one-cell label row (text boxes)."""
    key = _label_key(label)
    if not key:
        return None
    for b in wd.blocks:
        if b.kind != "tbl":
            continue
        for r, row in enumerate(b.rows):
            for k, cell in enumerate(row):
                if _label_key(cell.text) != key:
                    continue
                if k + 1 < len(row):
                    return row[k + 1]
                if len(row) == 1 and r + 1 < len(b.rows) and len(b.rows[r + 1]) == 1:
                    return b.rows[r + 1][0]
    return None


def find_section(wd: WordDoc, heading: str) -> tuple[Text, list[str]] | None:
    """The paragraphs under the heading that matches `heading` best (until the next heading or table)."""
    best, best_i = 0.0, -1
    for i, b in enumerate(wd.blocks):
        if is_heading(b) or b.text == heading:
            s = title_score(b.text, heading)
            if s > best:
                best, best_i = s, i
    if best < THRESHOLD:
        return None
    return _section_from(wd.blocks, best_i)


def _section_from(blocks: list[Block], i: int) -> tuple[Text, list[str]]:
    paras = []
    for b in blocks[i + 1:]:
        if b.kind != "p" or is_heading(b):
            break
        paras.append(b.text)
    return Text(accepted=list(paras), before=list(paras)), [blocks[i].text, *paras]


def find_table(wd: WordDoc, header: list[str], spec: TableSpec | None = None) -> Block | None:
    """The table whose header row is `header` (or scores best against `spec`)."""
    best, found = 0.0, None
    for b in wd.blocks:
        if b.kind != "tbl" or not b.rows:
            continue
        got = [c.text for c in b.rows[0]]
        if got == header:
            return b
        if spec is not None:
            s = spec.header_score(got)
            if s > best:
                best, found = s, b
    return found if best >= 0.5 else None


# -- a Word file never exported by the app -----------------------------------------------------------------

@dataclass
class Proposal:
    """One proposed mapping of a part of a foreign Word file onto a field."""

    source: str  # the heading, label or table header found in the file
    path: str  # the field proposed (the user may change it)
    text: Text | None = None  # for a text field
    table: Block | None = None  # for a table
    score: float = 1.0


@dataclass
class Mapping:
    proposals: list[Proposal] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)  # headings and tables left over, listed, never dropped


def targets(call: Call, direction: str) -> list[tuple[str, str]]:
    """(title, path) of every text field a heading or label may name: plan sections, tasks, form fields."""
    d = call.direction(direction)
    out = [(s.title, f"plan.sections.{s.key}") for s in call.plan.sections if s.kind == "text"]
    out += [(t.text, f"plan.tasks[{j}]") for j, t in enumerate(d.tasks)]
    for section in call.forms[d.form].sections:
        for f in section.fields:
            if f.applies_to(direction) and f.type != "table":
                out.append((f.label, f"{section.prefix}.{f.key}"))
    return out


def table_targets(call: Call, direction: str) -> list[TableSpec]:
    d = call.direction(direction)
    specs = list(PLAN_TABLES.values())
    for section in call.forms[d.form].sections:
        for f in section.fields:
            if f.applies_to(direction) and f.type == "table":
                spec = table_spec(call, direction, f"{section.prefix}.{f.key}")
                if spec:
                    specs.append(spec)
    return specs


def propose(wd: WordDoc, call: Call, direction: str) -> Mapping:
    """Map a foreign Word file's headings, label cells and tables onto fields (best matches first)."""
    texts = targets(call, direction)
    scored: list[tuple[float, int, str, str]] = []  # (score, block index, path, kind)
    for i, b in enumerate(wd.blocks):
        if is_heading(b):
            for title, path in texts:
                s = title_score(b.text, title)
                if s >= THRESHOLD:
                    scored.append((s, i, path, "heading"))
    scored.sort(key=lambda x: (-x[0], x[1]))
    used_blocks: set[int] = set()
    used_paths: set[str] = set()
    m = Mapping()
    for s, i, path, _ in scored:
        if i in used_blocks or path in used_paths:
            continue
        text, _lines = _section_from(wd.blocks, i)
        if not text.accepted:
            continue
        used_blocks.add(i)
        used_paths.add(path)
        m.proposals.append(Proposal(wd.blocks[i].text, path, text=text, score=s))
    for title, path in texts:  # label cells of the form's field tables
        if path in used_paths:
            continue
        cell = find_value_cell(wd, title)
        if cell is not None and cell.text:
            used_paths.add(path)
            m.proposals.append(Proposal(title, path, text=cell))
    for spec in table_targets(call, direction):
        if spec.path in used_paths:
            continue
        tbl = find_table(wd, [], spec)
        if tbl is not None and id(tbl) not in used_blocks:
            used_blocks.add(id(tbl))
            used_paths.add(spec.path)
            m.proposals.append(Proposal(" | ".join(c.text for c in tbl.rows[0]), spec.path, table=tbl,
                                        score=spec.header_score([c.text for c in tbl.rows[0]])))
    outline = [s.title for s in call.plan.sections if s.kind != "text"]  # their content is a table or the tasks
    for i, b in enumerate(wd.blocks):
        if is_heading(b) and i not in used_blocks and not b.style.lower().startswith("title") \
                and not any(title_score(b.text, t) >= THRESHOLD for t in outline):
            m.unmapped.append(b.text)
        elif b.kind == "tbl" and b.rows and id(b) not in used_blocks and not _is_field_table(b, m):
            m.unmapped.append("表格：" + " | ".join(c.text for c in b.rows[0])[:60])
    m.proposals.sort(key=lambda p: p.path)
    return m


def _is_field_table(b: Block, m: Mapping) -> bool:
    cells = {id(c) for row in b.rows for c in row}
    return any(p.text is not None and id(p.text) in cells for p in m.proposals)


def lines_of(text: Text | None) -> list[str]:
    return join_lines(text.accepted).split("\n") if text else []


__all__ = ["Mapping", "Proposal", "TableSpec", "ColSpec", "propose", "find_section", "find_value_cell",
           "find_table", "table_spec", "field_types", "title_score", "title_key"]
