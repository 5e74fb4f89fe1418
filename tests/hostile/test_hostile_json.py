"""Hostile submission JSON files: a generated corpus of mutations, hostile attachment paths (outside
the folder, absolute, links, FIFO, device, socket, folder), and size limits applied before reading.
Every case ends with exit 0/1/2 and a Chinese message, never a traceback, never a hang, and nothing
outside the JSON's folder is read."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from mutations import mutations

from zscq_desktop.call import load_call
from zscq_desktop.cli import main
from zscq_desktop.core.sample import write_sample
from zscq_desktop.docio import InputError, load_json

SECRET = b"SECRET-TOKEN-4242"
CJK = ("\u4e00", "\u9fff")


def chinese(text: str) -> bool:
    return any(CJK[0] <= ch <= CJK[1] for ch in text)


@pytest.fixture(scope="module")
def sample_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hostile") / "申报"
    folder.mkdir()
    write_sample(load_call(), "creation-pilot", folder / "sample.json")
    return folder


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    rc = main(argv)
    out, err = capsys.readouterr()
    return rc, out, err


def test_mutated_corpus_check_and_export_agree(sample_dir, tmp_path, capsys) -> None:
    sample = json.loads((sample_dir / "sample.json").read_text("utf-8"))
    corpus = list(mutations(sample, count=100))
    seen = set()
    for i, (label, text) in enumerate(corpus):
        path = sample_dir / f"m{i}.json"
        path.write_text(text, "utf-8", errors="surrogatepass")
        try:
            rc_check, _, err_check = run(["check", str(path)], capsys)
            rc_export, _, err_export = run(["export", str(path), "--out", str(tmp_path / f"o{i}"), "--quiet"], capsys)
        finally:
            path.unlink()
        seen.add((rc_check, rc_export))
        assert rc_check in (0, 1, 2) and rc_export in (0, 1, 2), label
        assert rc_check == rc_export or (rc_check, rc_export) == (0, 1), label  # check 0 → export renders
        assert rc_check != 0 or rc_export == 0, (label, err_export[-300:])
        if rc_check == 2:
            assert chinese(err_check) and "Traceback" not in err_check, (label, err_check)
    assert {(0, 0), (1, 1), (2, 2)} <= seen  # the corpus reaches every outcome


def test_larger_corpus_through_check(sample_dir, capsys) -> None:
    """Another 250 mutations through the loader and the rules (cheap; export is covered above)."""
    sample = json.loads((sample_dir / "sample.json").read_text("utf-8"))
    for i, (label, text) in enumerate(mutations(sample, count=250, seed=7)):
        path = sample_dir / f"c{i}.json"
        path.write_text(text, "utf-8", errors="surrogatepass")
        try:
            rc, out, err = run(["check", str(path)], capsys)
        finally:
            path.unlink()
        assert rc in (0, 1, 2) and (rc != 2 or chinese(err)), (label, err)


@pytest.mark.parametrize("label", ["nesting-1000", "nesting-100000", "surrogate-name", "path-int",
                                   "indicator-max-list", "nan", "huge-int", "not-json", "empty"])
def test_named_classes_from_the_issue_via_the_command_line(sample_dir, tmp_path, label) -> None:
    text = dict(mutations(json.loads((sample_dir / "sample.json").read_text("utf-8")), count=0))[label]
    path = sample_dir / f"{label}.json"
    path.write_text(text, "utf-8", errors="surrogatepass")
    try:
        for argv in (["check", str(path)], ["export", str(path), "--out", str(tmp_path / "o"), "--quiet"]):
            r = subprocess.run([sys.executable, "-m", "zscq_desktop", *argv], capture_output=True, timeout=60)
            err = (r.stdout + r.stderr).decode("utf-8")
            # an unusable attachment path is a finding (1); a file that cannot be read at all is refused (2)
            assert r.returncode == (1 if label == "path-int" else 2), (label, err)
            assert "Traceback" not in err and chinese(err), (label, err)
    finally:
        path.unlink()


def test_lone_surrogate_refused_naming_the_field(sample_dir) -> None:
    data = json.loads((sample_dir / "sample.json").read_text("utf-8"))
    data["unit"]["name"] = "\ud800"
    path = sample_dir / "sur.json"
    path.write_text(json.dumps(data), "utf-8")
    try:
        with pytest.raises(InputError, match="unit.name"):
            load_json(path)
    finally:
        path.unlink()


# ---- attachment paths -------------------------------------------------------------------------

@pytest.fixture
def case(tmp_path, sample_dir):
    """A fresh copy of the sample in tmp_path/in, a secret file beside the folder; returns a function
    that points the first attachment at `path` and returns the JSON path."""
    folder = tmp_path / "in"
    folder.mkdir()
    data = json.loads((sample_dir / "sample.json").read_text("utf-8"))
    for a in data["attachments"]:
        (folder / a["path"]).parent.mkdir(parents=True, exist_ok=True)
        (folder / a["path"]).write_bytes((sample_dir / a["path"]).read_bytes())
    (tmp_path / "secret.txt").write_bytes(SECRET)

    def point(path: str) -> Path:
        d = json.loads(json.dumps(data))
        d["attachments"][0]["path"] = path
        d["attachments"][0]["sha256"] = ""
        out = folder / "s.json"
        out.write_text(json.dumps(d, ensure_ascii=False), "utf-8")
        return out

    return point


def assert_refused(json_path: Path, tmp_path: Path, capsys, expect: str) -> None:
    """check: exit 1 with a finding naming the entry; export blocked; nothing secret anywhere."""
    rc, out, err = run(["check", str(json_path)], capsys)
    assert rc == 1, err
    assert "第 1 个附件" in out and expect in out, out
    rc, out, err = run(["export", str(json_path), "--out", str(tmp_path / "out"), "--quiet"], capsys)
    assert rc == 1 and "第 1 个附件" in err
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
    with pytest.raises(InputError, match="第 1 个附件"):
        load_json(json_path)  # strict (GUI import, convert): refused as a whole
    rc, _, err = run(["convert", str(json_path), str(tmp_path / "c.zscq")], capsys)
    assert rc == 2 and "第 1 个附件" in err and not (tmp_path / "c.zscq").exists()


@pytest.mark.parametrize("how", ["dotdot", "absolute", "windows-absolute", "unc", "home", "symlink",
                                 "symlink-dir", "proc-environ", "empty", "number"])
def test_paths_outside_the_folder_refused(case, tmp_path, capsys, how) -> None:
    folder = tmp_path / "in"
    if how == "symlink":
        (folder / "link.pdf").symlink_to(tmp_path / "secret.txt")
    if how == "symlink-dir":
        (folder / "up").symlink_to(tmp_path)
    path = {"dotdot": "../secret.txt", "absolute": str(tmp_path / "secret.txt"), "windows-absolute": "C:\\secret.txt",
            "unc": "\\\\server\\share\\secret.txt", "home": "~/secret.txt", "symlink": "link.pdf",
            "symlink-dir": "up/secret.txt", "proc-environ": "/proc/self/environ", "empty": "", "number": -7}[how]
    expect = {"dotdot": "之外", "symlink": "之外", "symlink-dir": "之外", "empty": "路径", "number": "路径"}.get(how, "绝对路径")
    json_path = case(path)
    assert_refused(json_path, tmp_path, capsys, expect)
    assert SECRET not in json_path.read_bytes()


def test_fifo_inside_the_folder_refused_without_hanging(case, tmp_path) -> None:
    os.mkfifo(tmp_path / "in" / "pipe.pdf")
    json_path = case("pipe.pdf")
    for argv in (["check", str(json_path)], ["export", str(json_path), "--out", str(tmp_path / "o"), "--quiet"]):
        r = subprocess.run([sys.executable, "-m", "zscq_desktop", *argv], capture_output=True, timeout=60)
        text = (r.stdout + r.stderr).decode("utf-8")
        assert r.returncode == 1 and "命名管道" in text and "Traceback" not in text


def test_folder_socket_and_device_refused(case, tmp_path, capsys) -> None:
    folder = tmp_path / "in"
    (folder / "dir.pdf").mkdir()
    assert_refused(case("dir.pdf"), tmp_path, capsys, "文件夹")
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind(str(folder / "s.pdf"))
        assert_refused(case("s.pdf"), tmp_path, capsys, "套接字")
    finally:
        sock.close()
    try:
        os.mknod(folder / "zero.pdf", 0o600 | 0o020000, os.makedev(1, 5))  # /dev/zero
    except (PermissionError, AttributeError):
        return  # not root: the symlink case below covers a device outside the folder
    assert_refused(case("zero.pdf"), tmp_path, capsys, "设备")


def test_symlink_to_dev_zero_refused(case, tmp_path, capsys) -> None:
    (tmp_path / "in" / "zero.pdf").symlink_to("/dev/zero")
    assert_refused(case("zero.pdf"), tmp_path, capsys, "之外")


def test_link_inside_the_folder_is_followed(case, tmp_path, capsys) -> None:
    folder = tmp_path / "in"
    real = next(folder.glob("*/*.pdf"))
    (folder / "link.pdf").symlink_to(real)
    rc, out, err = run(["check", str(case("link.pdf"))], capsys)
    assert "第 1 个附件" not in out and rc in (0, 1)


def test_backslash_paths_accepted(case, tmp_path, sample_dir) -> None:
    """A JSON written on Windows (`sample-附件\\营业执照.pdf`) reads on Linux too."""
    case("x")  # copies the sample's files into tmp_path/in
    data = json.loads((sample_dir / "sample.json").read_text("utf-8"))
    for a in data["attachments"]:
        assert "/" in a["path"]
        a["path"] = a["path"].replace("/", "\\")
    path = tmp_path / "in" / "win.json"
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    loaded = load_json(path)
    assert len(loaded.blobs) == len({a["sha256"] for a in data["attachments"]})
    assert [a.sha256 for a in loaded.submission.attachments] == [a["sha256"] for a in data["attachments"]]


# ---- sizes before reading -------------------------------------------------------------------

def test_attachment_over_200_mb_refused_before_reading(case, tmp_path, capsys, monkeypatch) -> None:
    big = tmp_path / "in" / "big.pdf"
    with open(big, "wb") as f:
        f.truncate(200 * 1024 * 1024 + 1)  # sparse: costs nothing
    real_read = os.read

    def no_big_reads(fd, n):
        assert os.fstat(fd).st_size <= 200 * 1024 * 1024, "the big file was read"
        return real_read(fd, n)

    monkeypatch.setattr(os, "read", no_big_reads)
    assert_refused(case("big.pdf"), tmp_path, capsys, "超过上限 200 MB")


def test_json_over_20_mb_refused_before_parsing(tmp_path, capsys, monkeypatch) -> None:
    path = tmp_path / "huge.json"
    with open(path, "wb") as f:
        f.write(b'{"format": "zscq-submission"')
        f.truncate(20 * 1024 * 1024 + 1)
    monkeypatch.setattr(json, "loads", lambda *a, **k: pytest.fail("parsed"))
    rc, _, err = run(["check", str(path)], capsys)
    assert rc == 2 and "20 MB" in err


def test_json_that_is_a_fifo_or_folder_refused(tmp_path, capsys) -> None:
    os.mkfifo(tmp_path / "p.json")
    rc, _, err = run(["check", str(tmp_path / "p.json")], capsys)
    assert rc == 2 and "命名管道" in err
    (tmp_path / "d.json").mkdir()
    rc, _, err = run(["check", str(tmp_path / "d.json")], capsys)
    assert rc == 2 and "文件夹" in err
    os.mkfifo(tmp_path / "p.zscq")
    rc, _, err = run(["check", str(tmp_path / "p.zscq")], capsys)
    assert rc == 2 and chinese(err)


def test_zscq_blob_over_the_limit_refused_before_reading(sample_dir, tmp_path, capsys, monkeypatch) -> None:
    import sqlite3

    from zscq_desktop.docio import write_zscq
    from zscq_desktop.store.document import Document

    doc = tmp_path / "d.zscq"
    write_zscq(load_json(sample_dir / "sample.json"), doc)
    with sqlite3.connect(doc) as c:  # the size column says 300 MB (a hostile or damaged file)
        c.execute("UPDATE blobs SET size = ?", (300 * 1024 * 1024,))
    monkeypatch.setattr(Document, "get_blob", lambda *a: pytest.fail("a blob was read"))
    rc, out, _ = run(["check", str(doc)], capsys)
    assert rc == 1 and "超过单个附件 200 MB" in out


def test_output_survives_names_that_are_not_text(sample_dir, tmp_path) -> None:
    """A file name with bytes that are not UTF-8 reaches Python as lone surrogates; printing it must
    not end in UnicodeEncodeError (the file is written all the same)."""
    target = os.fsencode(tmp_path) + b"/\xff\xfe.zscq"
    r = subprocess.run([sys.executable.encode(), b"-m", b"zscq_desktop", b"convert",
                        os.fsencode(sample_dir / "sample.json"), target], capture_output=True, timeout=60)
    out = (r.stdout + r.stderr).decode("utf-8", "replace")
    assert r.returncode == 0 and "已转换" in out and "Traceback" not in out
    assert os.path.exists(target)


@pytest.mark.parametrize("where,value,expect", [
    (("form", "content", "goals"), "A" * 100_000, "form.content.goals"),  # 30–50 s to typeset: refused
    (("form", "content", "goals"), ["列表"] * 3, "form.content.goals"),
    (("form", "team", "members", 1, "education"), [{"a": "b"}] * 200, "form.team.members[1].education"),
    (("plan", "indicators", 0, "max"), [], "plan.indicators[0].max"),
])
def test_values_export_cannot_render_in_time_are_refused_at_load(sample_dir, where, value, expect) -> None:
    data = json.loads((sample_dir / "sample.json").read_text("utf-8"))
    node = data
    for k in where[:-1]:
        node = node[k]
    node[where[-1]] = value
    path = sample_dir / "shape.json"
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    try:
        with pytest.raises(InputError) as info:
            load_json(path)
    finally:
        path.unlink()
    assert expect in str(info.value) and "AAAA" not in str(info.value)


def test_a_long_but_reasonable_answer_is_accepted(sample_dir) -> None:
    data = json.loads((sample_dir / "sample.json").read_text("utf-8"))
    data["form"]["content"]["goals"] = "天津示例科技有限公司围绕核心产品开展专利布局。" * 1500  # 33 000 characters
    path = sample_dir / "long.json"
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    try:
        assert load_json(path).submission.form["content"]["goals"] == data["form"]["content"]["goals"]
    finally:
        path.unlink()
