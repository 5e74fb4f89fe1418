"""Smoke test of the frozen app: proves data files, fonts, Qt plugins and translations were bundled.

    python installer/build.py --smoke                   # build, then this
    python installer/smoke_test.py [dist/zscq-desktop] [--keep]   # an existing bundle

Runs the frozen executables headless (QT_QPA_PLATFORM=offscreen, a temporary ZSCQ_USER_DIR and,
on Linux, temporary XDG folders so the user's own settings are never touched):

1. the bundle's layout: data folders, fonts, icons, Qt libraries and plugins (offscreen, QtPdf),
   only the zh_CN Qt translations, and every hidden import inside the PYZ archive;
2. the command line: `--version`, `directions --json`, `sample -o X.zscq`, `check`, `export`;
   the volume PDF (pages, every font embedded, cover text), the DOCX, the zip (names, UTF-8 flag),
   `verify` (exit 0) and `verify` of a tampered copy (exit 1);
3. the GUI: with ZSCQ_QUIT_AFTER_SHOWN=1, `gui X.zscq` shows a page, logs it and exits 0; then
   `gui X.zscq` must still be running after a few seconds; its log must show the start,
   no missing translation/page/crash handler, no error; the crash handler's faulthandler.log must
   exist (the frozen app installed `ui/crash.py`) and, on Linux/macOS, hold a Python stack after
   the GUI is ended with SIGABRT (a hard crash).

Options: ``--keep`` keeps the work folder; ``--work-in DIR`` makes the work folder inside DIR (the
Windows workflow passes the user's own Documents folder, which Explorer marks read-only);
``--office real`` leaves the office converter lookup alone (no ``ZSCQ_OFFICE=none``) and adds a
step that attaches the exported form DOCX to the sample and exports again, so an installed
converter (LibreOffice on the runner) really converts a Word file inside the frozen app.

Needs the build environment (pypdf, PyInstaller). Exit 0 when everything holds, 1 with the first
failure otherwise.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "installer"))
sys.path.insert(0, str(ROOT / "src"))
import bundle_contents as bc  # noqa: E402
from smoke_checks import SmokeFailure, check, check_bundle, check_docx, check_pdf, check_zip, font_names  # noqa: E402

from zscq_desktop import __version__  # noqa: E402

WINDOWS = os.name == "nt"
GUI_SECONDS = float(os.environ.get("ZSCQ_SMOKE_GUI_SECONDS", "8"))


def exe_path(bundle: Path, name: str) -> Path:
    return bundle / (name + ".exe" if WINDOWS else name)


def run(exe: Path, *args: str, env: dict[str, str], expect: int = 0, timeout: float = 300
        ) -> subprocess.CompletedProcess[str]:
    """Run the frozen executable; a different exit code is a failure that shows its output."""
    t = time.perf_counter()
    r = subprocess.run([str(exe), *args], capture_output=True, text=True, encoding="utf-8", errors="replace",
                       env=env, timeout=timeout, stdin=subprocess.DEVNULL)
    if r.returncode != expect:
        raise SmokeFailure(f"`{exe.name} {' '.join(args)}` exited {r.returncode} (expected {expect}):\n"
                           f"{r.stdout}\n{r.stderr}")
    print(f"  ok  {exe.name} {' '.join(args)}  ({time.perf_counter() - t:.1f} s)")
    return r


def extb_step(cli: Path, work: Path, env: dict[str, str]) -> None:
    """A plan with a CJK Ext-B character (𠀀): the packed fallback font is unpacked into the user
    cache once, the character is printed in it, and a second export reuses the unpacked copy."""
    data = json.loads((work / "sample.json").read_text(encoding="utf-8"))
    data["plan"]["sections"]["background"] = "单位名称中的生僻字\U00020000须正确打印。"
    # four more scans: with --no-cache the export normalises ≥ 4 files in its process pool, i.e. the
    # frozen executable is started again as a spawn worker (multiprocessing.freeze_support in entry.py)
    import hashlib

    from PIL import Image

    for i in range(4):
        scan = work / f"scan{i}.jpg"
        Image.new("RGB", (1240, 1754), (250, 248 - 20 * i, 240)).save(scan, "JPEG", quality=80, dpi=(150, 150))
        body = scan.read_bytes()
        data["attachments"].append({"category": "other", "title": f"扫描件{i}", "source_name": scan.name,
                                    "sha256": hashlib.sha256(body).hexdigest(), "size": len(body),
                                    "id": f"smokescan{i}", "path": scan.name})
    extb = work / "sample-extb.json"
    extb.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    cache = Path(env["ZSCQ_USER_DIR"]) / "cache" / "fonts"
    base_pages = check_pdf(one(work / "导出", "申报材料-*.pdf"), None)
    # the second time from a .zscq: the spawn workers then read the scans from the document themselves
    extb_doc = work / "sample-extb.zscq"
    run(cli, "convert", str(extb), str(extb_doc), env=env)
    for n, source in ((1, extb), (2, extb_doc)):
        out_dir = work / f"导出-extb{n}"
        run(cli, "export", str(source), "--out", str(out_dir), "--quiet", "--no-cache", env=env)
        volume = one(out_dir, "申报材料-*.pdf")
        pages = check_pdf(volume, None)
        check(pages >= base_pages + 4, f"the four scans are not in the volume ({pages} pages)")
        check(any("HanaMinB" in f for f in font_names(volume)), "the Ext-B character was not set in the fallback font")
        unpacked = sorted(cache.glob("HanaMinB-*.ttf")) if cache.is_dir() else []
        check(len(unpacked) == 1, f"expected one unpacked HanaMinB in {cache}: {unpacked}")
        if n == 1:
            first = unpacked[0].stat().st_mtime_ns
    check(unpacked[0].stat().st_mtime_ns == first, "the fallback font was unpacked a second time")
    parsed = sorted(p.name.split("-0-")[0] for p in (cache / "parsed").glob("*.ttfcache"))
    check(parsed == ["HanaMinA-Sub", unpacked[0].stem, "NotoSansSC-Bold", "NotoSerifSC-Regular"],
          f"the parsed-font cache does not hold the four fonts: {parsed}")
    print(f"  ok  Ext-B text printed in the fallback font, unpacked once to {cache.name}/, parsed fonts cached; "
          "6 supporting files normalised in the process pool, from the JSON's files and from the .zscq")


def headless_env(work: Path, real_office: bool = False) -> dict[str, str]:
    """Offscreen Qt, user data under `work`; nothing from a source checkout leaks in."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "ZSCQ_USER_DIR": str(work / "user"),
           "ZSCQ_OFFICE": "none", "PYTHONUTF8": "1"}
    if real_office:
        del env["ZSCQ_OFFICE"]
    for key in ("ZSCQ_DATA_DIR", "PYTHONPATH", "PYTHONHOME", "QT_PLUGIN_PATH", "QT_QPA_PLATFORM_PLUGIN_PATH"):
        env.pop(key, None)
    if not WINDOWS:
        for key in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
            env[key] = str(work / key.lower())
    return env


