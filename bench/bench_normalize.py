"""Supporting-file normalisation benchmark: 30 A4 300-dpi JPEG scans and 120 text-PDF pages.

    python bench/bench_normalize.py [--out bench/out/normalize]

The inputs are the reference submission's (``make_reference.scan_jpeg`` / ``text_pdf``), written
once to the output folder.  The timing runs in a fresh process that only reads the files and
normalises them, so its peak memory (``ru_maxrss``) is the normaliser's, not the generator's.
Prints seconds and peak memory for the scans and the PDFs, and the output sizes.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PDF_PAGES = [30, 25, 20, 20, 15, 10]  # 120 pages in 6 files, as in the reference submission
SCANS = 30


def make_inputs(folder: Path) -> list[Path]:
    sys.path.insert(0, str(HERE))
    from make_reference import scan_jpeg, text_pdf

    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for i, pages in enumerate(PDF_PAGES):
        path = folder / f"text{i + 1}.pdf"
        if not path.exists():
            path.write_bytes(text_pdf(pages, f"证明材料{i + 1}"))
        files.append(path)
    for i in range(SCANS):
        path = folder / f"scan{i + 1:02d}.jpg"
        if not path.exists():
            path.write_bytes(scan_jpeg(i))
        files.append(path)
    return files


def measure(files: list[Path]) -> dict:
    from zscq_desktop.attachments.normalize import normalize

    out: dict = {}
    for kind, suffix in (("pdf", ".pdf"), ("scan", ".jpg")):
        chosen = [p for p in files if p.suffix == suffix]
        t0 = time.perf_counter()
        pages = size_in = size_out = 0
        for p in chosen:
            data = p.read_bytes()
            r = normalize(data, p.name)
            if r.pdf is None:
                raise SystemExit(f"{p.name}: {[str(f) for f in r.findings]}")
            pages += r.pages
            size_in += len(data)
            size_out += len(r.pdf)
        out[kind] = {"files": len(chosen), "pages": pages, "seconds": round(time.perf_counter() - t0, 3),
                     "in_mb": round(size_in / 2**20, 2), "out_mb": round(size_out / 2**20, 2)}
    scale = 1024 if sys.platform != "darwin" else 1024 * 1024  # ru_maxrss: KiB on Linux, bytes on macOS
    out["peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale, 1)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=HERE / "out" / "normalize")
    ap.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    files = make_inputs(args.out)
    if args.measure:
        print(json.dumps(measure(files)))
        return
    proc = subprocess.run([sys.executable, __file__, "--out", str(args.out), "--measure"], capture_output=True,
                          text=True, check=True)
    r = json.loads(proc.stdout.strip().splitlines()[-1])
    for kind, label in (("scan", "A4 300-dpi JPEG scans"), ("pdf", "text PDF files")):
        m = r[kind]
        print(f"{m['files']:3d} {label:22s} {m['pages']:4d} pages  {m['seconds']:6.2f} s  "
              f"{m['in_mb']:6.2f} MB → {m['out_mb']:6.2f} MB")
    print(f"peak memory (normalising process): {r['peak_mb']} MB")


if __name__ == "__main__":
    main()
