"""The shape a loaded submission must have before the rules and the renderers see it.

`Submission.from_dict` checks the top-level tables; the values inside come from a file anyone can
edit. A value of the wrong JSON type that no rule judges (``plan.indicators[0].max = []``) would pass
``check`` and then crash ``export``: what check accepts, export must render. So the loader refuses
such a file with a Chinese message naming the field (never its content). Form answers are judged
by the rules (`core.fields`) and typed by `core.typecheck`; this module guards what the renderers
read directly: one answer where the form expects one (not a list or object), plan rows of the right
kind, and text of a length that typesets within seconds.

No Qt here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from zscq_desktop.call.model import Call
from zscq_desktop.core.submission import Submission

MAX_TITLE_CHARS = 500
# Typesetting time grows faster than the text: one 50 000-character answer takes 7–13 s on the
# 2-core machine, 100 000 characters without a break 30–50 s. The reference submission has about
# 85 000 characters in all; these bounds keep every export well inside a minute.
MAX_TEXT_CHARS = 50_000
MAX_TOTAL_CHARS = 250_000
_NUMBER = (int, float)
_TEXT = (str, int, float)  # printed with str(); a number typed into a text cell is fine


def _is_number(v: Any) -> bool:
    return isinstance(v, _NUMBER) and not isinstance(v, bool)


def _scalar(v: Any) -> bool:
    return v is None or isinstance(v, (str, int, float, bool))


# plan row lists: field → test of its value
_ROWS: dict[str, dict[str, Any]] = {
    "indicators": {"min": lambda v: v is None or _is_number(v), "max": lambda v: v is None or _is_number(v),
                   "task": lambda v: v is None or v == "" or (isinstance(v, (int, str)) and not isinstance(v, bool)),
                   "key": _scalar, "name": _scalar, "unit": _scalar, "target": _scalar, "note": _scalar},
    "schedule": {"start": _scalar, "end": _scalar, "content": _scalar},
}


def _form_shape(call: Call, sub: Submission, wrong: str) -> Iterator[str]:
    """A list or object where the form expects one answer (it would be printed as Python text)."""
    for form in call.forms.values():
        for section in form.sections:
            values = sub.unit if section.key == "unit" else sub.form.get(section.key, {})
            for f in section.fields:
                value, path = values.get(f.key), f"{section.prefix}.{f.key}"
                if f.type == "table":
                    rows = value if isinstance(value, list) else []
                    if value is not None and not isinstance(value, list):
                        yield f"“{path}”" + wrong.format("表格的行列表")
                    for i, row in enumerate(rows):
                        if not isinstance(row, dict):
                            yield f"“{path}[{i}]”" + wrong.format("一个对象")
                            continue
                        for c in f.columns:
                            if not _scalar(row.get(c.key)):
                                yield f"“{path}[{i}].{c.key}”" + wrong.format("文字或数字")
                elif f.type == "multichoice":
                    if not (_scalar(value) or (isinstance(value, list) and all(map(_scalar, value)))):
                        yield f"“{path}”" + wrong.format("选项文字的列表")
                elif not _scalar(value):
                    yield f"“{path}”" + wrong.format("文字或数字")


def _texts(sub: Submission) -> Iterator[tuple[str, str]]:
    """(field path, text) of every string that is printed."""
    stack: list[tuple[str, Any]] = [("unit", sub.unit), ("form", sub.form), ("plan", sub.plan),
                                     ("eligibility", sub.eligibility)]
    while stack:
        at, value = stack.pop()
        if isinstance(value, str):
            yield at, value
        elif isinstance(value, dict):
            stack.extend((f"{at}.{k}", v) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((f"{at}[{i}]", v) for i, v in enumerate(value))


def _call_of(sub: Submission) -> Call | None:
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,60}", sub.call):
        return None  # not a call id of ours: never look for a folder named by the file
    from zscq_desktop.call.loader import CallDataError, load_call

    try:
        return load_call(sub.call)
    except (CallDataError, OSError, KeyError, ValueError):
        return None


def check_shape(sub: Submission, call: Call | None = None) -> list[str]:
    """Problems (Chinese, naming the field) that would make a renderer fail or run for minutes;
    empty when fine. `call` is loaded by the submission's id when not given."""
    out: list[str] = []
    wrong = "的类型不正确（须为{}），请修改后重试。"
    total = 0
    for at, text in _texts(sub):
        total += len(text)
        if len(text) > MAX_TEXT_CHARS:
            out.append(f"“{at}”有 {len(text)} 个字符，超过单项 {MAX_TEXT_CHARS} 个字符的上限，请精简。")
    if total > MAX_TOTAL_CHARS:
        out.append(f"申报内容共有 {total} 个字符，超过 {MAX_TOTAL_CHARS} 个字符的上限，请精简。")
    call = call if call is not None and call.id == sub.call else _call_of(sub)
    if call is not None:
        out += list(_form_shape(call, sub, wrong))
    for key, fields in _ROWS.items():
        for i, row in enumerate(sub.plan.get(key) or []):
            where = f"plan.{key}[{i}]"
            if not isinstance(row, dict):
                out.append(f"“{where}”" + wrong.format("一个对象"))
                continue
            for name, ok in fields.items():
                if name in row and not ok(row[name]):
                    out.append(f"“{where}.{name}”" + wrong.format("数字或空" if name in ("min", "max") else "文字或数字"))
    for i, task in enumerate(sub.plan.get("tasks") or []):
        if not _scalar(task):
            out.append(f"“plan.tasks[{i}]”" + wrong.format("文字"))
    sections = sub.plan.get("sections") or {}
    for name, value in sections.items():
        if not _scalar(value):
            out.append(f"“plan.sections.{name}”" + wrong.format("文字"))
    for i, a in enumerate(sub.attachments):
        # A title is printed in the contents and above each page: a whole page of one title cannot be laid out.
        for name, value in (("title", a.title), ("source_name", a.source_name)):
            if len(value) > MAX_TITLE_CHARS:
                out.append(f"“attachments[{i}].{name}”有 {len(value)} 个字符，超过 {MAX_TITLE_CHARS} 个字符的上限，请精简。")
        if a.pages is not None and a.pages < 0:
            out.append(f"“attachments[{i}].pages”" + wrong.format("不小于 0 的整数"))
    return out
