"""End to end through the command line: sample → export → read every output back → verify.

These tests exercise the whole pipeline (rules, PDF and DOCX rendering, normalisation of the
supporting files, binding, the print checklist, the e-mail zip and its verification) on real
files, as a user of `zscq-desktop export` gets them.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from docx import Document as Docx
from pypdf import PdfReader

from zscq_desktop.cli import main

A4 = (595.28, 841.89)


def _outline_titles(reader: PdfReader) -> list[tuple[str, int]]:
    out: list[tuple[str, int]] = []

    def walk(items: list) -> None:
        for it in items:
            if isinstance(it, list):
                walk(it)
            else:
                out.append((str(it.title), reader.get_destination_page_number(it)))

    walk(reader.outline)
    return out


def _fonts_embedded(reader: PdfReader) -> list[str]:
    """Names of fonts used on any page without an embedded font file."""
    missing: list[str] = []
    for page in reader.pages:
        fonts = (page.get("/Resources") or {}).get("/Font") or {}
        for ref in fonts.values():
            font = ref.get_object()
            desc = font.get("/FontDescriptor")
            if desc is None and "/DescendantFonts" in font:
                desc = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            desc = desc.get_object() if desc is not None else None
            if desc is None or not any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                missing.append(str(font.get("/BaseFont")))
    return missing


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The creation-pilot sample exported once for the module (export is the slow part)."""
    work = tmp_path_factory.mktemp("e2e")
    sample = work / "sample.json"
    assert main(["sample", "--direction", "creation-pilot", "-o", str(sample)]) == 0
    out = work / "out"
    assert main(["export", str(sample), "--out", str(out), "--quiet"]) == 0
    return sample, out


def _one(out: Path, pattern: str) -> Path:
    found = sorted(out.glob(pattern))
    assert len(found) == 1, (pattern, [p.name for p in out.iterdir()])
    return found[0]


def test_export_writes_every_output(exported: tuple[Path, Path]) -> None:
    _, out = exported
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted([
        "申报材料-高质量知识产权创造试点-天津示例科技有限公司.pdf",
        "申报书-高质量知识产权创造试点-天津示例科技有限公司.docx",
        "实施方案-高质量知识产权创造试点-天津示例科技有限公司.docx",
        "打印与报送清单-高质量知识产权创造试点-天津示例科技有限公司.pdf",
        "2023天津知识产权资助-高质量知识产权创造试点-天津示例科技有限公司.zip",
    ]), names


def test_volume_order_cover_fonts_and_page_size(exported: tuple[Path, Path]) -> None:
    _, out = exported
    reader = PdfReader(_one(out, "申报材料-*.pdf"))
    cover = "".join((reader.pages[0].extract_text() or "").split())  # the title is letter-spaced
    for text in ("附件2", "申报书", "天津示例科技有限公司", "高质量知识产权创造试点"):
        assert text in cover, text
    titles = _outline_titles(reader)
    heads = [t for t, _ in titles]
    # the 1-2-3 order of the guide: form, plan, supporting files
    i_form = next(i for i, t in enumerate(heads) if "申报书" in t)
    i_plan = next(i for i, t in enumerate(heads) if "实施方案" in t)
    i_att = next(i for i, t in enumerate(heads) if "附件材料" in t)
    assert i_form < i_plan < i_att
    pages = dict(titles)
    assert pages[heads[i_form]] == 0 < pages[heads[i_plan]] < pages[heads[i_att]] < len(reader.pages)
    assert any("营业执照副本（示例）" in t for t in heads) and any("知识产权服务证书（示例）" in t for t in heads)
    assert "目录" in "".join(reader.pages[1].extract_text().split())
    for page in reader.pages:
        w, h = float(page.mediabox.width), float(page.mediabox.height)
        assert abs(w - A4[0]) < 1 and abs(h - A4[1]) < 1
    assert _fonts_embedded(reader) == []


def test_checklist_is_one_page_with_the_address(exported: tuple[Path, Path]) -> None:
    _, out = exported
    reader = PdfReader(_one(out, "打印与报送清单-*.pdf"))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "吴家窑大街22号" in text and "zscqsl@163.com" in text
    assert "区知识产权局" in text  # creation-pilot goes through the district office first


def test_docx_files_hold_real_tables(exported: tuple[Path, Path]) -> None:
    _, out = exported
    form = Docx(str(_one(out, "申报书-*.docx")))
    assert len(form.tables) >= 5
    cells = {c.text for t in form.tables for row in t.rows for c in row.cells}
    assert "天津示例科技有限公司" in cells
    plan = Docx(str(_one(out, "实施方案-*.docx")))
    assert any("考核指标" in p.text for p in plan.paragraphs)


