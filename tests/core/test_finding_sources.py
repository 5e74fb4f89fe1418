"""Every error cites its source: the guide's sentence or the form's 填写说明 — and every code the
engine can emit is explained in the README (errors with their citation, warnings with why)."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

import pytest

from zscq_desktop.core.findings import Finding
from zscq_desktop.core.rules import RuleContext, check
from zscq_desktop.core.sample import build_sample
from zscq_desktop.core.submission import Attachment, Submission

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "zscq_desktop"
NOW = RuleContext(now=datetime(2023, 5, 1, tzinfo=timezone.utc))


def _broken(call) -> list[Submission]:
    """Submissions breaking as many rules as possible, for every direction."""
    out: list[Submission] = []
    for d in call.directions:
        out.append(Submission(call=call.id, direction=d.id))  # nothing answered at all
        sub = build_sample(call, d.id)
        sub.eligibility = {k: (not v if isinstance(v, bool) else v) for k, v in sub.eligibility.items()}
        sub.eligibility["other_projects"] = -1
        sub.unit.update(credit_code="91120116MA05XK3P7A", registered_on="2023/01/01", registered_capital_wan="很多",
                        nature="个人", district="北京市", staff=-3, postcode="3000", account="x", honours=["外星企业"])
        sub.form["cover"].update(project_name="名" * 200, contact_phone="x", contact_email="x", apply_date="2023-13-01")
        sub.form["content"].update(period_start="2021-01", period_end="2020-12")
        budget = sub.form["budget"]
        budget.update(requested_wan=999, total_wan=1)
        sub.form["team"]["members"] = [{"name": "", "title": "x", "role": "x"}] * 201
        for row in sub.plan["indicators"]:
            row["target"] = -1 if row.get("min") is not None else 10 ** 6
        sub.plan["indicators"].append({"key": "", "name": "", "target": None})
        sub.plan["schedule"] = [{"start": "x", "end": "2023-01", "content": ""}, {"start": "2023-05", "end": "2023-01", "content": "x"}]
        sub.plan["sections"]["background"] = ""
        sub.plan["tasks"] = []
        sub.attachments.append(Attachment("nowhere", "", "a.pdf", "0" * 64, 10, 1))
        out.append(sub)
        late = build_sample(call, d.id)
        late.form["content"].update(period_start="2025-01", period_end="2025-06")
        late.unit["registered_on"] = "2030-01-01"
        out.append(late)
    return out


def _all(call) -> list[Finding]:
    return [f for sub in _broken(call) for f in check(call, sub, NOW)]


def test_every_error_cites_its_source(call) -> None:
    found = _all(call)
    errors = [f for f in found if f.blocking]
    assert len({f.code for f in errors}) >= 30
    assert [f for f in errors if not f.source] == []
    for f in errors:
        if "填写说明" in f.source:  # a form citation quotes a sentence the printed 填写说明 really contains
            form = call.forms["a2" if f.source.startswith("附件2") else "a3"]
            quote = f.source.split("填写说明：", 1)[1]
            assert any(quote.split("（")[0] in line or quote in line for line in form.instructions), f.source


def _codes_in_readme() -> str:
    return (ROOT / "README.md").read_text(encoding="utf-8").split("## Errors and warnings", 1)[1].split("\n## ", 1)[0]


def test_every_emitted_code_is_in_the_readme(call) -> None:
    table = _codes_in_readme()
    for f in _all(call):
        code = re.sub(r"^eligibility\.(?!unanswered).*", "eligibility.<key>", f.code)
        assert f"`{code}`" in table, code


def test_every_code_in_the_source_is_in_the_readme() -> None:
    table = _codes_in_readme()
    literal = re.compile(r'(?:\bj|judge(?:\(call(?:, d)?\))?|warning|error)\(\s*"([a-z_]+(?:\.[a-z_]+)+)"')
    codes = set()
    for name in ("core/rules.py", "core/rules_plan.py", "core/fields.py", "render/pdf_cover.py"):
        codes |= set(literal.findall((SRC / name).read_text(encoding="utf-8")))
    assert {"budget.cap", "field.required", "cover.shortened", "unit.credit_code.region", "indicator.below_min"} <= codes
    missing = sorted(c for c in codes if f"`{c}`" not in table)
    assert missing == []


@pytest.mark.parametrize("code", [
    "field.too_long", "field.format.phone", "field.pattern", "plan.section_long", "period.before_call",
    "field.table.rows:max", "field.choice:open", "indicator.above_max:range", "unit.projects_limit:local_drafts",
])
def test_the_call_data_sets_the_severity(call, code: str) -> None:
    assert call.findings.severity[code] == "warning"


def test_next_years_call_can_change_a_severity_and_a_citation(call) -> None:
    import dataclasses

    from zscq_desktop.call.model import FindingPolicy

    sub = build_sample(call, "creation-pilot")
    sub.form["cover"]["project_name"] = "名" * 60
    policy = FindingPolicy({**call.findings.severity, "field.too_long": "error"},
                           {**call.findings.cite, "field.too_long": "{form}填写说明：项目名称不超过40字"})
    strict = dataclasses.replace(call, findings=policy)
    f = next(f for f in check(strict, sub, NOW) if f.code == "field.too_long")
    assert f.blocking and f.source == "附件2填写说明：项目名称不超过40字"
    assert not next(f for f in check(call, sub, NOW) if f.code == "field.too_long").blocking


def test_a_broken_findings_table_is_refused_by_the_loader(tmp_path: Path) -> None:
    import shutil

    from zscq_desktop.call.loader import CallDataError, load_call_folder
    from zscq_desktop.resources import forms_dir

    folder = tmp_path / "call"
    shutil.copytree(forms_dir("tianjin-2023"), folder)
    toml = folder / "call.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('"field.too_long" = "warning"', '"field.too_long" = "maybe"'),
                    encoding="utf-8")
    with pytest.raises(CallDataError) as info:
        load_call_folder(folder)
    assert "findings.severity.field.too_long" in str(info.value)
