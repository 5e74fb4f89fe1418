"""Glyph check: characters no bundled font can print are errors naming the field."""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path

import pytest

from zscq_desktop.core.findings import Severity
from zscq_desktop.core.sample import build_sample, write_sample
from zscq_desktop.render.glyphs import CODE, glyph_findings, printed_texts

PUA = "\ue000"  # Private Use Area: no font has it
UNASSIGNED = "\u0378"  # an unassigned code point


@pytest.fixture(scope="module")
def pilot(call):
    return build_sample(call, "creation-pilot")


def test_the_sample_has_no_glyph_findings(pilot) -> None:
    assert glyph_findings(pilot) == []


def test_a_full_sample_checks_in_under_50_ms(pilot) -> None:
    glyph_findings(pilot)  # coverage sets are built once per process
    best = min(_timed(lambda: glyph_findings(pilot)) for _ in range(5))
    assert best < 0.05, best
    broken = copy.deepcopy(pilot)
    broken.plan["sections"]["background"] += PUA
    best = min(_timed(lambda: glyph_findings(broken)) for _ in range(5))
    assert best < 0.05, best


def _timed(fn) -> float:  # type: ignore[no-untyped-def]
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def test_unprintable_character_is_an_error_naming_the_field_and_the_character(pilot) -> None:
    sub = copy.deepcopy(pilot)
    sub.unit["name"] = f"天津{PUA}科技有限公司"
    (f,) = glyph_findings(sub)
    assert f.severity is Severity.ERROR and f.blocking
    assert f.code == CODE == "glyph.missing"
    assert f.path == "unit.name"
    assert PUA in f.message and "U+E000" in f.message
    assert "单位名称" in f.message and "无法用任何字体打印" in f.message


@pytest.mark.parametrize("path, setter", [
    ("form.team.members[0].name", lambda s, ch: s.form["team"]["members"][0].__setitem__("name", f"李{ch}")),
    ("plan.sections.background", lambda s, ch: s.plan["sections"].__setitem__("background", f"背景{ch}说明")),
    ("plan.tasks[1]", lambda s, ch: s.plan["tasks"].__setitem__(1, f"任务{ch}")),
    ("plan.indicators[0].note", lambda s, ch: s.plan["indicators"][0].__setitem__("note", ch)),
    ("form.cover.project_name", lambda s, ch: s.form["cover"].__setitem__("project_name", f"项目{ch}")),
])
def test_nested_fields_get_their_path(pilot, path, setter) -> None:
    sub = copy.deepcopy(pilot)
    setter(sub, UNASSIGNED)
    findings = glyph_findings(sub)
    assert [f.path for f in findings] == [path]
    assert "U+0378" in findings[0].message


def test_table_cells_are_named_by_row_and_column(pilot) -> None:
    sub = copy.deepcopy(pilot)
    sub.form["team"]["members"][1]["title"] = f"工程师{PUA}"
    (f,) = glyph_findings(sub)
    assert f.path == "form.team.members[1].title"
    assert "第2行" in f.message


def test_attachment_titles_are_checked(call, tmp_path: Path) -> None:
    out = tmp_path / "s.json"
    write_sample(call, "creation-pilot", out)
    from zscq_desktop.docio import load_json

    sub = load_json(out).submission
    assert sub.attachments
    sub.attachments[-1].title = f"证书{PUA}"
    (f,) = glyph_findings(sub)
    assert f.path == f"attachments[{len(sub.attachments) - 1}].title"


def test_one_finding_per_field_listing_each_character_once(pilot) -> None:
    sub = copy.deepcopy(pilot)
    sub.form["cover"]["leader"] = f"王{PUA}{UNASSIGNED}{PUA}"
    sub.form["cover"]["contact_name"] = f"赵{PUA}"
    findings = glyph_findings(sub)
    assert sorted(f.path for f in findings) == ["form.cover.contact_name", "form.cover.leader"]
    leader = next(f for f in findings if f.path == "form.cover.leader")
    assert leader.message.count("U+E000") == 1 and "U+0378" in leader.message


def test_rare_characters_with_a_fallback_font_are_fine(pilot) -> None:
    sub = copy.deepcopy(pilot)
    sub.unit["name"] = "天津喆堃昇珺镕䶮\U00020000科技有限公司"
    sub.unit["legal_rep"] = "  王\t明\n"  # whitespace and controls are never reported
    assert glyph_findings(sub) == []


def test_eligibility_meta_and_file_names_are_not_printed(pilot) -> None:
    sub = copy.deepcopy(pilot)
    sub.meta["note"] = PUA
    paths = [p for p, _ in printed_texts(sub)]
    assert all(p.split(".")[0].split("[")[0] in ("unit", "form", "plan", "attachments") for p in paths)
    assert glyph_findings(sub) == []


def test_cli_check_reports_the_glyph_error(call, tmp_path: Path, capsys) -> None:
    from zscq_desktop.cli import main

    out = tmp_path / "s.json"
    write_sample(call, "creation-pilot", out)
    data = json.loads(out.read_text(encoding="utf-8"))
    data["unit"]["name"] = f"天津{PUA}科技有限公司"
    out.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert main(["check", str(out), "--json"]) == 1
    printed = capsys.readouterr().out
    assert CODE in printed and "unit.name" in printed
