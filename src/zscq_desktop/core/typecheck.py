"""Strict types at the boundary: a submission read from a file, checked against its call.

Only the call knows which answers are yes/no (its eligibility questions and `bool` fields) and
which are counts (`other_projects`, `int` fields and table columns); indicator targets are numbers.
A value of the wrong JSON type is not a finding but an unusable file: `check_types` raises
`SubmissionTypeError` naming the field path, and the loaders refuse the file (exit 2 on the command
line, a message in the app). A count of the right type but out of range (e.g. negative) is left to
the rules, which report it as an error finding at its path.
"""

from __future__ import annotations

import re
from typing import Any, Iterator

from zscq_desktop.call.model import Call, Column, Field
from zscq_desktop.core.submission import Submission, SubmissionError

OTHER_PROJECTS = "other_projects"


class SubmissionTypeError(SubmissionError):
    """A value in a submission file has the wrong type for its field."""

    def __init__(self, path: str, reason: str) -> None:
        self.path, self.reason = path, reason
        super().__init__(f"“{path}”的数据类型不正确：{reason}。请在申报助手中修改后重新导出，或改正文件中的这一项。")


def _shown(value: Any) -> str:
    if isinstance(value, str):
        return f"文字“{value[:20]}”"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return "列表" if isinstance(value, list) else "对象"
    return repr(value)


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _yes_no(value: Any) -> str | None:
    if value is None or isinstance(value, bool):
        return None
    return f"应为 true 或 false（是/否），实为{_shown(value)}"


def _count(value: Any) -> str | None:
    if _empty(value) or (isinstance(value, int) and not isinstance(value, bool)):
        return None
    if isinstance(value, float) and value.is_integer():
        return None
    return f"应为整数，实为{_shown(value)}"


def _number(value: Any) -> str | None:
    if _empty(value) or (isinstance(value, (int, float)) and not isinstance(value, bool)):
        return None
    return f"应为数字，实为{_shown(value)}"


def _field_problems(spec: Field | Column, value: Any, path: str) -> Iterator[tuple[str, str]]:
    check = {"bool": _yes_no, "int": _count}.get(spec.type)
    reason = check(value) if check else None
    if reason:
        yield path, reason


def type_problems(call: Call, sub: Submission) -> Iterator[tuple[str, str]]:
    """(path, reason) for every value whose JSON type does not fit its field in `call`."""
    questions = {q.key for q in call.questions} | {q.key for d in call.directions for q in d.questions}
    for key in sorted(questions):
        reason = _yes_no(sub.eligibility.get(key))
        if reason:
            yield f"eligibility.{key}", reason
    reason = _count(sub.eligibility.get(OTHER_PROJECTS))
    if reason:
        yield f"eligibility.{OTHER_PROJECTS}", reason
    seen: set[str] = set()
    for form in call.forms.values():
        for section in form.sections:
            values = sub.unit if section.key == "unit" else sub.form.get(section.key, {})
            for f in section.fields:
                path = f"{section.prefix}.{f.key}"
                if path in seen:
                    continue
                seen.add(path)
                value = values.get(f.key)
                if f.type != "table":
                    yield from _field_problems(f, value, path)
                elif isinstance(value, list):
                    for i, row in enumerate(value):
                        if isinstance(row, dict):
                            for c in f.columns:
                                yield from _field_problems(c, row.get(c.key), f"{path}[{i}].{c.key}")
    for i, row in enumerate(sub.plan.get("indicators") or []):
        if isinstance(row, dict):
            reason = _number(row.get("target"))
            if reason:
                yield f"plan.indicators[{i}].target", reason


def check_types(sub: Submission, call: Call | None = None) -> None:
    """Raise `SubmissionTypeError` for the first value of the wrong type.

    Args:
        call: the call the submission belongs to; loaded by its id when not given. A submission of
            an unknown call is not checked here (the rules report ``call.mismatch``).
    """
    if call is None:
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,60}", sub.call):
            return  # not a call id of ours: never look for a folder named by the file
        from zscq_desktop.call.loader import CallDataError, load_call

        try:
            call = load_call(sub.call)
        except (CallDataError, OSError, KeyError, ValueError):
            return
    if call.id != sub.call:
        return
    for path, reason in type_problems(call, sub):
        raise SubmissionTypeError(path, reason)
