"""The wizard's flow as plain data: which pages exist, in which order, which may be entered or left,
and which page owns a field path. The Qt pages are views on this; it is tested without Qt.

Pages are identified by short ids: ``start``, ``direction``, ``eligibility``, ``unit``,
``form:<section key>`` (one per section of the direction's form, generated from the form
definition), ``plan``, ``attachments``, ``review``, ``export``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # types only: the GUI's start page imports this module, not the submission model
    from zscq_desktop.call.model import Call, Direction
    from zscq_desktop.core.findings import Finding
    from zscq_desktop.core.submission import Submission

START, DIRECTION, ELIGIBILITY, UNIT, PLAN, ATTACHMENTS, REVIEW, EXPORT = (
    "start", "direction", "eligibility", "unit", "plan", "attachments", "review", "export")
FORM_PREFIX = "form:"


@dataclass(frozen=True)
class PageSpec:
    """One step of the wizard.

    Attributes:
        id: stable page id (see module docstring).
        title: the Chinese title shown in the navigation and the page header.
        group: the navigation group the page belongs to (准备 / 申报书 / 材料 / 提交).
        section: for ``form:`` pages, the form section key.
    """

    id: str
    title: str
    group: str
    section: str = ""


def _direction(call: Call, sub: Submission | None) -> Direction | None:
    if sub is None:
        return None
    try:
        return call.direction(sub.direction)
    except KeyError:
        return None


def pages(call: Call, sub: Submission | None) -> list[PageSpec]:
    """The pages in order for this submission. Form pages exist only once a direction is chosen
    (附件2 and 附件3 differ); sections without fields for the direction (e.g. the blank opinion
    boxes) get no page."""
    out = [PageSpec(START, "开始", "准备"), PageSpec(DIRECTION, "选择支持方向", "准备"),
           PageSpec(ELIGIBILITY, "申报条件自查", "准备")]
    d = _direction(call, sub)
    if d is not None:
        form = call.forms[d.form]
        for s in form.sections:
            if s.key == "unit":
                out.append(PageSpec(UNIT, "申报单位信息", f"{form.label} 申报书", "unit"))
            elif any(f.applies_to(d.id) for f in s.fields):
                out.append(PageSpec(FORM_PREFIX + s.key, s.title, f"{form.label} 申报书", s.key))
        out.append(PageSpec(PLAN, call.plan.title, "实施方案与附件"))
        out.append(PageSpec(ATTACHMENTS, "附件材料", "实施方案与附件"))
    out.append(PageSpec(REVIEW, "检查结果", "提交"))
    out.append(PageSpec(EXPORT, "导出与发送", "提交"))
    return out


def page_ids(call: Call, sub: Submission | None) -> list[str]:
    return [p.id for p in pages(call, sub)]


def can_enter(page_id: str, sub: Submission | None, call: Call) -> str | None:
    """None when the page may be shown, else the Chinese reason why not."""
    if page_id == START:
        return None
    if sub is None:
        return "请先新建或打开一份申报。"
    if page_id in (DIRECTION, ELIGIBILITY, REVIEW, EXPORT):
        return None
    if _direction(call, sub) is None:
        return "请先选择支持方向。"
    return None


def can_leave(page_id: str, sub: Submission | None, call: Call, *, forward: bool = True) -> str | None:
    """None when the user may move on from `page_id`, else the Chinese reason. Going back is always
    allowed; going forward needs what the next pages depend on (a submission, a direction). Other
    gaps are findings shown on the review page, not walls: people fill forms in any order."""
    if not forward:
        return None
    if page_id == START and sub is None:
        return "请先新建或打开一份申报。"
    if page_id == DIRECTION and _direction(call, sub) is None:
        return "请先选择一个支持方向。"
    return None


def next_page(call: Call, sub: Submission | None, page_id: str) -> str | None:
    ids = page_ids(call, sub)
    if page_id not in ids:
        return ids[0]
    i = ids.index(page_id)
    return ids[i + 1] if i + 1 < len(ids) else None


def previous_page(call: Call, sub: Submission | None, page_id: str) -> str | None:
    ids = page_ids(call, sub)
    if page_id not in ids:
        return None
    i = ids.index(page_id)
    return ids[i - 1] if i > 0 else None


_HEAD = re.compile(r"^([A-Za-z_]+)(?:\.([A-Za-z0-9_]+))?")


def owner_page(call: Call, sub: Submission | None, path: str) -> str:
    """The page that shows the field at `path` (review-page links jump there)."""
    m = _HEAD.match(path or "")
    if not m:
        return REVIEW
    head, second = m.group(1), m.group(2)
    if head == "direction":
        return DIRECTION
    if head == "eligibility":
        return ELIGIBILITY
    if head == "unit":
        return UNIT
    if head == "plan":
        return PLAN
    if head == "attachments":
        return ATTACHMENTS
    if head == "form" and second:
        page = FORM_PREFIX + second
        return page if page in page_ids(call, sub) else REVIEW
    return REVIEW


def findings_for(findings: list[Finding], prefix: str) -> list[Finding]:
    """Findings whose path is `prefix` or lies under it (``a.b`` owns ``a.b[0].c`` but not ``a.bc``)."""
    out = []
    for f in findings:
        p = f.path
        if p == prefix or p.startswith(prefix + ".") or p.startswith(prefix + "["):
            out.append(f)
    return out


def apply_direction(call: Call, sub: Submission, direction_id: str) -> None:
    """Choose a direction and bring the plan in line with it: one task text per guide task, the
    indicator table pre-filled with the direction's indicators and minimums (what the user already
    typed for an indicator of the same key, and their own extra rows, are kept), and the project
    period when the guide fixes it and none is entered yet."""
    if direction_id and direction_id not in {d.id for d in call.directions}:
        raise KeyError(direction_id)
    sub.direction = direction_id
    d = _direction(call, sub)
    if d is None:
        return
    from zscq_desktop.core.sample import indicator_rows

    plan = sub.plan
    tasks = list(plan.get("tasks") or [])
    plan["tasks"] = (tasks + [""] * len(d.tasks))[:max(len(d.tasks), len([t for t in tasks if str(t).strip()]))]
    old = [r for r in plan.get("indicators") or [] if isinstance(r, dict)]
    by_key = {r.get("key"): r for r in old if r.get("key")}
    rows = []
    for fresh in indicator_rows(d):
        kept = by_key.get(fresh["key"])
        if kept is not None and kept.get("target") not in (None, ""):
            fresh["target"], fresh["note"] = kept["target"], kept.get("note", "")
        rows.append(fresh)
    rows.extend(r for r in old if not r.get("key"))  # the user's own indicators
    plan["indicators"] = rows
    if d.period_start and d.period_end:  # a fixed period (e.g. 2023-01..2023-09): fill it in if empty
        content = sub.form.setdefault("content", {})
        if not content.get("period_start") and not content.get("period_end"):
            content["period_start"], content["period_end"] = d.period_start, d.period_end