def cli_steps(cli: Path, work: Path, env: dict[str, str]) -> Path:
    """Steps 2: the command line end to end; returns the sample .zscq for the GUI step."""
    out = run(cli, "--version", env=env).stdout
    check(__version__ in out, f"--version prints {out.strip()!r}, expected {__version__}")

    directions = json.loads(run(cli, "directions", "--json", env=env).stdout)
    ids = [d["id"] for d in directions]
    check(len(directions) == 13 and "creation-pilot" in ids, f"directions --json gave {ids}")

    sample = work / "示例申报.zscq"
    run(cli, "sample", "--direction", "creation-pilot", "-o", str(sample), env=env)
    check(sample.is_file() and sample.read_bytes()[:16] == b"SQLite format 3\0",
          f"sample did not write a .zscq (an SQLite file): {sample}")
    run(cli, "convert", str(sample), str(work / "sample.json"), env=env)
    unit = json.loads((work / "sample.json").read_text(encoding="utf-8"))["unit"]["name"]
    check(bool(unit), "the sample has no unit name")

    run(cli, "check", str(sample), env=env)  # the sample has no blocking finding: exit 0

    out_dir = work / "导出"
    out_dir.mkdir()
    run(cli, "export", str(sample), "--out", str(out_dir), "--quiet", env=env)
    volume = one(out_dir, "申报材料-*.pdf")
    pages = check_pdf(volume, unit)
    print(f"  ok  volume PDF: {pages} pages, every font embedded, cover names {unit}")
    check_pdf(one(out_dir, "打印与报送清单-*.pdf"), None)
    for docx in out_dir.glob("*.docx"):
        check_docx(docx, unit)
    check(len(list(out_dir.glob("*.docx"))) == 2, f"expected 2 DOCX files in {sorted(out_dir.iterdir())}")
    zip_path = one(out_dir, "*.zip")
    names = check_zip(zip_path, volume.name)
    print(f"  ok  zip: {len(names)} entries, {zip_path.stat().st_size / 1e6:.1f} MB, UTF-8 names")

    extb_step(cli, work, env)

    out = run(cli, "verify", str(zip_path), env=env).stdout
    check("校验通过" in out, f"verify printed {out!r}")
    tampered = work / "tampered.zip"
    tamper(zip_path, tampered, volume.name)
    run(cli, "verify", str(tampered), env=env, expect=1)
    return sample


