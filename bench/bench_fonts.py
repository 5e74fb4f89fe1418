"""The fixed font cost of a process: reportlab parsing the bundled fonts vs the parsed-font cache.

    python bench/bench_fonts.py [--pairs 10]

Fresh processes, alternating (cache, parse) / (parse, cache) pairs, each timing
`register_fonts()` alone and `register_fonts()` followed by a one-page PDF in the body and heading
faces (which embeds both, i.e. also reads the tables the cache builds lazily).  "parse" turns the
cache off in the child (what every process did before).  Compile first; children run without
PYTHONDONTWRITEBYTECODE, as an installed app has .pyc files.  Uses a temporary ZSCQ_USER_DIR.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import io, sys, time
from zscq_desktop.render import fonts as F, font_cache
if sys.argv[1] == "parse":
    font_cache._key = lambda path, subfont: None  # no cache: parse as reportlab does
t0 = time.perf_counter()
fs = F.register_fonts()
t1 = time.perf_counter()
from reportlab.pdfgen.canvas import Canvas
c = Canvas(io.BytesIO())
c.setFont(fs.body, 12); c.drawString(72, 720, "天津市知识产权资助项目申报书 2023")
c.setFont(fs.heading, 16); c.drawString(72, 760, "项目实施方案")
c.showPage(); c.save()
t2 = time.perf_counter()
print(t1 - t0, t2 - t0)
"""


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--pairs", type=int, default=10)
    args = p.parse_args()
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "src")], check=True)
    with tempfile.TemporaryDirectory() as user:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env.update(ZSCQ_USER_DIR=user, PYTHONPATH=str(ROOT / "src"))

        def run(mode: str) -> tuple[float, float]:
            out = subprocess.run([sys.executable, "-c", CHILD, mode], env=env, check=True, capture_output=True,
                                 text=True).stdout.split()
            return float(out[0]), float(out[1])

        run("cache")  # the first process parses and writes the cache
        res: dict[str, list[tuple[float, float]]] = {"cache": [], "parse": []}
        for i in range(args.pairs):
            for mode in ("cache", "parse") if i % 2 == 0 else ("parse", "cache"):
                res[mode].append(run(mode))
    for col, label in ((0, "register_fonts()"), (1, "register_fonts() + a PDF embedding both faces")):
        cache = [r[col] for r in res["cache"]]
        parse = [r[col] for r in res["parse"]]
        ratios = [c / q for c, q in zip(cache, parse)]
        print(f"{label}: cache median {statistics.median(cache) * 1000:.1f} ms (min {min(cache) * 1000:.1f}), "
              f"parse median {statistics.median(parse) * 1000:.1f} ms (min {min(parse) * 1000:.1f}); "
              f"ratio cache/parse median of pairs {statistics.median(ratios):.2f}, of minima "
              f"{min(cache) / min(parse):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
