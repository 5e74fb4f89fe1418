"""`checks.all_findings`: rules + glyph coverage + the unit's other local drafts, for CLI and GUI alike."""

from __future__ import annotations

from pathlib import Path

from zscq_desktop.checks import all_findings, local_drafts
from zscq_desktop.core.findings import error
from zscq_desktop.core.sample import build_sample
from zscq_desktop.store.profiles import DraftIndex


def test_local_drafts_name_the_other_directions(call, tmp_path: Path) -> None:
    sub = build_sample(call, "creation-pilot")
    other = build_sample(call, "patent-navigation")
    third = build_sample(call, "public-service")
    index = DraftIndex()
    for name in ("a.zscq", "b.zscq", "c.zscq"):
        (tmp_path / name).write_bytes(b"")  # the index lists only drafts whose files still exist
    index.record(tmp_path / "a.zscq", sub.to_dict())
    index.record(tmp_path / "b.zscq", other.to_dict())
    index.record(tmp_path / "c.zscq", third.to_dict())
    assert set(local_drafts(call, sub, tmp_path / "a.zscq")) == {("b.zscq", "重点产业链专利导航"),
                                                                ("c.zscq", "知识产权公共服务")}
    found = all_findings(call, sub, path=tmp_path / "a.zscq")
    limit = [f for f in found if f.code == "unit.projects_limit"]
    # two drafts on this PC, none declared: a warning naming them; abandoned drafts never block
    assert limit and "重点产业链专利导航" in limit[0].message and not limit[0].blocking


def test_all_findings_merges_extra_and_glyphs_errors_first(call) -> None:
    sub = build_sample(call, "public-service")
    sub.unit["legal_rep"] = "王\ue000"  # a private-use character no font can print
    extra = error("attachment.bad", "《x.pdf》已损坏。", "attachments[0]")
    found = all_findings(call, sub, extra=[extra])
    codes = [f.code for f in found]
    assert "attachment.bad" in codes and "glyph.missing" in codes
    assert [f.severity.rank for f in found] == sorted(f.severity.rank for f in found)
    assert all_findings(call, build_sample(call, "public-service")) == [f for f in all_findings(
        call, build_sample(call, "public-service")) if not f.blocking]