def office_step(cli: Path, work: Path, env: dict[str, str]) -> None:
    """With a real converter: a Word file attached to the sample is converted inside the frozen app."""
    import hashlib

    docx = one(work / "导出", "申报书-*.docx")
    data = json.loads((work / "sample.json").read_text(encoding="utf-8"))
    body = docx.read_bytes()
    data["attachments"].append({"category": data["attachments"][0]["category"], "title": "Word 附件（冒烟测试）",
                                "source_name": docx.name, "sha256": hashlib.sha256(body).hexdigest(),
                                "size": len(body), "pages": None, "id": "smoke-docx", "path": str(docx)})
    with_docx = work / "带Word附件.json"
    with_docx.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    before = check_pdf(one(work / "导出", "申报材料-*.pdf"), None)
    out_dir = work / "导出-Word附件"
    out_dir.mkdir()
    r = run(cli, "export", str(with_docx), "--out", str(out_dir), "--quiet", env=env, timeout=600)
    check("attachment.office" not in r.stdout + r.stderr, f"the Word attachment was not converted:\n{r.stdout}{r.stderr}")
    after = check_pdf(one(out_dir, "申报材料-*.pdf"), None)
    check(after > before, f"the volume did not grow with the converted Word file ({before} → {after} pages)")
    print(f"  ok  a Word attachment converted by the installed office software: {before} → {after} pages")


def one(folder: Path, pattern: str) -> Path:
    found = sorted(folder.glob(pattern))
    check(len(found) == 1, f"expected one {pattern} in {folder}, found {[p.name for p in found]}")
    return found[0]


