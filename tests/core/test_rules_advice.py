"""Only the guide blocks: what the guide allows must never stop the export (must-not-block cases),
plausibility the guide implies is a warning, and every message names what is wrong exactly."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Callable

import pytest

from zscq_desktop.core.findings import Finding, Severity
from zscq_desktop.core.rules import RuleContext, check
from zscq_desktop.core.sample import build_sample, sample_credit_code
from zscq_desktop.core.submission import Attachment, Submission
from zscq_desktop.core.validators import credit_code_check_char

NOW = RuleContext(now=datetime(2023, 5, 1, tzinfo=timezone.utc))


def _sample(call, direction: str) -> Submission:
    sub = build_sample(call, direction)
    sub.attachments.append(Attachment("qualification", "营业执照", "a.pdf", "0" * 64, 10, 1))
    return sub


def _after(call, direction: str, change: Callable[[Submission], None], ctx: RuleContext = NOW) -> list[Finding]:
    sub = _sample(call, direction)
    change(sub)
    return check(call, sub, ctx)


def _target(key: str, value: object) -> Callable[[Submission], None]:
    def change(s: Submission) -> None:
        next(r for r in s.plan["indicators"] if r["key"] == key)["target"] = value
    return change


def _code(region: str, first: str = "91") -> str:
    body = f"{first}{region}MA05XK3P7"[:17]
    return body + credit_code_check_char(body)


MUST_NOT_BLOCK = {
    "a 生物医药 navigation project": ("patent-navigation", lambda s: s.form["ip_base"].update(target_industry="生物医药"),
                                  "field.choice"),
    "a 120-character project name": ("creation-pilot", lambda s: s.form["cover"].update(project_name="名" * 120),
                                     "field.too_long"),
    "a 6 000-character 项目目标": ("public-service", lambda s: s.form["content"].update(goals="字" * 6000), "field.too_long"),
    "a 12 000-character plan section": ("public-service", lambda s: s.plan["sections"].update(goals="字" * 12000),
                                        "plan.section_long"),
    "a 25 000-character task text": ("public-service", lambda s: s.plan["tasks"].__setitem__(0, "字" * 25000),
                                     "plan.section_long"),
    "201 team members": ("public-service", lambda s: s.form["team"].update(
        members=[{"name": f"成员{i}", "title": "工程师", "role": "实施"} for i in range(201)]), "field.table.rows"),
    "+86 22 2351 9145": ("creation-pilot", lambda s: s.form["cover"].update(contact_phone="+86 22 2351 9145"), None),
    "400-810-8888": ("creation-pilot", lambda s: s.form["cover"].update(contact_phone="400-810-8888"), None),
    "022-23519145转709": ("creation-pilot", lambda s: s.form["cover"].update(contact_phone="022-23519145转709"), None),
    "two phone numbers": ("creation-pilot", lambda s: s.form["cover"].update(contact_phone="022-23519145、13812345678"), None),
    "a phone the app cannot read": ("creation-pilot", lambda s: s.form["cover"].update(contact_phone="见附件"),
                                    "field.format.phone"),
    "a bank account with letters": ("creation-pilot", lambda s: s.unit.update(account="工行 0302-1234"), "field.pattern"),
    "a one-year project from 2022-12": ("public-service", lambda s: s.form["content"].update(
        period_start="2022-12", period_end="2023-11"), "period.before_call"),
    "4 市级保护工作会议和培训 (2-3次)": ("market-protection", _target("city_meetings", 4), "indicator.above_max"),
    "a credit code issued outside Tianjin": ("creation-pilot", lambda s: s.unit.update(credit_code=_code("110108")),
                                             "unit.credit_code.region"),
    "a project period entirely in 2025": ("public-service", lambda s: s.form["content"].update(
        period_start="2025-01", period_end="2025-12"), "period.after_call"),
    "an e-mail typo": ("creation-pilot", lambda s: s.form["cover"].update(contact_email="ip@163"), "field.format.email"),
}


@pytest.mark.parametrize("case", list(MUST_NOT_BLOCK))
def test_must_not_block(call, case: str) -> None:
    direction, change, warned = MUST_NOT_BLOCK[case]
    found = _after(call, direction, change)
    assert [f for f in found if f.blocking] == []
    if warned:
        assert [f for f in found if f.code == warned and f.severity is Severity.WARNING], found


def test_two_abandoned_drafts_do_not_block_a_new_project(call) -> None:
    drafts = RuleContext(now=NOW.now, local_drafts=(("a.zscq", "知识产权公共服务"), ("b.zscq", "数据知识产权保护")))
    found = _after(call, "creation-pilot", lambda s: None, drafts)
    assert not [f for f in found if f.blocking]
    warn = next(f for f in found if f.code == "unit.projects_limit")
    assert "a.zscq" in warn.message and "b.zscq" in warn.message and warn.source


def test_the_guide_still_blocks(call) -> None:
    """Warnings did not weaken the guide's own rules."""
    cases = [
        ("market-protection", _target("city_meetings", 1), "indicator.below_min"),
        ("creation-pilot", _target("abnormal_applications", 1), "indicator.above_max"),  # "无非正常专利申请"
        ("patent-navigation", _target("summary_chars", 12000), "indicator.above_max"),  # "1万字以内"
        ("creation-pilot", lambda s: s.eligibility.update(other_projects=2), "unit.projects_limit"),
        ("creation-pilot", lambda s: s.form["content"].update(period_end="2023-10"), "period.outside"),
        ("creation-pilot", lambda s: s.unit.update(district="北京市"), "field.choice"),
        ("creation-pilot", lambda s: s.form["ip_base"].update(grants_2022=4), "ip_base.grants_2022"),
    ]
    for direction, change, code in cases:
        found = _after(call, direction, change)
        assert [f for f in found if f.code == code and f.blocking], (code, found)


