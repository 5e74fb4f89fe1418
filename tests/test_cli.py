"""The command line: exit codes 0/1/2, the directions JSON, sample → check for every direction."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from zscq_desktop.cli import main

DIRECTIONS = [
    "creation-pilot", "patent-navigation", "innovation-culture", "gi-demo-zone", "gi-protection",
    "patent-admin-protection", "data-ip-protection", "overseas-dispute-guidance", "overseas-rights-aid",
    "market-protection", "regional-rights-aid", "protection-assessment", "public-service"]


def test_directions_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["directions", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [d["id"] for d in data] == DIRECTIONS
    first = data[0]
    for key in ("id", "name", "category", "form", "cap_wan", "max_funded", "self_funding_ratio", "district_review", "contact"):
        assert key in first
    assert first["form"] == "附件2" and first["contact"] == {"name": "张伟", "phone": "23039856"}
    assert data[6]["self_funding_ratio"] == 1.0 and data[7]["cap_wan"] == 40


def test_directions_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["directions"]) == 0
    out = capsys.readouterr().out
    assert "【知识产权保护项目】" in out and "企业海外纠纷应对指导" in out


@pytest.mark.parametrize("direction", DIRECTIONS)
def test_sample_then_check_passes(tmp_path: Path, direction: str, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "s.json"
    assert main(["sample", "--direction", direction, "-o", str(out)]) == 0
    assert (tmp_path / "s-附件" / "营业执照-示例.pdf").is_file()
    capsys.readouterr()
    code = main(["check", str(out), "--json"])
    findings = json.loads(capsys.readouterr().out)
    assert code == 0, findings
    assert not [f for f in findings if f["severity"] == "error"]


def _sample(tmp_path: Path, direction: str = "creation-pilot") -> tuple[Path, dict]:
    out = tmp_path / "s.json"
    assert main(["sample", "--direction", direction, "-o", str(out)]) == 0
    return out, json.loads(out.read_text(encoding="utf-8"))


@pytest.mark.parametrize(("change", "code", "path"), [
    (lambda d: d["unit"].update(credit_code="91120116MA05XK3P70"), "field.format.credit_code", "unit.credit_code"),
    (lambda d: d["unit"].update(registered_on="2022-03-01"), "unit.registration_age", "unit.registered_on"),
    (lambda d: d["eligibility"].update(independent_account=False), "eligibility.independent_account",
     "eligibility.independent_account"),
    (lambda d: d["form"]["budget"].update(requested_wan=11, total_wan=21), "budget.cap", "form.budget.requested_wan"),
    (lambda d: d["plan"]["indicators"][1].update(target=3), "indicator.below_min", "plan.indicators[1].target"),
])
def test_breaking_a_rule_exits_1_with_code_and_path(tmp_path: Path, capsys: pytest.CaptureFixture[str], change, code: str,
                                                    path: str) -> None:
    out, data = _sample(tmp_path)
    change(data)
    out.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    capsys.readouterr()
    assert main(["check", str(out), "--json"]) == 1
    findings = json.loads(capsys.readouterr().out)
    assert {"code": code, "path": path} in [{"code": f["code"], "path": f["path"]} for f in findings]


def test_unusable_input_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(tmp_path / "missing.json")]) == 2
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    assert main(["check", str(bad)]) == 2
    foreign = tmp_path / "foreign.zscq"
    foreign.write_bytes(b"PK\x03\x04 this is a zip, not a document")
    assert main(["check", str(foreign)]) == 2
    err = capsys.readouterr().err
    assert "找不到文件" in err and "JSON" in err
    assert main(["sample", "--direction", "nope", "-o", str(tmp_path / "x.json")]) == 2


def test_tampered_attachment_is_unusable_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, _ = _sample(tmp_path)
    (tmp_path / "s-附件" / "证书-示例.png").write_bytes(b"changed")
    assert main(["check", str(out)]) == 2
    assert "SHA-256" in capsys.readouterr().err


def test_convert_round_trip(tmp_path: Path) -> None:
    out, data = _sample(tmp_path, "public-service")
    doc = tmp_path / "s.zscq"
    back = tmp_path / "back" / "b.json"
    back.parent.mkdir()
    assert main(["convert", str(out), str(doc)]) == 0
    assert main(["check", str(doc)]) == 0
    assert main(["convert", str(doc), str(back)]) == 0
    again = json.loads(back.read_text(encoding="utf-8"))
    for a, b in zip(data["attachments"], again["attachments"]):
        a.pop("path"), b.pop("path")
    assert again == data
    assert (back.parent / "b-附件" / "营业执照-示例.pdf").read_bytes() == (tmp_path / "s-附件" / "营业执照-示例.pdf").read_bytes()
    assert main(["convert", str(out), str(doc)]) == 2  # refuses to overwrite without --force


def test_python_dash_m(tmp_path: Path) -> None:
    r = subprocess.run([sys.executable, "-m", "zscq_desktop", "directions", "--json"], capture_output=True, timeout=60)
    assert r.returncode == 0 and len(json.loads(r.stdout.decode("utf-8"))) == 13


def test_sample_as_zscq_leaves_nothing_beside_it(tmp_path: Path) -> None:
    out = tmp_path / "s.zscq"
    assert main(["sample", "--direction", "gi-protection", "-o", str(out)]) == 0
    assert [p.name for p in tmp_path.iterdir()] == ["s.zscq"]
    assert main(["check", str(out)]) == 0