def test_zip_names_and_verify(exported: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out = exported
    zpath = _one(out, "*.zip")
    with zipfile.ZipFile(zpath) as z:
        members = set(z.namelist())
        manifest = json.loads(z.read("manifest.json"))
    assert "manifest.json" in members and "submission.json" in members
    assert "申报材料-高质量知识产权创造试点-天津示例科技有限公司.pdf" in members
    assert manifest["direction_id"] == "creation-pilot"
    capsys.readouterr()
    assert main(["verify", str(zpath)]) == 0
    for tool, args in (("unzip", ["-l"]), ("7z", ["l"]), ("bsdtar", ["-tf"])):
        if shutil.which(tool):
            listing = subprocess.run([tool, *args, str(zpath)], capture_output=True, text=True, check=True,
                                     env={"LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "PATH": "/usr/bin:/bin"}).stdout
            assert "申报材料-高质量知识产权创造试点-天津示例科技有限公司.pdf" in listing, tool
    # a tampered copy fails
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(zpath) as src, zipfile.ZipFile(bad, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.endswith(".docx"):
                data = data[:-1] + bytes([data[-1] ^ 1])
            dst.writestr(info, data)
    assert main(["verify", str(bad)]) == 1


def test_export_refuses_blocking_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sample = tmp_path / "s.json"
    assert main(["sample", "--direction", "public-service", "-o", str(sample)]) == 0
    data = json.loads(sample.read_text(encoding="utf-8"))
    data["unit"]["credit_code"] = "91120116MA05XK3P70"  # wrong check character
    sample.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    capsys.readouterr()
    assert main(["export", str(sample), "--out", str(tmp_path / "out"), "--quiet"]) == 1
    assert "unit.credit_code" in capsys.readouterr().err
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").glob("*.pdf"))


def test_export_from_zscq_in_duplex(tmp_path: Path) -> None:
    doc = tmp_path / "s.zscq"
    assert main(["sample", "--direction", "public-service", "-o", str(doc)]) == 0
    out = tmp_path / "out"
    assert main(["export", str(doc), "--out", str(out), "--duplex", "--quiet"]) == 0
    reader = PdfReader(_one(out, "申报材料-*.pdf"))
    texts = [p.extract_text() or "" for p in reader.pages]
    assert "此页为空白页" in texts[1]  # the cover's back stays blank in a duplex volume
    assert "附件3" in texts[0]


def test_export_to_unwritable_folder_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sample = tmp_path / "s.json"
    assert main(["sample", "--direction", "public-service", "-o", str(sample)]) == 0
    blocker = tmp_path / "file"
    blocker.write_text("x")
    capsys.readouterr()
    assert main(["export", str(sample), "--out", str(blocker / "sub"), "--quiet"]) == 2
    assert "无法写入" in capsys.readouterr().err


@pytest.mark.parametrize("after", [0, 3])
def test_cancel_stops_export_without_leaving_files(tmp_path: Path, after: int) -> None:
    """Cancelling at the start or deep inside the pipeline raises ExportCancelled and writes nothing."""
    from zscq_desktop.call import load_call
    from zscq_desktop.docio import load_json
    from zscq_desktop.volume.export import ExportCancelled, export

    sample = tmp_path / "s.json"
    assert main(["sample", "--direction", "creation-pilot", "-o", str(sample)]) == 0
    polls = {"n": 0}

    def cancel() -> bool:
        polls["n"] += 1
        return polls["n"] > after

    out = tmp_path / "out"
    with pytest.raises(ExportCancelled):
        export(load_json(sample), load_call(), out, cancel=cancel)
    assert not out.exists() or not [p for p in out.iterdir() if not p.name.startswith(".")]


def test_repeated_export_reuses_the_rendering_until_the_content_changes(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from zscq_desktop.call import load_call
    from zscq_desktop.docio import load_zscq
    from zscq_desktop.render import pdf_writer
    from zscq_desktop.volume.export import export
    from zscq_desktop.store.document import Document

    doc_path = tmp_path / "s.zscq"
    assert main(["sample", "--direction", "public-service", "-o", str(doc_path)]) == 0
    calls: list[str] = []
    real = pdf_writer.render_pdf
    monkeypatch.setattr(pdf_writer, "render_pdf", lambda d, **k: calls.append(d.title) or real(d, **k))
    call = load_call()
    loaded = load_zscq(doc_path)
    with Document.open(doc_path) as cache:
        first = export(loaded, call, tmp_path / "a", cache=cache, make_zip=False)
        assert len(calls) == 2  # form and plan
        export(loaded, call, tmp_path / "a2", cache=cache, make_zip=False)
        assert len(calls) == 2  # nothing changed: both renderings reused
        again = export(loaded, call, tmp_path / "b", cache=cache, make_zip=False, duplex=True)
        assert len(calls) == 4  # duplex mirrors the versos: a rendering of its own
        assert (tmp_path / "a" / first.volume.name).read_bytes()[:4] == b"%PDF" and again.pages > first.pages
        loaded.submission.plan["sections"]["background"] = "修改后的项目背景。"
        export(loaded, call, tmp_path / "c", cache=cache, make_zip=False)
        assert len(calls) == 6  # the edit changes the version stamp, which both parts carry


def test_system_fonts_option_reaches_the_font_choice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`export --system-fonts` asks for Windows' 宋体/黑体 (the font layer's own tests cover the choice)."""
    from zscq_desktop.render import fonts

    asked: list[bool] = []
    real = fonts.register_fonts
    monkeypatch.setattr(fonts, "register_fonts", lambda prefer_system=False: asked.append(prefer_system)
                        or real(prefer_system))
    sample = tmp_path / "s.json"
    assert main(["sample", "--direction", "public-service", "-o", str(sample)]) == 0
    assert main(["export", str(sample), "--out", str(tmp_path / "o"), "--quiet", "--system-fonts"]) == 0
    assert "song" in asked
    assert main(["export", str(sample), "--out", str(tmp_path / "p"), "--quiet", "--system-fonts", "fangsong"]) == 0
    assert "fangsong" in asked
