"""End to end: export the sample, edit the DOCX as a colleague would, re-save it in LibreOffice, import."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from wordedit import SOFFICE, Edit, export_docx, resave

from zscq_desktop.cli import main
from zscq_desktop.core.sample import build_sample
from zscq_desktop.docio import Loaded, load_zscq, write_zscq

pytestmark = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) not installed")


def _zscq(call, tmp_path: Path, direction: str = "creation-pilot") -> Path:
    target = tmp_path / "申报.zscq"
    write_zscq(Loaded(build_sample(call, direction)), target)
    return target


def _import(capsys, *args: str) -> tuple[int, list[dict]]:
    capsys.readouterr()
    rc = main(["import", *args, "--json"])
    return rc, json.loads(capsys.readouterr().out)


def test_edits_in_word_arrive_at_their_fields_after_a_libreoffice_resave(call, tmp_path: Path, capsys) -> None:
    zscq = _zscq(call, tmp_path)
    sub = load_zscq(zscq).submission
    before = copy.deepcopy(sub.to_dict())
    form, plan = export_docx(call, sub, tmp_path)

    e = Edit(form)
    e.set_text("unit.address", "天津市南开区新址路1号")
    e.set_text("form.cover.apply_date", "2023年6月1日")
    e.set_text("form.budget.requested_wan", "12.50万元")
    e.set_text("form.content.goals", "新的项目目标：三年内形成完整的专利布局。")
    e.set_cell("form.team.members", 2, 2, "高级工程师")
    e.add_row("form.team.members", 3, ["4", "孙示例", "工程师", "本科/计算机", "数据分析"])
    e.delete_row("form.budget.expenses", 2)
    deleted = e.track("form.content.benefits", "（修订新增）")
    e.comment("unit.address", "请核对新地址")
    e.replace_frame("通讯地址", "通信地址")
    e.save()
    p = Edit(plan)
    p.set_text("plan.sections.risks", "主要风险是进度延误，按季度检查。")
    p.set_cell("plan.indicators", 2, 5, "12")
    p.add_row("plan.schedule", 4, ["5", "2023年9月—2023年9月", "总结验收"])
    p.save()
    lo_form, lo_plan = resave([form, plan], tmp_path / "lo")

    rc, items = _import(capsys, str(lo_form), "--into", str(zscq))
    assert rc == 1
    got = {x["path"]: x for x in items if x["kind"] != "not_imported"}
    benefits = sub.get("form.content.benefits")
    assert {k: (v["kind"], v["new"]) for k, v in got.items()} == {
        "unit.address": ("changed", "天津市南开区新址路1号"),
        "form.cover.apply_date": ("changed", "2023-06-01"),
        "form.budget.requested_wan": ("changed", 12.5),
        "form.content.goals": ("changed", "新的项目目标：三年内形成完整的专利布局。"),
        "form.team.members[1].title": ("changed", "高级工程师"),
        "form.team.members[3]": ("added", {"name": "孙示例", "title": "工程师", "education": "本科/计算机",
                                           "role": "数据分析"}),
        "form.budget.expenses[1]": ("removed", None),
        "form.content.benefits": ("changed", benefits.split("\n")[0].replace(deleted, "", 1) + "（修订新增）\n"
                                  + "\n".join(benefits.split("\n")[1:])),
    }
    assert got["form.content.benefits"]["tracked"] is True
    assert got["form.content.benefits"]["before"] == benefits
    assert got["unit.address"]["comments"] == ["总经理：请核对新地址"]
    assert got["form.budget.expenses[1]"]["old"] == before["form"]["budget"]["expenses"][1]
    unimported = [x["new"] for x in items if x["kind"] == "not_imported"]
    assert len(unimported) >= 1 and all("通信地址" in x or "通讯地址" in x for x in unimported)

    rc, items = _import(capsys, str(lo_plan), "--into", str(zscq))
    assert rc == 1
    assert {x["path"]: (x["kind"], x["new"]) for x in items} == {
        "plan.sections.risks": ("changed", "主要风险是进度延误，按季度检查。"),
        "plan.indicators[1].target": ("changed", 12.0),
        "plan.schedule[4]": ("added", {"start": "2023-09", "end": "2023-09", "content": "总结验收"}),
    }

    # applied: exactly these values change, nothing else
    assert main(["import", str(lo_form), "--into", str(zscq), "--apply"]) == 0
    assert main(["import", str(lo_plan), "--into", str(zscq), "--apply"]) == 0
    after = load_zscq(zscq).submission.to_dict()
    want = copy.deepcopy(before)
    unit, form_ = want["unit"], want["form"]
    unit["address"] = "天津市南开区新址路1号"
    form_["cover"]["apply_date"] = "2023-06-01"
    form_["budget"]["requested_wan"] = 12.5
    form_["content"]["goals"] = "新的项目目标：三年内形成完整的专利布局。"
    form_["content"]["benefits"] = got["form.content.benefits"]["new"]
    form_["team"]["members"][1]["title"] = "高级工程师"
    form_["team"]["members"].append({"name": "孙示例", "title": "工程师", "education": "本科/计算机", "role": "数据分析"})
    del form_["budget"]["expenses"][1]
    want["plan"]["sections"]["risks"] = "主要风险是进度延误，按季度检查。"
    want["plan"]["indicators"][1]["target"] = 12.0
    want["plan"]["schedule"].append({"start": "2023-09", "end": "2023-09", "content": "总结验收"})
    assert {k: v for k, v in after.items() if k != "meta"} == {k: v for k, v in want.items() if k != "meta"}
    assert after["meta"]["word_id"] == before["meta"]["word_id"]
    # the same file again: nothing left to import
    capsys.readouterr()
    assert main(["import", str(lo_plan), "--into", str(zscq)]) == 0


def test_taking_the_text_before_tracked_changes(call, tmp_path: Path, capsys) -> None:
    zscq = _zscq(call, tmp_path)
    sub = load_zscq(zscq).submission
    form, _ = export_docx(call, sub, tmp_path)
    e = Edit(form)
    e.track("form.content.benefits", "（修订新增）")
    e.set_text("unit.address", "新地址")
    e.save()
    assert main(["import", str(form), "--into", str(zscq), "--apply", "--before-changes"]) == 0
    after = load_zscq(zscq).submission
    assert after.get("form.content.benefits") == sub.get("form.content.benefits")
    assert after.get("unit.address") == "新地址"


def test_unchanged_round_trip_gives_no_difference_for_every_direction(call, tmp_path: Path) -> None:
    from zscq_desktop.wordio.importer import compare

    subs, files = [], []
    for d in call.directions:
        sub = build_sample(call, d.id)
        folder = tmp_path / d.id
        folder.mkdir()
        form, plan = export_docx(call, sub, folder)
        named = [folder.parent / f"{d.id}-{f.name}" for f in (form, plan)]
        for src, dst in zip((form, plan), named):
            src.rename(dst)
        subs.append(sub)
        files += named
    resaved = resave(files, tmp_path / "lo")
    for n, sub in enumerate(subs):
        for path in (*files[2 * n: 2 * n + 2], *resaved[2 * n: 2 * n + 2]):
            result = compare(path.read_bytes(), call, sub, name=path.name)
            assert result.marks is not None, path
            assert result.differences == [] and result.not_imported == [], (path, result.differences,
                                                                            result.not_imported)
            assert len(result.marks.fields) >= 10
