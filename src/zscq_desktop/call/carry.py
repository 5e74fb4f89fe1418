"""Carry a document made for one call over to a newer one (文件 → 转为新年度申报…).

The result is a NEW submission for the new call: the unit profile, the form texts, the plan and the
supporting files are copied where the new call still has the field; every value that no longer fits
is listed, never silently dropped from view. The old document is not touched (the caller writes the
result to a new file). Eligibility answers are not carried: the new call's questions must be answered
again, since each year's conditions can change.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from zscq_desktop.call.model import Call, Section
from zscq_desktop.core.submission import Submission


@dataclass
class CarryResult:
    submission: Submission
    dropped: list[str] = field(default_factory=list)  # what did not fit, in Chinese
    notes: list[str] = field(default_factory=list)


def _section_values(sec: Section, old: dict, label: str, dropped: list[str]) -> dict:
    keys = {f.key for f in sec.fields}
    out = {}
    for k, v in old.items():
        if k in keys:
            out[k] = copy.deepcopy(v)
        elif v not in (None, "", [], {}):
            dropped.append(f"{label}：“{k}”在新年度申报书中已没有对应栏目（原内容：{_short(v)}）")
    return out


def _short(v: object) -> str:
    text = str(v)
    return text if len(text) <= 40 else text[:40] + "…"


def carry_over(sub: Submission, old: Call, new: Call, direction: str | None = None) -> CarryResult:
    """A new submission for `new` from `sub` (made for `old`); `direction` overrides the kept direction."""
    dropped: list[str] = []
    notes: list[str] = []
    target = direction or sub.direction
    if target and not any(d.id == target for d in new.directions):
        old_name = next((d.name for d in old.directions if d.id == target), target)
        dropped.append(f"支持方向“{old_name}”在新年度已取消，请重新选择支持方向")
        target = ""
    out = Submission(call=new.id, direction=target)
    out.unit = {}
    unit_sections = [s for f in new.forms.values() for s in f.sections if s.key == "unit"]
    if unit_sections:
        out.unit = _section_values(unit_sections[0], sub.unit, "单位基本情况", dropped)
    sections = {}
    for form in new.forms.values():
        for s in form.sections:
            if s.key != "unit" and (not target or form.id == new.direction(target).form):
                sections.setdefault(s.key, s)
    for key, values in sub.form.items():
        if key in sections:
            kept = _section_values(sections[key], values if isinstance(values, dict) else {}, sections[key].title, dropped)
            if kept:
                out.form[key] = kept
        elif any(v not in (None, "", [], {}) for v in (values or {}).values()):
            dropped.append(f"申报书部分“{key}”在新年度已没有（{len(values)} 项内容未带入）")
    plan_keys = {s.key for s in new.plan.sections if s.kind == "text"}
    for key, text in (sub.plan.get("sections") or {}).items():
        if key in plan_keys:
            out.plan["sections"][key] = text
        elif text:
            dropped.append(f"实施方案“{key}”在新年度已没有（原内容：{_short(text)}）")
    for key in ("tasks", "indicators", "schedule"):
        out.plan[key] = copy.deepcopy(sub.plan.get(key) or [])
    if target:
        from zscq_desktop.core.flow import apply_direction

        d = new.direction(target)
        content = out.form.get("content", {})
        if d.period_start and d.period_end and content.get("period_start"):
            notes.append(f"实施周期按新年度指南改为 {d.period_start} 至 {d.period_end}（原为 "
                         f"{content.get('period_start')} 至 {content.get('period_end')}）")
            content.pop("period_start", None)
            content.pop("period_end", None)
        # the new call's indicators and minimums; targets typed for the same indicator and own rows are kept
        apply_direction(new, out, target)
    else:
        dropped.append("考核指标需在选定新的支持方向后重新填写")
    known_categories = {c.id for c in new.attachment_categories}
    for a in sub.attachments:
        a2 = copy.deepcopy(a)
        if a2.category not in known_categories:
            fallback = new.attachment_categories[-1].id
            notes.append(f"附件《{a.title or a.source_name}》的类别在新年度没有，已放入“{new.attachment_category(fallback).name}”")
            a2.category = fallback
        out.attachments.append(a2)
    notes.append(f"资格条件须按{new.title}重新确认。")
    out.meta = {"carried_from": {"call": old.id, "direction": sub.direction}}
    out.touch()
    return CarryResult(out, dropped, notes)
