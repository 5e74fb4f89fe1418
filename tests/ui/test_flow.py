"""The wizard's flow without Qt: page order, entering/leaving, path → page, direction pre-fill."""

from __future__ import annotations

from zscq_desktop.core import flow
from zscq_desktop.core.findings import error
from zscq_desktop.core.sample import build_sample
from zscq_desktop.core.submission import Submission


def test_pages_before_and_after_direction(call):
    sub = Submission(call=call.id)
    assert flow.page_ids(call, sub) == ["start", "direction", "eligibility", "review", "export"]
    flow.apply_direction(call, sub, "creation-pilot")
    ids = flow.page_ids(call, sub)
    assert ids[:4] == ["start", "direction", "eligibility", "form:cover"]
    assert "unit" in ids and "form:ip_base" in ids and "form:work_base" not in ids
    assert "form:opinions" not in ids  # blank boxes only: nothing to fill
    assert ids[-4:] == ["plan", "attachments", "review", "export"]
    flow.apply_direction(call, sub, "innovation-culture")
    ids = flow.page_ids(call, sub)
    assert "form:work_base" in ids and "form:ip_base" not in ids


def test_leaving_needs_session_and_direction(call):
    assert flow.can_leave("start", None, call) is not None
    sub = Submission(call=call.id)
    assert flow.can_leave("start", sub, call) is None
    assert "支持方向" in flow.can_leave("direction", sub, call)
    assert flow.can_leave("direction", sub, call, forward=False) is None
    assert flow.can_enter("plan", sub, call) == "请先选择支持方向。"
    flow.apply_direction(call, sub, "patent-navigation")
    assert flow.can_leave("direction", sub, call) is None
    assert flow.can_enter("plan", sub, call) is None
    assert flow.next_page(call, sub, "direction") == "eligibility"
    assert flow.previous_page(call, sub, "eligibility") == "direction"
    assert flow.next_page(call, sub, "export") is None


def test_owner_page(call):
    sub = build_sample(call, "creation-pilot")
    cases = {
        "unit.credit_code": "unit", "form.budget.expenses[1].funded_wan": "form:budget",
        "form.ip_base.grants_2022": "form:ip_base", "plan.indicators[2].target": "plan",
        "plan.sections.background": "plan", "attachments[0]": "attachments", "attachments": "attachments",
        "eligibility.truthful": "eligibility", "direction": "direction", "": "review",
        "form.work_base.cases": "review",  # not a page of 附件2
    }
    for path, page in cases.items():
        assert flow.owner_page(call, sub, path) == page, path


def test_findings_for_prefix():
    fs = [error("a", "x", "form.team.members"), error("b", "x", "form.team.members[0].name"),
          error("c", "x", "form.team.membersX"), error("d", "x", "unit.name")]
    assert [f.code for f in flow.findings_for(fs, "form.team.members")] == ["a", "b"]


def test_apply_direction_prefills_and_keeps_typed_targets(call):
    sub = Submission(call=call.id)
    flow.apply_direction(call, sub, "creation-pilot")
    d = call.direction("creation-pilot")
    rows = sub.plan["indicators"]
    assert [r["key"] for r in rows] == [ind.key for _, ind in d.indicators]
    assert all(r["target"] == (r["min"] if r["min"] is not None else r["max"]) for r in rows)
    assert len(sub.plan["tasks"]) == len(d.tasks)
    assert (sub.form["content"]["period_start"], sub.form["content"]["period_end"]) == (d.period_start, d.period_end)
    rows[0]["target"] = 99
    rows.append({"name": "自定义", "unit": "项", "target": 3})
    flow.apply_direction(call, sub, "creation-pilot")
    assert sub.plan["indicators"][0]["target"] == 99
    assert sub.plan["indicators"][-1]["name"] == "自定义"
    flow.apply_direction(call, sub, "overseas-rights-aid")
    keys = {r.get("key") for r in sub.plan["indicators"]}
    assert {ind.key for _, ind in call.direction("overseas-rights-aid").indicators} <= keys
    assert not keys & {ind.key for _, ind in d.indicators} - {ind.key for _, ind in call.direction("overseas-rights-aid").indicators}
