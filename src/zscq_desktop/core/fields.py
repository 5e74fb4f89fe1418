"""Generic checks driven by the form definitions: required answers, formats, limits, tables.

Nothing here knows a particular year's form: every label, limit and type comes from `forms/`.
"""

from __future__ import annotations

import re
from typing import Any, Iterator

from zscq_desktop.call.model import Call, Column, Field, FormSpec, Section
from zscq_desktop.core import validators as v
from zscq_desktop.core.findings import Finding, Judge, Severity
from zscq_desktop.core.submission import Submission

FORMAT_CHECKS = {
    "credit_code": v.check_credit_code,
    "phone": v.check_phone,
    "email": v.check_email,
    "postcode": v.check_postcode,
    "date": v.check_date,
    "month": v.check_month,
    "amount": v.check_amount,
    "int": v.check_int,
}
#: what a format problem means when the engine defaults to a warning (the call data may override)
WARN = Severity.WARNING


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == [] or value == {}


def check_value(spec: Field | Column, value: Any, path: str, label: str, choices: tuple[str, ...],
                judge: Judge = Judge()) -> Iterator[Finding]:
    """Findings for one non-table value against its field or column definition."""
    if is_empty(value):
        if spec.required:
            yield judge("field.required", f"“{label}”为必填项，请填写（无内容填写“无”）。", path)
        return
    check = FORMAT_CHECKS.get(spec.type)
    if check:
        reason = check(value)
        if reason:
            yield judge(f"field.format.{spec.type}", f"“{label}”：{reason}", path)
            return
    if spec.type in ("amount", "int"):
        n = v.to_decimal(value)
        unit = getattr(spec, "unit", "")
        if spec.min is not None and n is not None and n < v.to_decimal(spec.min):  # type: ignore[operator]
            yield judge("field.min", f"“{label}”不能小于 {v.format_number(spec.min)}{unit}。", path)
        if spec.max is not None and n is not None and n > v.to_decimal(spec.max):  # type: ignore[operator]
            yield judge("field.max", f"“{label}”不能大于 {v.format_number(spec.max)}{unit}。", path)
    if spec.type in ("text", "textarea") and spec.max_chars and len(str(value)) > spec.max_chars:
        paper = getattr(spec, "long_note", "") or "申报书中完整打印"
        yield judge("field.too_long", f"“{label}”超过建议的{spec.max_chars}字（当前{len(str(value))}字）：{paper}。"
                    "指南未限定字数，不影响导出，建议精简。", path, default=WARN)
    if spec.type == "choice" and choices and value not in choices:
        if getattr(spec, "open", False):
            note = getattr(spec, "open_note", "") or f"指南重点支持{'、'.join(choices)}"
            yield judge("field.choice", f"“{label}”填写为“{value}”，不在{'、'.join(choices)}之内：可以申报，{note}。",
                        path, default=WARN, variant="open")
        else:
            yield judge("field.choice", f"“{label}”的取值“{value}”不在可选范围内（{'、'.join(choices)}）。", path)
    if spec.type == "multichoice":
        if not isinstance(value, list) or any(x not in choices for x in value):
            yield judge("field.choice", f"“{label}”含有不在可选范围内的选项。", path, variant="multi")
    pattern = getattr(spec, "pattern", "")
    if pattern and not re.search(pattern, v.normalize_ascii(value)):
        yield judge("field.pattern", f"“{label}”：{getattr(spec, 'pattern_message', '') or '格式不正确。'}"
                    "（格式提示，不影响导出）", path, default=WARN)


def check_table(call: Call, f: Field, rows: Any, path: str, direction: str, judge: Judge = Judge()) -> Iterator[Finding]:
    if rows is None:
        rows = []
    if not isinstance(rows, list) or any(not isinstance(r, dict) for r in rows):
        yield judge("field.table", f"“{f.label}”的表格数据格式不正确。", path)
        return
    want = len(f.fixed_rows) if f.fixed_rows else f.min_rows
    if f.required and len(rows) < max(want, 1):
        yield judge("field.table.rows", f"“{f.label}”至少需要填写 {max(want, 1)} 行。", path)
    if f.max_rows is not None and len(rows) > f.max_rows:
        yield judge("field.table.rows", f"“{f.label}”超过建议的{f.max_rows}行（当前{len(rows)}行）：表格跨页完整打印，"
                    "不影响导出，建议精简。", path, default=WARN, variant="max")
    for i, row in enumerate(rows):
        row_label = f.fixed_rows[i] if i < len(f.fixed_rows) else f"第{i + 1}行"
        for c in f.columns:
            yield from check_value(c, row.get(c.key), f"{path}[{i}].{c.key}", f"{f.label}（{row_label}）{c.label}",
                                   call.choices(c, direction), judge)


def check_section(call: Call, section: Section, sub: Submission, judge: Judge = Judge()) -> Iterator[Finding]:
    values = sub.unit if section.key == "unit" else sub.form.get(section.key, {})
    for f in section.fields:
        if not f.applies_to(sub.direction):
            continue
        path = f"{section.prefix}.{f.key}"
        if f.type == "table":
            yield from check_table(call, f, values.get(f.key), path, sub.direction, judge)
        else:
            yield from check_value(f, values.get(f.key), path, f.label, call.choices(f, sub.direction), judge)


def check_form(call: Call, form: FormSpec, sub: Submission, judge: Judge = Judge()) -> Iterator[Finding]:
    for section in form.sections:
        yield from check_section(call, section, sub, judge)
