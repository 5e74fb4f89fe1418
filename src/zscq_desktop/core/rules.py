"""The rules engine: every condition of the call checked against a submission.

`check(call, submission, context)` returns findings, errors first. Each rule is a small function
reading its numbers from the call data (never from code) and citing the guide in its message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal
from typing import Callable, Iterable, Iterator

from zscq_desktop.call.model import Call, Direction
from zscq_desktop.core import validators as v
from zscq_desktop.core.fields import check_form, is_empty
from zscq_desktop.core.findings import Finding, error, info, sort_findings, warning
from zscq_desktop.core.submission import Submission


@dataclass(frozen=True)
class RuleContext:
    """Facts from outside the submission.

    Attributes:
        now: the current time (tests pin it).
        local_drafts: other drafts of the same unit (by credit code) known on this machine for
            this call, as (file name, direction name) pairs.
        extra: findings produced elsewhere (attachment normalisation, glyph coverage).
    """

    now: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    local_drafts: tuple[tuple[str, str], ...] = ()
    extra: tuple[Finding, ...] = ()


Rule = Callable[[Call, Direction, Submission, RuleContext], Iterable[Finding]]
RULES: list[Rule] = []


def rule(fn: Rule) -> Rule:
    RULES.append(fn)
    return fn


def _amount(sub: Submission, path: str) -> Decimal | None:
    return v.to_decimal(sub.get(path))


def _wan(d: Decimal | float) -> str:
    return f"{Decimal(str(d)):.2f}万元"


# ---- global eligibility (指南第一部分二) ----------------------------------------------------------

@rule
def questions(call: Call, d: Direction, sub: Submission, ctx: RuleContext) -> Iterator[Finding]:
    for q in (*call.questions, *d.questions):
        if q.kind != "required":
            continue
        answer = sub.eligibility.get(q.key)
        path = f"eligibility.{q.key}"
        if answer is None:
            yield error("eligibility.unanswered", f"请回答申报条件：“{q.text}”", path, q.source)
        elif bool(answer) != q.expect:
            yield error(f"eligibility.{q.key}", f"不符合申报条件：{q.source or q.text}。", path, q.source)


@rule
def registration_age(call: Call, d: Direction, sub: Submission, ctx: RuleContext) -> Iterator[Finding]:
    reg = v.parse_date(sub.unit.get("registered_on"))
    if reg is None:
        return  # the field check reports a missing or malformed date
    months = call.rules.min_registration_months
    ref_year, ref_month = v.parse_month(call.reference_month) or (call.year, 6)
    # The guide says "截至2023年6月", a month, not a day. Counting 18 months back from that month:
    # registered before that month passes whichever day of June is meant; after it, it fails;
    # inside it (other than its 1st day) the answer depends on the day the office means: a warning.
    limit_total = ref_year * 12 + (ref_month - 1) - months
    limit_year, limit_month = divmod(limit_total, 12)
    limit_month += 1
    src = call.rules.sources.get("registration", "")
    path = "unit.registered_on"
    reg_key = (reg.year, reg.month)
    if reg > ctx.now.date():
        yield error("unit.registered_on.future", "注册时间晚于今天，请核对。", path)
    elif reg_key < (limit_year, limit_month) or (reg_key == (limit_year, limit_month) and reg.day == 1):
        return
    elif reg_key == (limit_year, limit_month):
        yield warning("unit.registration_age.ambiguous",
                      f"注册时间在{limit_year}年{limit_month}月，按“截至{ref_year}年{ref_month}月”计算恰好处在"
                      f"{months}个月的临界月份，是否满足取决于受理部门采用的截止日，建议电话咨询后再申报。", path, src)
    else:
        yield error("unit.registration_age",
                    f"注册时间不足{months}个月：须在{limit_year}年{limit_month}月或之前注册（{src}）。", path, src)


@rule
def projects_per_unit(call: Call, d: Direction, sub: Submission, ctx: RuleContext) -> Iterator[Finding]:
    limit = call.rules.max_projects_per_unit
    src = call.rules.sources.get("projects", "")
    declared = sub.eligibility.get("other_projects")
    path = "eligibility.other_projects"
    if declared is None or v.check_int(declared):
        yield error("eligibility.unanswered", "请填写本单位今年另外申报的资助项目数（没有填0）。", path, src)
        return
    others = max(int(declared), len(ctx.local_drafts))
    if others + 1 > limit:
        known = "；本机已有该单位的其他草稿：" + "、".join(f"{n}（{dn}）" for n, dn in ctx.local_drafts) if ctx.local_drafts else ""
        yield error("unit.projects_limit",
                    f"同一单位申报项目不得超过{limit}项，本项目将是第{others + 1}项{known}。", path, src)
    elif len(ctx.local_drafts) > int(declared):
        yield warning("unit.projects_local_drafts",
                      f"本机还有该单位的其他草稿 {len(ctx.local_drafts)} 份，多于填写的另外申报项目数，请核对。", path, src)


@rule
def capital_ratio(call: Call, d: Direction, sub: Submission, ctx: RuleContext) -> Iterator[Finding]:
    capital = _amount(sub, "unit.registered_capital_wan")
    requested = _amount(sub, "form.budget.requested_wan")
    if capital is None or requested is None:
        return
    ratio = Decimal(str(call.rules.max_request_ratio_of_capital))
    if requested > capital * ratio:
        yield error("budget.capital_ratio",
                    f"申请资助经费{_wan(requested)}超过注册资金{_wan(capital)}的{ratio * 100:g}%"
                    f"（上限{_wan(capital * ratio)}）。", "form.budget.requested_wan", call.rules.sources.get("capital", ""))


@rule
def deadline(call: Call, d: Direction, sub: Submission, ctx: RuleContext) -> Iterator[Finding]:
    if ctx.now > call.deadline:
        when = call.deadline.strftime("%Y年%-m月%-d日%H时%M分")
        yield warning("call.deadline_passed", f"本年度申报已于{when}截止，逾期不再受理；仍可继续起草和导出，供参考或下年度使用。",
                      "", call.rules.sources.get("deadline", ""))
    apply = v.parse_date(sub.get("form.cover.apply_date"))
    if apply and apply > call.deadline.date():
        yield warning("cover.apply_date_late", "申报日期晚于申报截止日期，请核对。", "form.cover.apply_date")


# ---- the direction's own conditions ---------------------------------------------------------

@rule
def cap(call: Call, d: Direction, sub: Submission, ctx: RuleContext) -> Iterator[Finding]:
    requested = _amount(sub, "form.budget.requested_wan")
    if requested is None:
        return
    limit = d.cap_wan
    if d.cap_wan_demo_city and sub.eligibility.get("demo_city_district"):
        limit = d.cap_wan_demo_city
    if requested > Decimal(str(limit)):
        yield error("budget.cap", f"申请资助经费{_wan(requested)}超过本支持方向的资助上限{_wan(limit)}（{d.source}）。",
                    "form.budget.requested_wan", d.source)


@rule
def self_funding(call: Call, d: Direction, sub: Submission, ctx: RuleContext) -> Iterator[Finding]:
    if not d.self_funding_ratio:
        return
    requested = _amount(sub, "form.budget.requested_wan")
    own = _amount(sub, "form.budget.self_raised_wan")
    if requested is None or own is None:
        return
    need = requested * Decimal(str(d.self_funding_ratio))
    if own < need:
        yield error("budget.self_funding", f"{d.matching_text()}：申请资助{_wan(requested)}，自筹经费至少应为{_wan(need)}，"
                    f"当前为{_wan(own)}（{d.source}）。", "form.budget.self_raised_wan", d.source)


@rule
def budget_sums(call: Call, d: Direction, sub: Submission, ctx: RuleContext) -> Iterator[Finding]:
    budget = sub.form.get("budget", {})
    requested, own, total = (v.to_decimal(budget.get(k)) for k in ("requested_wan", "self_raised_wan", "total_wan"))
    if requested is not None and own is not None and total is not None and requested + own != total:
        yield error("budget.total", f"项目总经费应等于申请资助经费与自筹经费之和（{_wan(requested + own)}），当前为{_wan(total)}。",
                    "form.budget.total_wan")
    rows = budget.get("expenses") or []
    if not isinstance(rows, list) or not rows:
        return
    funded = v.column_total(rows, "funded_wan")
    spent_own = v.column_total(rows, "self_wan")
    if requested is not None and funded != requested:
        yield error("budget.expenses_funded", f"经费支出明细中资助经费合计{_wan(funded)}，与申请资助经费{_wan(requested)}不一致。",
                    "form.budget.expenses")
    if own is not None and spent_own != own:
        yield error("budget.expenses_self", f"经费支出明细中自筹经费合计{_wan(spent_own)}，与单位自筹经费{_wan(own)}不一致。",
                    "form.budget.expenses")


@rule
def period(call: Call, d: Direction, sub: Submission, ctx: RuleContext) -> Iterator[Finding]:
    start = v.parse_month(sub.get("form.content.period_start"))
    end = v.parse_month(sub.get("form.content.period_end"))
    if not start or not end:
        return
    if v.months_between(start, end) < 0:
        yield error("period.order", "项目结束年月早于开始年月。", "form.content.period_end")
        return
    if d.period_start and d.period_end:
        lo, hi = v.parse_month(d.period_start), v.parse_month(d.period_end)
        if start < lo or end > hi:  # type: ignore[operator]
            yield error("period.outside", f"项目周期须在{d.period_text()}之内（{d.source}）。", "form.content.period_start", d.source)
    elif d.period_months:
        span = v.months_between(start, end) + 1
        if span > d.period_months:
            yield error("period.too_long", f"本支持方向项目周期{d.period_text()}，当前填写{span}个月（{d.source}）。",
                        "form.content.period_end", d.source)
        if start[0] < call.year:
            yield error("period.before_call", f"项目开始年月不应早于{call.year}年。", "form.content.period_start")
    else:
        yield info("period.unspecified", "指南未规定本支持方向的项目周期，请按任务合同约定填写。", "form.content.period_start")
    for i, row in enumerate(sub.plan.get("schedule") or []):
        if not isinstance(row, dict):
            continue
        rs, re_ = v.parse_month(row.get("start")), v.parse_month(row.get("end"))
        path = f"plan.schedule[{i}]"
        if not rs or not re_:
            yield error("schedule.format", f"进度安排第{i + 1}行的起止年月格式不正确（应为 年-月）。", path)
        elif rs > re_:
            yield error("schedule.order", f"进度安排第{i + 1}行结束早于开始。", path)
        elif rs < start or re_ > end:
            yield error("schedule.outside", f"进度安排第{i + 1}行超出项目周期（{v.chinese_month(sub.get('form.content.period_start'))}—"
                        f"{v.chinese_month(sub.get('form.content.period_end'))}）。", path)
        if is_empty(row.get("content")):
            yield error("schedule.content", f"进度安排第{i + 1}行缺少工作内容。", path)
    if not sub.plan.get("schedule"):
        yield error("schedule.empty", "实施方案的进度安排至少需要一行。", "plan.schedule")


@rule
def creation_pilot(call: Call, d: Direction, sub: Submission, ctx: RuleContext) -> Iterator[Finding]:
    if d.enterprise_only and sub.unit.get("nature") and sub.unit.get("nature") != "企业":
        yield error("unit.enterprise_only", f"“{d.name}”面向企业申报（{d.source}），本单位性质为“{sub.unit.get('nature')}”。",
                    "unit.nature", d.source)
    if d.min_grants_2022 is not None:
        grants = sub.get("form.ip_base.grants_2022")
        if grants is not None and not v.check_int(grants) and int(grants) < d.min_grants_2022:
            yield error("ip_base.grants_2022", f"申报条件要求2022年度专利授权不少于{d.min_grants_2022}件，当前填写{int(grants)}件（{d.source}）。",
                        "form.ip_base.grants_2022", d.source)
        yearly = sub.get("form.ip_base.yearly") or []
        if grants is not None and not v.check_int(grants) and len(yearly) >= 3 and isinstance(yearly[2], dict):
            parts = [yearly[2].get(k) for k in ("invention_grant", "utility", "design")]
            if all(p is not None and not v.check_int(p) for p in parts) and sum(int(p) for p in parts) != int(grants):  # type: ignore[arg-type]
                yield warning("ip_base.grants_mismatch", "2022年度专利授权总数与近三年情况表中2022年发明、实用新型、外观设计授权之和不一致。",
                              "form.ip_base.grants_2022")


@rule
def fulltime_staff(call: Call, d: Direction, sub: Submission, ctx: RuleContext) -> Iterator[Finding]:
    if d.min_fulltime_staff is None:
        return
    n = sub.get("form.work_base.fulltime_staff")
    if n is not None and not v.check_int(n) and int(n) < d.min_fulltime_staff:
        yield error("work_base.fulltime_staff", f"申报条件要求至少{d.min_fulltime_staff}名相关经验的专职人员，当前填写{int(n)}人（{d.source}）。",
                    "form.work_base.fulltime_staff", d.source)


@rule
def indicators(call: Call, d: Direction, sub: Submission, ctx: RuleContext) -> Iterator[Finding]:
    rows = sub.plan.get("indicators") or []
    by_key = {r.get("key"): (i, r) for i, r in enumerate(rows) if isinstance(r, dict) and r.get("key")}
    uplift = 1.0 + (d.continuing_uplift or 0.0) if sub.eligibility.get("continuing_district") else 1.0
    for _task, ind in d.indicators:
        if ind.key not in by_key:
            yield error("indicator.missing", f"考核指标缺少“{ind.name}”（指南要求{_bound_text(ind.min, ind.max, ind.unit)}）。",
                        "plan.indicators", d.source)
            continue
        i, row = by_key[ind.key]
        path = f"plan.indicators[{i}].target"
        target = v.to_decimal(row.get("target"))
        if target is None:
            yield error("indicator.target", f"请填写考核指标“{ind.name}”的目标值。", path)
            continue
        low = ind.scaled_min(uplift) if uplift != 1.0 else ind.min
        if low is not None and target < Decimal(str(low)):
            extra = f"（{d.continuing_note}）" if uplift != 1.0 else ""
            yield error("indicator.below_min", f"考核指标“{ind.name}”目标值{target:g}{ind.unit}低于指南要求的{low:g}{ind.unit}{extra}。",
                        path, d.source)
        if ind.max is not None and target > Decimal(str(ind.max)):
            yield error("indicator.above_max", f"考核指标“{ind.name}”目标值{target:g}{ind.unit}超过指南规定的{ind.max:g}{ind.unit}。",
                        path, d.source)
    for i, r in enumerate(rows):
        if isinstance(r, dict) and not r.get("key") and (is_empty(r.get("name")) or is_empty(r.get("target"))):
            yield error("indicator.incomplete", f"自定义考核指标第{i + 1}行缺少名称或目标值。", f"plan.indicators[{i}]")


def _bound_text(lo: float | None, hi: float | None, unit: str) -> str:
    if lo is not None and hi is not None:
        return f"{lo:g}—{hi:g}{unit}"
    return f"不少于{lo:g}{unit}" if lo is not None else f"不超过{hi:g}{unit}"


@rule
def plan_text(call: Call, d: Direction, sub: Submission, ctx: RuleContext) -> Iterator[Finding]:
    texts = sub.plan.get("sections") or {}
    for s in call.plan.sections:
        if s.kind == "text":
            text = str(texts.get(s.key) or "").strip()
            path = f"plan.sections.{s.key}"
            if not text:
                yield error("plan.section_empty", f"实施方案“{s.title}”尚未填写。", path)
            elif len(text) < s.min_chars:
                yield warning("plan.section_short", f"实施方案“{s.title}”只有{len(text)}字，建议不少于{s.min_chars}字。", path)
            elif s.max_chars and len(text) > s.max_chars:
                yield error("plan.section_long", f"实施方案“{s.title}”最多{s.max_chars}字，当前{len(text)}字。", path)
        elif s.kind == "tasks":
            tasks = sub.plan.get("tasks") or []
            for i, t in enumerate(d.tasks):
                body = tasks[i] if i < len(tasks) and isinstance(tasks[i], str) else ""
                if not body.strip():
                    yield error("plan.task_empty", f"实施方案“{s.title}”中任务{i + 1}（{t.text[:24]}…）尚未填写实施内容。",
                                f"plan.tasks[{i}]")
                elif s.max_chars and len(body) > s.max_chars:
                    yield error("plan.section_long", f"任务{i + 1}的实施内容最多{s.max_chars}字。", f"plan.tasks[{i}]")


@rule
def attachments(call: Call, d: Direction, sub: Submission, ctx: RuleContext) -> Iterator[Finding]:
    known = {c.id for c in call.attachment_categories}
    for i, a in enumerate(sub.attachments):
        if a.category not in known:
            yield error("attachment.category", f"附件《{a.title or a.source_name}》的类别无效，请重新选择。", f"attachments[{i}]")
        if not a.title.strip():
            yield error("attachment.title", f"附件《{a.source_name}》缺少标题。", f"attachments[{i}]")
    if not any(a.category == "qualification" for a in sub.attachments):
        yield warning("attachment.no_qualification", "尚未添加“申报单位资质”类附件（如营业执照），评审通常需要。", "attachments")


def check(call: Call, sub: Submission, ctx: RuleContext | None = None) -> list[Finding]:
    """Every finding for a submission, errors first."""
    ctx = ctx or RuleContext()
    if sub.call != call.id:
        return [error("call.mismatch", f"该申报属于“{sub.call}”，与当前申报年度“{call.id}”不一致。")]
    try:
        d = call.direction(sub.direction)
    except KeyError:
        return [error("direction.missing", "请先选择支持方向。", "direction")]
    found: list[Finding] = list(check_form(call, call.forms[d.form], sub))
    for r in RULES:
        found.extend(r(call, d, sub, ctx))
    found.extend(ctx.extra)
    return sort_findings(found)
