"""Every rule: the sample passes it, and breaking it gives the right code at the right path."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Callable

import pytest

from zscq_desktop.core.findings import Severity
from zscq_desktop.core.rules import RuleContext, check
from zscq_desktop.core.sample import build_sample
from zscq_desktop.core.submission import Attachment, Submission

BEFORE_DEADLINE = RuleContext(now=datetime(2023, 5, 1, tzinfo=timezone.utc))


def _codes(call, sub: Submission, ctx: RuleContext = BEFORE_DEADLINE) -> dict[tuple[str, str], Severity]:
    return {(f.code, f.path): f.severity for f in check(call, sub, ctx)}


def _with_attachment(sub: Submission) -> Submission:
    sub.attachments.append(Attachment("qualification", "营业执照", "a.pdf", "0" * 64, 10, 1))
    return sub


@pytest.mark.parametrize("direction", [
    "creation-pilot", "patent-navigation", "innovation-culture", "gi-demo-zone", "gi-protection",
    "patent-admin-protection", "data-ip-protection", "overseas-dispute-guidance", "overseas-rights-aid",
    "market-protection", "regional-rights-aid", "protection-assessment", "public-service"])
def test_every_sample_passes(call, direction: str) -> None:
    sub = _with_attachment(build_sample(call, direction))
    findings = check(call, sub, BEFORE_DEADLINE)
    assert [f for f in findings if f.severity is not Severity.INFO] == []


def _error(call, direction: str, change: Callable[[Submission], None], code: str, path: str,
           severity: Severity = Severity.ERROR, ctx: RuleContext = BEFORE_DEADLINE) -> None:
    sub = _with_attachment(build_sample(call, direction))
    assert (code, path) not in _codes(call, sub, ctx)
    change(sub)
    got = _codes(call, sub, ctx)
    assert got.get((code, path)) is severity, sorted(got)


def test_eligibility_answer_fails(call) -> None:
    _error(call, "creation-pilot", lambda s: s.eligibility.update(independent_account=False),
           "eligibility.independent_account", "eligibility.independent_account")
    _error(call, "creation-pilot", lambda s: s.eligibility.update(not_dishonest=False),
           "eligibility.not_dishonest", "eligibility.not_dishonest")
    _error(call, "creation-pilot", lambda s: s.eligibility.update(no_bad_project=False),
           "eligibility.no_bad_project", "eligibility.no_bad_project")
    _error(call, "creation-pilot", lambda s: s.eligibility.update(registered_in_tianjin=False),
           "eligibility.registered_in_tianjin", "eligibility.registered_in_tianjin")


def test_unanswered_question(call) -> None:
    _error(call, "public-service", lambda s: s.eligibility.pop("recent_cases"), "eligibility.unanswered",
           "eligibility.recent_cases")


def test_direction_question_quotes_the_guide(call) -> None:
    sub = _with_attachment(build_sample(call, "patent-navigation"))
    sub.eligibility["analysis_qualification"] = False
    f = next(f for f in check(call, sub, BEFORE_DEADLINE) if f.path == "eligibility.analysis_qualification")
    assert "指南第二部分一、（二）" in f.message


@pytest.mark.parametrize(("registered", "expected"), [
    ("2021-11-30", None),
    ("2021-12-01", None),
    ("2021-12-15", Severity.WARNING),
    ("2022-01-01", Severity.ERROR),
])
def test_eighteen_months_as_of_june_2023(call, registered: str, expected: Severity | None) -> None:
    sub = _with_attachment(build_sample(call, "creation-pilot"))
    sub.unit["registered_on"] = registered
    got = {code: sev for (code, path), sev in _codes(call, sub).items() if path == "unit.registered_on"}
    if expected is None:
        assert got == {}
    elif expected is Severity.WARNING:
        assert got == {"unit.registration_age.ambiguous": Severity.WARNING}
    else:
        assert got == {"unit.registration_age": Severity.ERROR}


def test_projects_per_unit(call) -> None:
    _error(call, "creation-pilot", lambda s: s.eligibility.update(other_projects=2), "unit.projects_limit",
           "eligibility.other_projects")
    sub = _with_attachment(build_sample(call, "creation-pilot"))
    sub.eligibility["other_projects"] = 1
    assert ("unit.projects_limit", "eligibility.other_projects") not in _codes(call, sub)
    ctx = RuleContext(now=BEFORE_DEADLINE.now, local_drafts=(("a.zscq", "数据知识产权保护"), ("b.zscq", "知识产权公共服务")))
    # only drafts on this PC exceed the limit (they may be abandoned): a warning, never a block
    assert _codes(call, sub, ctx)[("unit.projects_limit", "eligibility.other_projects")] is Severity.WARNING
    assert not [f for f in check(call, sub, ctx) if f.blocking]
    sub.eligibility["other_projects"] = 0
    one = RuleContext(now=BEFORE_DEADLINE.now, local_drafts=(("a.zscq", "数据知识产权保护"),))
    assert _codes(call, sub, one)[("unit.projects_local_drafts", "eligibility.other_projects")] is Severity.WARNING


def test_capital_ratio(call) -> None:
    _error(call, "creation-pilot", lambda s: s.unit.update(registered_capital_wan=19.98), "budget.capital_ratio",
           "form.budget.requested_wan")
    sub = _with_attachment(build_sample(call, "creation-pilot"))
    sub.unit["registered_capital_wan"] = 20  # exactly 50 %: allowed
    assert ("budget.capital_ratio", "form.budget.requested_wan") not in _codes(call, sub)


def _request(amount: float) -> Callable[[Submission], None]:
    def change(s: Submission) -> None:
        b = s.form["budget"]
        b["requested_wan"] = amount
        b["total_wan"] = amount + b["self_raised_wan"]
        b["expenses"][0]["funded_wan"] = amount - b["expenses"][1]["funded_wan"]
    return change


def test_cap(call) -> None:
    _error(call, "creation-pilot", _request(10.01), "budget.cap", "form.budget.requested_wan")
    _error(call, "overseas-dispute-guidance", _request(40.5), "budget.cap", "form.budget.requested_wan")


def test_patent_admin_protection_twenty_wan_case(call) -> None:
    sub = _with_attachment(build_sample(call, "patent-admin-protection"))
    _request(20)(sub)
    assert ("budget.cap", "form.budget.requested_wan") in _codes(call, sub)
    sub.eligibility["demo_city_district"] = True
    assert ("budget.cap", "form.budget.requested_wan") not in _codes(call, sub)
    _request(20.5)(sub)
    assert ("budget.cap", "form.budget.requested_wan") in _codes(call, sub)


def test_self_funding_ratio(call) -> None:
    def lower(s: Submission) -> None:
        b = s.form["budget"]
        b["self_raised_wan"] = 9.99
        b["total_wan"] = b["requested_wan"] + 9.99
        b["expenses"][1]["self_wan"] = 9.99 - b["expenses"][0]["self_wan"]
    _error(call, "creation-pilot", lower, "budget.self_funding", "form.budget.self_raised_wan")
    _error(call, "data-ip-protection", lower, "budget.self_funding", "form.budget.self_raised_wan")


def test_budget_sums(call) -> None:
    _error(call, "public-service", lambda s: s.form["budget"].update(total_wan=99), "budget.total", "form.budget.total_wan")
    _error(call, "public-service", lambda s: s.form["budget"]["expenses"][0].update(funded_wan=1),
           "budget.expenses_funded", "form.budget.expenses")
    _error(call, "public-service", lambda s: s.form["budget"]["expenses"][0].update(self_wan=0.3),
           "budget.expenses_self", "form.budget.expenses")


def test_period(call) -> None:
    _error(call, "creation-pilot", lambda s: s.form["content"].update(period_end="2023-10"), "period.outside",
           "form.content.period_end")
    _error(call, "creation-pilot", lambda s: s.form["content"].update(period_start="2022-12"), "period.outside",
           "form.content.period_start")
    _error(call, "public-service", lambda s: s.form["content"].update(period_end="2024-12"), "period.too_long",
           "form.content.period_end")
    _error(call, "public-service", lambda s: s.form["content"].update(period_end="2023-01"), "period.order",
           "form.content.period_end")


def test_schedule_within_period(call) -> None:
    _error(call, "creation-pilot", lambda s: s.plan["schedule"][0].update(start="2022-12"), "schedule.outside",
           "plan.schedule[0].start", Severity.WARNING)  # the cell the finding is about, so that cell is marked
    _error(call, "creation-pilot", lambda s: s.plan["schedule"][0].update(content=""), "schedule.content",
           "plan.schedule[0].content")
    _error(call, "creation-pilot", lambda s: s.plan["schedule"][0].update(end="2023年13月"), "schedule.format",
           "plan.schedule[0].end")


def test_creation_pilot_grants_and_enterprise_only(call) -> None:
    _error(call, "creation-pilot", lambda s: s.form["ip_base"].update(grants_2022=4), "ip_base.grants_2022",
           "form.ip_base.grants_2022")
    _error(call, "creation-pilot", lambda s: s.unit.update(nature="事业单位"), "unit.enterprise_only", "unit.nature")
    sub = _with_attachment(build_sample(call, "innovation-culture"))
    sub.unit["nature"] = "事业单位"  # other directions accept any unit nature
    assert not [k for k in _codes(call, sub) if k[0] == "unit.enterprise_only"]


def test_grants_table_consistency_is_a_warning(call) -> None:
    _error(call, "creation-pilot", lambda s: s.form["ip_base"]["yearly"][2].update(utility=1),
           "ip_base.grants_mismatch", "form.ip_base.grants_2022", Severity.WARNING)


def test_fulltime_staff(call) -> None:
    _error(call, "regional-rights-aid", lambda s: s.form["work_base"].update(fulltime_staff=4),
           "work_base.fulltime_staff", "form.work_base.fulltime_staff")


def _set_target(key: str, value: object) -> Callable[[Submission], None]:
    def change(s: Submission) -> None:
        next(r for r in s.plan["indicators"] if r["key"] == key)["target"] = value
    return change


def test_indicator_minimums_and_maximums(call) -> None:
    _error(call, "creation-pilot", _set_target("granted_patents", 9), "indicator.below_min", "plan.indicators[1].target")
    _error(call, "patent-navigation", _set_target("summary_chars", 12000), "indicator.above_max",
           "plan.indicators[3].target")
    _error(call, "market-protection", _set_target("city_meetings", 4), "indicator.above_max", "plan.indicators[2].target",
           Severity.WARNING)
    _error(call, "market-protection", _set_target("city_meetings", 1), "indicator.below_min", "plan.indicators[2].target")
    _error(call, "innovation-culture", _set_target("entries", ""), "indicator.target", "plan.indicators[5].target")
    _error(call, "innovation-culture", lambda s: s.plan["indicators"].pop(0), "indicator.missing", "plan.indicators")


def test_continuing_district_raises_minimums_by_thirty_percent(call) -> None:
    sub = _with_attachment(build_sample(call, "patent-admin-protection"))
    assert not [k for k in _codes(call, sub) if k[0] == "indicator.below_min"]
    sub.eligibility["continuing_district"] = True
    below = {p for c, p in _codes(call, sub) if c == "indicator.below_min"}
    # minimum 1 → 2 (1.3 rounded up), 5 → 7, 2 → 3, 4 → 6: every row is now below
    assert below == {f"plan.indicators[{i}].target" for i in range(len(sub.plan["indicators"]))}
    for row in sub.plan["indicators"]:
        row["target"] = -(-row["min"] * 13 // 10)
    assert not [k for k in _codes(call, sub) if k[0] == "indicator.below_min"]


def test_required_fields_and_formats(call) -> None:
    _error(call, "creation-pilot", lambda s: s.unit.update(name=""), "field.required", "unit.name")
    _error(call, "creation-pilot", lambda s: s.unit.update(credit_code="91120116MA05XK3P7A"),
           "field.format.credit_code", "unit.credit_code")
    _error(call, "creation-pilot", lambda s: s.form["cover"].update(contact_phone="12345"), "field.format.phone",
           "form.cover.contact_phone", Severity.WARNING)
    _error(call, "creation-pilot", lambda s: s.form["cover"].update(contact_email="ip@"), "field.format.email",
           "form.cover.contact_email", Severity.WARNING)
    _error(call, "creation-pilot", lambda s: s.form["cover"].update(apply_date="2023/5/20"), "field.format.date",
           "form.cover.apply_date")
    _error(call, "creation-pilot", lambda s: s.unit.update(registered_capital_wan="一千"), "field.format.amount",
           "unit.registered_capital_wan")
    _error(call, "creation-pilot", lambda s: s.unit.update(district="北京市"), "field.choice", "unit.district")
    _error(call, "creation-pilot", lambda s: s.form["cover"].update(project_name="名" * 41), "field.too_long",
           "form.cover.project_name", Severity.WARNING)
    _error(call, "creation-pilot", lambda s: s.form["team"].update(members=[]), "field.table.rows", "form.team.members")
    _error(call, "creation-pilot", lambda s: s.form["team"]["members"][0].update(name=""), "field.required",
           "form.team.members[0].name")
    _error(call, "creation-pilot", lambda s: s.unit.update(postcode="3000"), "field.format.postcode", "unit.postcode",
           Severity.WARNING)
    _error(call, "creation-pilot", lambda s: s.unit.update(account="abc"), "field.pattern", "unit.account", Severity.WARNING)
    _error(call, "patent-navigation", lambda s: s.form["ip_base"].update(target_industry="纺织"), "field.choice",
           "form.ip_base.target_industry", Severity.WARNING)
    _error(call, "creation-pilot", lambda s: s.unit.update(staff=-1), "field.min", "unit.staff")


def test_direction_specific_field_only_for_its_direction(call) -> None:
    sub = _with_attachment(build_sample(call, "creation-pilot"))
    assert "target_industry" not in sub.form["ip_base"]
    assert not [k for k in _codes(call, sub) if "target_industry" in k[1]]


def test_plan_sections(call) -> None:
    _error(call, "public-service", lambda s: s.plan["sections"].update(background=""), "plan.section_empty",
           "plan.sections.background")
    _error(call, "public-service", lambda s: s.plan["sections"].update(risks="太短"), "plan.section_short",
           "plan.sections.risks", Severity.WARNING)
    _error(call, "public-service", lambda s: s.plan["tasks"].__setitem__(0, " "), "plan.task_empty", "plan.tasks[0]")


def test_deadline_passed_is_a_warning_only(call) -> None:
    late = RuleContext(now=datetime(2023, 5, 31, 9, 0, 1, tzinfo=timezone.utc))  # 17:00:01 in Tianjin
    on_time = RuleContext(now=datetime(2023, 5, 31, 9, 0, 0, tzinfo=timezone.utc))
    sub = _with_attachment(build_sample(call, "creation-pilot"))
    assert ("call.deadline_passed", "") not in _codes(call, sub, on_time)
    assert _codes(call, sub, late)[("call.deadline_passed", "")] is Severity.WARNING
    assert not [f for f in check(call, sub, late) if f.blocking]


def test_attachments(call) -> None:
    sub = build_sample(call, "creation-pilot")
    assert _codes(call, sub)[("attachment.no_qualification", "attachments")] is Severity.WARNING
    _error(call, "creation-pilot", lambda s: setattr(s.attachments[0], "category", "x"), "attachment.category",
           "attachments[0]")
    _error(call, "creation-pilot", lambda s: setattr(s.attachments[0], "title", ""), "attachment.title", "attachments[0]")


def test_direction_missing_and_other_call(call) -> None:
    sub = build_sample(call, "creation-pilot")
    sub.direction = ""
    assert [f.code for f in check(call, sub)] == ["direction.missing"]
    sub.direction, sub.call = "creation-pilot", "tianjin-2024"
    assert [f.code for f in check(call, sub)] == ["call.mismatch"]


def test_errors_come_first(call) -> None:
    sub = build_sample(call, "creation-pilot")  # one warning: no qualification attachment
    sub.unit["name"] = ""
    findings = check(call, sub, BEFORE_DEADLINE)
    ranks = [f.severity.rank for f in findings]
    assert ranks == sorted(ranks) and findings[0].blocking
