"""Generic checks driven by the form definitions: required answers, formats, limits, tables.

Nothing here knows a particular year's form: every label, limit and type comes from `forms/`.
"""

from __future__ import annotations

import re
from typing import Any, Iterator

from zscq_desktop.call.model import Call, Column, Field, FormSpec, Section
from zscq_desktop.core import validators as v
from zscq_desktop.core.findings import Finding, error
from zscq_desktop.core.submission import Submission

FORMAT_CHECKS = {
    "credit_code": lambda x: v.check_credit_code(str(x)),
    "phone": lambda x: v.check_phone(str(x)),
    "email": lambda x: v.check_email(str(x)),
    "postcode": lambda x: v.check_postcode(str(x)),
    "date": v.check_date,
    "month": v.check_month,
    "amount": v.check_amount,
    "int": v.check_int,
}


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == [] or value == {}


def _number(value: Any) -> float | None:
    d = v.to_decimal(value)
    return None if d is None else float(d)


def check_value(spec: Field | Column, value: Any, path: str, label: str, choices: tuple[str, ...]) -> Iterator[Finding]:
    """Findings for one non-table value against its field or column definition."""
    if is_empty(value):
        if spec.required:
            yield error("field.required", f"“{label}”为必填项，请填写。", path)
        return
    check = FORMAT_CHECKS.get(spec.type)
    if check:
        reason = check(value)
        if reason:
            yield error(f"field.format.{spec.type}", f"“{label}”：{reason}", path)
            return
    if spec.type in ("amount", "int"):
        n = _number(value)
        unit = getattr(spec, "unit", "")
        if spec.min is not None and n is not None and n < spec.min:
            yield error("field.min", f"“{label}”不能小于 {spec.min:g}{unit}。", path)
        if spec.max is not None and n is not None and n > spec.max:
            yield error("field.max", f"“{label}”不能大于 {spec.max:g}{unit}。", path)
    if spec.type in ("text", "textarea") and spec.max_chars and len(str(value)) > spec.max_chars:
        yield error("field.too_long", f"“{label}”最多 {spec.max_chars} 字，当前 {len(str(value))} 字，请精简。", path)
    if spec.type == "choice" and choices and value not in choices:
        yield error("field.choice", f"“{label}”的取值“{value}”不在可选范围内（{'、'.join(choices)}）。", path)
    if spec.type == "multichoice":
        if not isinstance(value, list) or any(x not in choices for x in value):
            yield error("field.choice", f"“{label}”含有不在可选范围内的选项。", path)
    pattern = getattr(spec, "pattern", "")
    if pattern and not re.search(pattern, str(value)):
        yield error("field.pattern", f"“{label}”：{getattr(spec, 'pattern_message', '') or '格式不正确。'}", path)


def check_table(call: Call, f: Field, rows: Any, path: str, direction: str) -> Iterator[Finding]:
    if rows is None:
        rows = []
    if not isinstance(rows, list) or any(not isinstance(r, dict) for r in rows):
        yield error("field.table", f"“{f.label}”的表格数据格式不正确。", path)
        return
    want = len(f.fixed_rows) if f.fixed_rows else f.min_rows
    if f.required and len(rows) < max(want, 1):
        yield error("field.table.rows", f"“{f.label}”至少需要填写 {max(want, 1)} 行。", path)
    if f.max_rows is not None and len(rows) > f.max_rows:
        yield error("field.table.rows", f"“{f.label}”最多 {f.max_rows} 行，当前 {len(rows)} 行。", path)
    for i, row in enumerate(rows):
        row_label = f.fixed_rows[i] if i < len(f.fixed_rows) else f"第{i + 1}行"
        for c in f.columns:
            yield from check_value(c, row.get(c.key), f"{path}[{i}].{c.key}", f"{f.label}（{row_label}）{c.label}",
                                   call.choices(c, direction))


def check_section(call: Call, section: Section, sub: Submission) -> Iterator[Finding]:
    values = sub.unit if section.key == "unit" else sub.form.get(section.key, {})
    for f in section.fields:
        if not f.applies_to(sub.direction):
            continue
        path = f"{section.prefix}.{f.key}"
        if f.type == "table":
            yield from check_table(call, f, values.get(f.key), path, sub.direction)
        else:
            yield from check_value(f, values.get(f.key), path, f.label, call.choices(f, sub.direction))


def check_form(call: Call, form: FormSpec, sub: Submission) -> Iterator[Finding]:
    for section in form.sections:
        yield from check_section(call, section, sub)
