"""What the Chinese line-breaking routine (render/linebreak.py, 禁则) costs.

Renders the reference submission's form and plan (≈ 15 000 + 40 000 characters, the text of
``make_reference.py``, no attachments needed) with the routine installed and with reportlab's own
CJK breakers, best of ``--runs`` each, and times the routine alone on the same text.

    python bench/bench_linebreak.py [--runs 3] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_reference import text_of  # noqa: E402

from zscq_desktop.call import load_call  # noqa: E402
from zscq_desktop.core.sample import build_sample  # noqa: E402
from zscq_desktop.render import linebreak  # noqa: E402
from zscq_desktop.render.content import form_document, plan_document  # noqa: E402
from zscq_desktop.render.fonts import register_fonts  # noqa: E402
from zscq_desktop.render.pdf_styles import char_widths  # noqa: E402
from zscq_desktop.render.pdf_writer import render_pdf  # noqa: E402


def reference_docs():
    call = load_call()
    sub = build_sample(call, "creation-pilot")
    for key, n in (("goals", 2500), ("summary", 6000), ("benefits", 2500)):
        sub.form["content"][key] = text_of(n)
    sub.form["ip_base"]["core_products"], sub.form["ip_base"]["ip_rules"] = text_of(2500), text_of(1500)
    keys = [s.key for s in call.plan.sections if s.kind == "text"]
    for k in keys:
        sub.plan["sections"][k] = text_of(40000 // (len(keys) + 5))
    sub.plan["tasks"] = [text_of(40000 // (len(keys) + 5)) for _ in sub.plan["tasks"]]
    return [form_document(call, sub), plan_document(call, sub)]


def best(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    fonts = register_fonts()
    docs = reference_docs()
    chars = sum(len(d.text()) for d in docs)

    def render_all() -> None:
        for d in docs:
            render_pdf(d, fonts=fonts, stamp="BENCH000")

    render_all()  # warm up: fonts, glyph caches
    with_rules = best(render_all, args.runs)
    linebreak.uninstall()
    try:
        without = best(render_all, args.runs)
    finally:
        linebreak.install()
    text = "\n".join(d.text() for d in docs)
    widths = lambda s: char_widths(s, fonts.body, 12, fonts)  # noqa: E731
    alone = best(lambda: linebreak.wrap(text, widths, 156 * 72 / 25.4), args.runs)
    result = {"characters": chars, "render_with_rules_s": round(with_rules, 3),
              "render_reportlab_breakers_s": round(without, 3), "extra_s": round(with_rules - without, 3),
              "extra_pct": round(100 * (with_rules - without) / without, 1),
              "wrap_alone_s": round(alone, 3), "wrap_us_per_char": round(1e6 * alone / max(1, len(text)), 2)}
    if args.json:
        print(json.dumps(result))
    else:
        for k, v in result.items():
            print(f"{k:32} {v}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
