"""The large Ext-B fallback is loaded only when a character needs it, from a packed copy if need be (issue 15)."""

from __future__ import annotations

import lzma
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

_CHILD = r"""
import sys
from reportlab.pdfbase import pdfmetrics
from zscq_desktop.render import fonts as F
from zscq_desktop.render.content import plan_document
from zscq_desktop.render.pdf_writer import render_pdf
from zscq_desktop.call import load_call
from zscq_desktop.core.sample import build_sample
call = load_call()
sub = build_sample(call, "creation-pilot")
fs = F.register_fonts()
if sys.argv[1] == "extb":
    sub.plan["sections"]["background"] = "生僻字\U00020000出现在正文中"
pdf = render_pdf(plan_document(call, sub), fonts=fs, stamp="TEST")
assert F.missing_chars("张\U00020000三", fs) == []
print("LOADED" if F.EXTB in pdfmetrics.getRegisteredFontNames() else "NOT-LOADED", len(pdf))
"""


def _run(mode: str, env: dict[str, str]) -> str:
    r = subprocess.run([sys.executable, "-c", _CHILD, mode], capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    return r.stdout.split()[0]


def test_extb_font_is_parsed_only_when_a_text_needs_it(tmp_path: Path) -> None:
    env = dict(os.environ, ZSCQ_USER_DIR=str(tmp_path / "user"))
    child = _CHILD.replace('assert F.missing_chars("张\\U00020000三", fs) == []\n', "")
    r = subprocess.run([sys.executable, "-c", child, "plain"], capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    assert r.stdout.split()[0] == "NOT-LOADED"  # a whole plan rendered without it
    assert _run("extb", env) == "LOADED"


def test_packed_extb_font_is_unpacked_once_into_the_user_cache(tmp_path: Path) -> None:
    from zscq_desktop.resources import data_root

    root = tmp_path / "data"
    shutil.copytree(data_root() / "forms", root / "forms")
    fonts = root / "resources" / "fonts"
    shutil.copytree(data_root() / "resources", root / "resources",
                    ignore=lambda d, names: [n for n in names if n == "HanaMinB.ttf"])
    original = (data_root() / "resources" / "fonts" / "HanaMinB.ttf").read_bytes()
    (fonts / "HanaMinB.ttf.xz").write_bytes(lzma.compress(original, preset=0))
    env = dict(os.environ, ZSCQ_USER_DIR=str(tmp_path / "user"), ZSCQ_DATA_DIR=str(root))
    assert _run("extb", env) == "LOADED"
    unpacked = list((tmp_path / "user" / "cache" / "fonts").glob("*.ttf"))
    assert len(unpacked) == 1 and unpacked[0].read_bytes() == original
    assert unpacked[0].name.startswith("HanaMinB-") and unpacked[0].suffix == ".ttf"
    stamp = unpacked[0].stat().st_mtime_ns
    assert _run("extb", env) == "LOADED"
    assert unpacked[0].stat().st_mtime_ns == stamp  # reused, not unpacked again


def test_a_missing_extb_font_still_fails_at_registration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from zscq_desktop.render import font_files
    from zscq_desktop.render import fonts as F

    monkeypatch.setattr(font_files, "resource_path", lambda *parts: tmp_path.joinpath(*parts))
    with pytest.raises(F.FontError, match="找不到字体文件"):
        F._lazy(F.EXTB)
