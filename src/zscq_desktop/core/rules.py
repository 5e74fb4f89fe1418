"""The rules engine: every condition of the call checked against a submission.

`check(call, submission, context)` returns findings, errors first. Each rule is a small function
reading its numbers from the call data (never from code) and citing the guide in its message.

Errors only where the guide states the rule (the finding cites it) or where the form cannot be
filled in or printed without the value (citing the form's 填写说明); the app's own quality checks
are warnings. The call's ``[findings]`` table may change any code's severity (`Judge`).
"""

from __future__ import annotations

from typing import Iterator

from zscq_desktop.call.model import Call, Direction
from zscq_desktop.core import validators as v
from zscq_desktop.core.fields import check_form, is_empty
from zscq_desktop.core.findings import Finding, info, sort_findings
from zscq_desktop.core.rulekit import (  # noqa: F401 — RuleContext and judge are part of this module's API
    RULES, WARN, RuleContext, amount_at, as_condition, dec, judge, rule, wan,
)
from zscq_desktop.core.submission import Submission


# ---- global eligibility (指南第一部分二) ----------------------------------------------------------

@rule
def questions(call: Call, d: Direction, sub: Submission, ctx: RuleContext) -> Iterator[Finding]:
    j = judge(call, d)
    for q in (*call.questions, *d.questions):
        if q.kind != "required":
            continue
        answer = sub.eligibility.get(q.key)
        path = f"eligibility.{q.key}"
        if not isinstance(answer, bool):  # None, or a value of another type that slipped past the loader
            yield j("eligibility.unanswered", f"请回答申报条件：“{q.text}”", path, q.source)
        elif answer != q.expect:
            said = "否" if q.expect else "是"
            yield j(f"eligibility.{q.key}", f"不符合申报条件“{as_condition(q.text)}”（回答为“{said}”）。"
                    f"依据：{q.source or d.source}。", path, q.source)


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
        yield judge(call, d)("unit.registered_on.future", "注册时间晚于今天，请核对。", path, src)
    elif reg_key < (limit_year, limit_month) or (reg_key == (limit_year, limit_month) and reg.day == 1):
        return
    elif reg_key == (limit_year, limit_month):
        yield judge(call, d)("unit.registration_age.ambiguous",
                      f"注册时间在{limit_year}年{limit_month}月，按“截至{ref_year}年{ref_month}月”计算恰好处在"
                      f"{months}个月的临界月份，是否满足取决于受理部门采用的截止日，建议电话咨询后再申报。", path, src,
                                             default=WARN)
    else:
        yield judge(call, d)("unit.registration_age",
                    f"注册时间不足{months}个月：须在{limit_year}年{limit_month}月或之前注册（{src}）。", path, src)


@rule
def projects_per_unit(call: Call, d: Direction, sub: Submission, ctx: RuleContext) -> Iterator[Finding]:
    limit = call.rules.max_projects_per_unit
    src = call.rules.sources.get("projects", "")
    j = judge(call, d)
    path = "eligibility.other_projects"
    declared = v.to_int(sub.eligibility.get("other_projects"))
    if declared is None:
        yield j("eligibility.unanswered", "请填写本单位今年另外申报的资助项目数（没有填0）。", path, src)
        return
    if declared < 0:
        yield j("field.min", f"另外申报的资助项目数不能为负数（当前填写{declared}）。", path)
        return
    drafts = len(ctx.local_drafts)
    listed = "：" + "、".join(f"{n}（{dn}）" for n, dn in ctx.local_drafts) if ctx.local_drafts else ""
    if declared + 1 > limit:
        yield j("unit.projects_limit", f"同一单位申报项目不得超过{limit}项，按填写的另外申报项目数，本项目将是第{declared + 1}项。",
                path, src)
    elif drafts + 1 > limit:
        # drafts on this PC may be abandoned: only the unit's declared count is the guide's rule
        yield j("unit.projects_limit", f"本机还有该单位的其他草稿{drafts}份{listed}。同一单位申报项目不得超过{limit}项："
                "如这些草稿也会提交，本项目将超出；如已放弃，可忽略本提醒。", path, src, default=WARN, variant="local_drafts")
    elif drafts > declared:
        yield j("unit.projects_local_drafts",
                f"本机还有该单位的其他草稿 {drafts} 份，多于填写的另外申报项目数，请核对。", path, src, default=WARN)


@rule
def capital_ratio(call: Call, d: Direction, sub: Submission, ctx: RuleContext) -> Iterator[Finding]:
    capital = amount_at(sub, "unit.registered_capital_wan")
    requested = amount_at(sub, "form.budget.requested_wan")
    if capital is None or requested is None:
        return
    ratio = dec(call.rules.max_request_ratio_of_capital)
    if requested > capital * ratio:  # exact: Decimal on both sides, no rounding before comparing
        yield judge(call, d)("budget.capital_ratio",
                             f"申请资助经费{wan(requested)}超过注册资金{wan(capital)}的{v.format_percent(ratio)}"
                             f"（上限{wan(capital * ratio, v.ROUND_DOWN)}）。", "form.budget.requested_wan",
                             call.rules.sources.get("capital", ""))


