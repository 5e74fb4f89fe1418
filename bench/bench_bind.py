"""The PDF engine, side by side: normalising the reference supporting files and binding the volume.

    python bench/bench_bind.py                       # this checkout only
    python bench/bench_bind.py --before OLD/src      # also another checkout's src/, alternating runs

The reference submission's supporting files (``make_reference``: 6 text PDFs of 120 pages, 30 A4
300-dpi JPEG scans, 2 PNG certificates) and its rendered form and plan are written once. Then, for
each engine, a fresh child process (its own ``PYTHONPATH``) normalises every supporting file and
binds the volume, simplex and duplex; it reports the seconds of each step and its peak memory
(``ru_maxrss``). Runs alternate between the engines (``--runs`` each, default 3) so machine load
hits both alike; the table shows each engine's best run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
folder = Path(sys.argv[1])
from zscq_desktop.render.fonts import register_fonts
from zscq_desktop.attachments.normalize import normalize
try:
    from zscq_desktop.volume.binder import AttachmentPart, VolumeInput, bind
except ImportError:  # before the move (issue 11 item 8)
    from zscq_desktop.render.binder import AttachmentPart, VolumeInput, bind
fonts = register_fonts()
files = sorted(folder.glob("att-*"))
t = time.perf_counter()
parts = []
for i, f in enumerate(files):
    r = normalize(f.read_bytes(), f.name)
    parts.append(AttachmentPart(f"附件材料3-{i + 1}", f.stem, "其他", r.pdf))
normalise = time.perf_counter() - t
inp = VolumeInput(form_pdf=(folder / "form.pdf").read_bytes(), plan_pdf=(folder / "plan.pdf").read_bytes(),
                  attachments=parts, title="2023年天津市知识产权资助项目申报书—基准", unit="天津示例科技有限公司",
                  direction="高质量知识产权创造试点", stamp="1A2B3C4D")
times = {}
for duplex in (False, True):
    t = time.perf_counter()
    vol = bind(inp, duplex=duplex, fonts=fonts)
    times["duplex" if duplex else "simplex"] = (time.perf_counter() - t, vol.pages, len(vol.pdf))
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"normalise_s": normalise, "bind_simplex_s": times["simplex"][0], "bind_duplex_s": times["duplex"][0],
                  "pages": times["simplex"][1], "volume_mb": times["simplex"][2] / 1e6, "peak_mb": peak,
                  "normalised_mb": sum(len(p.pdf) for p in parts) / 1e6}))
"""


def make_inputs(folder: Path) -> None:
    """The reference submission (``make_reference.build``), its supporting files as ``att-NN.*``, its
    form and plan rendered to ``form.pdf`` / ``plan.pdf``."""
    sys.path.insert(0, str(HERE))
    from make_reference import build

    from zscq_desktop.call import load_call
    from zscq_desktop.docio import load_json
    from zscq_desktop.render.content import form_document, plan_document
    from zscq_desktop.render.fonts import register_fonts
    from zscq_desktop.render.pdf_writer import render_pdf

    ref = build(folder / "reference.json")
    sub = load_json(ref).submission
    for i, src in enumerate(sorted((folder / "reference-附件").iterdir())):
        (folder / f"att-{i:02d}{src.suffix}").write_bytes(src.read_bytes())
    call = load_call(sub.call)
    fonts = register_fonts()
    for name, doc in (("form", form_document(call, sub)), ("plan", plan_document(call, sub))):
        (folder / f"{name}.pdf").write_bytes(render_pdf(doc, fonts=fonts, stamp="1A2B3C4D"))


def run(src: Path, folder: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(src)}
    r = subprocess.run([sys.executable, "-c", CHILD, str(folder)], capture_output=True, text=True, env=env,
                       timeout=900)
    if r.returncode:
        raise SystemExit(r.stderr)
    return json.loads(r.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--before", type=Path, help="another checkout's src/ to compare with")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="zscq-bind-"))
    make_inputs(folder)
    engines = {"this": SRC} | ({"before": args.before} if args.before else {})
    results: dict[str, list[dict]] = {k: [] for k in engines}
    for _ in range(args.runs):
        for name, src in engines.items():
            results[name].append(run(src, folder))
    keys = ["normalise_s", "bind_simplex_s", "bind_duplex_s", "peak_mb", "pages", "volume_mb", "normalised_mb"]
    print(f"{'measure':18}" + "".join(f"{n:>12}" for n in engines))
    for k in keys:
        row = [min(r[k] for r in results[n]) for n in engines]
        print(f"{k:18}" + "".join(f"{v:12.2f}" for v in row))


if __name__ == "__main__":
    main()
