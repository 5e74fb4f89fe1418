"""Export benchmark (issue 15): every row of the speed table, product and peer side by side in one run.

    python bench/run_export.py [--pairs 5] [--pairs-large N] [--scales 1,2,4,8] [--json out.json]

The **peer** is what a careful user does today without the app, timed as one job: LibreOffice
(headless, a warm profile) converting the form and plan DOCX to PDF, `img2pdf` turning the JPEG/PNG
scans into one PDF, `qpdf` merging form, plan, scans and the supporting PDFs, and `zip` packing the
merged PDF with the two DOCX. (`img2pdf` is a bench-only tool: `pip install -r bench/requirements.txt`.)

Rows, each measured in **pairs** (product, peer) whose order alternates from pair to pair, so a
machine that slows down during the run slows both sides alike; every row reports the median and
the minimum of the product, of the yardstick, and the median of the per-pair ratios:

- `cli_first`: `zscq-desktop export` of a freshly converted `.zscq` (nothing cached yet), whole
  process, ÷ peer;
- `cli_second`: the same command again on the same file, ÷ peer;
- `app_unchanged`: an export in a running process (fonts registered, the `.zscq` open as the app
  keeps it) with nothing changed, ÷ peer;
- `app_after_edit`: the same after one character of the plan changed, ÷ peer (the edit is kept in
  memory: the document's cache is not disturbed for the next pair);
- `startup`: process start to the first paint of the start page (`bench_gui.startup`) ÷ a bare
  PySide6 window (QApplication + one QWidget painted);
- `shrink` (×4 and ×8 only): an export whose zip must be shrunk to the default budget ÷ the same
  export with no budget, both after an untimed export in the same process; the zip size against
  the budget is reported too (the first pair measures the images' sample, later pairs find it in
  the document's cache, as a user's repeated export does);
- `peak_mb`: the largest resident set of the `cli_first` processes.

Every child runs with the package's bytecode compiled (`compileall` first, `PYTHONDONTWRITEBYTECODE`
removed from its environment): an installed app — the frozen bundle, or a pip install — has its
`.pyc` files, while this machine's environment sets the variable and would otherwise compile the
application's modules anew in every process (≈ 0.1 s each time).

The reference submission (`make_reference.py`) is built at every `--scales` factor (supporting
files × N; the form and plan text stay the same). Nothing here is asserted: it only measures.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BUDGET_MB = 20.0  # the CLI's default zip budget

CLI_CHILD = r"""
import json, resource, sys
from zscq_desktop.cli import main
rc = main(sys.argv[1:])
print(json.dumps({"rc": rc, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

APP_CHILD = r"""
import json, resource, sys, time
from pathlib import Path
from zscq_desktop.call import load_call
from zscq_desktop.docio import load_zscq
from zscq_desktop.volume.export import export, MemoryCache
from zscq_desktop.store.document import Document
from zscq_desktop.render.fonts import register_fonts
doc_path, out, mode = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
register_fonts()  # process start-up cost, paid once per app session, not per export


class Overlay:
    # what an edit in the app does to the cache, without replacing the document's entries
    def __init__(self, doc):
        self.doc, self.mem = doc, MemoryCache()
    def get_derived(self, sha, kind):
        return self.mem.get_derived(sha, kind) or self.doc.get_derived(sha, kind)
    def put_derived(self, sha, kind, data, meta):
        self.mem.put_derived(sha, kind, data, meta)


result = {}
with Document.open(doc_path) as doc:
    loaded = load_zscq(doc_path)
    call = load_call(loaded.submission.call)
    if mode == "app":
        t = time.perf_counter()
        export(loaded, call, out / "a", cache=doc)
        result["app_unchanged"] = time.perf_counter() - t
        sections = loaded.submission.plan["sections"]
        sections["background"] = str(sections.get("background", "")) + "改"
        t = time.perf_counter()
        export(loaded, call, out / "b", cache=Overlay(doc))
        result["app_after_edit"] = time.perf_counter() - t
    else:  # shrink: the same warm export with and without the zip budget, order given
        # one untimed export first: the first export in a process also pays the modules it loads on
        # first use, which would fall on whichever of the two timed ones comes first
        export(loaded, call, out / "warm", cache=doc, budget_bytes=1 << 40)
        for which in mode.split(",")[1:]:
            budget = int(%BUDGET% * 1024 * 1024) if which == "budget" else 1 << 40
            t = time.perf_counter()
            r = export(loaded, call, out / which, cache=doc, budget_bytes=budget)
            result[which] = time.perf_counter() - t
            result[which + "_zip_mb"] = r.zip.stat().st_size / 1e6
            result[which + "_findings"] = [f.code for f in r.findings if "budget" in f.code or "shrink" in f.code]
print(json.dumps(result))
""".replace("%BUDGET%", repr(BUDGET_MB))


def child_env(**extra: str) -> dict[str, str]:
    """The environment of a timed child: as installed apps run, with their bytecode (see above)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(extra)
    return env


def compile_package() -> None:
    """Compile the package being measured once, so that no child pays for it."""
    import compileall

    import zscq_desktop

    compileall.compile_dir(str(Path(zscq_desktop.__file__).parent), quiet=1)


def python_child(code: str, *args: str, env: dict | None = None) -> tuple[float, dict]:
    """Run `code` in a new interpreter; wall seconds and its last stdout line as JSON."""
    t = time.perf_counter()
    r = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=1800,
                       env=env or child_env())
    wall = time.perf_counter() - t
    if r.returncode:
        raise SystemExit(r.stderr[-4000:])
    return wall, json.loads(r.stdout.strip().splitlines()[-1])


def cli_export(doc: Path, out: Path) -> tuple[float, float]:
    """Wall seconds and peak MB of `zscq-desktop export DOC --out OUT --quiet`."""
    wall, got = python_child(CLI_CHILD, "export", str(doc), "--out", str(out), "--quiet")
    if got["rc"] != 0:
        raise SystemExit(f"export failed with {got['rc']}")
    return wall, got["peak_mb"]


class Peer:
    """The manual way, on the reference's own files (DOCX from a product export)."""

    def __init__(self, work: Path, files: Path, docx: list[Path]) -> None:
        self.work, self.docx = work, docx
        self.soffice = shutil.which("soffice") or shutil.which("libreoffice")
        self.img2pdf = shutil.which("img2pdf")
        if not (self.soffice and self.img2pdf and shutil.which("qpdf") and shutil.which("zip")):
            raise SystemExit("the peer needs soffice, img2pdf (pip install -r bench/requirements.txt), qpdf and zip")
        self.pdfs = sorted(files.glob("*.pdf"))
        self.images = sorted(p for p in files.iterdir() if p.suffix.lower() in (".jpg", ".jpeg", ".png"))
        self.profile = work / "lo-profile"
        self.run(work / "peer-warmup")  # the first LibreOffice run creates its profile: not timed

    def run(self, out: Path) -> float:
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)
        t = time.perf_counter()
        subprocess.run([self.soffice, f"-env:UserInstallation=file://{self.profile}", "--headless", "--convert-to",
                        "pdf", "--outdir", str(out), *map(str, self.docx)], check=True, capture_output=True)
        scans = out / "scans.pdf"
        subprocess.run([self.img2pdf, "--pagesize", "A4", "-o", str(scans), *map(str, self.images)], check=True,
                       capture_output=True)
        converted = [out / (d.stem + ".pdf") for d in self.docx]
        merged = out / "申报材料.pdf"
        subprocess.run(["qpdf", "--empty", "--pages", *map(str, converted), *map(str, self.pdfs), str(scans), "--",
                        str(merged)], check=True, capture_output=True)
        subprocess.run(["zip", "-q", "-j", str(out / "申报材料.zip"), str(merged), *map(str, self.docx)], check=True,
                       capture_output=True)
        return time.perf_counter() - t


def summary(product: list[float], yard: list[float]) -> dict:
    ratios = [p / y for p, y in zip(product, yard)]
    return {"median_s": round(statistics.median(product), 3), "min_s": round(min(product), 3),
            "yardstick_median_s": round(statistics.median(yard), 3), "yardstick_min_s": round(min(yard), 3),
            "ratio_median": round(statistics.median(ratios), 3),
            "ratio_of_minima": round(min(product) / min(yard), 3), "pairs": len(ratios)}


def measure_scale(scale: int, pairs: int, work: Path, startup_rows: bool) -> dict:
    from make_reference import build

    base = work / f"x{scale}"
    base.mkdir()
    ref = build(base / "reference.json", scale)
    fresh = base / "fresh.zscq"
    subprocess.run([sys.executable, "-m", "zscq_desktop", "convert", str(ref), str(fresh)], check=True,
                   capture_output=True)
    warm = base / "app.zscq"
    shutil.copy(fresh, warm)
    python_child(APP_CHILD, str(warm), str(base / "warmup"), "app")  # the app normalised files when attached
    scratch = base / "scratch.zscq"  # the CLI now caches into the file it exports: keep `fresh` cold
    shutil.copy(fresh, scratch)
    cli_export(scratch, base / "docx-source")
    docx = sorted((base / "docx-source").glob("*.docx"))
    peer = Peer(base, ref.parent / f"{ref.stem}-附件", docx)

    rows: dict[str, dict[str, list[float]]] = {}

    def add(row: str, product: float, yard: float) -> None:
        rows.setdefault(row, {"p": [], "y": []})
        rows[row]["p"].append(product)
        rows[row]["y"].append(yard)

    peaks: list[float] = []
    shrink_info: dict = {}
    for i in range(pairs):
        product_first = i % 2 == 0

        def product() -> dict:
            got: dict = {}
            doc = base / f"cli{i}.zscq"
            shutil.copy(fresh, doc)
            got["cli_first"], peak = cli_export(doc, base / f"cli{i}-a")
            peaks.append(peak)
            got["cli_second"], _ = cli_export(doc, base / f"cli{i}-b")
            doc.unlink()
            if scale == 1:
                _, app = python_child(APP_CHILD, str(warm), str(base / f"app{i}"), "app")
                got.update(app)
            return got

        if product_first:
            got = product()
            yard = peer.run(base / f"peer{i}")
        else:
            yard = peer.run(base / f"peer{i}")
            got = product()
        for row, seconds in got.items():
            add(row, seconds, yard)
        if scale in (4, 8):  # shrinking ÷ not shrinking, both in one warm process, order alternating
            order = ["budget", "nobudget"] if product_first else ["nobudget", "budget"]
            _, s = python_child(APP_CHILD, str(warm), str(base / f"shrink{i}"), ",".join(["shrink", *order]))
            add("shrink", s["budget"], s["nobudget"])
            shrink_info = {"zip_mb_with_budget": round(s["budget_zip_mb"], 2),
                           "zip_mb_without": round(s["nobudget_zip_mb"], 2), "budget_mb": BUDGET_MB,
                           "findings": s["budget_findings"]}
        if startup_rows:
            sys.path.insert(0, str(HERE))
            from bench_gui import bare_window, startup  # the same children and watching as bench_gui.py

            if product_first:
                add("startup", startup(1)[0], bare_window())
            else:
                b = bare_window()
                add("startup", startup(1)[0], b)
        for p in base.glob("cli*-?"):
            shutil.rmtree(p, ignore_errors=True)
        for p in base.glob("app*"):
            if p.is_dir():
                shutil.rmtree(p, ignore_errors=True)
    out = {row: summary(v["p"], v["y"]) for row, v in rows.items()}
    out["peak_mb"] = {"max": round(max(peaks)), "median": round(statistics.median(peaks))}
    if shrink_info:
        out["shrink"].update(shrink_info)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pairs", type=int, default=5)
    ap.add_argument("--pairs-large", type=int, help="pairs at ×4 and ×8 (default: --pairs)")
    ap.add_argument("--scales", default="1,2,4,8")
    ap.add_argument("--json", help="also write the results to this file")
    args = ap.parse_args()
    sys.path.insert(0, str(HERE))
    compile_package()
    work = Path(tempfile.mkdtemp(prefix="zscq-bench-"))
    results: dict = {"cpus": os.cpu_count(), "pairs": args.pairs, "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                     "load_average_at_start": os.getloadavg()[0]}
    try:
        for scale in (int(s) for s in args.scales.split(",")):
            pairs = args.pairs_large if args.pairs_large and scale >= 4 else args.pairs
            results[f"x{scale}"] = measure_scale(scale, pairs, work, startup_rows=scale == 1)
            print(f"×{scale}", json.dumps(results[f"x{scale}"], ensure_ascii=False), flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    print(json.dumps(results, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