@rule
def deadline(call: Call, d: Direction, sub: Submission, ctx: RuleContext) -> Iterator[Finding]:
    if ctx.now > call.deadline:
        when = call.deadline.strftime("%Y年%-m月%-d日%H时%M分")
        yield judge(call, d)("call.deadline_passed", f"本年度申报已于{when}截止，逾期不再受理；仍可继续起草和导出，供参考或下年度使用。",
                             "", call.rules.sources.get("deadline", ""), default=WARN)
    apply = v.parse_date(sub.get("form.cover.apply_date"))
    if apply and apply > call.deadline.date():
        yield judge(call, d)("cover.apply_date_late", "申报日期晚于申报截止日期，请核对。", "form.cover.apply_date",
                             call.rules.sources.get("deadline", ""), default=WARN)


# ---- the direction's own conditions ---------------------------------------------------------

@rule
def cap(call: Call, d: Direction, sub: Submission, ctx: RuleContext) -> Iterator[Finding]:
    requested = amount_at(sub, "form.budget.requested_wan")
    if requested is None:
        return
    limit = d.cap_wan
    if d.cap_wan_demo_city and sub.eligibility.get("demo_city_district") is True:  # a yes, never a truthy text
        limit = d.cap_wan_demo_city
    if requested > dec(limit):
        yield judge(call, d)("budget.cap", f"申请资助经费{wan(requested)}超过本支持方向的资助上限{wan(limit)}（{d.source}）。",
                             "form.budget.requested_wan", d.source)


@rule
def self_funding(call: Call, d: Direction, sub: Submission, ctx: RuleContext) -> Iterator[Finding]:
    if not d.self_funding_ratio:
        return
    requested = amount_at(sub, "form.budget.requested_wan")
    own = amount_at(sub, "form.budget.self_raised_wan")
    if requested is None or own is None:
        return
    need = requested * dec(d.self_funding_ratio)
    if own < need:
        yield judge(call, d)("budget.self_funding", f"{d.matching_text()}：申请资助{wan(requested)}，自筹经费至少应为"
                             f"{wan(need, v.ROUND_UP)}，当前为{wan(own)}（{d.source}）。", "form.budget.self_raised_wan", d.source)


@rule
def budget_sums(call: Call, d: Direction, sub: Submission, ctx: RuleContext) -> Iterator[Finding]:
    j = judge(call, d)
    budget = sub.form.get("budget", {})
    requested, own, total = (v.to_decimal(budget.get(k)) for k in ("requested_wan", "self_raised_wan", "total_wan"))
    if requested is not None and own is not None and total is not None and requested + own != total:
        yield j("budget.total", f"项目总经费应等于申请资助经费与自筹经费之和（{wan(requested + own)}），当前为{wan(total)}。",
                    "form.budget.total_wan")
    rows = budget.get("expenses") or []
    if not isinstance(rows, list) or not rows:
        return
    funded = v.column_total(rows, "funded_wan")
    spent_own = v.column_total(rows, "self_wan")
    if requested is not None and funded != requested:
        yield j("budget.expenses_funded", f"经费支出明细中资助经费合计{wan(funded)}，与申请资助经费{wan(requested)}不一致。",
                    "form.budget.expenses")
    if own is not None and spent_own != own:
        yield j("budget.expenses_self", f"经费支出明细中自筹经费合计{wan(spent_own)}，与单位自筹经费{wan(own)}不一致。",
                    "form.budget.expenses")


@rule
def period(call: Call, d: Direction, sub: Submission, ctx: RuleContext) -> Iterator[Finding]:
    j = judge(call, d)
    start = v.parse_month(sub.get("form.content.period_start"))
    end = v.parse_month(sub.get("form.content.period_end"))
    if not start or not end:
        return
    p_start, p_end = "form.content.period_start", "form.content.period_end"
    if v.months_between(start, end) < 0:
        yield j("period.order", "项目结束年月早于开始年月。", p_end)
        return
    if d.period_start and d.period_end:
        lo, hi = v.parse_month(d.period_start), v.parse_month(d.period_end)
        window = f"项目周期须在{d.period_text()}之内（{d.source}）"
        if not lo <= start <= hi:  # type: ignore[operator]
            yield j("period.outside", f"{window}，开始年月为{v.chinese_month(sub.get(p_start))}。", p_start, d.source)
        if not lo <= end <= hi:  # type: ignore[operator]
            yield j("period.outside", f"{window}，结束年月为{v.chinese_month(sub.get(p_end))}。", p_end, d.source)
        return
    if d.period_months:
        span = v.months_between(start, end) + 1
        if span > d.period_months:
            yield j("period.too_long", f"本支持方向项目周期{d.period_text()}，当前填写{span}个月（{d.source}）。", p_end, d.source)
    else:
        yield info("period.unspecified", "指南未规定本支持方向的项目周期，请按任务合同约定填写。", p_start)
    # plausibility, not rules of the guide: a project of the 2023 call normally starts in 2023
    if start[0] < call.year:
        yield j("period.before_call", f"项目开始年月早于{call.year}年：指南未规定开始时间，但{call.year}年度的项目通常自"
                f"{call.year}年开始，请核对。", p_start, default=WARN)
    elif start[0] > call.year:
        yield j("period.after_call", f"项目开始年月在{call.year}年之后：本申报为{call.year}年度项目，请核对开始年月。",
                p_start, default=WARN)


