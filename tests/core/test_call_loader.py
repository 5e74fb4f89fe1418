"""The call data folder: facts match the guide, and broken files are reported precisely."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from zscq_desktop.call.loader import CallDataError, load_call_folder
from zscq_desktop.resources import forms_dir

EXPECTED = {
    # id: (name, category, form, district review, cap, max funded, self ratio, contact, phone)
    "creation-pilot": ("高质量知识产权创造试点", "高质量知识产权创造项目", "附件2", True, 10, 50, 1.0, "张伟", "23039856"),
    "patent-navigation": ("重点产业链专利导航", "高质量知识产权创造项目", "附件2", False, 19, 5, None, "张伟", "23039856"),
    "innovation-culture": ("知识产权创新文化", "高质量知识产权创造项目", "附件3", True, 20, 1, None, "张军", "23039857"),
    "gi-demo-zone": ("国家地理标志产品保护示范区培育", "高质量知识产权创造项目", "附件3", True, 20, 1, None, "马博", "84493629"),
    "gi-protection": ("地理标志产品保护", "高质量知识产权创造项目", "附件3", True, 20, 1, None, "马博", "84493629"),
    "patent-admin-protection": ("重点区域专利行政保护试点", "知识产权保护项目", "附件3", True, 10, 6, None, "张剑光", "23039863"),
    "data-ip-protection": ("数据知识产权保护", "知识产权保护项目", "附件3", False, 20, 2, 1.0, "曲达", "23039863"),
    "overseas-dispute-guidance": ("企业海外纠纷应对指导", "知识产权保护项目", "附件3", True, 40, 1, None, "陈渝", "23039862"),
    "overseas-rights-aid": ("海外知识产权公益性维权援助", "知识产权保护项目", "附件3", False, 20, 1, None, "陈渝", "23039862"),
    "market-protection": ("重点市场知识产权保护服务", "知识产权保护项目", "附件3", False, 20, 1, None, "曲达", "23039863"),
    "regional-rights-aid": ("区域知识产权维权援助", "知识产权保护项目", "附件3", False, 20, 1, None, "单治威", "23039863"),
    "protection-assessment": ("区域知识产权保护考核和评估", "知识产权保护项目", "附件3", False, 30, 1, None, "曲达", "23039863"),
    "public-service": ("知识产权公共服务", "知识产权公共服务项目", "附件3", False, 10, 10, None, "孙志艳", "23039865"),
}


def test_thirteen_directions_match_the_guide(call) -> None:
    assert [d.id for d in call.directions] == list(EXPECTED)
    for d in call.directions:
        name, cat, form, review, cap, funded, ratio, person, phone = EXPECTED[d.id]
        assert (d.name, d.category_name, d.form_label, d.district_review) == (name, cat, form, review), d.id
        assert (d.cap_wan, d.max_funded, d.self_funding_ratio) == (cap, funded, ratio), d.id
        assert (d.contact.name, d.contact.phone) == (person, phone), d.id
    assert sum(d.district_review for d in call.directions) == 6


def test_call_facts(call) -> None:
    assert call.submit_email == "zscqsl@163.com"
    assert call.deadline.isoformat() == "2023-05-31T17:00:00+08:00"
    assert call.rules.min_registration_months == 18
    assert call.rules.max_projects_per_unit == 2
    assert call.rules.max_request_ratio_of_capital == 0.5
    assert call.submission["address"] == "天津市河西区吴家窑大街22号"
    assert call.submission["copies"] == 3
    assert [c.name for c in call.attachment_categories] == [
        "申报单位资质", "承担任务人员", "机构", "资金投入", "相关工作案例", "其它支撑材料"]
    assert len(call.districts) == 16


def _indicators(call, direction_id: str) -> dict[str, tuple]:
    return {i.key: (i.min, i.max) for _t, i in call.direction(direction_id).indicators}


def test_numeric_minimums_from_the_guide(call) -> None:
    cp = call.direction("creation-pilot")
    assert (cp.contracts, cp.min_grants_2022, cp.period_start, cp.period_end) == (60, 5, "2023-01", "2023-09")
    assert _indicators(call, "creation-pilot")["granted_patents"] == (10, None)
    assert _indicators(call, "creation-pilot")["trainings"] == (2, None)
    nav = _indicators(call, "patent-navigation")
    assert nav["report_chars"] == (100000, None) and nav["summary_chars"] == (None, 10000)
    culture = _indicators(call, "innovation-culture")
    assert {k: culture[k][0] for k in ("promoted_projects", "preliminaries", "promotion_events", "schools",
                                        "entries", "teacher_trainings")} == {
        "promoted_projects": 60, "preliminaries": 3, "promotion_events": 3, "schools": 8, "entries": 200,
        "teacher_trainings": 1}
    pap = call.direction("patent-admin-protection")
    assert pap.continuing_uplift == 0.3 and pap.cap_wan_demo_city == 20
    assert _indicators(call, "patent-admin-protection")["mediation_cases"] == (5, None)
    assert _indicators(call, "data-ip-protection")["trainees"] == (500, None)
    assert _indicators(call, "overseas-dispute-guidance")["guide_copies"] == (1000, None)
    assert _indicators(call, "overseas-dispute-guidance")["case_reports"] == (12, None)
    assert _indicators(call, "market-protection")["city_meetings"] == (2, 3)
    assert _indicators(call, "protection-assessment")["questionnaires"] == (1000, None)
    assert _indicators(call, "public-service")["trainings"] == (5, None)
    assert call.direction("regional-rights-aid").min_fulltime_staff == 5
    assert call.direction("patent-navigation").industries == ("集成电路", "航空航天", "汽车及新能源汽车", "绿色石化", "轻工")


def test_uplift_rounds_up(call) -> None:
    ind = dict((i.key, i) for _t, i in call.direction("patent-admin-protection").indicators)
    assert ind["mediation_cases"].scaled_min(1.3) == 7  # 5 × 1.3 = 6.5 → 7
    assert ind["enterprise_cases"].scaled_min(1.3) == 6  # 4 × 1.3 = 5.2 → 6


def test_form_definitions(call) -> None:
    a2, a3 = call.forms["a2"], call.forms["a3"]
    assert a2.label == "附件2" and a3.label == "附件3"
    assert "ip_base" in [s.key for s in a2.sections] and "work_base" in [s.key for s in a3.sections]
    unit = a2.section("unit")
    assert unit.fields[1].type == "credit_code"
    assert call.form_for("patent-navigation").id == "a2" and call.form_for("public-service").id == "a3"


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    folder = tmp_path / "call"
    shutil.copytree(forms_dir("tianjin-2023"), folder)
    return folder


def _edit(folder: Path, name: str, old: str, new: str) -> None:
    p = folder / name
    text = p.read_text(encoding="utf-8")
    assert old in text
    p.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_copy_loads(broken: Path) -> None:
    assert len(load_call_folder(broken).directions) == 13


@pytest.mark.parametrize(
    ("file", "old", "new", "key", "reason"),
    [
        ("call.toml", 'cap_wan = 10\n', 'cap_wan = "十"\n', "directions[0].cap_wan", "应为"),
        ("call.toml", 'form = "a2"', 'form = "a9"', "directions[0].form", "form-a9.toml"),
        ("call.toml", 'period_end = "2023-09"', 'period_end = "2023-13"', "directions[0].period_end", "YYYY-MM"),
        ("call.toml", 'category = "creation"', 'category = "nope"', "directions[0].category", "未知类别"),
        ("call.toml", '{ key = "granted_patents", name = "项目期内授权专利", unit = "件", min = 10 }',
         '{ key = "granted_patents", name = "项目期内授权专利", unit = "件" }', "indicators[0].min", "min 或 max"),
        ("call.toml", 'deadline = "2023-05-31T17:00:00+08:00"', 'deadline = "2023-05-31T17:00:00"', "call.deadline", "时区"),
        ("unit.toml", 'type = "credit_code"', 'type = "barcode"', "fields[1].type", "应为"),
        ("form-a2.toml", '"ip_base", ', '"ip_basis", ', "form.order", "未定义"),
        ("form-a3.toml", '"public-service",\n', '"public-servic",\n', "form.for_directions", "未知支持方向"),
    ],
)
def test_broken_file_is_reported_with_file_key_and_reason(broken: Path, file: str, old: str, new: str, key: str,
                                                          reason: str) -> None:
    _edit(broken, file, old, new)
    with pytest.raises(CallDataError) as info:
        load_call_folder(broken)
    assert info.value.file == file
    assert key in info.value.key
    assert reason in info.value.reason


def test_toml_syntax_error(broken: Path) -> None:
    (broken / "plan.toml").write_text("[plan\ntitle = 1", encoding="utf-8")
    with pytest.raises(CallDataError) as info:
        load_call_folder(broken)
    assert info.value.file == "plan.toml" and "TOML" in info.value.reason


def test_missing_file(broken: Path) -> None:
    (broken / "form-a3.toml").unlink()
    with pytest.raises(CallDataError, match="form-a3.toml"):
        load_call_folder(broken)
