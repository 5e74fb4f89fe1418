"""`call check`: every problem of a call folder at once, as `file:line: key: reason`, exit 0 or 2."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from callkit import edit

from zscq_desktop.call.registry import call_folder
from zscq_desktop.call.validate import check_folder
from zscq_desktop.cli import main


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    out = tmp_path / "c"
    shutil.copytree(call_folder("tianjin-2023"), out)
    return out


def _line_of(folder: Path, name: str, text: str, nth: int = 1) -> int:
    """The 1-based line number of the `nth` line of `name` containing `text`."""
    hits = [i for i, line in enumerate((folder / name).read_text(encoding="utf-8").splitlines(), 1) if text in line]
    return hits[nth - 1]


def test_builtin_call_passes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["call", "check", str(call_folder("tianjin-2023"))]) == 0
    assert "检查通过" in capsys.readouterr().out


def test_every_problem_is_listed_with_file_and_line(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(folder, "call.toml", 'form = "a3"', 'form = "a9"')  # a missing form
    edit(folder, "call.toml", 'id = "patent-navigation"', 'id = "creation-pilot"')  # a duplicate id
    edit(folder, "call.toml", 'unit = "件", min = 10 }', 'unit = "件", mni = 10 }')  # a misspelt indicator key
    edit(folder, "call.toml", 'submit_email = "zscqsl@163.com"', 'submit_email = "zscqsl-at-163"')
    edit(folder, "form-a2.toml", 'type = "textarea"', 'type = "essay"')
    assert main(["call", "check", str(folder)]) == 2
    out = capsys.readouterr().out.splitlines()
    a9, dup = _line_of(folder, "call.toml", 'form = "a9"'), _line_of(folder, "call.toml", 'id = "creation-pilot"', 2)
    want = [
        f"call.toml:{a9}: directions[2].form: 申报书“a9”不存在（缺少 form-a9.toml）",
        f"call.toml:{dup}: directions[1].id: 支持方向 id “creation-pilot” 重复",
        f"call.toml:{_line_of(folder, 'call.toml', 'mni = 10')}: directions[0].tasks[1].indicators[0].mni: 未知的键（拼写错误？程序不会读取它）",
        f"call.toml:{_line_of(folder, 'call.toml', 'zscqsl-at-163')}: call.submit_email: 不是有效的电子邮箱：'zscqsl-at-163'",
    ]
    for line in want:
        assert line in out, (line, out)
    essay = _line_of(folder, "form-a2.toml", 'type = "essay"')
    assert any(line.startswith(f"form-a2.toml:{essay}: sections[0].fields[") and ".type: 应为" in line for line in out)


def test_bad_toml_gives_the_syntax_line(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (folder / "plan.toml").write_text('[plan]\ntitle = "项目实施方案"\n\n[[sections]\nkey = "x"\n', encoding="utf-8")
    assert main(["call", "check", str(folder / "plan.toml")]) == 2
    out = capsys.readouterr().out
    assert "plan.toml:4: （文件）: TOML 语法错误" in out


def test_missing_file_and_dates(folder: Path) -> None:
    (folder / "unit.toml").unlink()
    edit(folder, "call.toml", 'deadline = "2023-05-31T17:00:00+08:00"', 'deadline = "2024-05-31T17:00:00+08:00"')
    edit(folder, "call.toml", 'period_end = "2023-09"', 'period_end = "2031-09"')
    got = {(p.file, p.key): p for p in check_folder(folder)}
    assert got[("unit.toml", "")].reason == "文件不存在"
    assert "与 year = 2023 不一致" in got[("call.toml", "call.deadline")].reason
    p = got[("call.toml", "directions[0].period_end")]
    assert p.line == _line_of(folder, "call.toml", 'period_end = "2031-09"') and "忘记改年份" in p.reason


def test_unknown_direction_in_a_field_and_a_bad_phone(folder: Path) -> None:
    edit(folder, "call.toml", 'contact = { name = "张伟", phone = "23039856" }', 'contact = { name = "张伟", phone = "电话待定" }')
    edit(folder, "form-a2.toml", 'directions = ["patent-navigation"]', 'directions = ["patent-navigaton"]')
    problems = [str(p) for p in check_folder(folder)]
    assert any(p.startswith(f"call.toml:{_line_of(folder, 'call.toml', '电话待定')}: directions[0].contact.phone: 电话格式不正确")
               for p in problems)
    assert any("form-a2.toml:" in p and ".directions: 未知支持方向“patent-navigaton”" in p for p in problems)


def test_not_a_folder_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["call", "check", str(tmp_path / "nope")]) == 2
    assert "找不到" in capsys.readouterr().err


def test_two_mistakes_in_one_direction_are_both_reported(folder: Path) -> None:
    edit(folder, "call.toml", "cap_wan = 10\n", 'cap_wan = "十万"\n')
    edit(folder, "call.toml", "max_funded = 50\n", "max_funded = 0\n")
    edit(folder, "call.toml", 'contact = { name = "张伟", phone = "23039856" }', 'contact = { name = "张伟" }')
    got = {p.key: p for p in check_folder(folder)}
    assert got["directions[0].cap_wan"].line == _line_of(folder, "call.toml", 'cap_wan = "十万"')
    assert got["directions[0].max_funded"].reason == "应 ≥ 1"
    assert got["directions[0].contact.phone"].reason.startswith("缺少必填项")
    assert got["directions[0].contact.phone"].line == _line_of(folder, "call.toml", 'contact = { name = "张伟" }')


def test_severity_and_citation_keys_are_checked_each(folder: Path) -> None:
    edit(folder, "call.toml", '"field.too_long" = "warning"', '"field.too_long" = "maybe"')
    edit(folder, "call.toml", '"field.pattern" = "warning"', '"field.pattern" = "warn"')
    edit(folder, "call.toml", '"field.table" = "{form}填写说明：表格按所列栏目逐行填写"', '"field.table" = ""')
    got = {p.key: p for p in check_folder(folder)}
    for key, text in (("findings.severity.field.too_long", '"field.too_long" = "maybe"'),
                      ("findings.severity.field.pattern", '"field.pattern" = "warn"')):
        assert got[key].line == _line_of(folder, "call.toml", text) and got[key].reason == "应为 error、warning、info 之一"
    p = got["findings.cite.field.table"]
    assert p.line == _line_of(folder, "call.toml", '"field.table" = ""') and p.reason == "不能为空"