@rule
def creation_pilot(call: Call, d: Direction, sub: Submission, ctx: RuleContext) -> Iterator[Finding]:
    j = judge(call, d)
    if d.enterprise_only and sub.unit.get("nature") and sub.unit.get("nature") != "企业":
        yield j("unit.enterprise_only", f"“{d.name}”面向企业申报（{d.source}），本单位性质为“{sub.unit.get('nature')}”。",
                "unit.nature", d.source)
    if d.min_grants_2022 is None:
        return
    grants = v.to_int(sub.get("form.ip_base.grants_2022"))
    if grants is not None and grants < d.min_grants_2022:
        yield j("ip_base.grants_2022", f"申报条件要求2022年度专利授权不少于{d.min_grants_2022}件，当前填写{grants}件（{d.source}）。",
                "form.ip_base.grants_2022", d.source)
    yearly = sub.get("form.ip_base.yearly") or []
    if grants is not None and len(yearly) >= 3 and isinstance(yearly[2], dict):
        parts = [v.to_int(yearly[2].get(k)) for k in ("invention_grant", "utility", "design")]
        if all(p is not None for p in parts) and sum(parts) != grants:  # type: ignore[arg-type]
            yield j("ip_base.grants_mismatch", "2022年度专利授权总数与近三年情况表中2022年发明、实用新型、外观设计授权之和不一致。",
                    "form.ip_base.grants_2022", default=WARN)


@rule
def fulltime_staff(call: Call, d: Direction, sub: Submission, ctx: RuleContext) -> Iterator[Finding]:
    if d.min_fulltime_staff is None:
        return
    n = v.to_int(sub.get("form.work_base.fulltime_staff"))
    if n is not None and n < d.min_fulltime_staff:
        yield judge(call, d)("work_base.fulltime_staff", f"申报条件要求至少{d.min_fulltime_staff}名相关经验的专职人员，"
                             f"当前填写{n}人（{d.source}）。", "form.work_base.fulltime_staff", d.source)


@rule
def credit_code_plausible(call: Call, d: Direction, sub: Submission, ctx: RuleContext) -> Iterator[Finding]:
    """Warnings only: the code's region (characters 3–8) and its kind (characters 1–2)."""
    raw = sub.unit.get("credit_code")
    if is_empty(raw) or v.check_credit_code(raw):
        return  # the field check reports a missing or malformed code
    code, j, path = v.normalize_code(raw), judge(call, d), "unit.credit_code"
    if call.region_code_prefix and not code[2:8].startswith(call.region_code_prefix):
        # a unit keeps its code when it moves to the call's region, so never an error
        region = call.region_name or "本地"
        yield j("unit.credit_code.region", f"统一社会信用代码第3—8位（登记机关行政区划码{code[2:8]}）不是{region}的代码"
                f"（{call.region_code_prefix}开头）：申报单位须在本市注册登记，如单位由外地迁入请忽略本提醒。", path,
                call.rules.sources.get("registration", ""), default=WARN)
    nature = sub.unit.get("nature")
    prefixes = call.nature_code_prefixes.get(str(nature), ())
    if prefixes and not code.startswith(prefixes):
        yield j("unit.credit_code.nature", f"统一社会信用代码以“{code[:2]}”开头，与单位性质“{nature}”通常的代码开头"
                f"（{'、'.join(p + ('x' if len(p) == 1 else '') for p in prefixes)}）不符，请核对单位性质或代码。", path,
                default=WARN)


from zscq_desktop.core import rules_plan  # noqa: E402,F401 — registers the plan and attachment rules after these


def check(call: Call, sub: Submission, ctx: RuleContext | None = None) -> list[Finding]:
    """Every finding for a submission, errors first; every finding carries its citation."""
    ctx = ctx or RuleContext()
    if sub.call != call.id:
        return [judge(call)("call.mismatch", f"该申报属于“{sub.call}”，与当前申报年度“{call.id}”不一致。")]
    try:
        d = call.direction(sub.direction)
    except KeyError:
        return [judge(call)("direction.missing", "请先选择支持方向。", "direction")]
    j = judge(call, d)
    found: list[Finding] = list(check_form(call, call.forms[d.form], sub, j))
    for r in RULES:
        found.extend(r(call, d, sub, ctx))
    found.extend(j.complete(f) for f in ctx.extra)
    return sort_findings(found)