def test_credit_code_region_comes_from_the_call_data(call) -> None:
    import dataclasses

    beijing = dataclasses.replace(call, region_code_prefix="11", region_name="北京市")
    sub = _sample(call, "creation-pilot")
    assert [f.code for f in check(beijing, sub, NOW) if f.code == "unit.credit_code.region"] == ["unit.credit_code.region"]
    sub.unit["credit_code"] = _code("110108")
    assert not [f for f in check(beijing, sub, NOW) if f.code == "unit.credit_code.region"]
    f = next(f for f in check(call, sub, NOW) if f.code == "unit.credit_code.region")
    assert "110108" in f.message and "天津市" in f.message and f.severity is Severity.WARNING


@pytest.mark.parametrize(("nature", "first", "warned"), [
    ("企业", "91", False), ("企业", "92", False), ("事业单位", "12", False), ("社会组织", "52", False),
    ("事业单位", "91", True), ("社会组织", "12", True), ("企业", "52", True),
])
def test_credit_code_kind_against_unit_nature(call, nature: str, first: str, warned: bool) -> None:
    def change(s: Submission) -> None:
        s.unit.update(nature=nature, credit_code=_code("120116", first))
    found = _after(call, "public-service", change)
    got = [f for f in found if f.code == "unit.credit_code.nature"]
    assert bool(got) is warned and not [f for f in got if f.blocking]


def test_full_width_credit_code_is_checked_not_crashed(call) -> None:
    found = _after(call, "creation-pilot", lambda s: s.unit.update(credit_code="91120０16MA06W3KQ53"))
    assert [f.code for f in found if f.path == "unit.credit_code"] == ["field.format.credit_code"]
    wide = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in sample_credit_code())
    assert not [f for f in _after(call, "creation-pilot", lambda s: s.unit.update(credit_code=wide)) if f.blocking]


def test_period_findings_point_at_the_month_that_is_wrong(call) -> None:
    found = _after(call, "creation-pilot", lambda s: s.form["content"].update(period_end="2023-12"))
    f = next(f for f in found if f.code == "period.outside")
    assert f.path == "form.content.period_end" and "2023年12月" in f.message
    found = _after(call, "public-service", lambda s: s.form["content"].update(period_end="2024-12"))
    assert next(f for f in found if f.code == "period.too_long").path == "form.content.period_end"


def test_failed_direction_condition_is_named(call) -> None:
    found = _after(call, "public-service", lambda s: s.eligibility.update(recent_cases=False))
    f = next(f for f in found if f.code == "eligibility.recent_cases")
    assert "在过去两年内有为创新主体提供专利信息服务的典型成功案例" in f.message and "指南第二部分三" in f.message


def test_money_is_compared_exactly_and_printed_with_its_decimals(call) -> None:
    def capital(value: float) -> Callable[[Submission], None]:
        return lambda s: s.unit.update(registered_capital_wan=value)
    assert not [f for f in _after(call, "creation-pilot", capital(20)) if f.code == "budget.capital_ratio"]
    f = next(f for f in _after(call, "creation-pilot", capital(19.999)) if f.code == "budget.capital_ratio")
    assert "10.00万元" in f.message and "上限9.9995万元" in f.message and "50%" in f.message and "50.0%" not in f.message
    f = next(f for f in _after(call, "creation-pilot", capital(19.99999)) if f.code == "budget.capital_ratio")
    assert "上限9.9999万元" in f.message  # a maximum is never printed rounded up to the request


def test_thirty_percent_rounding_is_explained(call) -> None:
    found = _after(call, "patent-admin-protection", lambda s: s.eligibility.update(continuing_district=True))
    msgs = {f.path: f.message for f in found if f.code == "indicator.below_min"}
    one = next(m for m in msgs.values() if "专利行政保护人员业务培训" in m)
    assert "1期 × 1.3 = 1.3期，取整后至少2期" in one
    five = next(m for m in msgs.values() if "专利纠纷调解案件" in m)
    assert "5件 × 1.3 = 6.5件，取整后至少7件" in five


def test_range_above_max_cites_the_task_sentence(call) -> None:
    f = next(f for f in _after(call, "market-protection", _target("city_meetings", 4)) if f.code == "indicator.above_max")
    assert f.source == "指南第二部分二、（五）3.（4）" and "2—3次" in f.message
    low = next(f for f in _after(call, "market-protection", _target("city_meetings", 1)) if f.code == "indicator.below_min")
    assert low.source == f.source and low.blocking


def test_non_number_target_says_so(call) -> None:
    found = _after(call, "creation-pilot", _target("granted_patents", "十件"))
    f = next(f for f in found if f.code == "indicator.target")
    assert "不是数字" in f.message and "十件" in f.message


def test_open_choice_warning_says_the_five_are_priority(call) -> None:
    f = next(f for f in _after(call, "patent-navigation", lambda s: s.form["ip_base"].update(target_industry="生物医药"))
             if f.code == "field.choice")
    assert "重点支持" in f.message and "生物医药" in f.message and "集成电路" in f.message


def test_too_long_says_what_happens_on_paper(call) -> None:
    f = next(f for f in _after(call, "creation-pilot", lambda s: s.form["cover"].update(project_name="名" * 60))
             if f.code == "field.too_long")
    assert "封面" in f.message and "完整" in f.message
