"""Example values for any required field the sample does not know by name.

`core.sample` writes believable text for the fields every call has had so far; a new call may add
fields (a new section, a new required column). This fills each still-empty required field of the
direction's form with a valid example of its type, so `zscq-desktop sample` works for any call pack.
"""

from __future__ import annotations

from typing import Any

from zscq_desktop.call.model import Call, Column, Field
from zscq_desktop.core.fields import is_empty
from zscq_desktop.core.submission import Submission


def example_value(call: Call, spec: Field | Column, direction_id: str) -> Any:
    """A value of `spec`'s type that passes its checks."""
    t = spec.type
    low = spec.min if spec.min is not None else 1
    if t in ("int",):
        return int(max(low, 1))
    if t == "amount":
        return float(max(low, 1))
    if t == "date":
        return call.deadline.date().replace(day=1).isoformat()
    if t == "month":
        return call.reference_month
    if t == "email":
        return "ip@example.com"
    if t == "phone":
        return "022-23039856"
    if t == "postcode":
        return "300000"
    if t == "credit_code":
        from zscq_desktop.core.sample import sample_credit_code

        return sample_credit_code()
    if t == "bool":
        return True
    choices = call.choices(spec, direction_id)
    if t == "choice":
        return choices[0] if choices else "（示例）"
    if t == "multichoice":
        return list(choices[:1])
    text = f"（示例）{spec.label}"
    return text[: spec.max_chars] if spec.max_chars else text


def fill_required(call: Call, sub: Submission) -> None:
    """Give every empty required field (and required table) of the submission's form an example value."""
    form = call.form_for(sub.direction)
    for section in form.sections:
        values = sub.unit if section.key == "unit" else sub.form.get(section.key, {})
        for f in section.fields:
            if not f.applies_to(sub.direction) or not f.required or not is_empty(values.get(f.key)):
                continue
            if section.key != "unit":
                values = sub.form.setdefault(section.key, values)  # only sections that get a value
            if f.type == "table":
                rows = [{c.key: example_value(call, c, sub.direction) for c in f.columns}
                        for _ in range(max(len(f.fixed_rows) or f.min_rows, 1))]
                values[f.key] = rows
            else:
                values[f.key] = example_value(call, f, sub.direction)
        for f in section.fields:  # required columns of tables the sample did fill
            rows = values.get(f.key)
            if f.type == "table" and isinstance(rows, list) and f.applies_to(sub.direction):
                for row in rows:
                    for c in f.columns:
                        if c.required and isinstance(row, dict) and is_empty(row.get(c.key)):
                            row[c.key] = example_value(call, c, sub.direction)
