"""Rules on the implementation plan and the supporting files: the schedule within the period, the
direction's indicators (minimums, spans, the +30 % uplift), the plan's texts and the attachments.
Registered with the engine by importing this module (`core.rules` does)."""

from __future__ import annotations

from typing import Iterator

from zscq_desktop.call.model import Call, Direction
from zscq_desktop.core import validators as v
from zscq_desktop.core.fields import is_empty
from zscq_desktop.core.findings import Finding
from zscq_desktop.core.rulekit import WARN, RuleContext, bound_text, dec, num, judge, rule
from zscq_desktop.core.submission import Submission


@rule
def schedule(call: Call, d: Direction, sub: Submission, ctx: RuleContext) -> Iterator[Finding]:
    j = judge(call, d)
    start = v.parse_month(sub.get("form.content.period_start"))
    end = v.parse_month(sub.get("form.content.period_end"))
    for i, row in enumerate(sub.plan.get("schedule") or []):
        if not isinstance(row, dict):
            continue
        rs, re_ = v.parse_month(row.get("start")), v.parse_month(row.get("end"))
        path = f"plan.schedule[{i}]"
        # each finding names the cell it is about, so the table marks that cell
        if not rs or not re_:
            yield j("schedule.format", f"进度安排第{i + 1}行的起止年月格式不正确（应为 年-月）。",
                    f"{path}.start" if not rs else f"{path}.end")
        elif rs > re_:
            yield j("schedule.order", f"进度安排第{i + 1}行结束早于开始。", f"{path}.end")
        elif start and end and start <= end and (rs < start or re_ > end):
            # the plan's own consistency: printed as written, so a hint, not a refusal
            yield j("schedule.outside", f"进度安排第{i + 1}行超出项目周期（{v.chinese_month(sub.get('form.content.period_start'))}—"
                    f"{v.chinese_month(sub.get('form.content.period_end'))}），请核对。",
                    f"{path}.start" if rs < start else f"{path}.end", default=WARN)
        if is_empty(row.get("content")):
            yield j("schedule.content", f"进度安排第{i + 1}行缺少工作内容。", f"{path}.content")
    if not sub.plan.get("schedule"):
        yield j("schedule.empty", "实施方案的进度安排至少需要一行。", "plan.schedule")


@rule
def indicators(call: Call, d: Direction, sub: Submission, ctx: RuleContext) -> Iterator[Finding]:
    j = judge(call, d)
    rows = sub.plan.get("indicators") or []
    by_key = {r.get("key"): (i, r) for i, r in enumerate(rows) if isinstance(r, dict) and r.get("key")}
    uplift = d.continuing_uplift if d.continuing_uplift and sub.eligibility.get("continuing_district") is True else None
    for task, ind in d.indicators:
        source = f"{d.source}3.（{task + 1}）"
        if ind.key not in by_key:
            yield j("indicator.missing", f"考核指标缺少“{ind.name}”（指南要求{bound_text(ind.min, ind.max, ind.unit)}）。",
                    "plan.indicators", source)
            continue
        i, row = by_key[ind.key]
        path = f"plan.indicators[{i}].target"
        given = row.get("target")
        target = v.to_decimal(given)
        if target is None:
            said = "请填写" if is_empty(given) else f"目标值“{given}”不是数字，请填写数字"
            yield j("indicator.target", f"考核指标“{ind.name}”：{said}（单位：{ind.unit}）。", path, source)
            continue
        low, extra = ind.min, ""
        if uplift is not None and ind.min is not None:
            exact = dec(ind.min) * (1 + dec(uplift))
            low = ind.scaled_min(1 + uplift)
            rounded = f"，取整后至少{num(dec(low))}{ind.unit}" if exact != dec(low) else ""  # type: ignore[arg-type]
            extra = (f"（{d.continuing_note}：指南要求{num(ind.min)}{ind.unit} × {num(1 + dec(uplift))} = "
                     f"{num(exact)}{ind.unit}{rounded}）")
        if low is not None and target < dec(low):
            yield j("indicator.below_min", f"考核指标“{ind.name}”目标值{num(target)}{ind.unit}低于指南要求的"
                    f"{num(low)}{ind.unit}{extra}。", path, source)
        if ind.max is not None and target > dec(ind.max):
            if ind.is_range:
                msg = (f"考核指标“{ind.name}”目标值{num(target)}{ind.unit}超过指南所列"
                       f"{bound_text(ind.min, ind.max, ind.unit)}的上限：指南以此为任务量，多做不被禁止，请确认能够完成。")
            else:
                msg = f"考核指标“{ind.name}”目标值{num(target)}{ind.unit}超过指南规定的{num(ind.max)}{ind.unit}。"
            yield j("indicator.above_max", msg, path, source, variant="range" if ind.is_range else "")
    for i, r in enumerate(rows):
        if isinstance(r, dict) and not r.get("key") and (is_empty(r.get("name")) or is_empty(r.get("target"))):
            yield j("indicator.incomplete", f"自定义考核指标第{i + 1}行缺少名称或目标值。", f"plan.indicators[{i}]")


@rule
def plan_text(call: Call, d: Direction, sub: Submission, ctx: RuleContext) -> Iterator[Finding]:
    j = judge(call, d)
    texts = sub.plan.get("sections") or {}
    long_note = "指南未限定篇幅，实施方案中完整打印，不影响导出；篇幅过长不便评审阅读，建议精简"
    for s in call.plan.sections:
        if s.kind == "text":
            text = str(texts.get(s.key) or "").strip()
            path = f"plan.sections.{s.key}"
            if not text:
                yield j("plan.section_empty", f"实施方案“{s.title}”尚未填写。", path)
            elif len(text) < s.min_chars:
                yield j("plan.section_short", f"实施方案“{s.title}”只有{len(text)}字，建议不少于{s.min_chars}字。", path,
                        default=WARN)
            elif s.max_chars and len(text) > s.max_chars:
                yield j("plan.section_long", f"实施方案“{s.title}”超过建议的{s.max_chars}字（当前{len(text)}字）：{long_note}。",
                        path, default=WARN)
        elif s.kind == "tasks":
            tasks = sub.plan.get("tasks") or []
            for i, t in enumerate(d.tasks):
                body = tasks[i] if i < len(tasks) and isinstance(tasks[i], str) else ""
                if not body.strip():
                    yield j("plan.task_empty", f"实施方案“{s.title}”中任务{i + 1}（{t.text[:24]}…）尚未填写实施内容。",
                            f"plan.tasks[{i}]", f"{d.source}3.（{i + 1}）")
                elif s.max_chars and len(body) > s.max_chars:
                    yield j("plan.section_long", f"任务{i + 1}的实施内容超过建议的{s.max_chars}字（当前{len(body)}字）：{long_note}。",
                            f"plan.tasks[{i}]", default=WARN)


@rule
def attachments(call: Call, d: Direction, sub: Submission, ctx: RuleContext) -> Iterator[Finding]:
    j = judge(call, d)
    known = {c.id for c in call.attachment_categories}
    for i, a in enumerate(sub.attachments):
        if a.category not in known:
            yield j("attachment.category", f"附件《{a.title or a.source_name}》的类别无效，请重新选择。", f"attachments[{i}]")
        if not a.title.strip():
            yield j("attachment.title", f"附件《{a.source_name}》缺少标题。", f"attachments[{i}]")
    if not any(a.category == "qualification" for a in sub.attachments):
        yield j("attachment.no_qualification", "尚未添加“申报单位资质”类附件（如营业执照），评审通常需要。", "attachments",
                default=WARN)
