"""What an undo step is called in the 编辑 menu (“撤销 删除第3行”, “撤销 输入 项目名称”).

Plain Python (no Qt): the name is read off the change itself — which field, and for a table
whether a row was added, deleted or moved or cells were changed — so no widget has to say what it
did and every way of changing a table (buttons, Delete key, paste) is named the same way.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from typing import Any, Iterator

from zscq_desktop.call.model import Call

PLAN_LABELS = {"plan.tasks": "实施任务", "plan.indicators": "考核指标", "plan.schedule": "进度安排"}
_INDEX = re.compile(r"\[\d+\]")
_named: list[str] = []


@contextmanager
def named_step(text: str) -> Iterator[None]:
    """Edits made inside (synchronously, e.g. a table emitting its new rows) get this name: for what
    the change alone cannot tell, such as a paste."""
    _named.append(text)
    try:
        yield
    finally:
        _named.pop()


def current_name() -> str:
    """The name set by an enclosing `named_step`, or ""."""
    return _named[-1] if _named else ""


def field_label(call: Call, direction_id: str, path: str) -> str:
    """The label a user knows a field path by (the path itself when none is found)."""
    head = _INDEX.sub("", path)
    if head in PLAN_LABELS:
        return PLAN_LABELS[head]
    if head.startswith("plan.sections."):
        key = head.rsplit(".", 1)[1]
        return next((s.title for s in call.plan.sections if s.key == key), key)
    if head.startswith("eligibility."):
        return "申报条件"
    forms = list(call.forms.values())
    if direction_id:
        try:
            forms = [call.form_for(direction_id)] + forms
        except (KeyError, ValueError):
            pass
    for form in forms:
        for section in form.sections:
            for f in section.fields:
                if f"{section.prefix}.{f.key}" == head:
                    return f.label
    return head.rsplit(".", 1)[-1]


def _rows(value: Any) -> list | None:
    return value if isinstance(value, list) else None


def describe_edit(label: str, old: Any, new: Any) -> str:
    """The name of the step that changed a field labelled `label` from `old` to `new`."""
    before, after = _rows(old) or ([] if old is None else None), _rows(new) or ([] if new is None else None)
    if before is None or after is None or not (before or after) or not all(isinstance(r, dict) for r in before + after):
        return f"输入 {label}" if not isinstance(new, (bool, list)) else f"修改 {label}"
    if len(after) == len(before) + 1:
        for i in range(len(after)):
            if after[:i] + after[i + 1:] == before:
                return f"添加第{i + 1}行（{label}）"
    if len(after) == len(before) - 1:
        for i in range(len(before)):
            if before[:i] + before[i + 1:] == after:
                return f"删除第{i + 1}行（{label}）"
    if len(after) == len(before):
        changed = [i for i, (a, b) in enumerate(zip(before, after)) if a != b]
        if len(changed) == 2 and changed[1] == changed[0] + 1 and before[changed[0]] == after[changed[1]] \
                and before[changed[1]] == after[changed[0]]:
            return f"移动第{changed[0] + 1}行（{label}）"
        cells = sum(1 for a, b in zip(before, after) for k in set(a) | set(b) if a.get(k) != b.get(k))
        if cells == 1:
            return f"修改单元格（{label}）"
        return f"修改 {cells} 个单元格（{label}）"
    if len(after) < len(before):
        return f"删除 {len(before) - len(after)} 行（{label}）"
    return f"粘贴 {len(after) - len(before)} 行（{label}）"
