"""Hostile and odd inputs of the Word import: a Chinese message, exit 2, nothing written."""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path

import docx
import pytest
from wordedit import SOFFICE, Edit, export_docx

from zscq_desktop.cli import main
from zscq_desktop.core.sample import build_sample
from zscq_desktop.docio import Loaded, load_zscq, write_zscq
from zscq_desktop.wordio.importer import compare
from zscq_desktop.wordio.read import OLE_MAGIC, WordError, read_docx


@pytest.fixture()
def zscq(call, tmp_path: Path) -> Path:
    target = tmp_path / "申报.zscq"
    write_zscq(Loaded(build_sample(call, "creation-pilot")), target)
    return target


def _run(capsys, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    rc = main(["import", *args])
    out = capsys.readouterr()
    return rc, out.out, out.err


def test_into_json_is_refused(tmp_path: Path, capsys) -> None:
    rc, _, err = _run(capsys, str(tmp_path / "a.docx"), "--into", str(tmp_path / "a.json"))
    assert rc == 2 and "请先转换为 .zscq" in err


@pytest.mark.parametrize("content, words", [
    (b"", "空文件"),
    (b"PK\x03\x04 this is not a zip at all", "已损坏"),
    (OLE_MAGIC + b"\x00" * 64 + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 64, "密码"),
    (OLE_MAGIC + b"\x00" * 600, "另存为"),
])
def test_unusable_word_files_get_a_chinese_reason(zscq: Path, tmp_path: Path, capsys, content: bytes,
                                                  words: str) -> None:
    f = tmp_path / "x.docx"
    f.write_bytes(content)
    before = zscq.read_bytes()
    rc, out, err = _run(capsys, str(f), "--into", str(zscq), "--apply")
    assert rc == 2 and words in err and "Traceback" not in err + out
    assert zscq.read_bytes() == before


def test_an_empty_docx_is_refused(tmp_path: Path) -> None:
    buf = io.BytesIO()
    docx.Document().save(buf)
    with pytest.raises(WordError, match="空文档"):
        read_docx(buf.getvalue(), "空.docx")


def test_a_zip_without_a_document_is_refused(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("hello.txt", "hi")
    with pytest.raises(WordError, match="不是 Word 文档"):
        read_docx(buf.getvalue(), "x.docx")


def test_entities_are_not_expanded(tmp_path: Path) -> None:
    body = ('<?xml version="1.0"?><!DOCTYPE w [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
            '<w:p><w:r><w:t>&e;安全</w:t></w:r></w:p></w:body></w:document>')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", body)
    wd = read_docx(buf.getvalue(), "x.docx")
    assert wd.blocks[0].text == "安全"


def test_a_document_open_in_a_window_is_refused(zscq: Path, tmp_path: Path, capsys) -> None:
    from zscq_desktop.store import recovery

    def mark(pid: int) -> None:  # as a window of another running program records it
        recovery._store().update(lambda marks: marks.__setitem__(
            recovery._norm(os.path.abspath(zscq)), {"path": os.path.abspath(zscq), "pid": pid}))

    mark(os.getppid())  # our parent: alive
    before = zscq.read_bytes()
    rc, _, err = _run(capsys, str(tmp_path / "x.docx"), "--into", str(zscq), "--apply")
    assert rc == 2 and "窗口中打开" in err and zscq.read_bytes() == before
    mark(2 ** 22 + 12345)  # a program that is gone (crashed) does not hold it
    assert not recovery.open_elsewhere(zscq)
    recovery.mark_open(zscq)  # this very process (the app's own dialog imports through its window)
    assert not recovery.open_elsewhere(zscq)


def test_a_docx_of_another_document_needs_force(call, zscq: Path, tmp_path: Path, capsys) -> None:
    other = build_sample(call, "creation-pilot")  # a different random id
    form, _ = export_docx(call, other, tmp_path)
    e = Edit(form)
    e.set_text("unit.address", "别处")
    e.save()
    rc, _, err = _run(capsys, str(form), "--into", str(zscq))
    assert rc == 2 and "另一份申报" in err and "--force" in err
    rc, out, _ = _run(capsys, str(form), "--into", str(zscq), "--force")
    assert rc == 1 and "unit.address" in out


def test_an_older_stamp_is_only_noted_and_changes_in_both_are_conflicts(call, zscq: Path, tmp_path: Path,
                                                                        capsys) -> None:
    sub = load_zscq(zscq).submission
    form, _ = export_docx(call, sub, tmp_path, stamp="OLDSTAMP")
    e = Edit(form)
    e.set_text("unit.address", "Word 中的新地址")
    e.set_text("unit.bank", "Word 中的银行")
    e.save()
    # meanwhile the address is changed in the app too
    from zscq_desktop.store.document import Document

    with Document.open(zscq) as doc:
        data = doc.load()
        data["unit"]["address"] = "程序中的新地址"
        doc.save(data)
    rc, out, _ = _run(capsys, str(form), "--into", str(zscq), "--json")
    items = {x["path"]: x for x in json.loads(out)}
    assert rc == 1
    assert items["unit.address"]["kind"] == "conflict" and items["unit.address"]["app"] == "程序中的新地址"
    assert items["unit.bank"]["kind"] == "changed"
    rc, out, _ = _run(capsys, str(form), "--into", str(zscq))
    assert "OLDSTAMP" in out
    rc, out, _ = _run(capsys, str(form), "--into", str(zscq), "--apply")
    assert rc == 1 and "冲突未导入" in out  # the conflict waits for a choice
    after = load_zscq(zscq).submission
    assert after.get("unit.address") == "程序中的新地址" and after.get("unit.bank") == "Word 中的银行"
    rc, out, _ = _run(capsys, str(form), "--into", str(zscq), "--apply", "--take-word")
    assert rc == 0 and load_zscq(zscq).submission.get("unit.address") == "Word 中的新地址"


def test_a_lost_bookmark_is_found_by_its_label(call, tmp_path: Path) -> None:
    sub = build_sample(call, "creation-pilot")
    form, plan = export_docx(call, sub, tmp_path)
    e = Edit(form)
    e.set_text("unit.address", "按标签找到")
    e.remove_bookmark("unit.address")
    e.set_cell("form.team.members", 1, 1, "周示例")
    e.remove_bookmark("form.team.members")
    e.save()
    p = Edit(plan)
    p.set_text("plan.sections.goals", "按标题找到的目标")
    p.remove_bookmark("plan.sections.goals")
    p.save()
    r = compare(form.read_bytes(), call, sub)
    assert {(x.path, x.new) for x in r.differences} == {("unit.address", "按标签找到"),
                                                        ("form.team.members[0].name", "周示例")}
    assert r.not_imported == []
    r = compare(plan.read_bytes(), call, sub)
    assert [(x.path, x.new) for x in r.differences] == [("plan.sections.goals", "按标题找到的目标")]
    assert r.not_imported == []


def test_images_and_nested_tables_in_a_field_are_listed_the_text_kept(call, tmp_path: Path) -> None:
    from lxml import etree

    from zscq_desktop.wordio.read import w

    sub = build_sample(call, "creation-pilot")
    form, _ = export_docx(call, sub, tmp_path)
    e = Edit(form)
    e.set_text("form.content.goals", "目标文字保留")
    p = e.paragraphs("form.content.goals")[0]
    r = etree.SubElement(p, w("r"))
    etree.SubElement(r, w("drawing"))
    ns = w("x")[1:-2]
    # a table pasted inside the text, between two of its paragraphs
    after = etree.fromstring(f'<w:p xmlns:w="{ns}"><w:r><w:t>之后</w:t></w:r></w:p>')
    after.append(p.find(w("bookmarkEnd")))
    p.addnext(after)
    p.addnext(etree.fromstring(f'<w:tbl xmlns:w="{ns}"><w:tr><w:tc><w:p><w:r><w:t>内嵌</w:t></w:r></w:p>'
                               '</w:tc></w:tr></w:tbl>'))
    e.save()
    r = compare(form.read_bytes(), call, sub)
    assert [(x.path, x.new) for x in r.differences] == [("form.content.goals", "目标文字保留\n内嵌\n之后")]
    assert any("图片" in x for x in r.not_imported) and any("嵌套表格" in x for x in r.not_imported)


def test_a_value_breaking_a_limit_comes_in_and_is_reported(call, zscq: Path, tmp_path: Path, capsys) -> None:
    sub = load_zscq(zscq).submission
    form, _ = export_docx(call, sub, tmp_path)
    e = Edit(form)
    e.set_text("unit.postcode", "30000")  # five digits
    e.save()
    rc, out, _ = _run(capsys, str(form), "--into", str(zscq), "--apply")
    assert rc == 0 and "导入后的检查" in out and "邮政编码" in out
    assert load_zscq(zscq).submission.get("unit.postcode") == "30000"


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) not installed")
def test_a_doc_file_is_converted(call, zscq: Path, tmp_path: Path, capsys) -> None:
    import subprocess

    sub = load_zscq(zscq).submission
    form, _ = export_docx(call, sub, tmp_path)
    e = Edit(form)
    e.set_text("unit.bank", "转换后的银行")
    e.save()
    out = tmp_path / "doc"
    subprocess.run([SOFFICE, f"-env:UserInstallation={(tmp_path / 'p').as_uri()}", "--headless", "--convert-to",
                    "doc", "--outdir", str(out), str(form)], check=True, capture_output=True, timeout=600)
    rc, text, err = _run(capsys, str(out / "form.doc"), "--into", str(zscq), "--json")
    assert rc == 1, err
    assert {x["path"]: x["new"] for x in json.loads(text)}.get("unit.bank") == "转换后的银行", text


def test_a_doc_file_without_a_converter_asks_to_save_as_docx(zscq: Path, tmp_path: Path, capsys,
                                                             monkeypatch) -> None:
    monkeypatch.setenv("ZSCQ_OFFICE", "none")
    f = tmp_path / "旧.wps"
    f.write_bytes(OLE_MAGIC + b"\x00" * 600)
    rc, _, err = _run(capsys, str(f), "--into", str(zscq))
    assert rc == 2 and "另存为" in err and ".docx" in err


def test_a_tracked_change_in_a_table_cell_and_a_copied_mark(call, tmp_path: Path) -> None:
    import copy as _copy

    from lxml import etree

    from zscq_desktop.wordio.read import w

    sub = build_sample(call, "creation-pilot")
    form, _ = export_docx(call, sub, tmp_path)
    e = Edit(form)
    tc = e.table("form.team.members").findall(w("tr"))[1].findall(w("tc"))[4]  # first member's 分工
    p = tc.find(w("p"))
    ns = w("x")[1:-2]
    p.append(etree.fromstring(f'<w:ins xmlns:w="{ns}" w:id="901" w:author="A" w:date="2023-05-01T00:00:00Z">'
                              '<w:r><w:t>，兼任联络人</w:t></w:r></w:ins>'))
    # LibreOffice renames a bookmark that was copied along with its text: zscq_<n>_Copy_1
    src = e.paragraphs("form.content.goals")[0]
    dup = _copy.deepcopy(src)
    for b in dup.iter(w("bookmarkStart")):
        b.set(w("name"), b.get(w("name")) + "_Copy_1")
        b.set(w("id"), "902")
    for b in dup.iter(w("bookmarkEnd")):
        b.set(w("id"), "902")
    e.paragraphs("form.content.summary")[-1].addnext(dup)
    e.save()
    r = compare(form.read_bytes(), call, sub)
    [cell] = [x for x in r.differences if x.path == "form.team.members[0].role"]
    role = sub.get("form.team.members[0].role")
    assert cell.tracked and cell.new == role + "，兼任联络人" and cell.before == role
    assert any("复制到别处" in x for x in r.not_imported)
    assert [x.path for x in r.differences] == ["form.team.members[0].role"]


def test_a_tampered_map_sets_nothing_outside_the_form(call, tmp_path: Path) -> None:
    sub = build_sample(call, "creation-pilot")
    form, _ = export_docx(call, sub, tmp_path)
    e = Edit(form)
    e.set_text("unit.address", "改过")
    e.save()
    buf = io.BytesIO()
    with zipfile.ZipFile(form) as src, zipfile.ZipFile(buf, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename.startswith("customXml/item") and b"roundtrip" in data:
                data = data.replace(b'path="unit.address"', b'path="meta.evil"')
            dst.writestr(item, data)
    r = compare(buf.getvalue(), call, sub)
    assert r.differences == [] and any("meta.evil" in x for x in r.not_imported)


@pytest.mark.parametrize("body", [b"<w:document><unclosed>", None])
def test_damaged_docx_messages_are_chinese_only(body: bytes | None) -> None:
    """A damaged DOCX (broken XML, or a document part whose stated size lies) is refused in Chinese,
    with no English library text in the message."""
    import re as _re

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", body if body is not None else b"<a/>" + b" " * 200_000)
    data = bytearray(buf.getvalue())
    if body is None:  # the central directory claims 10 bytes: reading more than it says is refused
        cd = data.rfind(b"PK\x01\x02")
        data[cd + 24:cd + 28] = (10).to_bytes(4, "little")
    with pytest.raises(WordError) as info:
        read_docx(bytes(data), "坏.docx")
    assert not _re.search(r"[A-Za-z]{4,}", str(info.value).replace("docx", "").replace("Word", "").replace("WPS", ""))


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are a POSIX thing")
def test_a_fifo_given_as_the_word_file_is_refused_unread(zscq: Path, tmp_path: Path) -> None:
    """`import` reads through the project's bounded reader: a FIFO (or a device) never hangs it."""
    import subprocess
    import sys

    fifo = tmp_path / "管道.docx"
    os.mkfifo(fifo)
    before = zscq.read_bytes()
    proc = subprocess.run([sys.executable, "-m", "zscq_desktop", "import", str(fifo), "--into", str(zscq)],
                          capture_output=True, text=True, encoding="utf-8", timeout=60)
    assert proc.returncode == 2 and "不是普通文件" in proc.stderr and "Traceback" not in proc.stderr
    assert zscq.read_bytes() == before
