"""Checks that only a real Windows can make (issue 9): run by .github/workflows/windows.yml after the
bundle is built, against the frozen executables and the installed package.

    python installer/windows_checks.py dist/zscq-desktop --documents "<the user's Documents folder>"

1. **read-only folder attribute**: ``attrib +r`` on Documents (what Explorer sets on shell folders),
   proof that CPython then reports mode 0o555, and a `.zscq` created, opened for writing and saved
   there;
2. **a DOCX held open**: export, hold the form DOCX open the way Word does (share-read only) and the
   way a plain ``open()`` does (no share-delete), re-export a changed submission: exit 2, the message
   names the file, every previous file unchanged; closed again, the re-export replaces all;
3. **converter detection on a runner without Word**: comtypes imports, yet no Word is chosen;
4. **the program started with only a file path** (a drop on the icon, 打开方式): the window opens it;
   the console twin with a missing file exits 2 with 找不到文件;
5. **console output** without UTF-8 mode: the bytes are in the console's code page (or the ANSI
   code page without a console), and nothing crashes on characters it lacks.

Exit 0 when all hold; 1 with the first failure. Windows only.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "installer"))
import bundle_contents as bc  # noqa: E402


class Failed(Exception):
    pass


def check(ok: bool, message: str) -> None:
    if not ok:
        raise Failed(message)


def run(exe: Path, *args: str, env: dict[str, str], expect: int | None = 0) -> subprocess.CompletedProcess[bytes]:
    r = subprocess.run([str(exe), *args], capture_output=True, env=env, timeout=600, stdin=subprocess.DEVNULL)
    if expect is not None and r.returncode != expect:
        raise Failed(f"{exe.name} {' '.join(args)} exited {r.returncode}, expected {expect}:\n"
                     f"{r.stdout.decode('utf-8', 'replace')}\n{r.stderr.decode('utf-8', 'replace')}")
    print(f"  ok  {exe.name} {' '.join(args)} → {r.returncode}")
    return r


def digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir() if p.is_file()}


def read_only_documents(cli: Path, docs: Path, env: dict[str, str]) -> Path:
    from zscq_desktop.store import files
    from zscq_desktop.store.document import Document

    subprocess.run(["attrib", "+r", str(docs)], check=True)
    mode = os.stat(docs).st_mode
    print(f"  ok  attrib +r {docs}: CPython reports mode {oct(stat.S_IMODE(mode))}")
    check(not mode & 0o222, f"expected a read-only mode after attrib +r, got {oct(mode)} (the premise of issue 9 item 1)")
    check(files.folder_accepts_files(docs) and files.writable(docs), "Documents is not seen as writable")
    target = docs / "zscq-ci-示例申报.zscq"
    target.unlink(missing_ok=True)
    run(cli, "sample", "--direction", "creation-pilot", "-o", str(target), env=env)
    with Document.open(target) as doc:  # read-write, in the folder with the attribute
        check(not doc.readonly, "the .zscq in Documents opened read-only")
        sub = doc.load()
        sub["meta"] = {"ci": "read-only attribute"}
        doc.save(sub)
    print(f"  ok  a .zscq created, opened for writing and saved in {docs}")
    return target


def _hold_like_word(path: Path) -> int:
    """A handle with share-read only (Word, Acrobat): writing and renaming are refused."""
    k32 = ctypes.windll.kernel32
    k32.CreateFileW.restype = ctypes.c_void_p
    handle = k32.CreateFileW(str(path), 0x80000000, 0x1, None, 3, 0x80, None)  # GENERIC_READ, FILE_SHARE_READ
    check(handle not in (None, ctypes.c_void_p(-1).value), f"could not hold {path}")
    return handle


def held_docx(cli: Path, sample: Path, work: Path, env: dict[str, str]) -> None:
    out = work / "导出"
    run(cli, "export", str(sample), "--out", str(out), "--quiet", env=env)
    data_path = work / "sample.json"
    run(cli, "convert", str(sample), str(data_path), env=env)
    data = json.loads(data_path.read_text(encoding="utf-8"))
    data["form"]["cover"]["project_name"] = "重新导出时修改的项目名称"
    changed = work / "changed.json"
    changed.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    docx = next(out.glob("申报书-*.docx"))
    for how in ("word", "open"):
        before = digests(out)
        handle = _hold_like_word(docx) if how == "word" else open(docx, "rb")  # noqa: SIM115
        try:
            r = run(cli, "export", str(changed), "--out", str(out), "--quiet", env=env, expect=2)
        finally:
            ctypes.windll.kernel32.CloseHandle(ctypes.c_void_p(handle)) if how == "word" else handle.close()
        err = r.stderr.decode("utf-8", "replace")
        check(f"《{docx.name}》正在被其他程序打开" in err, f"the message does not name the open file:\n{err}")
        check(digests(out) == before, "files of the previous export changed although one was held open")
        print(f"  ok  DOCX held open ({how}): exit 2, the file named, the previous set intact")
    before = digests(out)
    run(cli, "export", str(changed), "--out", str(out), "--quiet", env=env)
    after = digests(out)
    check(after.keys() == before.keys() and all(after[k] != before[k] for k in before), "the re-export did not replace all")
    print("  ok  closed again: the re-export replaced every file")


def converter_without_word() -> None:
    import importlib

    from zscq_desktop.attachments import office

    if office.registered_clsid("Word.Application"):
        print("  --  this runner has Word registered: the no-Word check is skipped")
        return
    importlib.import_module("comtypes")  # a dependency on Windows: importable…
    kinds = [c.kind for c in office.find_converters()]
    check("word" not in kinds, f"Word chosen on a runner without Word: {kinds}")  # …yet no Word
    print(f"  ok  no Word registered, comtypes importable, converters: {kinds or 'none'}")


def file_path_only(gui: Path, cli: Path, sample: Path, work: Path, env: dict[str, str]) -> None:
    gui_env = dict(env, ZSCQ_QUIT_AFTER_SHOWN="1")
    run(gui, str(sample), env=gui_env)  # exactly what Explorer runs for a drop on the program
    log = (Path(env["ZSCQ_USER_DIR"]) / "logs" / "zscq-desktop.log").read_text(encoding="utf-8", errors="replace")
    check("first page shown:" in log, f"the window did not open the dropped file:\n{log[-2000:]}")
    r = run(cli, str(work / "不存在.zscq"), env=env, expect=2)
    check("找不到文件" in r.stderr.decode("utf-8", "replace"), f"no Chinese message for a missing file: {r.stderr!r}")
    print("  ok  started with only a file path: opened; a missing file: exit 2 with 找不到文件")


def console_code_page(cli: Path, env: dict[str, str]) -> None:
    k32 = ctypes.windll.kernel32
    cp = k32.GetConsoleOutputCP() or k32.GetACP()
    plain = {k: v for k, v in env.items() if k not in ("PYTHONUTF8", "PYTHONIOENCODING")}
    r = run(cli, "directions", env=plain)
    text = r.stdout.decode("utf-8" if cp == 65001 else f"cp{cp}")
    name = "高质量知识产权创造试点"
    try:
        name.encode("utf-8" if cp == 65001 else f"cp{cp}")
        check(name in text, f"code page {cp}: the Chinese names do not read right:\n{text[:500]}")
    except UnicodeEncodeError:
        check("?" in text, f"code page {cp} lacks Chinese, expected replacement characters:\n{text[:500]}")
    print(f"  ok  redirected output without UTF-8 mode is in code page {cp} and reads right")


def main(argv: list[str]) -> int:
    if sys.platform != "win32":
        print("windows_checks.py runs on Windows only")
        return 1
    bundle = Path(argv[0]).resolve()
    docs = Path(argv[argv.index("--documents") + 1]).resolve()
    gui, cli = bundle / f"{bc.APP}.exe", bundle / f"{bc.CLI_APP}.exe"
    work = Path(tempfile.mkdtemp(prefix="zscq-ci-", dir=docs))
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "ZSCQ_USER_DIR": str(work / "user"), "PYTHONUTF8": "1"}
    try:
        sample = read_only_documents(cli, docs, env)
        held_docx(cli, sample, work, env)
        converter_without_word()
        file_path_only(gui, cli, sample, work, env)
        console_code_page(cli, env)
    except Failed as exc:
        print(f"Windows checks FAILED: {exc}", file=sys.stderr)
        return 1
    finally:
        subprocess.run(["attrib", "-r", str(docs)], check=False)
    print("Windows checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
