"""The whole yearly path: an author makes next year's call with `call new`, edits it (a cap, a direction,
a new form id, a new required field), checks and packs it; a user installs it, makes a submission for it
and exports; `--call` selects calls; `call diff` and `call carry` help across years."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from callkit import author_next_year
from pypdf import PdfReader

from zscq_desktop.call import load_call
from zscq_desktop.cli import main


@pytest.fixture
def installed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    folder = author_next_year(tmp_path)
    assert main(["call", "check", str(folder)]) == 0
    pack = tmp_path / "tj-2099.zscqcall"
    assert main(["call", "pack", str(folder), "-o", str(pack)]) == 0
    assert main(["call", "install", str(pack)]) == 0
    capsys.readouterr()
    return "tj-2099"


def test_new_call_updates_year_deadline_and_marks_yearly_facts(tmp_path: Path) -> None:
    folder = author_next_year(tmp_path)
    text = (folder / "call.toml").read_text(encoding="utf-8")
    assert 'id = "tj-2099"' in text and "year = 2099" in text and 'deadline = "2099-05-31T17:00:00+08:00"' in text
    assert 'reference_month = "2099-06"' in text and 'period_start = "2099-01"' in text
    assert "# 【每年核对】电子版发送邮箱" in text and "# 【每年核对】资助上限（万元）" in text
    assert '["2096年", "2097年", "2098年"]' in (folder / "form-a2.toml").read_text(encoding="utf-8")


def test_default_and_global_call(installed: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert load_call().id == installed  # the newest open call
    assert main(["directions", "--json"]) == 0
    ids = [d["id"] for d in json.loads(capsys.readouterr().out)]
    assert "gi-promotion" in ids and "gi-protection" not in ids
    assert main(["--call", "tianjin-2023", "directions", "--json"]) == 0
    ids = [d["id"] for d in json.loads(capsys.readouterr().out)]
    assert "gi-protection" in ids and "gi-promotion" not in ids
    assert main(["--call", "no-such-call", "directions"]) == 2
    assert "没有申报年度“no-such-call”" in capsys.readouterr().err


def test_sample_and_export_for_the_installed_call(installed: str, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    call = load_call(installed)
    assert call.direction("gi-promotion").form == "b1" and call.direction("creation-pilot").cap_wan == 12
    for direction in ("creation-pilot", "gi-promotion"):
        doc = tmp_path / f"{direction}.zscq"
        assert main(["--call", installed, "sample", "--direction", direction, "-o", str(doc)]) == 0
        capsys.readouterr()
        assert main(["check", str(doc), "--json"]) == 0
        assert not [f for f in json.loads(capsys.readouterr().out) if f["severity"] == "error"]
    assert main(["--call", "tianjin-2023", "check", str(tmp_path / "gi-promotion.zscq")]) == 2
    assert "与 --call tianjin-2023 不一致" in capsys.readouterr().err
    assert main(["--call", "tianjin-2023", "convert", str(tmp_path / "gi-promotion.zscq"), str(tmp_path / "x.json")]) == 2
    out = tmp_path / "out"
    assert main(["export", str(tmp_path / "gi-promotion.zscq"), "--out", str(out), "--quiet"]) == 0
    volume = max(out.rglob("*.pdf"), key=lambda p: p.stat().st_size)  # the bound volume, not the checklist
    text = "".join(p.extract_text() or "" for p in PdfReader(volume).pages)
    assert "数据安全保障措施" in text and "2099" in text
    docx = next(out.rglob("申报书-*.docx"))
    capsys.readouterr()
    assert main(["--call", "tianjin-2023", "import", str(docx), "--into", str(tmp_path / "gi-promotion.zscq")]) == 2
    assert "与 --call tianjin-2023 不一致" in capsys.readouterr().err
    zpath = next(out.rglob("*.zip"))
    with zipfile.ZipFile(zpath) as zf:
        manifest = json.loads(zf.read(next(n for n in zf.namelist() if n.endswith("manifest.json"))))
    assert manifest["call_id"] == installed


def test_diff_lists_what_changed(installed: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["call", "diff", "tianjin-2023", installed, "--json"]) == 0
    rows = {(c["area"], c["item"]): (c["old"], c["new"]) for c in json.loads(capsys.readouterr().out)}
    assert rows[("高质量知识产权创造试点", "资助上限")] == ("不超过10万元", "不超过12万元")
    assert ("支持方向", "删除") in rows and "gi-protection" in rows[("支持方向", "删除")][0]
    assert "gi-promotion" in rows[("支持方向", "新增")][1]
    assert rows[("附件3", "二、工作基础：新增字段")] == ("", "数据安全保障措施（必填）")
    assert rows[("申报年度", "截止时间")] == ("2023-05-31 17:00", "2099-05-31 17:00")


def test_carry_a_document_over(installed: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = tmp_path / "old.zscq"
    assert main(["--call", "tianjin-2023", "sample", "--direction", "public-service", "-o", str(old)]) == 0
    before = old.read_bytes()
    new = tmp_path / "new.zscq"
    assert main(["call", "carry", str(old), "--to", installed, "-o", str(new)]) == 0
    assert old.read_bytes() == before  # the old document is untouched
    capsys.readouterr()
    assert main(["check", str(new), "--json"]) == 1  # the new rules run: the new required field is empty
    assert "form.work_base.data_security" in {f["path"] for f in json.loads(capsys.readouterr().out)}
    from zscq_desktop.checks import all_findings
    from zscq_desktop.docio import load_any

    loaded = load_any(new)
    assert loaded.submission.call == installed and loaded.submission.direction == "public-service"
    assert loaded.submission.unit["name"] and loaded.submission.form["work_base"]["experience"]
    assert len(loaded.submission.attachments) == 2 and loaded.blobs
    errors = [f.path for f in all_findings(load_call(installed), loaded.submission) if f.severity == "error"]
    assert "form.work_base.data_security" in errors
    gone = tmp_path / "gone.zscq"
    g_old = tmp_path / "g.zscq"
    assert main(["--call", "tianjin-2023", "sample", "--direction", "gi-protection", "-o", str(g_old)]) == 0
    assert main(["call", "carry", str(g_old), "--to", installed, "-o", str(gone)]) == 0
    assert "未带入：支持方向“地理标志产品保护”在新年度已取消" in capsys.readouterr().out


def test_diff_shows_a_changed_severity(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from callkit import edit, new_call

    folder = new_call(tmp_path)
    edit(folder, "call.toml", '"field.format.phone" = "warning"', '"field.format.phone" = "error"')
    capsys.readouterr()
    assert main(["call", "diff", "tianjin-2023", str(folder), "--json"]) == 0
    rows = {(c["area"], c["item"]): (c["old"], c["new"]) for c in json.loads(capsys.readouterr().out)}
    assert rows[("检查级别", "field.format.phone")] == ("提醒", "错误（阻止导出）")
