"""Autosave benchmark: how long `Document.save()` takes in a document holding 50 MB of attachments.

    python bench/bench_autosave.py [--mb 50] [--saves 200] [--dir DIR] [--json]

Builds the reference-sized submission (the sample for patent-navigation with long plan texts, about
as large as a real one gets), stores `--mb` of random attachment blobs (incompressible, 5 MB each),
then times `--saves` saves, each changing one field the way typing does. Prints the median and the
95th percentile in milliseconds, plus opening time and the time of a cache-hit `get_blob`.
Use `--dir` to measure on another disk (a USB stick or a network share is where it hurts).
The target (issue 2 / contract): median ≤ 20 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from zscq_desktop.call import load_call
from zscq_desktop.core.sample import build_sample
from zscq_desktop.store.document import Document


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=int, default=50)
    ap.add_argument("--saves", type=int, default=200)
    ap.add_argument("--dir", type=Path, default=None)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    call = load_call()
    sub = build_sample(call, "patent-navigation")
    # A long plan, as the patent-navigation report requires: ~120 000 characters in the sections.
    for i, key in enumerate(list(sub.plan["sections"]) or ["background"]):
        sub.plan["sections"][key] = ("专利导航分析报告正文内容，" * 1000)[: 12000 + i]
    work = Path(tempfile.mkdtemp(prefix="zscq-autosave-", dir=args.dir))
    path = work / "bench.zscq"
    try:
        with Document.create(path, sub.to_dict()) as doc:
            for _ in range(max(1, args.mb // 5)):
                doc.put_blob(os.urandom(5 * 1024 * 1024))
        t = time.perf_counter()
        doc = Document.open(path)
        open_ms = (time.perf_counter() - t) * 1000
        times: list[float] = []
        with doc:
            data = doc.load()
            for i in range(args.saves):
                data["form"].setdefault("content", {})["goals"] = f"项目目标第 {i} 次修改：" + "提升知识产权创造质量。" * 50
                t = time.perf_counter()
                doc.save(data)
                times.append((time.perf_counter() - t) * 1000)
            sha = next(iter(doc.blob_sizes()))
            t = time.perf_counter()
            doc.get_blob(sha)
            blob_ms = (time.perf_counter() - t) * 1000
        rows = {
            "blobs_mb": args.mb, "file_mb": round(path.stat().st_size / 1e6, 1),
            "submission_json_kb": round(len(json.dumps(data, ensure_ascii=False).encode()) / 1024),
            "saves": args.saves, "save_median_ms": round(statistics.median(times), 2),
            "save_p95_ms": round(percentile(times, 0.95), 2), "save_max_ms": round(max(times), 2),
            "open_ms": round(open_ms, 1), "get_blob_5mb_ms": round(blob_ms, 1),
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        for k, v in rows.items():
            print(f"{k:22} {v}")


if __name__ == "__main__":
    main()
