"""The shape a loaded submission must have before the rules and the renderers see it.

`Submission.from_dict` checks the top-level tables; the values inside come from a file anyone can
edit. A value of the wrong JSON type that no rule judges (``plan.indicators[0].max = []``) would pass
``check`` and then crash ``export``: what check accepts, export must render. So the loader refuses
such a file with a Chinese message naming the field (never its content). Form answers are judged
by the rules (`core.fields`), which report wrong values as findings; this module only guards what
the renderers read directly.

No Qt here.
"""

from __future__ import annotations

from typing import Any

from zscq_desktop.core.submission import Submission

MAX_TITLE_CHARS = 500
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


def check_shape(sub: Submission) -> list[str]:
    """Problems (Chinese, naming the field) that would make a renderer fail; empty when fine."""
    out: list[str] = []
    wrong = "的类型不正确（须为{}），请修改后重试。"
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
