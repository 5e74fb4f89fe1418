"""The e-mail zip holds what the agency receives, and older zips that carried the print checklist
still verify."""

from __future__ import annotations

import zipfile

from pkg_helpers import make_info, make_inputs

from zscq_desktop.package import verify_package
from zscq_desktop.package.zipper import build_package
from zscq_desktop.render.fonts import register_fonts


def test_an_older_zip_listing_the_checklist_still_verifies(tmp_path, call) -> None:
    inputs = make_inputs(tmp_path / "in", call, register_fonts())
    assert any("打印与报送清单" in name for name, _ in inputs.files)  # as exports before issue 13 packed it
    result = build_package(tmp_path / "out", files=inputs.files, submission=inputs.submission,
                           info=make_info(inputs.stamp, inputs.volume_name))
    with zipfile.ZipFile(result.path) as zf:
        assert any("打印与报送清单" in n for n in zf.namelist())
    assert verify_package(result.path) == []


def test_the_readme_lists_the_zip_contents() -> None:
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## What the e-mail zip holds"):]
    section = section[:section.index("\n## ", 3)]
    for name in ("申报材料-", "申报书-", "实施方案-", "manifest.json", "submission.json"):
        assert name in section, name
    assert "打印与报送清单" in section and "is not in the" in section  # said to stay out