def tamper(src: Path, dst: Path, victim: str) -> None:
    """A copy of the zip with one byte of `victim` changed (verify must notice the hash)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == victim:
                data = data[:-10] + bytes([data[-10] ^ 0x01]) + data[-9:]
            zout.writestr(info, data)


def gui_shown_step(gui: Path, sample: Path, work: Path, env: dict[str, str]) -> None:
    """Step 3a: with ZSCQ_QUIT_AFTER_SHOWN the window opens the sample, shows a page and quits with 0."""
    proc = subprocess.run([str(gui), "gui", str(sample)], env=dict(env, ZSCQ_QUIT_AFTER_SHOWN="1"),
                          stdin=subprocess.DEVNULL, capture_output=True, timeout=120)
    out = (proc.stdout + proc.stderr).decode("utf-8", "replace")
    check(proc.returncode == 0, f"the GUI asked to quit once shown exited with {proc.returncode}:\n{out}")
    text = (work / "user" / "logs" / "zscq-desktop.log").read_text(encoding="utf-8", errors="replace")
    check("first page shown:" in text, f"the GUI log does not show a page:\n{text}")
    print(f"  ok  {gui.name} gui {sample.name}: {text.split('first page shown:')[-1].split()[0]} page shown, exit 0")


def gui_step(gui: Path, sample: Path, work: Path, env: dict[str, str]) -> None:
    """Step 3b: the window comes up with the sample open and keeps running; the log is clean."""
    t = time.perf_counter()
    proc = subprocess.Popen([str(gui), "gui", str(sample)], env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        proc.wait(timeout=GUI_SECONDS)
    except subprocess.TimeoutExpired:
        pass  # still running: what we want
    else:
        out = proc.stdout.read().decode("utf-8", "replace") if proc.stdout else ""
        raise SmokeFailure(f"the GUI exited after {time.perf_counter() - t:.1f} s with {proc.returncode}:\n{out}")
    finally:
        if proc.poll() is None:
            # POSIX: a hard crash (SIGABRT) must leave a Python stack in faulthandler.log — the crash
            # handler's last resort works in the frozen app. Windows: just end the process.
            proc.send_signal(signal.SIGABRT) if not WINDOWS else proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    output = proc.stdout.read().decode("utf-8", "replace") if proc.stdout else ""
    logs = work / "user" / "logs"
    log_file = logs / "zscq-desktop.log"
    check(log_file.is_file(), f"the GUI wrote no log in {logs}; output:\n{output}")
    text = log_file.read_text(encoding="utf-8", errors="replace")
    check(f"zscq-desktop {__version__} starting" in text, f"the log does not show the start:\n{text}")
    for bad in ("translations not found", "unavailable", "crash handler not available", "Traceback",
                " ERROR ", " CRITICAL ", "cannot load the call data"):
        check(bad not in text, f"the GUI log contains {bad!r}:\n{text}")
    fault_log = logs / "faulthandler.log"
    check(fault_log.is_file(), "no faulthandler.log: the crash handler was not installed")
    if not WINDOWS:
        fault = fault_log.read_text(encoding="utf-8", errors="replace")
        check("Fatal Python error" in fault, f"SIGABRT left no Python stack in faulthandler.log: {fault!r}")
    check(not list(logs.glob("crash-*.log")), f"the GUI crashed: {sorted(logs.glob('crash-*.log'))}")
    check("Traceback" not in output, f"the GUI printed a traceback:\n{output}")
    print(f"  ok  {gui.name} gui {sample.name}: running after {GUI_SECONDS:.0f} s, log clean, crash handler "
          f"installed{' (SIGABRT → stack in faulthandler.log)' if not WINDOWS else ''}")


def main(argv: list[str]) -> int:
    paths = [a for i, a in enumerate(argv) if not a.startswith("--") and (i == 0 or argv[i - 1] not in VALUED)]
    bundle = Path(paths[0] if paths else ROOT / "dist" / bc.APP).resolve()
    keep = "--keep" in argv  # keep the work folder (sample, exports, logs) to look at
    real_office = option(argv, "--office") == "real"
    parent = option(argv, "--work-in")
    gui, cli = exe_path(bundle, bc.APP), exe_path(bundle, bc.CLI_APP)
    work = Path(tempfile.mkdtemp(prefix="zscq-smoke-", dir=parent))
    t = time.perf_counter()
    try:
        print(f"smoke test of {bundle} in {work}" + (" with the installed office converter" if real_office else ""))
        check(gui.is_file() and cli.is_file(), f"executables missing: {gui}, {cli}")
        check_bundle(bundle, cli)
        print("  ok  bundle layout: forms, fonts, icons, Qt plugins and zh_CN translations, hidden imports")
        env = headless_env(work, real_office)
        sample = cli_steps(cli, work, env)
        if real_office:
            office_step(cli, work, env)
        gui_shown_step(gui, sample, work, env)
        gui_step(gui, sample, work, env)
    except (SmokeFailure, subprocess.TimeoutExpired) as exc:
        print(f"smoke test FAILED: {exc}\n(work folder kept: {work})", file=sys.stderr)
        return 1
    if not keep:
        shutil.rmtree(work, ignore_errors=True)
    print(f"smoke test passed in {time.perf_counter() - t:.0f} s" + (f" (work folder {work})" if keep else ""))
    return 0


VALUED = ("--office", "--work-in")


def option(argv: list[str], name: str) -> str | None:
    """The value of ``name VALUE`` in `argv`, or None."""
    return argv[argv.index(name) + 1] if name in argv and argv.index(name) + 1 < len(argv) else None


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
