"""Export benchmark: first export (with normalisation), repeated export, and two peers.

    python bench/run_export.py            # prints a table; add --json for machine-readable output

Measured in one run on this machine:
- first export of the reference submission from a fresh `.zscq` (every supporting file
  normalised, then cached in the document),
- repeated export of the same document (supporting files from the cache; form and plan, unchanged,
  reuse their last rendering: only binding, DOCX, checklist and zip remain),
- export after an edit (one plan paragraph changed: form and plan rendered again, then bound),
- peer 1: LibreOffice headless converting the generated DOCX of the plan to PDF (what users do today),
- peer 2: `qpdf --empty --pages` merging the same supporting PDFs (near the floor for merging).
Each export runs in a child process so its peak memory (max RSS) is its own.
Targets (issue 3): first ≤ 3 s, repeated ≤ 1.5 s and ≤ 0.5 × (peer 1 + peer 2), peak ≤ 400 MB, zip ≤ 15 MB.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CHILD = r"""
import json, resource, sys, time
from pathlib import Path
from zscq_desktop.call import load_call
from zscq_desktop.docio import load_zscq
from zscq_desktop.volume.export import export
from zscq_desktop.store.document import Document
from zscq_desktop.render.fonts import register_fonts
doc_path, out = Path(sys.argv[1]), Path(sys.argv[2])
edit = len(sys.argv) > 3
register_fonts()  # process start-up cost, paid once per app session, not per export
loaded = load_zscq(doc_path)
call = load_call(loaded.submission.call)
if edit:  # what a user does between two exports: change one paragraph of the plan
    sections = loaded.submission.plan["sections"]
    sections["background"] = str(sections.get("background", "")) + "（修改）" + str(time.time())
with Document.open(doc_path) as doc:
    t = time.perf_counter()
    result = export(loaded, call, out, cache=doc)
    seconds = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "peak_mb": peak, "pages": result.pages,
                  "zip_bytes": result.zip.stat().st_size if result.zip else 0}))
"""


def run_child(doc: Path, out: Path, edit: bool = False) -> dict:
    args = [sys.executable, "-c", CHILD, str(doc), str(out)] + (["edit"] if edit else [])
    r = subprocess.run(args, capture_output=True, text=True, timeout=600)
    if r.returncode:
        raise SystemExit(r.stderr)
    return json.loads(r.stdout.strip().splitlines()[-1])


def timed(cmd: list[str], **kw) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, timeout=600, **kw)
    return time.perf_counter() - t


def main() -> None:
    sys.path.insert(0, str(HERE))
    from make_reference import build

    work = Path(tempfile.mkdtemp(prefix="zscq-bench-"))
    ref = build(work / "reference.json")
    doc = work / "reference.zscq"
    subprocess.run([sys.executable, "-m", "zscq_desktop", "convert", str(ref), str(doc)], check=True, capture_output=True)
    first = run_child(doc, work / "out1")
    again = [run_child(doc, work / f"out{i}") for i in range(2, 5)]
    repeated = min(a["seconds"] for a in again)
    edited = min(run_child(doc, work / f"edit{i}", edit=True)["seconds"] for i in range(3))

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    lo = None
    if soffice:
        plan_docx = next((work / "out1").glob("实施方案-*.docx"))
        profile = work / "lo-profile"
        lo = timed([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(work / "lo"), str(plan_docx)])  # first run creates the profile
        lo = min(lo, timed([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                            "--outdir", str(work / "lo"), str(plan_docx)]))
    qpdf = shutil.which("qpdf")
    qp = None
    if qpdf:
        pdfs = sorted((work / "reference-附件").glob("*.pdf"))
        qp = timed([qpdf, "--empty", "--pages", *map(str, pdfs), "--", str(work / "merged.pdf")])
    peers = (lo or 0) + (qp or 0)
    rows = {
        "first_export_s": round(first["seconds"], 2),
        "repeated_export_s": round(repeated, 2),
        "export_after_edit_s": round(edited, 2),
        "peak_mb_first": round(first["peak_mb"]),
        "peak_mb_repeated": round(max(a["peak_mb"] for a in again)),
        "volume_pages": first["pages"],
        "zip_mb": round(first["zip_bytes"] / 1e6, 2),
        "peer_libreoffice_plan_docx_s": None if lo is None else round(lo, 2),
        "peer_qpdf_merge_s": None if qp is None else round(qp, 2),
        "repeated_vs_peers": None if not (lo and qp) else round(repeated / peers, 2),
        "after_edit_vs_peers": None if not (lo and qp) else round(edited / peers, 2),
        "cpus": os.cpu_count(),
    }
    if "--json" in sys.argv:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        for k, v in rows.items():
            print(f"{k:32} {v}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
