"""The content of the application form and the implementation plan as backend-neutral blocks.

Both the PDF (reportlab) and the DOCX (python-docx) writers render these same blocks, so the
printed volume and the editable Word files always say the same thing. Everything here is plain
data built from the call definitions and the submission; no layout, no fonts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any, Union

from zscq_desktop.call.model import Call, Field, FormSpec
from zscq_desktop.core import validators as v
from zscq_desktop.core.fields import is_empty
from zscq_desktop.core.submission import Submission

EMPTY = "无"
CN_NUM = "一二三四五六七八九十"
# "1." "2、" "（一）" "(3)" "一、" at the start of a line: a list item or a sub-heading, set without indent
LIST_ITEM = re.compile(r"^(\d+[.、．)）]|[（(][一二三四五六七八九十\d]+[）)]|[一二三四五六七八九十]+、)")


@dataclass(frozen=True)
class Cover:
    form_label: str  # 附件2
    title_lines: tuple[str, ...]  # ("2023年天津市知识产权资助项目", "申报书")
    fields: tuple[tuple[str, str], ...]  # (label, value) lines with an underline
    issuer: str  # 天津市知识产权局制
    date_line: str  # 二〇二三年
    number_label: str = "项目编号："


@dataclass(frozen=True)
class Heading:
    level: int  # 1 = 一、  2 = （一）  3 = 1.
    text: str


@dataclass(frozen=True)
class Para:
    text: str
    indent: bool = True  # first-line indent of two characters, as Chinese prose is set
    path: str = ""  # the field the text belongs to (marked in the DOCX for the Word round trip)


@dataclass(frozen=True)
class Fields:
    """A ruled label/value table, `per_row` pairs a row (2 → four columns)."""

    rows: tuple[tuple[str, str], ...]
    per_row: int = 2
    paths: tuple[str, ...] = ()  # the field of each row's value (Word round trip)


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...] | None = None  # relative widths
    path: str = ""  # the table field printed (empty for a copy printed a second time)
    caption: str = ""
    #: a 合计 row printed under the rows (label first; empty cells after the label are spanned by it)
    total: tuple[str, ...] = ()


@dataclass(frozen=True)
class TextBox:
    """A ruled box holding a labelled long text (e.g. 项目目标)."""

    label: str
    text: str
    path: str = ""


SEAL_MM = 42  # a round official seal is 4 cm across (42 mm: room to stamp it a little off centre)
SIGN_MM = 14  # height of a line signed by hand


def is_signature(line: str) -> bool:
    """A line signed by hand ("法定代表人（签字）：")."""
    return "签字" in line or "签名" in line


def is_seal(line: str) -> bool:
    """A line a seal is stamped on ("申报单位（公章）：", "（盖章）")."""
    return "章" in line


@dataclass(frozen=True)
class SignBox:
    """A box for a statement or an opinion with signature/stamp/date lines at its foot.

    A signature line (:func:`is_signature`) is printed with an empty rule to sign on; ``signer`` (the
    typed name, if any) goes small under that rule, never on it.  A seal line (:func:`is_seal`) gets
    a free area of :data:`SEAL_MM` square beside and under it for a round seal.
    """

    title: str
    text: str
    sign_lines: tuple[str, ...]
    min_height_mm: float = 60
    signer: str = ""


@dataclass(frozen=True)
class PageBreak:
    pass


Block = Union[Cover, Heading, Para, Fields, Table, TextBox, SignBox, PageBreak]


@dataclass(frozen=True)
class Document:
    title: str
    blocks: tuple[Block, ...]
    meta: dict[str, str] = field(default_factory=dict)

    def text(self) -> str:
        """All text of the document, for glyph checks and tests."""
        out: list[str] = []
        for b in self.blocks:
            if isinstance(b, Cover):
                out += [b.form_label, *b.title_lines, *(x for kv in b.fields for x in kv), b.issuer, b.date_line]
            elif isinstance(b, (Heading, Para)):
                out.append(b.text)
            elif isinstance(b, Fields):
                out += [x for kv in b.rows for x in kv]
            elif isinstance(b, Table):
                out += [b.caption, *b.columns, *(c for r in b.rows for c in r), *b.total]
            elif isinstance(b, TextBox):
                out += [b.label, b.text]
            elif isinstance(b, SignBox):
                out += [b.title, b.text, *b.sign_lines, b.signer]
        return "\n".join(out)


def format_value(f: Any, value: Any) -> str:
    """A value as printed: units for amounts, Chinese dates, 无 for empty optional answers."""
    if is_empty(value):
        return EMPTY
    t = f.type
    if t == "amount":
        return v.format_wan(value)
    if t == "date":
        return v.chinese_date(value)
    if t == "month":
        return v.chinese_month(value)
    if t == "multichoice":
        return "、".join(map(str, value)) if isinstance(value, list) else str(value)
    if t == "bool":
        return "是" if value else "否"
    if t == "int" and getattr(f, "unit", ""):
        return f"{value}{f.unit}"
    return str(value).strip()


def _field_label(f: Field) -> str:
    return f"{f.label}（{f.unit}）" if f.unit and f.type == "amount" else f.label


TOTAL = "合计"


def _table_block(f: Field, rows: list[dict[str, Any]]) -> Table:
    if not f.fixed_rows and any(c.type == "amount" for c in f.columns):
        return _amount_table(f, rows)
    cols = [c.label for c in f.columns]
    body: list[tuple[str, ...]] = []
    if f.fixed_rows:
        cols = ["年度" if "年" in "".join(f.fixed_rows) else "项目", *cols]
        for i, label in enumerate(f.fixed_rows):
            r = rows[i] if i < len(rows) and isinstance(rows[i], dict) else {}
            body.append((label, *(format_value(c, r.get(c.key)) for c in f.columns)))
    else:
        cols = ["序号", *cols]
        for i, r in enumerate(rows):
            r = r if isinstance(r, dict) else {}
            body.append((str(i + 1), *(format_value(c, r.get(c.key)) for c in f.columns)))
        if not body:
            body.append(("", *([EMPTY] + [""] * (len(f.columns) - 1))))
    widths = None
    if not f.fixed_rows:
        widths = (0.6, *(2.0 if c.type == "text" and (c.max_chars or 0) > 40 else 1.0 for c in f.columns))
    return Table(tuple(cols), tuple(body), widths, caption=f.label)


def _amount_table(f: Field, rows: list[dict[str, Any]]) -> Table:
    """A table of amounts (经费支出明细): with two amount columns or more a 合计 column after the last
    (each row's sum), and always a 合计 row with every amount column's total, all added exactly by
    :func:`validators.column_total` / :func:`validators.amount_total` like the on-screen totals."""
    rows = [r if isinstance(r, dict) else {} for r in rows]
    amounts = [c for c in f.columns if c.type == "amount"]
    after = f.columns.index(amounts[-1]) + 1  # the 合计 column goes right after the last amount column
    with_sum = len(amounts) >= 2

    def cells(values: list, row_sum: Any) -> tuple:
        return tuple(values[:after] + ([row_sum] if with_sum else []) + values[after:])

    cols = cells([c.label for c in f.columns], f"{TOTAL}（万元）")
    body = []
    for i, r in enumerate(rows):
        vals = [format_value(c, r.get(c.key)) for c in f.columns]
        row_sum = v.format_wan(v.amount_total(r.get(c.key) for c in amounts))
        body.append((str(i + 1), *cells(vals, row_sum)))
    if not body:
        body.append(("", *cells([EMPTY] + [""] * (len(f.columns) - 1), "")))
    totals = [v.format_wan(v.column_total(rows, c.key)) if c.type == "amount" else "" for c in f.columns]
    grand = v.format_wan(v.amount_total(v.column_total(rows, c.key) for c in amounts))
    total = (TOTAL, *cells(totals, grand))
    widths = (0.6, *cells([2.0 if c.type == "text" and (c.max_chars or 0) > 40 else 1.0 for c in f.columns], 1.0))
    return Table(("序号", *cols), tuple(body), tuple(float(w) for w in widths), caption=f.label, total=total)


def _plain(d: Any) -> str:
    """A number as people write it: 10, 2.5 (never 10.0 or 1E+1)."""
    return format(d.normalize(), "f") if hasattr(d, "normalize") else f"{d:g}"


def indicator_table(sub: Submission) -> Table:
    rows = []
    for i, r in enumerate(sub.plan.get("indicators") or []):
        if not isinstance(r, dict):
            continue
        lo, hi = r.get("min"), r.get("max")
        if lo is not None and hi is not None:
            need = f"{lo:g}—{hi:g}"
        elif lo is not None:
            need = f"≥{lo:g}"
        elif hi is not None:
            need = f"≤{hi:g}"
        else:
            need = "—"
        target = v.to_decimal(r.get("target"))
        rows.append((str(i + 1), f"任务{r.get('task')}" if r.get("task") else "自定", str(r.get("name") or ""),
                     str(r.get("unit") or ""), need, EMPTY if target is None else _plain(target),
                     str(r.get("note") or "").strip() or EMPTY))
    return Table(("序号", "对应任务", "考核指标", "单位", "指南要求", "目标值", "说明"), tuple(rows),
                 (0.5, 0.8, 2.6, 0.6, 0.9, 0.8, 1.6), caption="考核指标")


def schedule_table(sub: Submission) -> Table:
    rows = []
    for i, r in enumerate(sub.plan.get("schedule") or []):
        if isinstance(r, dict):
            rows.append((str(i + 1), f"{v.chinese_month(r.get('start'))}—{v.chinese_month(r.get('end'))}",
                         str(r.get("content") or "").strip() or EMPTY))
    return Table(("阶段", "起止时间", "工作内容"), tuple(rows), (0.5, 1.6, 4.4), caption="进度安排")


def cover_block(call: Call, sub: Submission, form: FormSpec) -> Cover:
    d = call.direction(sub.direction)
    cover = sub.form.get("cover", {})
    u = sub.unit
    fields = (
        ("项目类别", d.category_name), ("支持方向", d.name), ("项目名称", str(cover.get("project_name") or "")),
        ("申报单位（盖章）", str(u.get("name") or "")), ("所属区", str(u.get("district") or "")),
        ("项目负责人", str(cover.get("leader") or "")), ("联系人", str(cover.get("contact_name") or "")),
        ("联系电话", str(cover.get("contact_phone") or "")), ("电子邮箱", str(cover.get("contact_email") or "")),
        ("申报日期", v.chinese_date(cover.get("apply_date"))),
    )
    return Cover(form.label, (call.title, form.title), fields, f"{call.issuer}制", f"{v.chinese_year(call.year)}年")


def form_document(call: Call, sub: Submission) -> Document:
    """The application form (附件2 or 附件3) for the submission's direction."""
    d = call.direction(sub.direction)
    form = call.forms[d.form]
    blocks: list[Block] = [cover_block(call, sub, form), PageBreak(), Heading(1, "填写说明")]
    blocks += [Para(f"{i + 1}. {t}", indent=False) for i, t in enumerate(form.instructions)]
    blocks.append(Para(f"{len(form.instructions) + 1}. 本支持方向：{d.name}（{d.form_label}），"
                       + str(call.submission.get("district_review_text" if d.district_review else "direct_text", "")),
                       indent=False))
    blocks.append(PageBreak())
    for section in form.sections:
        if section.key != "cover":  # the cover's values print in full before 一 (the cover may shorten them)
            blocks.append(Heading(1, section.title))
        values = sub.unit if section.key == "unit" else sub.form.get(section.key, {})
        pairs: list[tuple[str, str]] = []
        paths: list[str] = []

        def flush() -> None:
            if pairs:
                blocks.append(Fields(tuple(pairs), paths=tuple(paths)))
                pairs.clear()
                paths.clear()

        for f in section.fields:
            if not f.applies_to(sub.direction) or (section.statement and f is section.fields[0]):
                continue  # a statement's signer is printed under the signature line, not in a cell of its own
            val = values.get(f.key)
            path = f"{section.prefix}.{f.key}"
            if f.type == "table":
                flush()
                blocks.append(replace(_table_block(f, val if isinstance(val, list) else []), path=path))
            elif f.type == "textarea":
                flush()
                blocks.append(TextBox(f.label, format_value(f, val), path=path))
            else:
                pairs.append((_field_label(f), format_value(f, val)))
                paths.append(path)
        flush()
        if section.key == "content":
            blocks.append(indicator_table(sub))
            blocks.append(schedule_table(sub))
        if section.statement:
            signer = format_value(section.fields[0], values.get(section.fields[0].key)) if section.fields else ""
            blocks.append(SignBox("", section.statement, ("法定代表人（签字）：", "申报单位（公章）：", "年    月    日"),
                                  70, signer="" if signer == EMPTY else signer))
        for box in section.boxes:
            if box.get("district_review_only") and not d.district_review:
                continue
            blocks.append(SignBox(str(box.get("title", "")), "", (f"{box.get('signature', '（盖章）')}", "年    月    日"), 75))
    title = f"{call.title}{form.title}"
    return Document(title, tuple(blocks), _meta(call, sub, title))


def plan_document(call: Call, sub: Submission) -> Document:
    """The implementation plan (项目实施方案) with Chinese-numbered headings."""
    d = call.direction(sub.direction)
    name = str(sub.get("form.cover.project_name") or d.name)
    blocks: list[Block] = [Heading(0, call.plan.title), Para(f"项目名称：{name}", indent=False),
                           Para(f"申报单位：{sub.unit.get('name') or ''}", indent=False),
                           Para(f"支持方向：{d.category_name}—{d.name}", indent=False)]
    texts = sub.plan.get("sections") or {}
    tasks = sub.plan.get("tasks") or []
    for i, s in enumerate(call.plan.sections):
        blocks.append(Heading(1, f"{CN_NUM[i] if i < len(CN_NUM) else i + 1}、{s.title}"))
        if s.kind == "text":
            blocks += _paras(texts.get(s.key), f"plan.sections.{s.key}")
        elif s.kind == "tasks":
            for j, t in enumerate(d.tasks):
                blocks.append(Heading(2, f"（{CN_NUM[j] if j < len(CN_NUM) else j + 1}）{t.text}"))
                blocks += _paras(tasks[j] if j < len(tasks) else "", f"plan.tasks[{j}]")
        elif s.kind == "indicators":
            blocks.append(replace(indicator_table(sub), path="plan.indicators"))
        elif s.kind == "schedule":
            blocks.append(replace(schedule_table(sub), path="plan.schedule"))
    title = f"{name}—{call.plan.title}"
    return Document(title, tuple(blocks), _meta(call, sub, title))


def _paras(text: Any, path: str = "") -> list[Block]:
    """Split user text into paragraphs; lines starting with '1.'/'（1）'/'- ' keep no indent."""
    lines = [ln.strip() for ln in str(text or "").splitlines() if ln.strip()]
    if not lines:
        return [Para(EMPTY, path=path)]
    out: list[Block] = []
    for ln in lines:
        is_list = ln[:1] in "-•·" or bool(LIST_ITEM.match(ln))
        if ln[:1] in "-•·":
            ln = "• " + ln[1:].strip()
        out.append(Para(ln, indent=not is_list, path=path))
    return out


def _meta(call: Call, sub: Submission, title: str) -> dict[str, str]:
    d = call.direction(sub.direction)
    return {"title": title, "unit": str(sub.unit.get("name") or ""), "direction": d.name, "call": call.title}
