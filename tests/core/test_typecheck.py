"""Strict types at the boundary: the loader, given the call, refuses a yes/no given as text, a count
that is not a whole number and a target that is not a number, naming the field path; a negative
count has the right type and becomes an error finding at its path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from zscq_desktop.cli import main
from zscq_desktop.core.rules import RuleContext, check
from zscq_desktop.core.sample import build_sample, write_sample
from zscq_desktop.core.typecheck import SubmissionTypeError, check_types, type_problems
from zscq_desktop.docio import InputError, load_json

BAD = [
    ("eligibility", "independent_account", "否", "eligibility.independent_account"),
    ("eligibility", "registered_in_tianjin", "false", "eligibility.registered_in_tianjin"),
    ("eligibility", "no_bad_project", 0, "eligibility.no_bad_project"),
    ("eligibility", "other_projects", "1", "eligibility.other_projects"),
    ("eligibility", "other_projects", 1.5, "eligibility.other_projects"),
    ("eligibility", "other_projects", True, "eligibility.other_projects"),
]


@pytest.mark.parametrize(("part", "key", "value", "path"), BAD)
def test_wrong_types_are_refused_with_the_path(call, part: str, key: str, value: object, path: str) -> None:
    sub = build_sample(call, "creation-pilot")
    getattr(sub, part)[key] = value
    with pytest.raises(SubmissionTypeError) as info:
        check_types(sub, call)
    assert info.value.path == path and path in str(info.value)


def test_direction_question_counts_and_targets(call) -> None:
    sub = build_sample(call, "public-service")
    sub.eligibility["recent_cases"] = "是"
    sub.unit["staff"] = "120人"
    sub.plan["indicators"][0]["target"] = "五期"
    sub.form["work_base"]["cases"] = [{"year": 2022.5, "name": "x"}]
    got = dict(type_problems(call, sub))
    assert set(got) == {"eligibility.recent_cases", "unit.staff", "plan.indicators[0].target",
                        "form.work_base.cases[0].year"}
    assert "文字“五期”" in got["plan.indicators[0].target"]


def test_right_types_pass(call) -> None:
    sub = build_sample(call, "creation-pilot")
    sub.eligibility["other_projects"] = 1.0  # a whole number written as 1.0
    sub.unit["staff"] = None  # empty: the rules ask for it
    sub.plan["indicators"][0]["target"] = ""
    assert list(type_problems(call, sub)) == []
    check_types(sub, call)


def test_negative_count_is_an_error_finding_at_its_path(call) -> None:
    sub = build_sample(call, "creation-pilot")
    sub.eligibility["other_projects"] = -1
    check_types(sub, call)  # the right type
    found = {(f.code, f.path): f for f in check(call, sub, RuleContext())}
    f = found[("field.min", "eligibility.other_projects")]
    assert f.blocking and f.source


def test_string_answer_never_counts_as_yes(call) -> None:
    """Even past the loader (e.g. an old .zscq in the app), a text answer is not a yes."""
    sub = build_sample(call, "creation-pilot")
    sub.eligibility["independent_account"] = "否"
    found = {(f.code, f.path) for f in check(call, sub, RuleContext()) if f.blocking}
    assert ("eligibility.unanswered", "eligibility.independent_account") in found


def _sample_with(call, tmp_path: Path, change) -> Path:
    out = tmp_path / "s.json"
    write_sample(call, "creation-pilot", out)
    data = json.loads(out.read_text(encoding="utf-8"))
    change(data)
    out.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return out


def test_loader_refuses_the_file(call, tmp_path: Path) -> None:
    path = _sample_with(call, tmp_path, lambda d: d["eligibility"].update(independent_account="否"))
    with pytest.raises(InputError) as info:
        load_json(path, call)
    assert "eligibility.independent_account" in str(info.value) and "s.json" in str(info.value)


@pytest.mark.parametrize("command", ["check", "export", "convert"])
def test_cli_exits_2_naming_the_path(call, tmp_path: Path, command: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = _sample_with(call, tmp_path, lambda d: d["plan"]["indicators"][1].update(target="十件"))
    args = {"check": ["check", str(path)], "export": ["export", str(path), "--out", str(tmp_path / "out")],
            "convert": ["convert", str(path), str(tmp_path / "x.zscq")]}[command]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "plan.indicators[1].target" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists() and not (tmp_path / "x.zscq").exists()


@pytest.mark.parametrize("command", ["check", "export"])
def test_full_width_digit_in_the_credit_code_is_a_finding_not_a_crash(call, tmp_path: Path, command: str,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    path = _sample_with(call, tmp_path, lambda d: d["unit"].update(credit_code="91120０16MA06W3KQ53"))
    args = ["check", str(path)] if command == "check" else ["export", str(path), "--out", str(tmp_path / "out")]
    assert main(args) == 1  # the checksum is wrong: an error finding at the field, no traceback
    captured = capsys.readouterr()
    assert "field.format.credit_code［unit.credit_code］" in captured.out + captured.err
    assert "Traceback" not in captured.err and "ValueError" not in captured.err
